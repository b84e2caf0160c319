"""Touching digits: where to cut a group of ink that is several digits wide.

A written number's digits often touch (or overlap a little), so one connected piece of ink
holds two to four digits. Evenly spaced cuts go wrong as soon as the digits differ in width
(a "1" beside an "8"). We let the digit model choose instead (a classifier-scored cut search):

    candidate cuts   the columns where the ink's column profile has a local minimum
                     (the thin bridge where two digits meet), plus the evenly spaced ones,
                     and the ends of thin stretches (a dash of line stuck to a digit)
    segments         every stretch between two candidate cuts that is 0.2-1.4 times as wide
                     as the line is tall, read as one digit: a 28x28 input each
    choice           chain.Lattice: the chain of segments from the left edge to the right one
                     with the best sum of log-probabilities (and the not-a-digit penalty),
                     for 2, 3 and 4 digits; chain.best_chain weighs those against the rest

A straight cut through overlapping digits leaves a sliver of the neighbour in each part:
small pieces that touch an inner cut are dropped from the part.
"""

from __future__ import annotations

import cv2
import numpy as np

MAX_CUTS = 10   # candidate cuts kept (the lowest columns): segments grow as cuts squared


def cut_candidates(mask: np.ndarray, tall: float) -> list[int]:
    """Columns (1..w-1) where a cut is worth trying, sorted left to right."""
    from .photo import stroke_width
    from .segment import split_points

    w = mask.shape[1]
    cols = cv2.GaussianBlur(mask.sum(0).astype(np.float32).reshape(1, -1), (0, 0), max(1.0, w / 60)).ravel()
    lo = int(0.15 * tall)
    minima = [x for x in range(max(1, lo), w - max(1, lo)) if cols[x] <= cols[x - 1] and cols[x] <= cols[x + 1]]
    even = [c for k in (2, 3, 4) for c in split_points(mask, k)]
    found = sorted(set(minima) | {c for c in even if 0 < c < w}, key=lambda x: cols[x])
    # where a thin stretch (a dash of line stuck to a digit, a bridge) starts or ends: first
    raw = mask.sum(0)
    thin = raw <= max(2.0, 0.5 * stroke_width(mask))  # columns with less ink than one stroke across
    edges = [x for x in range(1, w) if thin[x] != thin[x - 1]]
    found = edges + [x for x in found if x not in edges]
    keep: list[int] = []
    for x in found:  # the lowest first; one per stretch of 0.08 heights
        if all(abs(x - k) >= 0.08 * tall for k in keep):
            keep.append(x)
        if len(keep) >= MAX_CUTS:
            break
    return sorted(keep)


def part(sub: np.ndarray, a: int, b: int, thin: np.ndarray | None = None, tail: float = 0.0) -> np.ndarray:
    """Columns a..b-1 of the group's mask, without the neighbours' slivers at inner cuts and
    without a thin tail (columns marked `thin`, over `tail` px long) at either end: a dash
    of ruled line stuck to the digit."""
    if thin is not None:
        while b - a > 1 and thin[a:a + int(tail) + 1].all():
            a += int(np.argmin(thin[a:b])) if not thin[a:b].all() else b - a - 1
        while b - a > 1 and thin[max(a, b - int(tail) - 1):b].all():
            b = a + 1 + int(np.nonzero(~thin[a:b])[0].max()) if (~thin[a:b]).any() else a + 1
    out = np.zeros_like(sub)
    out[:, a:b] = sub[:, a:b]
    n, lab, stats, _ = cv2.connectedComponentsWithStats(out.astype(np.uint8), connectivity=8)
    if n <= 2:
        return out
    total = float(stats[1:, cv2.CC_STAT_AREA].sum())
    w = sub.shape[1]
    for i in range(1, n):
        x, _, cw, _, area = stats[i]
        at_cut = (a > 0 and x <= a) or (b < w and x + cw >= b)
        if at_cut and area < 0.12 * total:
            out[lab == i] = False
    return out


def lattice(sub: np.ndarray, tall: float, make, ratio: float):
    """A chain.Lattice of the group `sub` (its mask): `make(part_mask)` -> Digit or None."""
    from .chain import Lattice
    from .photo import stroke_width

    h, w = sub.shape
    ref = max(h, 0.8 * tall)
    nodes = [0, *cut_candidates(sub, ref), w]
    thin = sub.sum(0) <= max(2.0, 0.5 * stroke_width(sub))
    segs = {}
    for i in range(len(nodes)):
        for j in range(i + 1, len(nodes)):
            width = nodes[j] - nodes[i]
            if width > 1.4 * ref:
                break
            if width < 0.2 * ref:
                continue
            m = part(sub, nodes[i], nodes[j], thin, 0.1 * ref)
            d = make(m) if m.any() else None
            if d is not None:
                d.extra_ratio = ratio
                ys = np.nonzero(m.any(1))[0]
                d.flat = bool(ys[-1] - ys[0] + 1 < 0.3 * ref)  # a dash, not a digit: may be passed over
                segs[(i, j)] = d
    return Lattice(nodes, segs, ratio)
