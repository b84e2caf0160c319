"""Telling a shadow's edge from a pen stroke, after the flat field (photo.py).

The flat field divides the picture by the paper's brightness, estimated by a closing with a
square of 1/8 of the picture. A closing can only follow an edge whose bends are wider than
its square: where a shadow's curved edge bends tighter (the tip of a bulge of light into the
shade, a wavy edge, a finger's rounded end), the estimate keeps the lit paper's level a
little way into the shade, and the flat field then reads that shaded paper as ink: a
crescent or a thin sliver along the edge, as "dark" as the shadow is deep (an extra "1"
beside the digit, or a wedge the writing is grown from).

What tells them apart is the neighbourhood. A pen stroke is darker than the paper on *both*
sides of it: a closing by a square only a few times the stroke's own width fills it, so
relative to that closer estimate it is still ink. A shadow's edge is a step, not a ridge:
the shaded paper goes on, as dark, beyond the crescent, so a closing of about the crescent's
own width leaves it as it is (a closing does not change a straight step), and relative to
that estimate it is paper. Each piece of the ink mask is therefore checked against a closing
sized to its own width (twice its widest point plus a margin, so a felt pen is filled as
surely as a ballpoint): its pixels that lose more than half of their ink there are a step
in the light, not a stroke, and go.

Arrays: `ink` float32 (H, W) in [0, 1] (1 = ink, the normalised picture the flat field
read), `flat` its flat field, `mask` bool (H, W).
"""

from __future__ import annotations

import cv2
import numpy as np

KEEP = 0.5  # share of its flat-field ink a pixel must keep against the closer paper estimate


def _sizes(big: int) -> list[int]:
    """Odd square sides from 7 px up to (not over) the flat field's own square."""
    out, k = [], 7
    while k < big:
        out.append(k)
        k = int(k * 1.5) | 1
    return out


def drop_shadow_edges(mask: np.ndarray, ink: np.ndarray, flat: np.ndarray, big: int) -> np.ndarray:
    """The mask without the pixels that are a step in the light rather than a stroke
    (module docstring). `big` is the side of the flat field's square."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return mask
    n, lab = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    # each piece's widest point: the largest distance from a pixel inside it to the paper
    dist = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    widest = np.zeros(n, np.float32)
    np.maximum.at(widest, lab[ys, xs], dist[ys, xs])
    sizes = _sizes(big)
    if not sizes:
        return mask
    # the square for each piece: twice its widest point (its full width) twice over, + 3 px
    want = 4 * widest + 3
    which = np.searchsorted(np.array(sizes), want)  # the first size >= want (len: too wide, keep)
    lum = cv2.GaussianBlur(1.0 - ink.astype(np.float32), (0, 0), 0.7)
    floor = 0.3 * float(np.percentile(lum[::4, ::4], 95)) + 1e-3
    px_which = which[lab[ys, xs]]
    keep = np.ones(len(ys), bool)
    for i, k in enumerate(sizes):
        sel = px_which == i
        if not sel.any():
            continue
        paper = cv2.morphologyEx(lum, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
        py, pxx = ys[sel], xs[sel]
        near = np.clip((paper[py, pxx] - lum[py, pxx]) / np.maximum(paper[py, pxx], floor), 0, 1)
        keep[sel] = near >= KEEP * flat[py, pxx]
    out = np.zeros_like(mask, dtype=bool)
    out[ys[keep], xs[keep]] = True
    return out
