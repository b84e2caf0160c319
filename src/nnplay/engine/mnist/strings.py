"""Written numbers made from MNIST training digits: the sequence reader's training data.

The sequence reader (sequence.py) reads a whole group of touching digits at once. It learns
that from strings of 1-4 MNIST *training* digits set side by side, from a clear gap down to a
strong overlap where the strokes cross (a 1 written into a 3, a 7's bar across an 8), then
given the photo reader's generic looks (photo_reader.py), and finally cut out and scaled the
way reading.py hands a group of ink to the reader:

    each digit    28x28 -> 2x (56 px) on an 84 px canvas, random affine (rotation, slant,
                  aspect, size), threshold at a random level: a binary mask, cropped to its
                  ink columns (the rows keep MNIST's frame, so the digits stand on one line)
    string        digit masks OR-ed left to right; the gap between two digits' ink is
                  -0.3 .. +0.35 digit heights (65% of them touch or overlap), each digit a
                  little up or down
    looks         thicker or thinner pen, then the pipeline's stroke normalisation
                  (photo.normalise_stroke); small gaps; specks and dashes; blur + threshold
    input         crop to the ink, height HEIGHT px (area-averaged), width in proportion,
                  PAD empty columns each side: (HEIGHT, W) float32 in [0, 1]

Never the MNIST test digits and never the test generator's pictures (tests/photos).
"""

from __future__ import annotations

import cv2
import numpy as np

HEIGHT = 32      # the sequence reader's input height (px)
PAD = 2          # empty columns either side of the ink
MAX_WIDTH = 192  # wider groups are squeezed to this many columns (about 6 digits)
SIDE = 84        # working canvas of one digit: MNIST at 2x (56 px) with room for the warp
UNIT = 40.0      # a 2x MNIST digit's height (20 px box) on that canvas


def digit_mask(x28: np.ndarray, rng) -> np.ndarray:
    """One MNIST digit -> (SIDE, w) bool: random affine, random threshold, ink columns only."""
    a = np.zeros((SIDE, SIDE), np.float32)
    off = (SIDE - 56) // 2
    a[off:off + 56, off:off + 56] = cv2.resize(x28.astype(np.float32), (56, 56), interpolation=cv2.INTER_LINEAR)
    c = SIDE / 2
    ang = np.deg2rad(rng.uniform(-10, 10))
    shear, aspect, size = rng.uniform(-0.35, 0.35), rng.uniform(0.8, 1.15), rng.uniform(0.88, 1.1)
    rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
    m = size * rot @ np.array([[aspect, shear], [0.0, 1.0]])
    affine = np.hstack([m, (np.array([c, c]) - m @ np.array([c, c]))[:, None]]).astype(np.float32)
    a = cv2.warpAffine(a, affine, (SIDE, SIDE), flags=cv2.INTER_LINEAR)
    mask = a > rng.uniform(0.25, 0.6)
    cols = np.nonzero(mask.any(0))[0]
    if len(cols) == 0:
        return np.zeros((SIDE, 1), bool)
    return mask[:, cols[0]:cols[-1] + 1]


def compose(masks: list[np.ndarray], rng) -> np.ndarray:
    """Digit masks (SIDE, w_i) side by side -> one (rows, cols) bool mask of the string.

    The gap between neighbours' ink is g * UNIT: touching or overlapping (g in -0.3..0) 65%
    of the time, else a small gap (0..0.35). A digit never starts left of the previous
    digit's first third, so the reading order stays left to right."""
    lift = int(0.08 * UNIT) + 1
    xs, x = [], 0
    for i, m in enumerate(masks):
        if i:
            g = rng.uniform(-0.3, 0.0) if rng.random() < 0.65 else rng.uniform(0.0, 0.35)
            prev = masks[i - 1].shape[1]
            x = max(xs[-1] + int(0.35 * prev) + 1, xs[-1] + prev + int(g * UNIT))
        xs.append(x)
    width = max(x + m.shape[1] for x, m in zip(xs, masks))
    out = np.zeros((SIDE + 2 * lift, width), bool)
    for x, m in zip(xs, masks):
        dy = lift + int(rng.integers(-lift, lift + 1))
        out[dy:dy + SIDE, x:x + m.shape[1]] |= m
    return out


def looks(mask: np.ndarray, rng) -> np.ndarray:
    """The photo reader's generic looks on a whole string (photo_reader.py)."""
    from .photo_reader import _dashes, _gaps, _stroke

    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return mask
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    h = float(box[3] - box[1])
    mask = _stroke(mask, h, rng)
    if rng.random() < 0.25:
        mask = _gaps(mask, h, rng)
    if rng.random() < 0.15:
        mask = _dashes(mask, box, h, rng)
    if rng.random() < 0.2:
        blurred = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), rng.uniform(0.01, 0.03) * h)
        mask = blurred > rng.uniform(0.35, 0.65)
    return mask


def to_input(mask: np.ndarray) -> np.ndarray:
    """A group's ink mask (any size) -> (HEIGHT, W) float32: cropped to the ink, scaled to
    HEIGHT rows (area-averaged: thin strokes become grey, not lost), PAD columns each side.
    reading.py hands the sequence reader a group exactly this way."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return np.zeros((HEIGHT, 2 * PAD + 1), np.float32)
    m = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32)
    h, w = m.shape
    nw = int(np.clip(round(w * HEIGHT / h), 1, MAX_WIDTH))
    interp = cv2.INTER_AREA if h > HEIGHT else cv2.INTER_LINEAR
    small = cv2.resize(m, (nw, HEIGHT), interpolation=interp)
    return np.pad(np.clip(small, 0, 1), ((0, 0), (PAD, PAD))).astype(np.float32)


LENGTHS = (1, 2, 3, 4)
LENGTH_P = (0.1, 0.35, 0.3, 0.25)   # strings of 2-4 digits mostly; some single digits


def make_string(xs: np.ndarray, ys: np.ndarray, rng) -> tuple[np.ndarray, list[int]]:
    """One training example: ((HEIGHT, W) input, its digits left to right), from the
    MNIST digits xs (N, 28, 28) in [0, 1] with labels ys (N,)."""
    n = int(rng.choice(LENGTHS, p=LENGTH_P))
    idx = rng.integers(0, len(xs), n)
    mask = compose([digit_mask(xs[i], rng) for i in idx], rng)
    return to_input(looks(mask, rng)), [int(ys[i]) for i in idx]


def make_batch(xs, ys, n: int, rng) -> tuple[list[np.ndarray], list[list[int]]]:
    pairs = [make_string(xs, ys, rng) for _ in range(n)]
    return [p[0] for p in pairs], [p[1] for p in pairs]
