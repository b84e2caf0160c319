"""My handwriting: a student's own digits, saved with their true labels in the session (and
downloadable), and a table of how every model of the session reads them: the bundled CNN and
each finished training run. The table is redrawn after each save, when the section opens and
when a training finishes (the lab's model pickers change then)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from nnplay.engine.errors import NnplayError
from nnplay.engine.mnist import predict_probs
from nnplay.engine.mnist.preprocess import to_mnist
from nnplay.viz.mnist import inspect as vi

from .common import get_model, model_choices, note
from .draw import blank_canvas
from .runs import Session

MAX_DIGITS = 200
DIGITS = [str(d) for d in range(10)]
HELP = ("**My handwriting.** Draw a digit, pick what it really is and press *Save*. Your digits stay in this "
        "session; the table shows how every model reads them: the bundled CNN and each model you train "
        "(it updates when a training finishes). *Download* gives them as a zip of PNGs plus an .npz file.")
# Each save writes the set's zip, so the Download button always holds the current set.
EMPTY_TABLE = {"headers": ["digit", "true"], "data": []}


class Set:
    """The saved digits of one session: (N, 28, 28) float32 in [0, 1] (as the models see them) and labels."""

    def __init__(self):
        self.images: list[np.ndarray] = []
        self.labels: list[int] = []

    def __deepcopy__(self, memo):  # gr.State copies its value per session; start each one empty
        return Set()

    def __len__(self) -> int:
        return len(self.labels)

    def add(self, x28: np.ndarray, label: int) -> None:
        if len(self) >= MAX_DIGITS:
            raise NnplayError(f"this set is full ({MAX_DIGITS} digits); download it and undo some first")
        self.images.append(np.asarray(x28, np.float32).reshape(28, 28))
        self.labels.append(int(label))

    def undo(self) -> None:
        if self.labels:
            self.images.pop()
            self.labels.pop()


def build(ui) -> None:
    ui.hw_set = gr.State(Set())
    gr.Markdown(HELP)
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=300):
            ui.hw_sketch = gr.Sketchpad(
                value=blank_canvas(), canvas_size=(280, 280), fixed_canvas=True, image_mode="RGBA", type="numpy",
                brush=gr.Brush(default_size=14, colors=["#000000"], color_mode="fixed"), layers=False,
                transforms=(), label="Draw one digit", show_label=False, elem_id="mnist-hw-sketch", height=340,
                width=320, buttons=[])
            ui.hw_label = gr.Radio(DIGITS, value=None, label="It is a …", elem_id="mnist-hw-label",
                                   info="the digit you meant to write")
            with gr.Row():
                ui.hw_save = gr.Button("Save", variant="primary", elem_id="mnist-hw-save", min_width=90)
                ui.hw_undo = gr.Button("Undo last", elem_id="mnist-hw-undo", min_width=90)
                ui.hw_download = gr.DownloadButton("Download", elem_id="mnist-hw-download", min_width=90)
            ui.hw_msg = gr.HTML(note("Draw a digit, pick its label, then Save."), elem_id="mnist-hw-msg")
        with gr.Column(scale=3, min_width=300):
            ui.hw_gallery = gr.Gallery(label="My digits", show_label=False, columns=8, fit_columns=False, height=230,
                                       object_fit="contain", allow_preview=False, buttons=[],
                                       elem_id="mnist-hw-gallery")
            ui.hw_table = gr.Dataframe(value=EMPTY_TABLE, label="How each model reads them (✓ right, ✗ wrong)",
                                       interactive=False, wrap=False, elem_id="mnist-hw-table")


def readings(session: Session | None, digits: Set) -> dict:
    """The table: one column per model, one row per saved digit, a first row with the score."""
    if not len(digits):
        return EMPTY_TABLE
    x = np.stack(digits.images)
    headers, cols = ["digit", "true"], []
    for label, key in model_choices(session):
        try:
            p = predict_probs(get_model(session, key), x)
        except NnplayError:
            continue
        pred = p.argmax(axis=1)
        right = int((pred == np.asarray(digits.labels)).sum())
        headers.append(label)
        cols.append([f"{right} of {len(digits)} right"] +
                    [f"{'✓' if d == t else '✗'} {d} ({p[i, d]:.0%})"
                     for i, (d, t) in enumerate(zip(pred, digits.labels))])
    rows = [["all", ""]] + [[f"#{i + 1}", str(t)] for i, t in enumerate(digits.labels)]
    return {"headers": headers, "data": [r + [c[k] for c in cols] for k, r in enumerate(rows)]}


def gallery(digits: Set) -> list:
    return [(vi.gallery_tile(x, 3), f"#{i + 1}: {t}") for i, (x, t) in enumerate(zip(digits.images, digits.labels))]


def save(session: Session, digits: Set, sketch, label):
    """Save the drawing (as the models see it) with its true label."""
    if label not in DIGITS:
        return gr.skip(), gr.skip(), note("Pick the digit it really is first.", "warn"), gr.skip(), gr.skip()
    try:
        x = to_mnist(sketch, invert="auto", crop=True, center=True)
        digits.add(x, int(label))
    except NnplayError as e:
        msg = "Draw a digit first." if "no ink" in str(e) or sketch is None else str(e)
        return gr.skip(), gr.skip(), note(msg, "warn"), gr.skip(), gr.skip()
    return (gallery(digits), readings(session, digits),
            note(f"Saved as a {label}: {len(digits)} digit{'s' if len(digits) > 1 else ''} in your set."),
            blank_canvas(), download(digits))


def undo(session: Session, digits: Set):
    digits.undo()
    return gallery(digits), readings(session, digits), note(f"{len(digits)} digits in your set."), download(digits)


def refresh(session: Session, digits: Set):
    return readings(session, digits)


def download(digits: Set) -> str | None:
    """The set as a zip for the Download button (None when empty): my_handwriting.npz (images
    (N, 28, 28) uint8, ink bright as in MNIST; labels (N,)) and one PNG per digit, <number>_<label>.png."""
    if not len(digits):
        return None
    images = np.rint(np.stack(digits.images) * 255).astype(np.uint8)
    labels = np.asarray(digits.labels, np.uint8)
    out = Path(tempfile.mkdtemp(prefix="nnplay-hw-")) / "my_handwriting.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        buf = io.BytesIO()
        np.savez_compressed(buf, images=images, labels=labels)
        z.writestr("my_handwriting.npz", buf.getvalue())
        for i, (img, t) in enumerate(zip(images, labels)):
            png = io.BytesIO()
            Image.fromarray(img).save(png, format="PNG")
            z.writestr(f"{i + 1:03d}_{t}.png", png.getvalue())
    return str(out)


def wire(ui) -> None:
    ui.hw_save.click(save, [ui.session, ui.hw_set, ui.hw_sketch, ui.hw_label],
                     [ui.hw_gallery, ui.hw_table, ui.hw_msg, ui.hw_sketch, ui.hw_download], api_visibility="private",
                     show_progress="hidden")
    ui.hw_undo.click(undo, [ui.session, ui.hw_set], [ui.hw_gallery, ui.hw_table, ui.hw_msg, ui.hw_download],
                     api_visibility="private", show_progress="hidden")
    # a finished training sets the model pickers to its run: read the set again with it
    ui.inspect_model.change(refresh, [ui.session, ui.hw_set], ui.hw_table, api_visibility="private",
                            show_progress="hidden")
    ui.hw_tab.select(refresh, [ui.session, ui.hw_set], ui.hw_table, api_visibility="private",
                     show_progress="hidden")
