"""MNIST data and preprocessing: the dataset, normalisation, augmentation, and the steps
that turn a drawing or a photo into MNIST form (engine.mnist.preprocess.to_mnist), each
shown with the prediction of the CNN trained in this run.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch
from PIL import Image, ImageDraw
from plotly.subplots import make_subplots

from nnplay.engine.mnist import predict_probs
from nnplay.engine.mnist.models import MEAN, STD
from nnplay.engine.mnist.trainer import random_shift
from nnplay.engine.mnist.preprocess import BOX, FIELD, to_mnist
from nnplay.viz.mnist import base_layout
from nnplay.viz.mnist.inspect import digit_rgb

from .common import image

# Strokes of two digits in a unit box (x right, y down), drawn as a student would.
STROKES = {
    "7": [[(0.2, 0.1), (0.8, 0.1), (0.4, 0.92)]],
    "4": [[(0.6, 0.08), (0.15, 0.62), (0.85, 0.62)], [(0.62, 0.3), (0.62, 0.95)]],
}


def draw_digit(digit: str, size: int = 280, box=(0.3, 0.32, 0.42), width: int = 16) -> np.ndarray:
    """A digit drawn with a round brush in a box (centre x, centre y, side) of a size x size
    canvas -> (size, size) float32 ink in [0, 1] (anti-aliased by drawing at 4x and shrinking)."""
    big = size * 4
    img = Image.new("L", (big, big), 0)
    pen = ImageDraw.Draw(img)
    cx, cy, side = box
    for stroke in STROKES[digit]:
        pts = [(big * (cx + (x - 0.5) * side), big * (cy + (y - 0.5) * side)) for x, y in stroke]
        pen.line(pts, fill=255, width=width * 4, joint="curve")
        for x, y in (pts[0], pts[-1]):  # round caps
            r = width * 2
            pen.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(img.resize((size, size), Image.Resampling.LANCZOS), dtype=np.float32) / 255.0


def sketchpad_canvas(digit: str = "7") -> np.ndarray:
    """RGBA uint8 (280, 280, 4): black paint, alpha = ink, transparent elsewhere (like the Sketchpad)."""
    ink = draw_digit(digit)
    rgba = np.zeros((*ink.shape, 4), np.uint8)
    rgba[..., 3] = np.rint(ink * 255).astype(np.uint8)
    return rgba


def paper_photo(digit: str = "4", seed: int = 0) -> np.ndarray:
    """RGB uint8 (280, 280, 3): dark-blue ink on off-white, unevenly lit paper with sensor noise."""
    rng = np.random.default_rng(seed)
    ink = draw_digit(digit, box=(0.58, 0.55, 0.5), width=12)
    yy, xx = np.mgrid[0:280, 0:280] / 280.0
    paper = 0.88 - 0.08 * xx * yy + rng.normal(0, 0.015, ink.shape)   # a shadow towards one corner
    rgb = np.stack([paper * (1 - 0.85 * ink), paper * (1 - 0.8 * ink), paper * (1 - 0.55 * ink)], -1)
    return np.clip(np.rint(rgb * 255), 0, 255).astype(np.uint8)


def _rgb(a: np.ndarray) -> np.ndarray:
    """Any (H, W) ink / RGBA / RGB picture -> RGB uint8 for display (RGBA ink shown black on white)."""
    if a.ndim == 3 and a.shape[2] == 4:
        ink = a[..., 3].astype(np.float32) / 255.0
        g = np.rint((1 - ink) * 255).astype(np.uint8)
        return np.repeat(g[..., None], 3, 2)
    if a.ndim == 3:
        return a.astype(np.uint8)
    if a.shape == (28, 28):
        return digit_rgb(a)
    return np.repeat(np.rint(np.clip(a, 0, 1) * 255).astype(np.uint8)[..., None], 3, 2)


def image_grid(images: list[np.ndarray], titles: list[str], cols: int, panel_px: int = 150,
               title_size: int = 11) -> go.Figure:
    """Pictures (28x28 digits as MNIST shows them, or larger RGB/RGBA) in a grid with titles."""
    rows = (len(images) + cols - 1) // cols
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.02,
                        vertical_spacing=0.14 / max(1, rows - 1) if rows > 1 else 0.1)
    for k, a in enumerate(images):
        if a is None:
            continue
        fig.add_trace(go.Image(z=_rgb(a), hoverinfo="skip"), row=k // cols + 1, col=k % cols + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_annotations(font=dict(size=title_size))
    base_layout(fig, height=rows * panel_px + 50)
    fig.update_layout(margin=dict(l=6, r=6, t=40, b=6))
    return fig


def _label(model, x28: np.ndarray) -> str:
    p = predict_probs(model, x28)
    return f"→ {int(p.argmax())} ({p.max():.0%})"


def pipeline(ctx, cnn) -> dict:
    """The preprocessing steps on a drawing and a photo, each predicted by `cnn`."""
    canvas, photo = sketchpad_canvas("7"), paper_photo("4")
    rows = [("drawing of a 7", canvas, "auto"), ("photo of a 4", photo, "auto")]
    images, titles, preds = [], [], []
    for name, src, inv in rows:
        steps = [("input 280×280", src, None),
                 ("no crop/centre", to_mnist(src, invert=inv, crop=False, center=False), "whole"),
                 ("crop + 20 px box", to_mnist(src, invert=inv, center=False), "box"),
                 ("centre of mass", to_mnist(src, invert=inv), "final")]
        if name.startswith("photo"):
            steps.insert(1, ("not inverted", to_mnist(src, invert=False), "raw"))
        for title, a, key in steps:
            lab = "" if key is None else " " + _label(cnn, a)
            images.append(a)
            titles.append(f"{title}{lab}")
            if key is not None:
                p = predict_probs(cnn, a)
                preds.append({"input": name, "step": title, "predicted": int(p.argmax()), "p": float(p.max())})
        if len(steps) == 4:
            images.append(None)  # an empty panel keeps the rows aligned
            titles.append("")
    fig = image_grid(images, titles, cols=5, panel_px=170, title_size=10)
    return {"fig": ctx.figures.save("mnist-preprocessing", fig, width=1000, height=400), "preds": preds}


def samples(ctx, data, n: int = 8) -> str:
    """Training digits (top) and the same digits randomly shifted as augmentation does (bottom)."""
    x = data.train_x[:n]
    shifted = random_shift(x, 2, torch.Generator().manual_seed(0))
    imgs = [a[0].numpy() for a in x] + [a[0].numpy() for a in shifted]
    titles = [f"label {int(y)}" for y in data.train_y[:n]] + ["shifted"] * n
    return ctx.figures.save("mnist-samples", image_grid(imgs, titles, cols=n, panel_px=110), width=900, height=270)


def render(d: dict) -> str:
    src = d["source"]
    preds = {(p["input"], p["step"]): p for p in d["pipeline"]["preds"]}

    def say(inp, step):
        p = preds[(inp, step)]
        return f"{p['predicted']} ({p['p']:.0%})"

    return (
        "### 2.2 MNIST\n\n"
        f"The MNIST files were read from `{src}`: {d['n_train']:,} training and {d['n_test']:,} test images of "
        f"28×28 grey pixels (this run trained on {d['used_train']:,} and tested on {d['used_test']:,}). Pixels are "
        "scaled to [0, 1] (1 = ink) when loaded; every model then standardises its input itself, "
        f"x′ = (x − {MEAN}) / {STD} (the mean and standard deviation of all training pixels), so a saved model "
        "can never be fed the wrong scale. **Augmentation** (`--augment`, used by the bundled model) shifts each "
        "training image by a random whole number of pixels, −2 to 2, in each direction, filling with black:\n\n"
        + image(d["samples"], "training samples and their shifted versions") + "\n\n"
        "**Drawn and photographed digits** go through `engine.mnist.preprocess.to_mnist`, which repeats what the MNIST "
        f"authors did: take the ink (alpha of a transparent canvas; otherwise the luminance, inverted when the "
        f"border is light), subtract the paper level, crop to the ink's bounding box, scale the longer side to "
        f"{BOX} px (anti-aliased) and paste into {FIELD}×{FIELD} with the centre of mass in the middle. Each "
        "panel below is one step, with what this run's CNN predicts from it:\n\n"
        + image(d["pipeline"]["fig"], "preprocessing steps") + "\n\n"
        f"The off-centre drawing of a 7 is read as {say('drawing of a 7', 'no crop/centre')} when the whole canvas "
        f"is shrunk, {say('drawing of a 7', 'crop + 20 px box')} once cropped and scaled, and "
        f"{say('drawing of a 7', 'centre of mass')} after centring. The photo of a 4 gives "
        f"{say('photo of a 4', 'not inverted')} if its polarity is not flipped and "
        f"{say('photo of a 4', 'centre of mass')} after the full pipeline.\n")
