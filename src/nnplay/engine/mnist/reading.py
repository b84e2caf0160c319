"""Reading a picture: every step from a photo (or a drawing) to the digits written on it.

    load           any image -> ink (H, W) in [0, 1], 1 = ink       (preprocess.py)
    flat-field     divide by the paper's brightness: shade and shadows go   (photo.py)
    threshold      local (adaptive) threshold -> ink mask
    lines          erase ruled lines, grid lines, margins; re-join crossed strokes
    mottled        drop what does not stand above its own neighbourhood's background
    pick           keep the writing: drop specks, page edges, far-away marks   (segment.py)
    digits         group pieces into digits (join broken strokes), split touching ones
    stroke         thicken thin pens / thin felt pens to MNIST's stroke width
    box + centre   each digit to 20x20, centre of mass at the middle of 28x28 (preprocess.py)
    classify       the model reads every digit; novelty.py says whether it looks like a digit

`read_image(image, model)` returns a `Reading`: the number left to right, every digit with
its probabilities and box (in the caller's image pixels), and the intermediate images for
the "what the model sees" view. Each step can be switched off with `Steps` to show why it
matters. A transparent canvas (the sketch pad) is already clean ink: the photo steps
(flat-field, threshold, lines) do not apply to it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

import cv2
import numpy as np

from ..errors import ImageError
from . import photo, segment, seqway, shading, touching
from .preprocess import (BOX, MIN_CONTRAST, _background_level, _load_any, _open, _pil_to_array, _place,
                         _sketchpad_ink, ink_map)

STROKE = 0.11        # MNIST's pen: about 11% of the digit's height (median over the test set)
WORK = 800           # photos are processed at this longer side
SMALLEST = 24        # below this (px, shorter side) an image is too small for the photo steps


@dataclass(frozen=True)
class Steps:
    """Which steps run (all by default)."""
    flatten: bool = True     # flat-field correction
    threshold: bool = True   # local threshold and floor (off: a global one at 25% of the strongest ink)
    lines: bool = True       # remove ruled/grid lines and margins
    pick: bool = True        # keep only the writing (drop specks, page edges)
    split: bool = True       # several digits: group and split (off: all ink is one digit)
    stroke: bool = True      # normalise the stroke width
    crop: bool = True        # crop to the ink and scale to 20x20 (off: the whole picture)
    center: bool = True      # centre of mass at the middle (off: the box's middle)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass
class Digit:
    x28: np.ndarray                 # (28, 28) float32, what the model sees
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the caller's image pixels
    work_box: tuple[int, int, int, int]  # the same in the working image (Reading.steps' pixels)
    probabilities: np.ndarray | None = None  # (10,) once classified
    novelty: float = 0.0           # the not-a-digit score (novelty.py), higher = less digit-like
    extra_ratio: float = 0.0       # width / height of the group it was cut from (segmentation)

    @property
    def digit(self) -> int:
        return int(np.argmax(self.probabilities))

    def top(self, k: int = 3) -> list[tuple[int, float]]:
        order = np.argsort(-self.probabilities)[:k]
        return [(int(d), float(self.probabilities[d])) for d in order]

    def to_dict(self) -> dict:
        return {"digit": self.digit, "probabilities": [float(p) for p in self.probabilities],
                "box": [int(v) for v in self.box]}


@dataclass
class Reading:
    digits: list[Digit]
    steps: list[tuple[str, np.ndarray]]       # (title, image in [0, 1]) for the view
    size: tuple[int, int]                     # (width, height) of the caller's image
    kind: str                                 # "photo" or "canvas"
    is_digit: bool = True
    why: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def number(self) -> str | None:
        return "".join(str(d.digit) for d in self.digits) or None

    @property
    def best(self) -> Digit:
        """The most confident single reading."""
        return max(self.digits, key=lambda d: float(d.probabilities.max()))

    def to_dict(self) -> dict:
        """The facts `nnplay predict --json` and the API give (docs/api-mnist.md)."""
        best = self.best
        out = {"digit": best.digit, "probabilities": [float(p) for p in best.probabilities],
               "number": self.number, "digits": [d.to_dict() for d in self.digits], "is_digit": bool(self.is_digit)}
        if not self.is_digit:
            out["why"] = self.why
        return out


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------
def load_ink(image, invert="auto") -> tuple[np.ndarray, str, tuple[int, int]]:
    """(ink (H, W) in [0, 1] at <= 1024 px, "photo" | "canvas", the caller's (width, height))."""
    if isinstance(image, dict):
        ink = _sketchpad_ink(image)
        if ink is not None:
            # The pad shows dark strokes on white paper. "invert: no" (the ink is light: keep)
            # takes that picture as it is, so the white paper becomes the "ink".
            if invert is False or invert == 0 and not isinstance(invert, str):
                ink = 1.0 - ink
            return ink, "canvas", (ink.shape[1], ink.shape[0])
        source = image.get("composite")
        if source is None:
            source = image.get("background")
        if source is None:
            raise ImageError("no ink found: the canvas is empty; draw a digit first")
        image = source
    if isinstance(image, (str, os.PathLike, bytes, bytearray, memoryview)):
        img = _open(image)
        size = img.info.get("nnplay_size", img.size)
        arr = _pil_to_array(img)
    else:
        arr = _load_any(image)
        size = (getattr(image, "size", None) if not isinstance(image, np.ndarray) else None) \
            or (np.asarray(image).shape[1], np.asarray(image).shape[0])
    canvas = arr.ndim == 3 and arr.shape[2] == 4 and float((arr[:, :, 3] < 0.5).mean()) >= 0.5
    return ink_map(arr, invert), ("canvas" if canvas else "photo"), (int(size[0]), int(size[1]))


def _normalised(ink: np.ndarray, invert, kind: str = "canvas") -> np.ndarray:
    """Paper -> 0, strongest ink -> 1, or ImageError("no ink found") for a blank picture."""
    # the paper's level: the border's median, or the whole picture's when that is lower
    # (a photo's border may be the dark table around the sheet)
    big = min(ink.shape) >= 48
    sample = ink[::3, ::3] if big else ink
    bg = min(_background_level(ink), float(np.median(sample)))
    if kind == "photo" and big:
        # a hard shadow or the table may cover over half of a photo: the median is then the
        # shade's level, and everything lighter (the lit paper and a pencil stroke on it) would
        # be clipped to "paper" here. The brightest paper (2nd percentile of the ink) is the
        # level instead; the flat field takes the shade away later.
        bg = min(bg, float(np.percentile(sample, 2)))
    peak = float(ink.max()) - bg
    if peak < MIN_CONTRAST and invert != "auto" and float(ink.max() - ink.min()) >= MIN_CONTRAST:
        bg = float(ink.min())   # a forced polarity that makes the paper the "ink": show that
        peak = float(ink.max()) - bg
    if peak < MIN_CONTRAST or float(ink.max() - ink.min()) < MIN_CONTRAST:
        raise ImageError("no ink found: the image is blank (one flat colour or fully transparent); "
                         "draw or photograph a digit with clear contrast")
    return np.clip((ink - bg) / peak, 0.0, 1.0)


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------
def _to_28(mask: np.ndarray, soft: np.ndarray, crop: bool, center: bool) -> np.ndarray:
    """The MNIST box: crop to the ink, longer side to 20 px (area-averaged), centre of mass at 14."""
    ink = soft * mask
    if crop:
        ys, xs = np.nonzero(mask)
        ink = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = ink.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    box = cv2.resize(ink.astype(np.float32), (nw, nh), interpolation=interp)
    if box.max() <= 0:
        raise ImageError("no ink found after scaling to 20 px: the strokes are too thin or faint")
    return _place(np.clip(box / box.max(), 0, 1).astype(np.float32), center)


def _small(a: np.ndarray, side: int = 320) -> np.ndarray:
    """A copy for the steps view, at most `side` px (the view is small; keep the page light)."""
    a = np.asarray(a, np.float32)
    s = side / max(a.shape)
    if s >= 1:
        return a
    return cv2.resize(a, (max(1, int(a.shape[1] * s)), max(1, int(a.shape[0] * s))), interpolation=cv2.INTER_AREA)


def prepare(image, invert="auto", steps: Steps = Steps()) -> Reading:
    """Every step up to the 28x28 inputs (not classified yet): a Reading without probabilities."""
    ink, kind, size = load_ink(image, invert)
    try:
        return _prepare_ink(ink, kind, size, invert, steps)
    except ImageError as first:
        # the polarity guess (preprocess._dark_strokes) fails on some photos a shadow or the
        # table covers much of, and no ink survives: only then is the other polarity read
        if invert != "auto" or kind != "photo":
            raise
        try:
            return _prepare_ink(1.0 - ink, kind, size, invert, steps)
        except ImageError:
            raise first from None


def _prepare_ink(ink, kind, size, invert, steps: Steps) -> Reading:
    view: list[tuple[str, np.ndarray]] = [("input", _small(ink))]
    soft, mask, photo_steps = _ink_mask(_normalised(ink, invert, kind), kind, steps, view, invert)
    lab, pieces = segment.components(mask)
    chosen = segment.choose(pieces, mask.shape, lab) if steps.pick else pieces
    if steps.pick:
        keep = np.isin(lab, [i for p in chosen for i in p.labels])
        view.append(("writing picked", _small(keep)))
    if not chosen:
        raise ImageError("no ink found: nothing stands out from the paper")
    groups = segment.group(chosen) if steps.split else [_all(chosen)]
    groups = groups or [_all(chosen)]
    options = _segments(groups, chosen, lab, soft, size, photo_steps, steps)
    # until classified, the geometric guess: each group as itself
    digits = [d for i, j, ways in options if i == j for d in (ways[0] if isinstance(ways[0], list) else ways[0].guess())]
    if not digits:
        raise ImageError("no ink found: nothing stands out from the paper")
    view.append(("what the model sees", np.hstack([d.x28 for d in digits])))
    reading = Reading(digits, view, size, kind)
    reading.extra["options"] = options
    reading.extra["guess"] = list(digits)  # the geometric guess, before any model chose
    reading.extra["work_shape"] = mask.shape  # the pixels of Digit.work_box
    return reading


def _ink_mask(ink: np.ndarray, kind: str, steps: Steps, view: list, invert="auto") -> tuple[np.ndarray, np.ndarray, bool]:
    """The photo steps on normalised ink (1 = ink): (soft ink, binary mask, whether the photo
    steps ran). Each step taken adds its picture to `view`."""
    small = min(ink.shape) < SMALLEST
    if kind == "photo" and max(ink.shape) > WORK:  # photos are worked on at <= 800 px: enough, and fast
        f = WORK / max(ink.shape)
        ink = cv2.resize(ink, (round(ink.shape[1] * f), round(ink.shape[0] * f)), interpolation=cv2.INTER_AREA)
    # a "photo" whose ink covers most of it was given the wrong polarity on purpose: no photo steps
    # (with "auto", the polarity came from the strokes: a shadow or the table may cover most of it)
    photo_steps = kind == "photo" and not small and (invert == "auto" or float(np.median(ink)) < 0.5)
    soft, width, flat = ink, 0.0, None
    if photo_steps and steps.flatten:
        flat, _paper, width = photo.flat_field(ink)
        soft = np.clip(flat / max(float(np.percentile(flat[::2, ::2], 99.9)), 1e-3), 0, 1)
        view.append(("flat-field", _small(soft)))
    if photo_steps and steps.threshold:
        mask = photo.local_threshold(soft, width or 3.0)
        view.append(("local threshold", _small(mask)))
    else:
        mask = soft > 0.25
    if not mask.any():
        raise ImageError("no ink found: nothing stands out from the paper")
    if photo_steps and steps.lines:
        mask, _erased, n = photo.remove_lines(mask, flat)
    if photo_steps and steps.threshold:  # after the lines: a ruled line is seen whole there
        mask = photo.drop_mottled(mask, soft)
        if flat is not None:  # a shadow's edge the flat field left as "ink" (shading.py)
            mask = shading.drop_shadow_edges(mask, ink, flat, photo._odd(max(9, max(ink.shape) / 8)))
    if photo_steps and steps.lines:
        view.append((f"lines removed ({n})", _small(mask)))
    return soft, mask, photo_steps


def _segments(groups, chosen, lab, soft, size, photo_steps: bool, steps: Steps) -> list:
    """Segments: a run of 1-3 neighbouring groups read as one digit (the pieces of a broken
    stroke), or one group read as 1-4 touching digits. classify() reads every candidate and
    picks the best chain from left to right. [(first group, last group, [ways to read it:
    a list of Digits each])]."""
    h_img, w_img = lab.shape
    scale = (size[0] / w_img, size[1] / h_img)
    tall = max(g.h for g in groups)
    if not steps.split:
        return [(0, 0, _ways(_all(chosen), lab, soft, tall, scale, photo_steps, steps, lab.shape, split=False))]
    options = []
    for i in range(len(groups)):
        for j in range(i, min(len(groups), i + 3)):
            g = groups[i] if i == j else segment.merged(groups[i:j + 1])
            if i != j and (g.w > 1.3 * max(g.h, 0.8 * tall) or not _fragments(groups[i:j + 1], tall)):
                break
            ways = _ways(g, lab, soft, tall, scale, photo_steps, steps, lab.shape, split=i == j)
            if ways:
                options.append((i, j, ways))
    return options


def _fragments(run, tall) -> bool:
    """Can these neighbouring groups be the pieces of one digit? Only if all but one of them
    are short (a hat, a loose stroke: under 3/4 of the tallest digit) and they nearly touch:
    two whole digits side by side are never read as one."""
    short = sum(1 for g in run if g.h < 0.75 * tall)
    gaps = [b.box[0] - a.box[2] for a, b in zip(run[:-1], run[1:])]
    return short >= len(run) - 1 and max(gaps) <= 0.15 * tall


def _ways(g, lab, soft, tall, scale, photo_steps, steps: Steps, shape, split: bool) -> list:
    """Ways to read one group: as one digit, and (split=True, wider than tall) as 2-4 touching
    digits, cut where the digit model reads best (touching.py: a chain.Lattice)."""
    x0, y0, x1, y1 = g.box
    sub = np.isin(lab[y0:y1, x0:x1], g.labels)
    ratio = g.w / max(g.h, 0.8 * tall)

    def make(part):
        ys, xs = np.nonzero(part)
        bx = (x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1)
        d = _digit(part, soft[y0:y1, x0:x1], bx, (x0, y0), scale, photo_steps, steps, shape)
        d.extra_ratio = ratio
        return d

    ways: list = [[make(sub)]] if ratio <= 1.5 or not split else []
    if split and ratio > 1.0:
        ways.append(touching.lattice(sub, tall, make, ratio))
    return ways + (seqway.offer(sub, make, ratio, STROKE * g.h if steps.stroke else None) if split else [])


def _all(chosen):
    box = chosen[0].box
    for p in chosen[1:]:
        box = segment._union(box, p.box)
    return segment.Piece(box, sum(p.area for p in chosen), [i for p in chosen for i in p.labels])


def _digit(part, soft, bx, origin, scale, photo_steps, steps: Steps, shape) -> Digit:
    """One digit: its mask and soft ink in a window whose top-left is `origin` in the working
    image -> Digit with its 28x28 input. `bx` is its box in the working image."""
    x0, y0, x1, y1 = bx
    ox, oy = origin
    soft = np.asarray(soft, np.float32)
    if photo_steps and part.any():
        # a photo's ink levels: scaled so a typical stroke pixel is 1 (a pencil is as dark as a
        # felt pen to the model); the soft edges stay, as MNIST's anti-aliased ones
        soft = np.clip(soft / max(float(np.percentile(soft[part], 60)), 1e-3), 0, 1)
    if steps.stroke:
        h = max(y1 - y0, 0.6 * (x1 - x0))
        pad = int(STROKE * h) + 2
        before = np.pad(part, pad)
        part = photo.normalise_stroke(before, STROKE * h)
        # new pixels (a thickened thin pen) are full ink; kept ones keep their level
        soft = np.where(before, np.pad(soft, pad), 1.0).astype(np.float32)
        ox, oy = ox - pad, oy - pad
    if not steps.crop:  # the whole picture, scaled: a small digit stays small
        H, W = shape
        big_m, big_s = np.zeros((H, W), bool), np.zeros((H, W), np.float32)
        ys0, xs0 = max(0, -oy), max(0, -ox)
        ye, xe = min(part.shape[0], H - oy), min(part.shape[1], W - ox)
        big_m[oy + ys0:oy + ye, ox + xs0:ox + xe] = part[ys0:ye, xs0:xe]
        big_s[oy + ys0:oy + ye, ox + xs0:ox + xe] = soft[ys0:ye, xs0:xe]
        part, soft = big_m, big_s
    x28 = _to_28(part, soft, steps.crop, steps.center)
    sx, sy = scale
    box = (int(x0 * sx), int(y0 * sy), int(np.ceil(x1 * sx)), int(np.ceil(y1 * sy)))
    return Digit(x28, box, bx)


def classify(reading: Reading, model) -> Reading:
    """Fill in every candidate digit's probabilities and not-a-digit score with one batched
    forward pass of each network, then choose the reading of the whole line (chain.py): a
    broken 0 read as "(" and ")" (two so-so 1s) loses to one sure 0; "11" read as one digit
    (an unsure 4) loses to two sure 1s; a shadow's edge that looks like no digit is skipped."""
    from .chain import best_chain, candidates, expand
    from .evaluate import predict_probs  # torch, only when classifying
    from .novelty import scores

    options = reading.extra.get("options") or [(0, 0, [reading.digits])]
    seqway.resolve(options)  # wide groups read whole: their strings become ways too
    every = candidates(options)
    x = np.stack([d.x28 for d in every])
    probs = predict_probs(model, x).reshape(len(every), 10)
    odd = scores(x)
    for k, (d, p) in enumerate(zip(every, probs)):
        d.probabilities = np.asarray(p if getattr(d, "seq", None) is None else d.seq[0], np.float32)  # seqway
        d.novelty = float(odd[k]) if odd is not None else 0.0
    chosen, skipped = best_chain(expand(options), skip=odd is not None)
    if not chosen:
        raise ImageError("no ink found: nothing stands out from the paper")
    reading.digits = chosen
    reading.extra["skipped"] = skipped
    reading.steps = [s for s in reading.steps if s[0] != "what the model sees"]
    reading.steps.append(("what the model sees", np.hstack([d.x28 for d in chosen])))
    return reading


def default_reader():
    """The photo reader (photo_reader.py) when it ships, else the bundled CNN."""
    from .photo_reader import photo_reader
    model = photo_reader()
    if model is None:
        from .io import load_pretrained
        model = load_pretrained()[0]
    return model


def read_image(image, model=None, *, invert="auto", steps: Steps = Steps(), check: bool = True) -> Reading:
    """Any picture -> Reading: its digits left to right, each read by `model` (the bundled
    CNN by default), and whether it looks like digits at all (novelty.py)."""
    if model is None:
        model = default_reader()
    reading = classify(prepare(image, invert, steps), model)
    if check:
        from .novelty import judge
        judge(reading)
    return reading
