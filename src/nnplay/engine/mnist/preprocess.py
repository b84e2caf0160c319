"""Turning any picture of a digit into what an MNIST model expects.

MNIST images are not just "small pictures of digits". Their authors normalised
every digit the same way, and a model trained on them expects exactly that:

    light ink (1.0) on a dark background (0.0),
    the digit's bounding box scaled so its longer side is 20 px (aspect kept,
    anti-aliased, so edges get grey levels),
    placed in a 28x28 field so that its centre of mass sits at the centre.

A phone photo of black ink on white paper, or a 280x280 canvas where the digit
fills one corner, looks nothing like that; fed in raw, even a 99% model guesses
badly. `to_mnist` repeats the authors' steps, and each can be switched off so the
UI can show why it matters.

Pipeline (array shapes in brackets):

    load      path / bytes / PIL / ndarray / Sketchpad dict -> ink (H, W) float32 in [0, 1]
              (alpha is the ink for transparent canvases; otherwise luminance, with
              dark-on-light images inverted, detected from the border)
    crop      to the bounding box of the ink                  -> (h, w)
    scale     longer side to 20 px                            -> (20, <=20) or (<=20, 20)
    centre    paste into 28x28 so the centre of mass is at (14, 14)  -> (28, 28)

Pillow and numpy only (no torch), so it is cheap: ~1-2 ms for a 280x280 drawing.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from ..errors import ImageError

PIXEL_LIMIT = 40_000_000  # refuse images above 40 megapixels (a "decompression bomb" guard)
WORK_SIZE = 1024          # huge (valid) photos are scaled down to this longer side first
BOX = 20                  # MNIST digits fit a 20x20 box ...
FIELD = 28                # ... inside a 28x28 field
MIN_CONTRAST = 0.08       # ink must stand out from the background by 8% of full scale


# ---------------------------------------------------------------------------------------
# Loading: anything -> a PIL image or an array
# ---------------------------------------------------------------------------------------
def _open(source) -> Image.Image:
    """Open a path or bytes as a PIL image, refusing decompression bombs."""
    name = "image"
    try:
        if isinstance(source, (bytes, bytearray, memoryview)):
            fp = io.BytesIO(bytes(source))
        else:
            name = str(source)
            fp = Path(source)
            if not fp.exists():
                raise ImageError(f"{name}: no such file")
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(fp)
            _check_size(img, name)
            img.info["nnplay_size"] = img.size  # before any draft decoding: boxes are reported in it
            if getattr(img, "n_frames", 1) > 1:  # animated GIF/WebP: the first frame
                img = next(iter(ImageSequence.Iterator(img)))
            # JPEG can decode at 1/2, 1/4 or 1/8 scale directly: a 24 MP photo loads fast.
            if img.format == "JPEG" and max(img.size) > 2 * WORK_SIZE:
                img.draft(img.mode, (WORK_SIZE, WORK_SIZE))
            img.load()
        return img
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{name}: the image is too large to open safely (over {PIXEL_LIMIT:,} pixels)") from None
    except UnidentifiedImageError:
        raise ImageError(f"{name}: not an image file Pillow can read (try PNG, JPEG, GIF, WebP or BMP)") from None
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise ImageError(f"{name}: cannot read the image ({e}); it may be truncated or corrupt") from None


def _check_size(img: Image.Image, name: str = "image") -> None:
    w, h = img.size
    if w * h > PIXEL_LIMIT:
        raise ImageError(f"{name}: {w}x{h} pixels is too large to open safely (limit {PIXEL_LIMIT:,} pixels)")
    if w < 1 or h < 1:
        raise ImageError(f"{name}: the image is empty (0 pixels): no ink found")


def _shrink(img: Image.Image) -> Image.Image:
    """Scale huge photos down so the rest costs milliseconds, not seconds."""
    if max(img.size) > WORK_SIZE:
        img = img.copy()
        img.thumbnail((WORK_SIZE, WORK_SIZE), Image.Resampling.BOX)
    return img


def _pil_to_array(img: Image.Image) -> np.ndarray:
    """PIL image of any mode -> float32 array (H, W) grey or (H, W, 4) RGBA, in [0, 1]."""
    _check_size(img)
    img = _shrink(img)
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16-bit / 32-bit grey: scale by the range the values use (16-bit scans rarely fill 0-65535)
        # (8-bit values stored in a 16-bit file are common, so pick the smallest range that fits)
        a = np.asarray(img, dtype=np.float32)
        peak = float(a.max()) if a.size else 0.0
        top = 255.0 if peak <= 255 else 65535.0 if peak <= 65535 else peak
        return np.clip(a / top, 0, 1)
    if mode == "1":
        return np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in img.info):
        return np.asarray(img.convert("RGBA"), dtype=np.float32) / 255.0
    if mode == "L":
        return np.asarray(img, dtype=np.float32) / 255.0
    return np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0  # RGB, P, CMYK, YCbCr, ...


def _ndarray_to_array(a: np.ndarray) -> np.ndarray:
    """ndarray (H,W), (H,W,1), (H,W,3) or (H,W,4), any of uint8/uint16/bool/float -> float32 in [0, 1]."""
    a = np.asarray(a)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (2, 3, 4)):
        raise ImageError(f"expected an image array of shape (H, W), (H, W, 3) or (H, W, 4), got {a.shape}")
    if a.shape[0] * a.shape[1] > PIXEL_LIMIT:
        raise ImageError(f"a {a.shape[1]}x{a.shape[0]} image is too large (limit {PIXEL_LIMIT:,} pixels)")
    if a.size == 0:
        raise ImageError("the image is empty (0 pixels): no ink found")
    if a.dtype == np.bool_:
        f = a.astype(np.float32)
    elif a.dtype == np.uint8:
        f = a.astype(np.float32) / 255.0
    elif a.dtype == np.uint16:
        f = a.astype(np.float32) / 65535.0
    elif np.issubdtype(a.dtype, np.integer):
        f = a.astype(np.float32) / (255.0 if a.max() <= 255 else float(a.max()))
    else:
        f = np.nan_to_num(a.astype(np.float32))
        if f.max() > 1.0:  # floats on a 0-255 scale
            f = f / 255.0
        f = np.clip(f, 0.0, 1.0)
    if f.ndim == 3 and f.shape[2] == 2:  # grey + alpha
        f = np.dstack([f[:, :, 0]] * 3 + [f[:, :, 1]])
    if max(f.shape[:2]) > WORK_SIZE:  # scale huge arrays down like huge files
        img = Image.fromarray((f * 255).astype(np.uint8))
        f = _pil_to_array(img)
    return f


def _load_any(image) -> np.ndarray:
    if isinstance(image, Image.Image):
        return _pil_to_array(image)
    if isinstance(image, np.ndarray):
        return _ndarray_to_array(image)
    if isinstance(image, (str, os.PathLike, bytes, bytearray, memoryview)):
        return _pil_to_array(_open(image))
    raise ImageError(f"cannot read an image from a {type(image).__name__}")


def _sketchpad_ink(value: dict) -> np.ndarray | None:
    """Gradio Sketchpad/ImageEditor value {background, layers, composite} -> ink (H, W) or None.

    Strokes live in the layers, as RGBA with alpha = how much paint covers the pixel,
    whatever colour the brush was; so the ink is the strongest alpha over all layers.
    Without usable layers, fall back to the composite, then the background.
    """
    inks = []
    for layer in value.get("layers") or []:
        if layer is None:
            continue
        if isinstance(layer, np.ndarray) and layer.ndim == 3 and layer.shape[2] == 4 and layer.dtype == np.uint8:
            if layer.shape[0] * layer.shape[1] > PIXEL_LIMIT:
                raise ImageError(f"a {layer.shape[1]}x{layer.shape[0]} canvas is too large "
                                 f"(limit {PIXEL_LIMIT:,} pixels)")
            alpha = layer[:, :, 3]  # fast path for Gradio's numpy layers: only alpha matters
            if alpha.max() > 0:
                inks.append(alpha.astype(np.float32) * (1.0 / 255.0))
            continue
        arr = _load_any(layer)
        if arr.ndim == 3 and arr.shape[2] == 4 and arr[:, :, 3].max() > 0:
            inks.append(arr[:, :, 3])
    if inks:
        shape = inks[0].shape
        same = [a for a in inks if a.shape == shape]
        return np.max(np.stack(same), axis=0)
    return None


# ---------------------------------------------------------------------------------------
# Ink: light-on-dark, background at 0
# ---------------------------------------------------------------------------------------
def _luminance(rgb: np.ndarray) -> np.ndarray:
    # ITU-R BT.601 luma, as PIL's convert("L"): our eyes weigh green most, blue least.
    return rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114


def _border(a: np.ndarray) -> np.ndarray:
    """The pixels of the outer frame (about 4% of each side, at least 1 px)."""
    h, w = a.shape
    k = max(1, min(h, w) // 25)
    return np.concatenate([a[:k].ravel(), a[-k:].ravel(), a[:, :k].ravel(), a[:, -k:].ravel()])


def ink_map(arr: np.ndarray, invert="auto") -> np.ndarray:
    """float image (H,W) / (H,W,3) / (H,W,4) in [0,1] -> ink (H,W) in [0,1], 1 = ink, 0 = background.

    invert: "auto" decides whether the thin strokes are dark or light (`_dark_strokes`):
    dark ink on light paper is flipped. True always flips (for dark ink
    on light paper), False never does (already light on dark, like MNIST).
    """
    if arr.ndim == 3 and arr.shape[2] == 4:
        alpha = arr[:, :, 3]
        if alpha.min() >= 0.9:
            grey = _luminance(arr[:, :, :3])  # fully opaque: the alpha channel carries nothing
        elif (alpha < 0.5).mean() >= 0.5:
            # A transparent canvas (mostly see-through): alpha says where paint is, whatever
            # its colour, so alpha itself is the ink.
            return alpha.astype(np.float32)
        else:
            # A mostly opaque picture with some transparent parts (say, rounded corners):
            # lay it on its own paper colour, the median of its opaque pixels, and go on.
            lum = _luminance(arr[:, :, :3])
            paper = float(np.median(lum[alpha >= 0.5]))
            grey = lum * alpha + paper * (1.0 - alpha)
    else:
        grey = _luminance(arr) if arr.ndim == 3 else arr
    if invert == "auto":
        flip = _dark_strokes(grey)
    elif isinstance(invert, (bool, np.bool_)) or invert in (0, 1):
        flip = bool(invert)
    else:
        raise ImageError(f"invert must be 'auto', True or False, got {invert!r}")
    return (1.0 - grey if flip else grey).astype(np.float32)


def _dark_strokes(grey: np.ndarray) -> bool:
    """Is the writing dark on light (True) or light on dark (False)?

    Pen strokes are thin and strong: subtract a blurred copy (the neighbourhood's mean,
    over ~10% of the picture) of the log brightness and the strokes stand out as a long one-sided tail, negative
    for dark ink, positive for light ink, while the paper, a shadow's edge or a lamp's
    gradient give small, symmetric differences. The sign of the skew (the mean cube)
    tells the polarity, even when a shadow or the table covers half of a photo, where the
    border or the median pixel would mislead. Tiny pictures fall back to the border.
    """
    h, w = grey.shape
    if min(h, w) < 16:
        return float(np.median(_border(grey))) > 0.5 if grey.size > 1 else float(grey.mean()) > 0.5
    import cv2  # the engine's image library (photo.py explains the choice)

    f = min(1.0, 400 / max(h, w))
    g = cv2.resize(grey.astype(np.float32), (max(1, round(w * f)), max(1, round(h * f))),
                   interpolation=cv2.INTER_AREA) if f < 1 else grey.astype(np.float32)
    # Light is multiplicative: what we see is paper (or ink) reflectance x the light falling
    # on it. In log brightness a shadow or a lamp's gradient is an additive step or slope,
    # symmetric around the blurred copy, while in plain brightness a shadow's edge gives a
    # long one-sided tail on its bright side that can outweigh faint strokes (the guess then
    # flipped on hard shadows). The 0.03 keeps the log of black noise finite; the wide blur
    # (10% of the picture) keeps a stroke's neighbourhood mostly paper even for a felt pen.
    g = np.log(g + 0.03)
    d = g - cv2.GaussianBlur(g, (0, 0), max(2.0, max(g.shape) / 10))
    skew = float((d.astype(np.float64) ** 3).mean())
    if abs(skew) < 1e-9:
        return float(np.median(_border(grey))) > 0.5
    return skew < 0


def _background_level(ink: np.ndarray) -> float:
    """Where the paper sits on the ink scale: the border's median (0 for tiny images).
    Subtracting it makes grey paper in a photo black, as in MNIST."""
    if min(ink.shape) < 3:
        return 0.0
    return float(np.median(_border(ink)))


# ---------------------------------------------------------------------------------------
# The MNIST steps
# ---------------------------------------------------------------------------------------
def _resize(a: np.ndarray, w: int, h: int) -> np.ndarray:
    """Anti-aliased resize of a float image (Pillow's "F" mode keeps full precision)."""
    img = Image.fromarray(np.ascontiguousarray(a, dtype=np.float32), mode="F")
    return np.asarray(img.resize((w, h), Image.Resampling.LANCZOS), dtype=np.float32).clip(0.0, 1.0)


def _place(box: np.ndarray, center: bool) -> np.ndarray:
    """Paste `box` (h, w <= 20) into 28x28: by centre of mass at (14, 14), or geometrically."""
    h, w = box.shape
    big = np.zeros((FIELD * 2, FIELD * 2), np.float32)  # room to shift without falling off
    top, left = (2 * FIELD - h) // 2, (2 * FIELD - w) // 2
    big[top:top + h, left:left + w] = box
    if center:
        # centre of mass: the ink-weighted mean of the row and column indices,
        #   cy = sum_ij i * ink_ij / sum_ij ink_ij  (cx likewise)
        total = float(box.sum())
        rows, cols = np.arange(h), np.arange(w)
        cy = top + float((box.sum(1) * rows).sum()) / total
        cx = left + float((box.sum(0) * cols).sum()) / total
    else:
        cy, cx = top + (h - 1) / 2, left + (w - 1) / 2
    # take the 28x28 window whose pixel 14 is the (rounded) centre point
    y0 = int(np.clip(round(cy) - FIELD // 2, 0, FIELD))
    x0 = int(np.clip(round(cx) - FIELD // 2, 0, FIELD))
    return big[y0:y0 + FIELD, x0:x0 + FIELD].copy()


def to_mnist(image, *, invert="auto", crop: bool = True, center: bool = True) -> np.ndarray:
    """Any picture of one digit -> (28, 28) float32 in [0, 1], light ink on black, like MNIST.

    image: a path, bytes, PIL.Image, np.ndarray ((H,W), (H,W,3), (H,W,4)) or a Gradio
    Sketchpad dict {background, layers, composite}.
    invert: "auto" (detect), True (dark ink on light: flip), False (leave as is).
    crop: cut to the ink's bounding box first (off: the whole canvas is scaled, so a
    small digit stays small). center: centre of mass at the middle (off: geometric middle).
    Raises ImageError("no ink found ...") when there is nothing to classify.
    """
    if isinstance(image, dict):
        ink = _sketchpad_ink(image)
        if ink is None:
            source = image.get("composite")
            if source is None:
                source = image.get("background")
            if source is None:
                raise ImageError("no ink found: the canvas is empty; draw a digit first")
            ink = ink_map(_load_any(source), invert)
    else:
        ink = ink_map(_load_any(image), invert)

    bg = _background_level(ink)
    peak = float(ink.max()) - bg
    if peak < MIN_CONTRAST and invert != "auto" and float(ink.max() - ink.min()) >= MIN_CONTRAST:
        # The caller forced a polarity that makes the paper the brightest thing (say
        # invert=False on black-on-white): show what the model would then see, a bright
        # page with a dark digit-shaped hole, rather than refusing.
        bg = float(ink.min())
        peak = float(ink.max()) - bg
    # Blank: the ink barely rises above the paper, or the picture is one flat level
    # (tiny images have no border to measure the paper on, so check the spread too).
    if peak < MIN_CONTRAST or float(ink.max() - ink.min()) < MIN_CONTRAST:
        raise ImageError("no ink found: the image is blank (one flat colour or fully transparent); "
                         "draw or photograph a digit with clear contrast")
    ink = np.clip((ink - bg) / peak, 0.0, 1.0)  # background -> 0, strongest ink -> 1

    if crop:
        # bounding box of the clearly inked pixels (faint noise would widen it)
        ys, xs = np.nonzero(ink > 0.25)
        ink = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = ink.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    box = _resize(ink, nw, nh)
    if box.max() <= 0:
        raise ImageError("no ink found after scaling to 20 px: the strokes are too thin or faint")
    box /= box.max()  # keep full contrast after anti-aliasing thin strokes
    return _place(box, center)
