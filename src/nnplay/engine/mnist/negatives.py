"""Synthetic "not a digit" pictures for outlier exposure (novelty.py).

A network trained only on digits has no way to say "none of these": softmax spreads
probability over the ten digits it knows, and a letter A often lands on 4 at 99.9%.
Outlier exposure (Hendrycks et al., 2019) shows the network examples of what is *not*
a digit during training. We draw them here, already in MNIST form (28x28, light on dark,
20 px box, centre of mass at the middle), from simple generators:

    glyph      a letter or symbol from a font (letters people also write as digits,
               such as O, I, l, S, Z, B, b, g, q, are left out)
    shape      circles, polygons, stars, crosses, grids, spirals, faces
    scribble   random smooth curves and hatching
    blob       a filled or very fat shape (a smudge, a thumb)

Every picture is then given a random "look" (soft grey, hard binary, thin, thick), the
same looks the digits get in training, so the detector cannot tell the two apart by
style, only by shape.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .preprocess import _place

GLYPHS = "AaCcDdEeFfHhKkMmNnPpRrUuVvWwXxYy#&@%?$+=<>*~"
CANVAS = 112


def _font(size: int):
    for name in ("DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _glyph(rng) -> np.ndarray:
    img = Image.new("L", (CANVAS, CANVAS), 0)
    dr = ImageDraw.Draw(img)
    ch = GLYPHS[int(rng.integers(len(GLYPHS)))]
    if rng.random() < 0.15:  # two or three letters: a word
        ch = "".join(GLYPHS[int(i)] for i in rng.integers(0, 30, int(rng.integers(2, 4))))
    font = _font(int(rng.integers(50, 90)))
    dr.text((CANVAS / 2, CANVAS / 2), ch, fill=255, font=font, anchor="mm")
    a = np.asarray(img, np.float32) / 255
    if rng.random() < 0.5:  # slant like handwriting
        m = np.float32([[1, rng.uniform(-0.3, 0.3), 0], [0, 1, 0]])
        a = cv2.warpAffine(a, m, (CANVAS, CANVAS))
    return a


def _shape(rng) -> np.ndarray:
    a = np.zeros((CANVAS, CANVAS), np.float32)
    c = CANVAS // 2
    t = int(rng.integers(2, 7))
    kind = int(rng.integers(8))
    if kind == 0:  # a face
        cv2.circle(a, (c, c), 40, 1, t)
        cv2.circle(a, (c - 15, c - 12), 4, 1, -1)
        cv2.circle(a, (c + 15, c - 12), 4, 1, -1)
        cv2.ellipse(a, (c, c + 8), (20, 14), 0, 10, 170, 1, t)
    elif kind == 1:  # a polygon or star
        n = int(rng.integers(3, 9))
        r = rng.uniform(20, 45, n) if rng.random() < 0.5 else np.tile([45, 18], n)[:n]
        ang = np.linspace(0, 2 * math.pi, n, endpoint=False) + rng.uniform(0, 1)
        pts = np.stack([c + r * np.cos(ang), c + r * np.sin(ang)], 1).astype(np.int32)
        cv2.polylines(a, [pts], True, 1, t)
    elif kind == 2:  # a cross or plus or arrow
        cv2.line(a, (20, c), (92, c), 1, t)
        if rng.random() < 0.5:
            cv2.line(a, (c, 20), (c, 92), 1, t)
        else:
            cv2.line(a, (92, c), (70, c - 20), 1, t)
            cv2.line(a, (92, c), (70, c + 20), 1, t)
    elif kind == 3:  # a grid / hash / ladder
        for v in range(20, 93, int(rng.integers(12, 25))):
            cv2.line(a, (v, 15), (v, 97), 1, t)
        for v in range(20, 93, int(rng.integers(12, 40))):
            cv2.line(a, (15, v), (97, v), 1, t)
    elif kind == 4:  # a spiral
        th = np.linspace(0, rng.uniform(8, 18), 200)
        pts = np.stack([c + 3 * th * np.cos(th), c + 3 * th * np.sin(th)], 1).astype(np.int32)
        cv2.polylines(a, [pts], False, 1, t)
    elif kind == 5:  # a house / triangle on a box
        cv2.rectangle(a, (25, 50), (87, 95), 1, t)
        cv2.polylines(a, [np.int32([[20, 52], [56, 15], [92, 52]])], False, 1, t)
    elif kind == 6:  # concentric circles / a flower
        for r in range(10, 50, int(rng.integers(8, 18))):
            cv2.circle(a, (c, c), r, 1, t)
    else:  # a heart / cloud of arcs
        for _ in range(int(rng.integers(3, 6))):
            cv2.ellipse(a, (int(rng.integers(30, 82)), int(rng.integers(30, 82))),
                        (int(rng.integers(10, 30)), int(rng.integers(10, 30))), 0,
                        float(rng.uniform(0, 180)), float(rng.uniform(200, 360)), 1, t)
    return a


def _scribble(rng) -> np.ndarray:
    a = np.zeros((CANVAS, CANVAS), np.float32)
    t = int(rng.integers(2, 7))
    if rng.random() < 0.3:  # hatching
        n = int(rng.integers(4, 12))
        for i in range(n):
            x = int(10 + i * 90 / n)
            cv2.line(a, (x, 15), (x + int(rng.integers(-30, 30)), 97), 1, t)
        return a
    pts = rng.uniform(10, 102, (int(rng.integers(5, 14)), 2))
    th = np.linspace(0, 1, 160)
    idx = th * (len(pts) - 1)
    lo = np.floor(idx).astype(int)
    hi = np.minimum(lo + 1, len(pts) - 1)
    f = (idx - lo)[:, None]
    smooth = pts[lo] * (1 - f) + pts[hi] * f
    smooth = cv2.GaussianBlur(smooth.astype(np.float32).reshape(-1, 1, 2), (1, 21), 0).reshape(-1, 2)
    cv2.polylines(a, [smooth.astype(np.int32)], False, 1, t)
    return a


def _blob(rng) -> np.ndarray:
    a = np.zeros((CANVAS, CANVAS), np.float32)
    for _ in range(int(rng.integers(1, 4))):
        cv2.ellipse(a, (int(rng.integers(30, 82)), int(rng.integers(30, 82))),
                    (int(rng.integers(10, 40)), int(rng.integers(8, 30))), float(rng.uniform(0, 180)), 0, 360, 1, -1)
    return a


MAKERS = {"glyph": _glyph, "shape": _shape, "scribble": _scribble, "blob": _blob}
WEIGHTS = {"glyph": 0.45, "shape": 0.28, "scribble": 0.22, "blob": 0.05}


def to_field(a: np.ndarray) -> np.ndarray | None:
    """A big light-on-dark picture -> MNIST's 28x28 (crop, 20 px box, centre of mass)."""
    ys, xs = np.nonzero(a > 0.25)
    if len(ys) == 0:
        return None
    a = a[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = a.shape
    s = 20 / max(h, w)
    box = cv2.resize(a, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    if box.max() <= 0:
        return None
    return _place(np.clip(box / box.max(), 0, 1).astype(np.float32), True)


def look(x28: np.ndarray, rng) -> np.ndarray:
    """A random look for a 28x28 picture: as is, binarised, thinner or thicker, blurred.
    Applied to digits and non-digits alike during training."""
    k = rng.random()
    x = x28
    if k < 0.35:
        return x
    big = cv2.resize(x, (84, 84), interpolation=cv2.INTER_LINEAR)
    big = (big > rng.uniform(0.3, 0.6)).astype(np.float32)
    if k < 0.55:
        big = cv2.dilate(big, np.ones((3, 3), np.uint8), iterations=int(rng.integers(1, 3)))
    elif k < 0.7:
        thin = cv2.erode(big, np.ones((3, 3), np.uint8))
        big = thin if thin.sum() > 0.3 * big.sum() else big
    out = to_field(big)
    return x if out is None else out


def make(n: int, rng) -> np.ndarray:
    """n non-digit pictures (n, 28, 28) float32."""
    names = list(MAKERS)
    p = np.array([WEIGHTS[k] for k in names])
    out = []
    while len(out) < n:
        a = MAKERS[names[int(rng.choice(len(names), p=p / p.sum()))]](rng)
        if rng.random() < 0.5:  # rotate a little
            m = cv2.getRotationMatrix2D((CANVAS / 2, CANVAS / 2), float(rng.uniform(-25, 25)), 1.0)
            a = cv2.warpAffine(a, m, (CANVAS, CANVAS))
        x = to_field(a)
        if x is not None:
            out.append(look(x, rng))
    return np.stack(out).astype(np.float32)
