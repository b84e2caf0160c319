"""Choosing the reading of a whole line: which candidate digits, left to right.

reading.py offers, for the groups of ink found on the page (left to right), several ways to
read each stretch: a run of 1-3 groups as one digit (the pieces of a broken stroke), or one
wide group as 2-4 touching digits. Every candidate has been read by the digit model
(probabilities p, shape (10,)) and by the not-a-digit detector (novelty s in [0, 1]).

The chosen chain maximises, by dynamic programming over the groups,

    sum over its digits   log p_max + log(1 - s) + log 0.8
    sum over its splits   - |k - width / (0.7 height)|      (MNIST digits are ~0.7 as wide as tall)
    sum over skipped      log s + log 0.25
    a group read whole    log p(string | group) + k log 0.8  (the sequence reader, seqway.py)

A skipped group is one read as nothing: a shadow's edge, a dash of an erased line, a corner of
the table. It must look like no digit to the detector (s near 1) to be worth skipping, be
short (under 0.6 of the tallest group) or flat (twice as wide as tall), and the line must
keep at least one digit.
"""

from __future__ import annotations

import numpy as np

PER_DIGIT = float(np.log(0.8))  # each digit read costs this much: more pieces must earn their place
SKIP = float(np.log(0.25))      # dropping a group costs this much on top of log s
EPS = 1e-4


def digit_score(d, *_) -> float:
    seq = getattr(d, "seq", None)
    if seq is not None:  # read whole by the sequence reader (seqway.py): its share of log p(string | group)
        return float(seq[1]) + PER_DIGIT
    return float(np.log(max(float(d.probabilities.max()), 1e-6)) + np.log(max(1.0 - d.novelty, EPS))) + PER_DIGIT


def way_score(way) -> float:
    score = sum(digit_score(d) for d in way)
    if len(way) > 1 and getattr(way[0], "seq", None) is None:  # cut digits: MNIST digits are ~0.7 as wide as tall
        score -= abs(len(way) - way[0].extra_ratio / 0.7)
    return score


def _h(d) -> int:
    return d.work_box[3] - d.work_box[1]


def _w(d) -> int:
    return d.work_box[2] - d.work_box[0]


def best_chain(options: list, skip: bool = True) -> tuple[list, list]:
    """(the digits of the best chain, the skipped single-group digits) over `options`
    [(first group, last group, [ways: lists of Digits])]."""
    n = max(j for _, j, _ in options) + 1 if options else 0
    if not options:
        return [], []
    # best[k]: (score, digits, skipped) of the best reading of groups 0..k-1
    best: list = [(0.0, [], [])] + [(-np.inf, [], [])] * n
    single = {i: ways[0][0] for i, j, ways in options if i == j and len(ways[0]) == 1}
    tall = max((_h(d) for d in single.values()), default=0)
    # only marks that are not digit-shaped may be skipped: short ones, or flat ones (a shadow's
    # edge); a whole digit that reads badly is still read
    single = {i: d for i, d in single.items() if _h(d) < 0.6 * tall or 2 * _h(d) < _w(d)}
    for k in range(n):
        score, digits, skipped = best[k]
        if score == -np.inf:
            continue
        for i, j, ways in options:
            if i != k:
                continue
            for way in ways:
                s = score + way_score(way)
                if s > best[j + 1][0]:
                    best[j + 1] = (s, digits + way, skipped)
        if skip and k in single:
            s = score + float(np.log(max(single[k].novelty, EPS))) + SKIP
            if s > best[k + 1][0]:
                best[k + 1] = (s, digits, skipped + [single[k]])
    _, digits, skipped = best[n]
    if not digits and skip:  # never skip everything: the line has at least one digit
        return best_chain(options, skip=False)
    if not digits:  # no chain reaches the right end: the first group's first reading
        digits = list(options[0][2][0])
    return digits, skipped


class Lattice:
    """The ways to cut one group into touching digits (touching.py): nodes are candidate
    cut columns (0 = the left edge, n-1 = the right one), segs[(i, j)] the Digit between
    cuts i and j. Once classified, ways() gives the best chain of k digits for k = 1..4
    (flat segments may be read as nothing)."""

    def __init__(self, nodes: list[int], segs: dict, ratio: float):
        self.nodes, self.n, self.segs, self.ratio = nodes, len(nodes), segs, ratio

    def digits(self) -> list:
        return list(self.segs.values())

    def ways(self, score=digit_score) -> list[list]:
        # f[k][j]: (score, digits) of the best chain of k digits from node 0 to node j; a flat
        # segment (a dash of ruled line stuck to a digit) may also be passed over, read as nothing
        f = [[(-np.inf, [])] * self.n for _ in range(5)]
        f[0][0] = (0.0, [])
        for i in range(self.n):  # segments go left to right: node i is final once reached
            for k in range(5):
                prev = f[k][i]
                if prev[0] == -np.inf:
                    continue
                for (a, j), d in self.segs.items():
                    if a != i:
                        continue
                    if k < 4 and prev[0] + score(d, i, j) > f[k + 1][j][0]:
                        f[k + 1][j] = (prev[0] + score(d, i, j), prev[1] + [d])
                    skip = prev[0] + float(np.log(max(d.novelty, EPS))) + SKIP
                    if getattr(d, "flat", False) and skip > f[k][j][0]:
                        f[k][j] = (skip, prev[1])
        return [f[k][self.n - 1][1] for k in range(1, 5) if f[k][self.n - 1][0] > -np.inf]

    def guess(self) -> list:
        """Before classification: the chain of the most even widths for ~width/(0.7 height) digits."""
        k = int(np.clip(round(self.ratio / 0.7), 2, 4))
        even = self.nodes[-1] / k
        ways = self.ways(lambda d, i, j: -abs(self.nodes[j] - self.nodes[i] - even))
        return min(ways, key=lambda w: abs(len(w) - k)) if ways else self.digits()[:1]


def expand(options: list) -> list:
    """Options with every Lattice replaced by its best ways (after classification)."""
    out = []
    for i, j, ways in options:
        flat = []
        for way in ways:
            flat.extend((way.ways() or [way.guess()]) if isinstance(way, Lattice) else [way])
        flat = [w for w in flat if w]
        if flat:
            out.append((i, j, flat))
    return out


def candidates(options: list) -> list:
    """Every Digit in the options, lattices included (to classify them in one pass)."""
    return [d for _, _, ways in options for way in ways
            for d in (way.digits() if isinstance(way, Lattice) else way)]
