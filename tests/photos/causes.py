"""Why written numbers are misread: each miss put down to one cause (docs/photos.md).

    PYTHONPATH=src python tests/photos/causes.py --seed 7 --numbers 40 [--dump DIR]

The oracle is the number's truth: after `read_image`, every candidate the chain search
could have chosen has been read (reading.extra["options"]: runs of groups read as one
digit, lattices of cuts through a wide group). A miss is

    scorer       a chain of those candidates reads the truth (each digit the reader's top
                 answer), but chain.best_chain preferred another one
    misread      no chain does, but one would if each candidate could also be read as the
                 reader's second answer (the cuts are there; the reader is wrong)
    not cut      fewer groups of ink than digits, and none was offered to the cut search
                 (two digits overlapping so much that the group is narrower than 1.0 height)
    unreachable  none of these: the cuts are in the wrong places, or the reader is far off
    error        read_image raised (no ink found)

and, beside it, whether the chain read fewer, as many or more digits than were written.
The pictures are measure.py's (the same seed gives the same numbers when --per matches).
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import measure  # noqa: E402  (sets NNPLAY_DATA_DIR)


TOP = 1  # a candidate "reads" a digit when it is among the reader's TOP answers


def _reads_as(d, digit: str) -> bool:
    return digit in {str(int(k)) for k in np.argsort(-d.probabilities)[:TOP]}


def lattice_reads(lat, text: str) -> float | None:
    """The best score of a chain through the Lattice `lat` whose digits read `text`, or None."""
    from nnplay.engine.mnist.chain import EPS, SKIP, digit_score
    best = {(0, 0): 0.0}   # (node, digits of text read) -> score
    for i in range(lat.n):
        for t in range(len(text) + 1):
            if (i, t) not in best:
                continue
            for (a, j), d in lat.segs.items():
                if a != i:
                    continue
                if t < len(text) and _reads_as(d, text[t]):
                    v = best[(i, t)] + digit_score(d)
                    best[(j, t + 1)] = max(best.get((j, t + 1), -np.inf), v)
                if getattr(d, "flat", False):   # a dash passed over
                    v = best[(i, t)] + float(np.log(max(d.novelty, EPS))) + SKIP
                    best[(j, t)] = max(best.get((j, t), -np.inf), v)
    return best.get((lat.n - 1, len(text)))


def _split_cost(lat, m: int) -> float:
    """What chain.way_score charges a way of m digits cut from the Lattice `lat` (its width prior)."""
    from nnplay.engine.mnist.chain import digit_score, way_score
    d = next(iter(lat.segs.values()))
    return m * digit_score(d) - way_score([d] * m)


def reads(options: list, truth: str) -> float | None:
    """The best chain.best_chain score of a chain of `options` that reads `truth` (any single
    group may be skipped), or None when no chain does."""
    from nnplay.engine.mnist.chain import EPS, SKIP, Lattice, way_score
    n = max(j for _, j, _ in options) + 1
    best = {(0, 0): 0.0}   # (groups read, digits of truth read) -> score
    for k in range(n):
        for t in range(len(truth) + 1):
            if (k, t) not in best:
                continue
            score = best[(k, t)]
            for i, j, ways in options:
                if i != k:
                    continue
                for way in ways:
                    if isinstance(way, Lattice):
                        for m in range(1, 5):
                            v = lattice_reads(way, truth[t:t + m]) if t + m <= len(truth) else None
                            if v is not None:
                                v += score - _split_cost(way, m)
                                best[(j + 1, t + m)] = max(best.get((j + 1, t + m), -np.inf), v)
                    elif len(truth) - t >= len(way) and all(_reads_as(d, c) for d, c in zip(way, truth[t:])):
                        v = score + way_score(way)
                        best[(j + 1, t + len(way))] = max(best.get((j + 1, t + len(way)), -np.inf), v)
                    if i == j and not isinstance(way, Lattice) and len(way) == 1:   # skipped
                        v = score + float(np.log(max(way[0].novelty, EPS))) + SKIP
                        best[(k + 1, t)] = max(best.get((k + 1, t), -np.inf), v)
    return best.get((n, len(truth)))


def cause(sample, model) -> tuple[str, str, str | None]:
    """(cause, count: fewer | same | more, the number read) of one number picture."""
    from nnplay.engine.mnist.chain import Lattice
    from nnplay.engine.mnist.reading import classify, prepare
    try:
        r = prepare(sample.data)
        options = r.extra["options"]
        r = classify(r, model)
    except Exception:  # "no ink found" and the like
        return "error", "fewer", None
    read = r.number or ""
    count = "fewer" if len(read) < len(sample.truth) else "more" if len(read) > len(sample.truth) else "same"
    if read == sample.truth:
        return "right", count, read
    if reads(options, sample.truth) is not None:
        return "scorer", count, read
    global TOP
    TOP, second = 2, reads(options, sample.truth)
    TOP = 1
    if second is not None:
        return "misread", count, read   # the cuts are there; the reader's second answer is right
    groups = max(j for _, j, _ in options) + 1
    cut = any(isinstance(w, Lattice) for _, _, ways in options for w in ways)
    return ("not cut" if groups < len(sample.truth) and not cut else "unreachable"), count, read


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--per", type=int, default=0, help="digits per condition before the numbers (as measure.py)")
    ap.add_argument("--numbers", type=int, default=40, help="numbers per kind")
    ap.add_argument("--dump", help="write the misread pictures here, named by cause")
    a = ap.parse_args()
    from nnplay.engine.mnist.reading import default_reader
    model = default_reader()
    counts = collections.Counter()
    for i, s in enumerate(measure.samples(a.seed, a.per, a.numbers, 0)):
        if s.kind != "number":
            continue
        why, count, read = cause(s, model)
        counts[(s.condition, why, count if why != "right" else "")] += 1
        if why != "right":
            print(f"{i:4d} {s.condition:15s} {s.truth:>5s} read {read!s:>7s}  {why:11s} {count}")
            if a.dump:
                Path(a.dump).mkdir(parents=True, exist_ok=True)
                Path(a.dump, f"{i:04d}-{s.condition[:8].replace(' ', '_')}-{s.truth}-{read}-{why}-{count}.{s.ext}").write_bytes(s.data)
    for (kind, why, count), n in sorted(counts.items()):
        print(f"{kind:15s} {why:11s} {count:5s} {n:3d}")


if __name__ == "__main__":
    main()
