"""Measure a reader on the generator's pictures, per condition (docs/photos.md).

    PYTHONPATH=src python tests/photos/measure.py --per 40 --seed 13            # this tree (after)
    PYTHONPATH=/work/main/src python tests/photos/measure.py --per 40 --seed 13 # main (before)

"Before" is what main's `nnplay predict` did: the whole picture read as one digit
(`to_mnist` then the bundled CNN), with no notion of numbers or of non-digits (every
picture is "a digit"). "After" is `read_image`.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
_ROOT = Path(__file__).resolve().parents[2]
for _d in (_ROOT.parent / "shared" / "data" / "mnist", _ROOT / "data" / "mnist"):
    if _d.exists():
        os.environ.setdefault("NNPLAY_DATA_DIR", str(_d))
        break

import generator as g  # noqa: E402


def reader():
    """(name, f(bytes) -> (number or None, is_digit)) for the nnplay on sys.path."""
    from nnplay.engine.mnist import load_pretrained, predict_probs
    model = load_pretrained()[0]
    try:
        from nnplay.engine.mnist.reading import read_image
    except ImportError:
        from nnplay.engine.mnist.preprocess import to_mnist

        def before(data):
            return str(int(predict_probs(model, to_mnist(data)).argmax())), True
        return "before", before

    if os.environ.get("NNPLAY_PHOTO_READER", "") != "bundled":  # what `nnplay predict` uses
        from nnplay.engine.mnist.reading import default_reader
        model = default_reader()

    def after(data):
        r = read_image(data, model)
        return r.number, r.is_digit
    return "after", after


def samples(seed: int, per: int, numbers: int, nondigits: int, conditions=None):
    """The pictures of one seed. `conditions` (a subset of generator.CONDITIONS) makes only
    those digits: a different set of pictures from the full run's (the generator draws them
    one after the other from one seed), for developing on one condition with more pictures."""
    from nnplay.engine.mnist import load_mnist
    d = load_mnist()
    xs, ys = d.test_x[:, 0].numpy(), d.test_y.numpy()
    rng = np.random.default_rng(seed)
    return (g.digit_set(xs, ys, per, rng, conditions or g.CONDITIONS) + g.number_set(xs, ys, numbers, rng)
            + g.nondigit_set(nondigits, rng))


def run(seed: int, per: int, numbers: int, nondigits: int, dump: str | None = None, conditions=None) -> dict:
    name, read = reader()
    rows = collections.defaultdict(lambda: [0, 0])
    accepted = collections.defaultdict(lambda: [0, 0])
    t0 = time.perf_counter()
    for i, s in enumerate(samples(seed, per, numbers, nondigits, conditions)):
        try:
            number, is_digit = read(s.data)
        except Exception as e:  # "no ink found" and the like: counted as wrong / not a digit
            number, is_digit = None, False
            err = str(e)
        else:
            err = ""
        if s.kind == "nondigit":
            key = ("non-digits flagged", s.condition)
            rows[key][0] += int(not is_digit)
        else:
            key = ("digits" if s.kind == "digit" else "numbers", s.condition)
            rows[key][0] += int(number == s.truth)
            accepted[s.kind][0] += int(is_digit)
            accepted[s.kind][1] += 1
        rows[key][1] += 1
        if dump and ((s.kind != "nondigit" and number != s.truth) or (s.kind == "nondigit" and is_digit)):
            Path(dump).mkdir(parents=True, exist_ok=True)
            Path(dump, f"{i:04d}-{s.kind}-{s.condition[:12].replace(' ', '_')}-{s.truth}-{number}.{s.ext}").write_bytes(s.data)
    out = {"reader": name, "seconds": round(time.perf_counter() - t0, 1),
           "rows": {f"{k[0]}|{k[1]}": v for k, v in rows.items()},
           "accepted": dict(accepted)}
    return out


def table(out: dict) -> str:
    lines = []
    for kind in ("digits", "numbers", "non-digits flagged"):
        items = [(k.split("|")[1], v) for k, v in out["rows"].items() if k.startswith(kind + "|")]
        tot = [sum(v[0] for _, v in items), sum(v[1] for _, v in items)]
        for cond, (ok, n) in items + [("all", tot)]:
            lines.append(f"{kind:20s} {cond:34s} {ok:4d}/{n:<4d} {ok / max(1, n):6.1%}")
    for kind, (ok, n) in out["accepted"].items():
        lines.append(f"{'accepted as digits':20s} {kind:34s} {ok:4d}/{n:<4d} {ok / max(1, n):6.1%}")
    return "\n".join(lines)


def markdown(before: dict, after: dict) -> str:
    """The before/after table of docs/photos.md from two --json files."""
    out = ["| kind | condition | before | after |", "|---|---|---|---|"]
    for kind in ("digits", "numbers", "non-digits flagged"):
        keys = [k for k in after["rows"] if k.startswith(kind + "|")]
        tot = {"before": [0, 0], "after": [0, 0]}
        for k in keys:
            cells = []
            for name, res in (("before", before), ("after", after)):
                ok, n = res["rows"].get(k, [0, 0])
                tot[name][0] += ok
                tot[name][1] += n
                cells.append(f"{ok / max(1, n):.0%} ({ok}/{n})")
            out.append(f"| {kind} | {k.split('|')[1]} | {cells[0]} | {cells[1]} |")
        cells = [f"**{v[0] / max(1, v[1]):.1%}** ({v[0]}/{v[1]})" for v in tot.values()]
        out.append(f"| {kind} | **all** | {cells[0]} | {cells[1]} |")
    for kind in ("digit", "number"):
        cells = []
        for res in (before, after):
            ok, n = res["accepted"].get(kind, [0, 0])
            cells.append(f"{ok / max(1, n):.1%} ({ok}/{n})")
        out.append(f"| accepted as digits | real {kind}s | {cells[0]} | {cells[1]} |")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--markdown":
        print(markdown(json.loads(Path(sys.argv[2]).read_text()), json.loads(Path(sys.argv[3]).read_text())))
        sys.exit(0)
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--per", type=int, default=40, help="digits per condition")
    ap.add_argument("--numbers", type=int, default=40, help="numbers per kind")
    ap.add_argument("--nondigits", type=int, default=20, help="non-digits per kind")
    ap.add_argument("--json", help="write the raw counts here")
    ap.add_argument("--dump", help="write the misread pictures into this folder")
    ap.add_argument("--condition", action="append", help="only this digit condition (repeatable; other "
                    "pictures than the full run's: for development, e.g. --condition 'everything mixed' --per 100)")
    a = ap.parse_args()
    conds = a.condition
    if conds and set(conds) - set(g.CONDITIONS):
        ap.error(f"unknown condition(s) {sorted(set(conds) - set(g.CONDITIONS))}; choose from {g.CONDITIONS}")
    res = run(a.seed, a.per, a.numbers, a.nondigits, a.dump, conds)
    print(res["reader"], f"{res['seconds']} s")
    print(table(res))
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1))
