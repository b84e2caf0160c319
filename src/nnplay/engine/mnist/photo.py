"""Cleaning up a photo of handwriting so only the pen's ink is left.

A phone photo is not a clean scan. The paper is not one grey level: a lamp lights one
side more than the other and a hand casts a hard shadow; ruled or squared paper has
lines as dark as a light pen; the camera adds noise and JPEG blocks. A single global
threshold (what a scan needs) then takes the shadow or the lines for ink. These steps,
in order, leave just the pen strokes as a boolean mask:

    flat_field       divide by the paper's own brightness (estimated by a morphological
                     closing larger than a stroke), so shade and shadows go: paper -> 1
    local_threshold  a pixel is ink when it is clearly darker than its neighbourhood
                     (adaptive threshold) and clearly above the noise of the page
    remove_lines     long thin straight structures (ruled lines, grid lines, the margin)
                     are found with a probabilistic Hough transform and erased, then the
                     strokes they crossed are joined again
    drop_mottled     what does not stand above its own neighbourhood's background (cells
                     of 32 px) goes: the table's noise past a dim sheet, a shadow's rim

We use OpenCV's headless wheel (opencv-python-headless) for these filters rather than
hand-written ones: its morphology, adaptive thresholds, Hough transform and connected
components are fast, vectorised C++ that has been used on documents for two decades,
one wheel with only numpy as a dependency; scikit-image has the same algorithms but runs
them 3-20x slower here (closing, Hough) and pulls in more packages.

Arrays are float32 (H, W) ink maps in [0, 1] (1 = ink) or uint8/bool masks of the same shape.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

cv2.setNumThreads(1)  # a few ms of work per image: threads cost more than they bring on a busy box


def _odd(v: float) -> int:
    v = int(round(v))
    return v + 1 if v % 2 == 0 else v


def _closing(a: np.ndarray, k: int) -> np.ndarray:
    return cv2.morphologyEx(a, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a mask, 2 * area / perimeter (a long bar of width w and length
    L has area w*L and perimeter ~2L). 0 for an empty mask."""
    m = mask.astype(np.uint8)
    area = float(m.sum())
    if area == 0:
        return 0.0
    contours, _ = cv2.findContours(m, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2 * area / max(perimeter, 1.0)


def flat_field(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Flat-field correction: (ink relative to the local paper, paper brightness, stroke width).

    paper brightness B(x, y) = closing(lum) with a square larger than any stroke: the
    closing (a max filter, then a min filter) removes dark structures narrower than the
    square and keeps large ones, such as a shadow, edges included. Then
        ink' = 1 - lum / B
    is 0 on paper, lit or shaded, and the share of light the pen absorbed on strokes.
    """
    lum = cv2.GaussianBlur(1.0 - ink.astype(np.float32), (0, 0), 0.7)
    h, w = lum.shape
    size = max(h, w)
    # a square of 1/8 of the picture is wider than any pen stroke or blot of ink (a felt
    # pen's loop included), yet narrower than a shadow or a lamp's gradient
    k = _odd(max(9, size / 8))
    paper = _closing(lum, k)
    # the table around a sheet, or a very deep shade, is dark "paper": dividing by it would
    # blow its noise up into ink, so the divisor never drops below 30% of the bright paper
    # (paper - lum) / paper; the closing is never darker than the picture, so the table
    # (dark "paper" the closing follows) gives 0 whatever the divisor
    floor = 0.3 * float(np.percentile(paper[::4, ::4], 95)) + 1e-3
    flat = np.clip((paper - lum) / np.maximum(paper, floor), 0.0, 1.0)
    ink_mask = flat > 0.25
    width = stroke_width(ink_mask) if ink_mask.any() else 2.0
    return flat.astype(np.float32), paper.astype(np.float32), width


def local_threshold(flat: np.ndarray, width: float) -> np.ndarray:
    """Ink mask: above the neighbourhood's mean (adaptive threshold over ~4 stroke widths)
    and above the page's noise floor (median + 8 MADs of the flat-fielded page, at least
    0.08), so faint pencil still counts and paper grain does not."""
    block = _odd(max(15, 4 * width))
    local = cv2.blur(flat, (block, block))
    sample = flat[::3, ::3]  # statistics of the page: a ninth of the pixels is plenty
    med = float(np.median(sample))
    mad = float(np.median(np.abs(sample - med))) + 1e-3
    floor = max(0.08, med + 8 * mad)
    # (inside a wide felt-pen stroke the neighbourhood is all ink: what absorbs half the light is ink anyway)
    mask = ((flat > local + 0.03) | (flat > 0.5)) & (flat > floor)
    # join the grain of a pencil line or the skips of a ballpoint (gaps of a pixel or two)
    m = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    # solid patches wider than a pen that reach the picture's border (the table past the
    # sheet's edge): what survives an opening by a square of 1/16 of the picture and
    # touches the border is not writing (a thick stroke in a tight crop does not touch it)
    k = _odd(max(15, max(m.shape) / 16))
    solid = cv2.morphologyEx(m, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    if solid.any():
        n, lab = cv2.connectedComponents(solid, connectivity=8)
        rim = np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
        rim = rim[rim > 0]
        if len(rim):
            table = np.isin(lab, rim).astype(np.uint8)
            m &= ~cv2.dilate(table, np.ones((5, 5), np.uint8)).astype(bool)
    return m.astype(bool)


def drop_mottled(mask: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """The mask without what does not stand above its own neighbourhood's background
    (_local_floor): the table's noise blown up past a dim sheet, a shadow's mottled rim.
    Ink that absorbs half the light is kept whatever the floor (a felt pen that fills a
    cell raises its floor). Only removes pixels: it runs after the lines are erased, so a
    ruled line or a shadow's straight edge is still seen whole there."""
    keep = mask & ((flat > _local_floor(flat)) | (flat > 0.5))
    # the grain of a pencil line the floor nibbled at: joined again, within the mask
    join = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    return cv2.morphologyEx(keep.astype(np.uint8), cv2.MORPH_CLOSE, join).astype(bool) & mask


def _local_floor(flat: np.ndarray, cell: int = 32) -> np.ndarray:
    """The noise floor where it is: in cells of `cell` px, the cell's background level (its
    25th percentile) + 6 times its spread (40th - 10th percentile), the highest of each cell
    and its 8 neighbours, smoothed up to full size. Low percentiles are the background's even
    when a pen stroke fills half of the cell.

    The page's own noise floor is set by the paper, most of the picture. Where the dark table
    shows past a dim sheet, the flat field divides its sensor noise by a dark "paper" and
    blows it up towards a pen's contrast, and a hard shadow leaves a mottled rim; there the
    background is many times the paper's and only this local floor keeps it out."""
    h, w = flat.shape
    ny, nx = max(1, h // cell), max(1, w // cell)
    if ny < 3 or nx < 3:
        return np.zeros_like(flat)
    c = cell // 2  # every other pixel of each cell is plenty for three percentiles (4x faster)
    cells = flat[:ny * cell:2, :nx * cell:2].reshape(ny, c, nx, c).transpose(0, 2, 1, 3).reshape(ny, nx, -1)
    q10, q25, q40 = np.percentile(cells, [10, 25, 40], axis=2)
    floor = cv2.dilate((q25 + 6 * (q40 - q10)).astype(np.float32), np.ones((3, 3), np.uint8))
    return cv2.resize(floor, (w, h), interpolation=cv2.INTER_LINEAR)


def _line_thickness(mask: np.ndarray, x0, y0, x1, y1, samples: int = 24) -> float:
    """Median thickness of the mask across a segment (runs along its normal)."""
    length = math.hypot(x1 - x0, y1 - y0)
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    t = np.linspace(0.1, 0.9, samples)
    px, py = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
    offs = np.arange(-8, 9)
    xs = np.clip(np.round(px[:, None] + nx * offs).astype(int), 0, mask.shape[1] - 1)
    ys = np.clip(np.round(py[:, None] + ny * offs).astype(int), 0, mask.shape[0] - 1)
    prof = mask[ys, xs]  # (samples, 17)
    runs = []
    for row in prof:
        if not row[8]:
            continue
        lo, hi = 8, 8
        while lo > 0 and row[lo - 1]:
            lo -= 1
        while hi < 16 and row[hi + 1]:
            hi += 1
        runs.append(hi - lo + 1)
    return float(np.median(runs)) if runs else 1.0


def find_lines(mask: np.ndarray) -> list[tuple[float, float, float, float, float]]:
    """Ruled lines, grid lines and margins: [(x0, y0, x1, y1, thickness)], whole-image lines.

    The Hough transform finds straight runs (at least 10% of the picture long). Runs on
    one line (same angle, same offset) are pooled: a ruled line broken by the writing on
    it is still one line. A line counts when it is parallel to a family of at least five
    lines whose runs add up to half the picture across (ruled or squared paper) and its
    own runs add up to 30%, or when one run crosses nearly the whole picture on its own
    (a margin): a tall "1" never does.
    """
    h, w = mask.shape
    segs, f = _hough_runs(mask)
    if segs is None:
        return []
    length = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
    lines = _pool_runs(segs, length, f, h, w)
    horizontal = [(a < 45 or a > 135) for a, *_ in lines]
    extent = [w if hz else h for hz in horizontal]
    long = [ln for ln, e in zip(lines, extent) if ln[2] >= 0.5 * e]
    out = []
    ruled = _has_family(long, h, w)  # lined or squared paper: a margin line may stop short of the borders
    for ln, e in zip(lines, extent):
        if ln[2] < 0.3 * e:  # (a line crossing the writing is seen in pieces: 30% is enough in a family)
            continue
        # distinct parallel lines, a paper's line spacing apart (a thick stroke gives many
        # Hough runs side by side: they count once)
        offs = np.sort([o[1] for o in long if abs((o[0] - ln[0] + 90) % 180 - 90) < 3])
        family = 1 + int((np.diff(offs) >= max(8.0, 0.02 * max(h, w))).sum()) if len(offs) else 0
        j = ln[3][int(np.argmax(length[ln[3]]))]
        # a lone line must run from border to border (a margin, a fold); a stroke of a
        # digit in a tightly cropped picture stops short of the borders
        x0, y0, x1, y1 = segs[j]
        near = 0.03 * max(h, w)
        ends = [min(x, w - x, y, h - y) <= near for x, y in ((x0, y0), (x1, y1))]
        lone = length[j] >= 0.85 * e and all(ends) or (ruled and length[j] >= 0.6 * e)
        # (a sheet's two edges and a shadow's edge make three parallel lines: paper has more)
        if family >= 5 or lone:
            idx = ln[3]
            # the line through all its runs, fitted to the full-size mask's pixels near it
            j = idx[int(np.argmax(length[idx]))]
            x0, y0, x1, y1 = _extend(*segs[j], w, h)
            x0, y0, x1, y1 = _refine(mask, x0, y0, x1, y1)
            out.append((x0, y0, x1, y1, _line_thickness(mask, x0, y0, x1, y1, samples=64), lone))
    if out:  # the paper's lines are drawn alike: a line that looks thick is thick with writing
        usual = float(np.median([ln[4] for ln in out]))
        # a "line" that is thick along most of its length is not paper but the writing: the
        # bars of a number's digits side by side, parallel to the ruling (a margin may be thicker)
        out = [(*ln[:4], min(ln[4], 1.5 * usual)) for ln in out if ln[5] or ln[4] <= 2 * usual]
    return out


def _hough_runs(mask: np.ndarray) -> tuple[np.ndarray | None, float]:
    """Straight runs at least 10% of the picture long, (n, 4) x0, y0, x1, y1 in the mask's
    pixels (None when there is none), and the scale f of the copy they were found on."""
    h, w = mask.shape
    # the Hough transform costs ~pixels x angles: run it on a copy at most 400 px wide
    f = min(1.0, 400 / max(h, w))
    small = mask.astype(np.uint8) * 255
    if f < 1:
        small = (cv2.resize(small, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA) > 40)
        small = small.astype(np.uint8) * 255
    size = max(small.shape)
    segs = cv2.HoughLinesP(small, 1, np.pi / 360, threshold=int(size * 0.08),
                           minLineLength=int(size * 0.1), maxLineGap=int(size * 0.02) + 2)
    if segs is None:
        return None, f
    return np.asarray(segs, np.float32).reshape(-1, 4) / f, f


def _pool_runs(segs: np.ndarray, length: np.ndarray, f: float, h: int, w: int) -> list:
    """Runs on the same line pooled, longest run first: angle within 1.5 degrees, offset
    within 1.5 px (of the small copy). [[angle, rho, total length, [run indices]]]."""
    ang = np.degrees(np.arctan2(segs[:, 3] - segs[:, 1], segs[:, 2] - segs[:, 0])) % 180
    theta = np.radians(ang)
    mx, my = (segs[:, 0] + segs[:, 2]) / 2 - w / 2, (segs[:, 1] + segs[:, 3]) / 2 - h / 2
    rho = -mx * np.sin(theta) + my * np.cos(theta)  # signed distance of the line from the centre
    lines = []
    for i in np.argsort(-length):
        for ln in lines:
            if abs((ang[i] - ln[0] + 90) % 180 - 90) < 1.5 and abs(rho[i] - ln[1]) < 1.5 / f:
                ln[2] += length[i]
                ln[3].append(i)
                break
        else:
            lines.append([ang[i], rho[i], length[i], [i]])
    return lines


def _has_family(long, h, w) -> bool:
    for ln in long:
        offs = np.sort([o[1] for o in long if abs((o[0] - ln[0] + 90) % 180 - 90) < 3])
        if 1 + int((np.diff(offs) >= max(8.0, 0.02 * max(h, w))).sum()) >= 5:
            return True
    return False


def _extend(x0, y0, x1, y1, w, h):
    """The segment's line, clipped to the picture."""
    dx, dy = x1 - x0, y1 - y0
    L = math.hypot(dx, dy)
    far = 2 * max(h, w) / L
    ok, a, b = cv2.clipLine((0, 0, w, h), (int(round(x0 - dx * far)), int(round(y0 - dy * far))),
                            (int(round(x1 + dx * far)), int(round(y1 + dy * far))))
    return (float(a[0]), float(a[1]), float(b[0]), float(b[1])) if ok else (x0, y0, x1, y1)


def _refine(mask: np.ndarray, x0, y0, x1, y1, reach: float = 4.0):
    """Fit the line to the full-size mask's pixels within `reach` px of a Hough segment
    (the transform's angle steps are coarse: half a degree drifts 7 px over 800 px)."""
    L = math.hypot(x1 - x0, y1 - y0)
    nx, ny = -(y1 - y0) / L, (x1 - x0) / L
    pad = int(reach) + 1
    xa, xb = int(max(0, min(x0, x1) - pad)), int(min(mask.shape[1], max(x0, x1) + pad + 1))
    ya, yb = int(max(0, min(y0, y1) - pad)), int(min(mask.shape[0], max(y0, y1) + pad + 1))
    ys, xs = np.nonzero(mask[ya:yb, xa:xb])
    xs, ys = xs + xa, ys + ya
    near = np.abs((xs - x0) * nx + (ys - y0) * ny) <= reach
    if near.sum() < 0.5 * L:
        return float(x0), float(y0), float(x1), float(y1)
    vx, vy, cx, cy = cv2.fitLine(np.stack([xs[near], ys[near]], 1).astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    t0 = (x0 - cx) * vx + (y0 - cy) * vy
    t1 = (x1 - cx) * vx + (y1 - cy) * vy
    return float(cx + t0 * vx), float(cy + t0 * vy), float(cx + t1 * vx), float(cy + t1 * vy)


def remove_lines(mask: np.ndarray, flat: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """(mask without paper lines, the erased line pixels, number of lines found).

    Every found line is extended across the image and the ink within its thickness is
    erased, except where the flat-fielded picture `flat` (the share of light absorbed, not
    rescaled) is clearly darker than the line alone (_ink_on_lines): a pen stroke lying on a
    ruled line (a 7's bar, a 5's hat) or crossing it. Where a stroke crossed a line and was
    erased anyway, it is joined again by a closing across the line (only inside the erased
    band, so nothing new is drawn elsewhere).
    """
    lines = find_lines(mask)
    if not lines:
        return mask, np.zeros_like(mask), 0
    h, w = mask.shape
    # the line (numbered from 1) under each pixel, in two families: mostly horizontal and
    # mostly vertical (squared paper's lines cross only between the two)
    which = np.zeros((2, h, w), np.int32)
    across_h, across_v = 1, 1  # bridge length for mostly-horizontal / mostly-vertical lines
    for k, (x0, y0, x1, y1, t) in enumerate(lines):
        dx, dy = x1 - x0, y1 - y0
        L = math.hypot(dx, dy)
        far = 2 * max(h, w) / L
        a = (int(round(x0 - dx * far)), int(round(y0 - dy * far)))
        b = (int(round(x1 + dx * far)), int(round(y1 + dy * far)))
        thick = int(math.ceil(t)) + 1
        horizontal = abs(dx) >= abs(dy)
        cv2.line(which[0 if horizontal else 1], a, b, k + 1, thick)
        if horizontal:
            across_h = max(across_h, thick + 4)
        else:
            across_v = max(across_v, thick + 4)
    band = (which > 0).any(0)
    if flat is not None:
        # ink on a line counts when it comes within 2 px of ink off the lines (a 7's bar meets
        # its stem, a crossing stroke goes on both sides; the pale edges of a pencil stroke in
        # the band are not darker than the line), not a darker stretch of a line alone (the
        # flat field is less sure near a shadow's edge or the picture's border)
        pen = _ink_on_lines(mask & band, which, flat, len(lines))
        near = cv2.dilate(pen.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        _, lab = cv2.connectedComponents((near | (mask & ~band)).astype(np.uint8), connectivity=8)
        joined = np.unique(lab[mask & ~band])
        band &= ~(pen & np.isin(lab, joined[joined > 0]))
    erased = mask & band
    kept = (mask & ~band).astype(np.uint8)
    bridged = cv2.morphologyEx(kept, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, across_h)))
    bridged |= cv2.morphologyEx(kept, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (across_v, 1)))
    restored = bridged.astype(bool) & erased
    return (kept.astype(bool) | restored), erased & ~restored, len(lines)


PEN_ON_LINE = 0.15  # share of the light left by the line(s) that a pen on top must absorb


def _ink_on_lines(on: np.ndarray, which: np.ndarray, flat: np.ndarray, n: int) -> np.ndarray:
    """The pixels of `on` (ink within a line's band) darker than their line(s) alone.

    Light is multiplicative: a line that lets through a share T of the light, with a pen
    stroke on top that lets through P, leaves T * P. T is the line's own level, its 90th
    percentile of absorption along its whole band (most of a ruled line is bare; its blurred
    edges and the noise stay under it), leaving out what absorbs over twice the line's median
    (a long stroke lying on the line must not raise it); where a horizontal and a vertical
    line cross, T is the product of both. The pen is there when it absorbs PEN_ON_LINE of the
    light the line left: a ballpoint or a pencil (40-65% of the light) on a pale blue line
    (30%) is, the line's own darkest pixels are not (0.15 was chosen on development seeds 7
    and 11 of the test generator's "everything mixed" pictures, against 0.25 and 0.08)."""
    ys, xs = np.nonzero(on)
    if len(ys) == 0:
        return on
    f = flat[ys, xs].astype(np.float32)
    through = np.ones(len(ys), np.float32)
    for family in which:
        lab = family[ys, xs]
        level = np.zeros(n + 1, np.float32)
        for i in np.unique(lab[lab > 0]):
            v = f[lab == i]
            # (a long stroke on the line must not raise it: what is over twice the median is left out)
            level[i] = np.percentile(v[v <= 2 * np.median(v)], 90)
        through *= 1 - level[lab]
    pen = 1 - (1 - f) / np.maximum(through, 0.05)
    out = np.zeros_like(on)
    out[ys[pen > PEN_ON_LINE], xs[pen > PEN_ON_LINE]] = True
    return out


def normalise_stroke(mask: np.ndarray, target: float) -> np.ndarray:
    """Thicken (dilate) thin strokes or thin (erode) fat ones towards `target` px wide.
    MNIST's pen is about 12% of the digit's height; a ballpoint photo may be 2%, a felt pen 20%."""
    w = stroke_width(mask)
    if w <= 0:
        return mask
    m = mask.astype(np.uint8)
    if w < 0.8 * target:
        d = _odd(max(3, target - w))
        return cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))).astype(bool)
    if w > 1.5 * target:
        d = _odd(max(3, min(w - target, w / 2)))
        thin = cv2.erode(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))).astype(bool)
        if thin.sum() >= 0.35 * mask.sum():  # never erode a digit away
            return thin
    return mask
