"""Realistic photos and scans of handwriting, made from MNIST *test* digits (issue 13).

Written from the issue's description of what students photograph, not from nnplay's
preprocessing: a digit is re-drawn with a pen along its skeleton (so pen width and colour
are the pen's, not MNIST's), on a sheet of paper (plain, ruled with blue lines and a red
margin, or squared), lit by a lamp (brightness, gradient, vignette, a hard shadow),
photographed (rotation, perspective, the table around the sheet, blur, sensor noise,
JPEG). Also written numbers of 2-4 digits (spaced, touching, broken strokes) and things
that are not digits (handwritten and printed letters, doodles, smileys, scribbles, text).

Every function takes a numpy Generator, so a seed fixes a whole set. Images come back as
JPEG bytes (photos, scans) or a PNG of a transparent RGBA canvas (the sketch pad).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

# The conditions of the table first, then the rest of its description.
CONDITIONS = [
    "even light", "small digit on a big sheet", "thin blue ballpoint", "squared (graph) paper",
    "a hard shadow across the sheet", "ruled notebook paper",
    "pencil", "felt pen", "tilted, in perspective", "dim, uneven light", "flatbed scan",
    "12 MP photo (4000x3000)", "everything mixed", "drawn on the sketch pad",
]
NUMBER_KINDS = ["spaced", "touching", "broken strokes"]
NONDIGIT_KINDS = ["handwritten letter", "printed letter", "doodle", "smiley", "scribble", "printed text"]


@dataclass
class Look:
    """Everything that decides how one picture looks."""
    size: tuple[int, int] = (1024, 768)       # (width, height) of the photo
    paper: str = "plain"                      # plain | ruled | squared
    pen: str = "gel"                          # gel | ballpoint | felt | pencil
    height: float = 0.3                       # digit height as a fraction of the photo's height
    light: float = 0.95                       # overall brightness of the lamp
    gradient: float = 0.1                     # how much the light falls off across the sheet
    shadow: bool = False                      # a hard-edged shadow (a hand, a phone) across the sheet
    tilt: float = 4.0                         # max rotation, degrees
    perspective: float = 0.03                 # max corner displacement, fraction of the size
    table: float = 0.0                        # chance that the table shows around the sheet
    blur: float = 0.8                         # max gaussian blur sigma, px at 1024
    noise: float = 3.0                        # sensor noise, grey levels
    jpeg: tuple[int, int] = (70, 92)          # JPEG quality range
    scan: bool = False                        # flatbed: flat white light, no perspective
    extra: dict = field(default_factory=dict)


def look_for(condition: str, rng: np.random.Generator) -> Look:
    """The Look of one condition: its own factor strong, the others mild and random."""
    lk = Look(size=(1024, 768) if rng.random() < 0.6 else (768, 1024), pen=str(rng.choice(["gel", "gel", "felt"])),
              height=float(rng.uniform(0.22, 0.45)), light=float(rng.uniform(0.8, 1.0)),
              gradient=float(rng.uniform(0.0, 0.15)), tilt=6.0, table=0.3)
    if condition == "small digit on a big sheet":
        lk.height = float(rng.uniform(0.05, 0.09))
    elif condition == "thin blue ballpoint":
        lk.pen = "ballpoint"
    elif condition == "squared (graph) paper":
        lk.paper = "squared"
    elif condition == "a hard shadow across the sheet":
        lk.shadow = True
    elif condition == "ruled notebook paper":
        lk.paper = "ruled"
    elif condition == "pencil":
        lk.pen = "pencil"
    elif condition == "felt pen":
        lk.pen = "felt"
    elif condition == "tilted, in perspective":
        lk.tilt, lk.perspective, lk.table = 15.0, 0.10, 0.7
    elif condition == "dim, uneven light":
        lk.light, lk.gradient, lk.noise = float(rng.uniform(0.35, 0.6)), float(rng.uniform(0.3, 0.55)), 6.0
    elif condition == "flatbed scan":
        lk.scan, lk.size, lk.tilt, lk.perspective, lk.table = True, (1240, 1754), 2.0, 0.0, 0.0
        lk.height, lk.blur, lk.noise, lk.gradient = float(rng.uniform(0.06, 0.15)), 0.5, 1.5, 0.0
    elif condition == "12 MP photo (4000x3000)":
        lk.size = (4000, 3000)
    elif condition == "everything mixed":
        lk.paper = str(rng.choice(["plain", "ruled", "squared"]))
        lk.pen = str(rng.choice(["gel", "ballpoint", "felt", "pencil"]))
        lk.shadow = bool(rng.random() < 0.4)
        lk.height = float(rng.uniform(0.08, 0.45))
        lk.light, lk.gradient = float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.0, 0.4))
        lk.tilt, lk.perspective, lk.table = 10.0, 0.06, 0.5
    return lk


# ---------------------------------------------------------------------------------------
# Strokes: an MNIST digit -> the centre lines a pen would follow
# ---------------------------------------------------------------------------------------
def _thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean image (vectorised): one-pixel centre lines."""
    img = np.pad(mask.astype(np.uint8), 1)
    while True:
        changed = False
        for step in (0, 1):
            p = [np.roll(np.roll(img, -dy, 0), -dx, 1) for dy, dx in
                 [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]]
            b = sum(p)
            a = sum(((p[i] == 0) & (p[(i + 1) % 8] == 1)).astype(np.uint8) for i in range(8))
            if step == 0:
                c = (p[0] * p[2] * p[4] == 0) & (p[2] * p[4] * p[6] == 0)
            else:
                c = (p[0] * p[2] * p[6] == 0) & (p[0] * p[4] * p[6] == 0)
            kill = (img == 1) & (b >= 2) & (b <= 6) & (a == 1) & c
            if kill.any():
                img[kill] = 0
                changed = True
        if not changed:
            return img[1:-1, 1:-1].astype(bool)


def skeleton_segments(x28: np.ndarray) -> np.ndarray:
    """(N, 4) segments (x0, y0, x1, y1) joining neighbouring skeleton pixels, in a unit box:
    y from 0 (top of the digit) to 1 (bottom), x scaled by the same factor."""
    up = cv2.resize(np.asarray(x28, np.float32), (112, 112), interpolation=cv2.INTER_CUBIC)
    sk = _thin(up > 0.45)
    ys, xs = np.nonzero(sk)
    if len(ys) == 0:
        return np.zeros((0, 4), np.float32)
    y0, x0, h = ys.min(), xs.min(), max(1, ys.max() - ys.min())
    on = set(zip(ys.tolist(), xs.tolist()))
    segs = []
    for y, x in on:
        for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
            if (y + dy, x + dx) in on:
                segs.append((x - x0, y - y0, x + dx - x0, y + dy - y0))
    if not segs:  # a dot
        segs = [(xs[0] - x0, ys[0] - y0, xs[0] - x0, ys[0] - y0)]
    return np.asarray(segs, np.float32) / h


def break_strokes(segs: np.ndarray, rng, n: int = 2, gap: float = 0.07) -> np.ndarray:
    """Remove the segments near n random points: the pen lifted (an open 4, a 5's loose hat)."""
    keep = np.ones(len(segs), bool)
    mid = (segs[:, :2] + segs[:, 2:]) / 2
    for _ in range(n):
        c = mid[rng.integers(len(mid))]
        keep &= np.hypot(*(mid - c).T) > gap / 2
    return segs[keep] if keep.sum() > len(segs) // 2 else segs


# ---------------------------------------------------------------------------------------
# Pens, paper, light, camera
# ---------------------------------------------------------------------------------------
PENS = {  # colour (RGB), width as a fraction of the digit height (min px), opacity
    "gel": ((25, 25, 45), 0.045, 3, 0.95),
    "ballpoint": ((30, 50, 150), 0.012, 2, 0.8),
    "felt": ((15, 15, 20), 0.11, 6, 1.0),
    "pencil": ((95, 95, 105), 0.03, 2, 0.65),
}


def draw_strokes(canvas_alpha: np.ndarray, segs: np.ndarray, x: float, y: float, h: float, width: float,
                 rng, skips: float = 0.0) -> None:
    """Draw unit-box segments scaled to height h at (x, y) (top-left), antialiased, into a float alpha."""
    layer = np.zeros(canvas_alpha.shape, np.uint8)
    shift = 4  # cv2 sub-pixel coordinates: 1/16 px
    w = max(1, int(round(width)))
    pts = np.round((segs * h + np.array([x, y, x, y])) * (1 << shift)).astype(np.int64)
    # a wobble of the hand: shift every stroke by a smooth random field
    for x0, y0, x1, y1 in pts:
        if skips and rng.random() < skips:
            continue
        cv2.line(layer, (int(x0), int(y0)), (int(x1), int(y1)), 255, w, cv2.LINE_AA, shift)
    np.maximum(canvas_alpha, layer.astype(np.float32) / 255, out=canvas_alpha)


def _noise_field(shape, rng, scale: int) -> np.ndarray:
    """Smooth random field in about [-1, 1] with features of `scale` px."""
    h, w = shape
    small = rng.standard_normal((max(2, h // scale + 2), max(2, w // scale + 2))).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def paper(shape, kind: str, rng, unit: float) -> np.ndarray:
    """(H, W, 3) float RGB paper in [0, 1]; unit = typical px per mm-ish scale (line spacing)."""
    h, w = shape
    tint = np.array([rng.uniform(0.93, 0.99), rng.uniform(0.92, 0.98), rng.uniform(0.86, 0.96)], np.float32)
    img = np.ones((h, w, 3), np.float32) * tint
    img *= (1 + 0.015 * _noise_field(shape, rng, 40))[..., None]
    if kind == "ruled":
        sp = unit * rng.uniform(0.9, 1.2)
        blue = np.array([0.55, 0.68, 0.9], np.float32) * rng.uniform(0.85, 1.05)
        lw = max(1, int(round(sp / 16)))
        y = rng.uniform(0.3, 1.5) * sp
        while y < h:
            cv2.line(img, (0, int(y)), (w, int(y)), blue.tolist(), lw, cv2.LINE_AA)
            y += sp
        mx = int(w * rng.uniform(0.08, 0.18))
        red = [0.88, 0.42, 0.45]
        cv2.line(img, (mx, 0), (mx, h), red, max(1, lw + 1), cv2.LINE_AA)
        if rng.random() < 0.5:
            cv2.line(img, (mx + 4 * lw, 0), (mx + 4 * lw, h), red, lw, cv2.LINE_AA)
    elif kind == "squared":
        sp = unit * rng.uniform(0.55, 0.8)
        col = (np.array([0.55, 0.72, 0.8], np.float32) if rng.random() < 0.6
               else np.array([0.62, 0.62, 0.62], np.float32))
        lw = max(1, int(round(sp / 20)))
        off = rng.uniform(0, sp, 2)
        for i, v in enumerate(np.arange(off[0], w, sp)):
            cv2.line(img, (int(v), 0), (int(v), h), col.tolist(), lw + (i % 5 == 0), cv2.LINE_AA)
        for i, v in enumerate(np.arange(off[1], h, sp)):
            cv2.line(img, (0, int(v)), (w, int(v)), col.tolist(), lw + (i % 5 == 0), cv2.LINE_AA)
    return img


def ink_onto(img: np.ndarray, alpha: np.ndarray, colour, opacity: float, rng, pen: str) -> None:
    """Ink absorbs light: multiply the paper by the pen's colour where the alpha is."""
    ys, xs = np.nonzero(alpha > 0)
    if len(ys) == 0:
        return
    win = np.s_[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    img, alpha = img[win], alpha[win]  # only where there is ink (a view: writes go through)
    a = alpha * opacity
    if pen == "pencil":  # graphite grain
        a = a * np.clip(0.75 + 0.35 * rng.standard_normal(alpha.shape).astype(np.float32), 0.2, 1.0)
    if pen == "ballpoint":  # pressure varies along the line
        a = a * np.clip(0.8 + 0.25 * _noise_field(alpha.shape, rng, 25), 0.45, 1.0)
    col = np.asarray(colour, np.float32) / 255
    img *= 1 - a[..., None] * (1 - col)


def light_and_camera(img: np.ndarray, lk: Look, rng) -> np.ndarray:
    """Put the flat sheet in front of a camera: warp onto a table, light, blur, noise -> uint8 RGB."""
    h, w = img.shape[:2]
    W, H = lk.size
    # where the sheet's corners land in the photo
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    fit = min(W / w, H / h)
    margin = rng.uniform(0.05, 0.2) if rng.random() < lk.table else -rng.uniform(0.02, 0.12)
    scale = fit * (1 - margin)
    ang = math.radians(rng.uniform(-lk.tilt, lk.tilt))
    c, s = math.cos(ang), math.sin(ang)
    centre = np.array([W / 2 + rng.uniform(-0.04, 0.04) * W, H / 2 + rng.uniform(-0.04, 0.04) * H])
    rel = (src - [w / 2, h / 2]) * scale
    dst = rel @ np.array([[c, s], [-s, c]], np.float32) + centre
    dst += rng.uniform(-lk.perspective, lk.perspective, (4, 2)) * [W, H]
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    table = np.array(rng.choice([[0.35, 0.25, 0.18], [0.5, 0.5, 0.52], [0.2, 0.2, 0.22], [0.7, 0.62, 0.5]]),
                     np.float32)
    photo = cv2.warpPerspective(img, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                borderValue=table.tolist())
    # the lamp: brightness, a gradient in a random direction, a vignette (smooth: made small, scaled up)
    sh, sw = max(8, H // 4), max(8, W // 4)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    yy, xx = yy / sh, xx / sw
    d = rng.uniform(0, 2 * math.pi)
    ramp = ((xx - 0.5) * math.cos(d) + (yy - 0.5) * math.sin(d))
    light = lk.light * (1 - lk.gradient * (ramp + 0.5))
    if not lk.scan:
        r2 = ((xx - 0.5) ** 2 + (yy - 0.5) ** 2) / 0.5
        light = light * (1 - rng.uniform(0.05, 0.25) * r2)
    light = cv2.resize(light.astype(np.float32), (W, H), interpolation=cv2.INTER_LINEAR)
    if lk.shadow:
        light = light * hard_shadow((H, W), rng)
    cast = np.array([1.0, rng.uniform(0.96, 1.02), rng.uniform(0.85, 1.02)], np.float32)
    photo *= light[..., None]
    photo *= cast
    k = max(W, H) / 1024
    sigma = rng.uniform(0.2, lk.blur) * k
    if sigma > 0.3:
        photo = cv2.GaussianBlur(photo, (0, 0), sigma)
    noise = np.empty(photo.shape, np.float32)
    cv2.randn(noise, 0.0, float(lk.noise * (1.3 - lk.light * 0.3)))
    photo *= 255
    photo += noise
    return np.clip(photo, 0, 255).astype(np.uint8)


def hard_shadow(shape, rng) -> np.ndarray:
    """A multiplicative light map with a hard-edged dark region across the sheet."""
    H, W = shape
    h, w = max(8, H // 2), max(8, W // 2)
    mask = np.zeros((h, w), np.uint8)
    # a straight or gently bent edge from one side to another; the dark side covers 25-60%
    a = rng.uniform(0, math.pi)
    nx, ny = math.cos(a), math.sin(a)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    proj = (xx - w / 2) * nx + (yy - h / 2) * ny
    proj += _noise_field((h, w), rng, max(h, w) // 2) * 0.05 * max(h, w)
    cut = np.quantile(proj, rng.uniform(0.4, 0.75))
    mask[proj > cut] = 255
    if rng.random() < 0.4:  # a finger-like blob instead of a half-plane
        mask[:] = 0
        cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
        cv2.ellipse(mask, (int(cx), int(cy)), (int(w * rng.uniform(0.2, 0.4)), int(h * rng.uniform(0.4, 0.9))),
                    rng.uniform(0, 180), 0, 360, 255, -1)
    edge = max(0.5, rng.uniform(1.5, 5.0) * max(h, w) / 1024)
    soft = cv2.GaussianBlur(mask.astype(np.float32) / 255, (0, 0), edge)
    soft = cv2.resize(soft, (W, H), interpolation=cv2.INTER_LINEAR)
    depth = rng.uniform(0.35, 0.6)
    return 1 - (1 - depth) * soft


def to_jpeg(rgb: np.ndarray, rng, quality=(70, 92)) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=int(rng.integers(*quality)))
    return buf.getvalue()


# ---------------------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------------------
def _sheet_for(lk: Look, rng) -> tuple[np.ndarray, float]:
    """A flat sheet canvas about the photo's size (slightly bigger or smaller) and its unit."""
    W, H = lk.size
    base = min(1.0, 1100 / max(W, H))  # draw at <= 1100 px; the camera scales it up
    w, h = int(W * base * rng.uniform(1.0, 1.1)), int(H * base * rng.uniform(1.0, 1.1))
    unit = 0.04 * max(w, h) * rng.uniform(0.85, 1.15)  # ruled line spacing
    return paper((h, w), lk.paper, rng, unit), base


def _write(sheet: np.ndarray, glyphs: list[np.ndarray], lk: Look, rng, gap=(0.1, 0.35),
           broken: bool = False) -> None:
    """Write unit-box stroke sets left to right at the Look's height, somewhere on the sheet."""
    h_img, w_img = sheet.shape[:2]
    hpx = lk.height * h_img
    colour, wf, wmin, opacity = PENS[lk.pen]
    width = max(wmin, wf * hpx) if lk.pen != "ballpoint" else max(wmin, wf * hpx, 0.0022 * h_img)
    widths = [np.ptp(np.r_[g[:, 0], g[:, 2]]) * hpx if len(g) else 0 for g in glyphs]
    gaps = [rng.uniform(*gap) * hpx for _ in glyphs[1:]]
    total = sum(widths) + sum(gaps)
    if total > 0.7 * w_img:  # too wide: write smaller
        f = 0.7 * w_img / total
        hpx *= f
        widths, gaps, total = [v * f for v in widths], [v * f for v in gaps], 0.7 * w_img
        width = max(wmin, min(width, wf * hpx))
    x = rng.uniform(0.12 * w_img, max(0.13 * w_img, 0.88 * w_img - total))
    y = rng.uniform(0.12 * h_img, max(0.13 * h_img, 0.88 * h_img - hpx))
    alpha = np.zeros(sheet.shape[:2], np.float32)
    for i, g in enumerate(glyphs):
        if broken:
            g = break_strokes(g, rng, n=int(rng.integers(1, 3)), gap=max(0.06, 2.5 * width / hpx))
        hh = hpx * rng.uniform(0.92, 1.08)
        gx0 = min(g[:, 0].min(), g[:, 2].min()) if len(g) else 0
        draw_strokes(alpha, g, x - gx0 * hh, y + rng.uniform(-0.05, 0.05) * hpx, hh, width, rng,
                     skips=0.01 if lk.pen == "ballpoint" else 0.0)
        x += widths[i] + (gaps[i] if i < len(gaps) else 0)
    ink_onto(sheet, alpha, colour, opacity * rng.uniform(0.85, 1.0), rng, lk.pen)


def photo_of(glyphs: list[np.ndarray], lk: Look, rng, **kw) -> bytes:
    sheet, _ = _sheet_for(lk, rng)
    _write(sheet, glyphs, lk, rng, **kw)
    return to_jpeg(light_and_camera(sheet, lk, rng), rng, lk.jpeg)


def sketch_of(glyphs: list[np.ndarray], rng, size: int = 280, gap=(0.1, 0.3)) -> bytes:
    """A transparent 280x280 RGBA canvas with a black 14-px brush, like the app's sketch pad."""
    alpha = np.zeros((size, size), np.float32)
    hpx = rng.uniform(0.45, 0.8) * size
    widths = [np.ptp(np.r_[g[:, 0], g[:, 2]]) * hpx for g in glyphs]
    total = sum(widths) + (len(glyphs) - 1) * 0.2 * hpx
    if total > 0.9 * size:
        hpx *= 0.9 * size / total
        widths = [v * 0.9 * size / total for v in widths]
    x = rng.uniform(0.05 * size, max(0.06 * size, 0.95 * size - sum(widths) - (len(glyphs) - 1) * 0.2 * hpx))
    y = rng.uniform(0.05 * size, 0.95 * size - hpx)
    for g, w in zip(glyphs, widths):
        gx0 = min(g[:, 0].min(), g[:, 2].min())
        draw_strokes(alpha, g, x - gx0 * hpx, y, hpx, 14, rng)
        x += w + rng.uniform(*gap) * hpx
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., 3] = (alpha * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    return buf.getvalue()


def digit_picture(x28: np.ndarray, condition: str, rng) -> bytes:
    """One MNIST test digit photographed (or drawn) under `condition`."""
    segs = skeleton_segments(x28)
    if condition == "drawn on the sketch pad":
        return sketch_of([segs], rng)
    return photo_of([segs], look_for(condition, rng), rng)


def number_picture(x28s: list[np.ndarray], kind: str, rng) -> bytes:
    """A written number: 2-4 MNIST test digits side by side, spaced, touching or with broken strokes."""
    lk = look_for(str(rng.choice(["even light", "thin blue ballpoint", "ruled notebook paper",
                                  "squared (graph) paper", "pencil", "felt pen", "a hard shadow across the sheet"])),
                  rng)
    lk.height = float(rng.uniform(0.15, 0.3))
    segs = [skeleton_segments(x) for x in x28s]
    if kind == "touching":
        return photo_of(segs, lk, rng, gap=(-0.12, -0.04))
    if kind == "broken strokes":
        return photo_of(segs, lk, rng, broken=True)
    return photo_of(segs, lk, rng)


# ---------------------------------------------------------------------------------------
# Things that are not digits
# ---------------------------------------------------------------------------------------
# Hand-drawn capital and small letters as polylines in a unit box (y down). Letters that
# people also write as digits (O, o, I, l, S, s, Z, z, B, b, g, q, G) are left out.
LETTERS = {
    "A": [[(0, 1), (0.35, 0), (0.7, 1)], [(0.15, 0.6), (0.55, 0.6)]],
    "E": [[(0.6, 0), (0, 0), (0, 1), (0.6, 1)], [(0, 0.5), (0.45, 0.5)]],
    "F": [[(0.6, 0), (0, 0), (0, 1)], [(0, 0.5), (0.45, 0.5)]],
    "H": [[(0, 0), (0, 1)], [(0.6, 0), (0.6, 1)], [(0, 0.5), (0.6, 0.5)]],
    "K": [[(0, 0), (0, 1)], [(0.6, 0), (0, 0.55), (0.6, 1)]],
    "M": [[(0, 1), (0.05, 0), (0.4, 0.6), (0.75, 0), (0.8, 1)]],
    "N": [[(0, 1), (0, 0), (0.6, 1), (0.6, 0)]],
    "R": [[(0, 1), (0, 0), (0.45, 0.02), (0.55, 0.2), (0.45, 0.45), (0, 0.5), (0.55, 1)]],
    "W": [[(0, 0), (0.2, 1), (0.4, 0.35), (0.6, 1), (0.8, 0)]],
    "X": [[(0, 0), (0.6, 1)], [(0.6, 0), (0, 1)]],
    "Y": [[(0, 0), (0.3, 0.5), (0.6, 0)], [(0.3, 0.5), (0.3, 1)]],
    "C": [[(0.65, 0.15), (0.4, 0), (0.12, 0.1), (0, 0.5), (0.12, 0.9), (0.4, 1), (0.65, 0.85)]],
    "D": [[(0, 0), (0, 1), (0.4, 0.95), (0.6, 0.6), (0.6, 0.4), (0.4, 0.05), (0, 0)]],
    "P": [[(0, 1), (0, 0), (0.45, 0.03), (0.55, 0.25), (0.45, 0.47), (0, 0.5)]],
    "U": [[(0, 0), (0, 0.75), (0.15, 1), (0.45, 1), (0.6, 0.75), (0.6, 0)]],
    "V": [[(0, 0), (0.35, 1), (0.7, 0)]],
    "e": [[(0.05, 0.65), (0.6, 0.65), (0.5, 0.4), (0.3, 0.35), (0.05, 0.55), (0.1, 0.9), (0.35, 1), (0.6, 0.9)]],
    "h": [[(0, 0), (0, 1)], [(0, 0.6), (0.2, 0.4), (0.45, 0.4), (0.55, 0.6), (0.55, 1)]],
    "k": [[(0, 0), (0, 1)], [(0.5, 0.35), (0, 0.7), (0.5, 1)]],
    "m": [[(0, 0.4), (0, 1)], [(0, 0.5), (0.2, 0.4), (0.35, 0.5), (0.35, 1)],
          [(0.35, 0.5), (0.55, 0.4), (0.7, 0.5), (0.7, 1)]],
    "n": [[(0, 0.4), (0, 1)], [(0, 0.5), (0.25, 0.4), (0.45, 0.5), (0.45, 1)]],
    "r": [[(0, 0.4), (0, 1)], [(0, 0.6), (0.2, 0.42), (0.45, 0.42)]],
    "w": [[(0, 0.4), (0.15, 1), (0.35, 0.55), (0.55, 1), (0.7, 0.4)]],
    "x": [[(0, 0.4), (0.5, 1)], [(0.5, 0.4), (0, 1)]],
    "y": [[(0, 0.35), (0.3, 0.75)], [(0.6, 0.35), (0.15, 1.25)]],
    "f": [[(0.5, 0.05), (0.3, 0), (0.2, 0.15), (0.2, 1)], [(0, 0.4), (0.45, 0.4)]],
    "t": [[(0.2, 0), (0.2, 0.9), (0.35, 1), (0.5, 0.95)], [(0, 0.35), (0.45, 0.35)]],
    "#": [[(0.2, 0), (0.1, 1)], [(0.5, 0), (0.4, 1)], [(0, 0.35), (0.6, 0.35)], [(0, 0.65), (0.6, 0.65)]],
    "&": [[(0.7, 1), (0.15, 0.35), (0.2, 0.05), (0.4, 0.05), (0.45, 0.25), (0.05, 0.65), (0.15, 0.95),
           (0.45, 0.95), (0.7, 0.6)]],
}
PRINTED = "AEFHKMNRWXYCDPUVehkmnrwxyft#&?%@"
WORDS = ["cat", "Hello", "Name:", "math", "Page", "abc", "The end", "x + y", "Mon", "hi!"]


def _polylines_to_segs(lines, rng, jitter=0.02) -> np.ndarray:
    """Polylines in a unit box -> densely sampled segments with a hand's wobble."""
    segs = []
    for line in lines:
        p = np.asarray(line, np.float32)
        p = p + rng.normal(0, jitter, p.shape)
        for a, b in zip(p[:-1], p[1:]):
            n = max(2, int(np.hypot(*(b - a)) * 40))
            t = np.linspace(0, 1, n)[:, None]
            q = a + (b - a) * t
            segs += [(q[i, 0], q[i, 1], q[i + 1, 0], q[i + 1, 1]) for i in range(n - 1)]
    s = np.asarray(segs, np.float32)
    ymin, ymax = min(s[:, 1].min(), s[:, 3].min()), max(s[:, 1].max(), s[:, 3].max())
    xmin = min(s[:, 0].min(), s[:, 2].min())
    return (s - [xmin, ymin, xmin, ymin]) / max(1e-3, ymax - ymin)


def _circle(cx, cy, r, a0=0.0, a1=2 * math.pi, n=40, sx=1.0):
    t = np.linspace(a0, a1, n)
    return list(zip(cx + r * sx * np.cos(t), cy + r * np.sin(t)))


def doodle_lines(kind: str, rng) -> list:
    if kind == "smiley":
        eye = rng.uniform(0.03, 0.06)
        mouth = _circle(0.5, 0.45, 0.28, 0.2 * math.pi, 0.8 * math.pi, 20)
        out = [_circle(0.5, 0.5, 0.5), _circle(0.33, 0.38, eye, n=10), _circle(0.67, 0.38, eye, n=10), mouth]
        return out if rng.random() < 0.7 else out[1:]  # sometimes no face outline
    shape = rng.choice(["house", "star", "heart", "sun", "tree", "arrow", "spiral", "flower", "cloud", "fish"])
    if shape == "house":
        return [[(0, 0.45), (0.5, 0), (1, 0.45)], [(0.1, 0.4), (0.1, 1), (0.9, 1), (0.9, 0.4)],
                [(0.4, 1), (0.4, 0.7), (0.6, 0.7), (0.6, 1)]]
    if shape == "star":
        pts = [(0.5 + 0.5 * math.sin(i * 4 * math.pi / 5), 0.5 - 0.5 * math.cos(i * 4 * math.pi / 5)) for i in range(6)]
        return [pts]
    if shape == "heart":
        t = np.linspace(0, 2 * math.pi, 60)
        x = 16 * np.sin(t) ** 3
        y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
        return [list(zip(x / 34 + 0.5, y / 34 + 0.5))]
    if shape == "sun":
        rays = [[(0.5 + 0.3 * math.cos(a), 0.5 + 0.3 * math.sin(a)), (0.5 + 0.5 * math.cos(a), 0.5 + 0.5 * math.sin(a))]
                for a in np.linspace(0, 2 * math.pi, 9)[:-1]]
        return [_circle(0.5, 0.5, 0.2)] + rays
    if shape == "tree":
        return [[(0.45, 1), (0.45, 0.6)], [(0.55, 1), (0.55, 0.6)], _circle(0.5, 0.35, 0.3)]
    if shape == "arrow":
        return [[(0, 0.5), (1, 0.5)], [(0.75, 0.3), (1, 0.5), (0.75, 0.7)]]
    if shape == "spiral":
        t = np.linspace(0, 5 * math.pi, 120)
        return [list(zip(0.5 + 0.05 * t * np.cos(t) / 1.6, 0.5 + 0.05 * t * np.sin(t) / 1.6))]
    if shape == "flower":
        petals = [_circle(0.5 + 0.25 * math.cos(a), 0.35 + 0.25 * math.sin(a), 0.13, n=20)
                  for a in np.linspace(0, 2 * math.pi, 6)[:-1]]
        return petals + [[(0.5, 0.6), (0.5, 1.2)]]
    if shape == "cloud":
        return [_circle(0.3, 0.55, 0.2, 0.5 * math.pi, 1.6 * math.pi, 20), _circle(0.55, 0.4, 0.25, 1.0 * math.pi, 2.0 * math.pi, 20),
                _circle(0.8, 0.55, 0.2, 1.4 * math.pi, 2.5 * math.pi, 20), [(0.3, 0.75), (0.8, 0.75)]]
    return [_circle(0.45, 0.5, 0.3, sx=1.5, n=40), [(0.9, 0.5), (1.1, 0.3), (1.1, 0.7), (0.9, 0.5)],
            _circle(0.25, 0.45, 0.03, n=8)]


def scribble_lines(rng) -> list:
    """A random-walk scribble or hatching: what a bored hand does."""
    if rng.random() < 0.3:
        n = int(rng.integers(5, 12))
        return [[(i / n, 0), (i / n + 0.3, 1)] for i in range(n)]
    k = int(rng.integers(6, 14))
    pts = rng.uniform(0, 1, (k, 2)) * [rng.uniform(0.6, 2.0), 1]
    # a smooth curve through random points (Catmull-Rom)
    out = []
    for i in range(1, k - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for t in np.linspace(0, 1, 10):
            out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                              + (-p0 + 3 * p1 - 3 * p2 + p3) * t ** 3))
    return [out]


def _font(size: int):
    for name in ("DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def printed_picture(text: str, lk: Look, rng) -> bytes:
    """Printed (typed) text on paper, photographed."""
    sheet, _ = _sheet_for(lk, rng)
    h, w = sheet.shape[:2]
    size = int(lk.height * h * (1.3 if len(text) == 1 else 0.8))
    font = _font(max(12, size))
    img = Image.new("L", (w, h), 0)
    dr = ImageDraw.Draw(img)
    box = dr.textbbox((0, 0), text, font=font)
    tw, th = box[2] - box[0], box[3] - box[1]
    x = rng.uniform(0.1 * w, max(0.11 * w, 0.9 * w - tw))
    y = rng.uniform(0.1 * h, max(0.11 * h, 0.9 * h - th))
    dr.text((x - box[0], y - box[1]), text, fill=255, font=font)
    alpha = np.asarray(img, np.float32) / 255
    ink_onto(sheet, alpha, (20, 20, 25), 0.95, rng, "gel")
    return to_jpeg(light_and_camera(sheet, lk, rng), rng, lk.jpeg)


def nondigit_picture(kind: str, rng) -> bytes:
    """Something that is not a digit, photographed like the digits are."""
    lk = look_for(str(rng.choice(["even light", "thin blue ballpoint", "ruled notebook paper",
                                  "squared (graph) paper", "pencil", "felt pen"])), rng)
    if kind == "printed letter":
        return printed_picture(str(rng.choice(list(PRINTED))), lk, rng)
    if kind == "printed text":
        lk.height = float(rng.uniform(0.1, 0.2))
        return printed_picture(str(rng.choice(WORDS)), lk, rng)
    if kind == "handwritten letter":
        lines = LETTERS[str(rng.choice(list(LETTERS)))]
    elif kind == "smiley":
        lines = doodle_lines("smiley", rng)
    elif kind == "doodle":
        lines = doodle_lines("doodle", rng)
    else:
        lines = scribble_lines(rng)
    return photo_of([_polylines_to_segs(lines, rng)], lk, rng)


# ---------------------------------------------------------------------------------------
# Sets
# ---------------------------------------------------------------------------------------
@dataclass
class Sample:
    kind: str            # "digit" | "number" | "nondigit"
    condition: str
    data: bytes
    truth: str | None    # the digit(s) written, None for non-digits
    ext: str = "jpg"


def digit_set(xs: np.ndarray, ys: np.ndarray, per_condition: int, rng, conditions=CONDITIONS) -> list[Sample]:
    """per_condition MNIST test digits (drawn without replacement from xs) for every condition."""
    out, order = [], rng.permutation(len(xs))
    i = 0
    for cond in conditions:
        n = per_condition if "12 MP" not in cond else max(1, per_condition // 5)
        for _ in range(n):
            k = order[i % len(order)]
            i += 1
            ext = "png" if cond == "drawn on the sketch pad" else "jpg"
            out.append(Sample("digit", cond, digit_picture(xs[k], cond, rng), str(int(ys[k])), ext))
    return out


def number_set(xs, ys, per_kind: int, rng) -> list[Sample]:
    out = []
    for kind in NUMBER_KINDS:
        for _ in range(per_kind):
            n = int(rng.integers(2, 5))
            idx = rng.choice(len(xs), n, replace=False)
            out.append(Sample("number", kind, number_picture([xs[i] for i in idx], kind, rng),
                              "".join(str(int(ys[i])) for i in idx)))
    return out


def nondigit_set(per_kind: int, rng) -> list[Sample]:
    return [Sample("nondigit", kind, nondigit_picture(kind, rng), None)
            for kind in NONDIGIT_KINDS for _ in range(per_kind)]
