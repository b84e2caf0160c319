"""Try your own digit: a sketch pad (live) or an upload -> the 28x28 input, probabilities,
top 3 and a saliency overlay, with the preprocessing steps as toggles."""

from __future__ import annotations

import time

import gradio as gr
import numpy as np

from nnplay.engine.errors import NnplayError
from nnplay.engine.mnist import predict_probs, saliency
from nnplay.engine.mnist.preprocess import to_mnist
from nnplay.viz.mnist import inspect as vi

from .common import BUNDLED, get_model, model_choices, note
from .runs import Session

INVERT = [("auto", "auto"), ("ink is dark: invert", "yes"), ("ink is light: keep", "no")]
PANEL_H = 230
EMPTY_MSG = "Draw a digit first: hold the mouse button down on the white square and write a 0-9."

FIRST_STROKE_JS = """
let first = true;
const hook = () => {
  const pad = document.querySelector('#mnist-sketch');
  if (!pad) { setTimeout(hook, 300); return; }
  pad.addEventListener('pointerup', () => {
    if (!first) return;
    first = false;
    setTimeout(() => trigger('click'), 400);
  }, true);
};
hook();
"""


def uploaded_image(**kw) -> gr.Image:
    """A gr.Image that hands the uploaded file to our preprocessing untouched. gr.Image itself
    opens and re-saves every upload with PIL first: a corrupt file or a decompression bomb
    failed there with a generic "could not preprocess" error before our checks, and two
    users uploading the same picture raced on the re-saved copy ("not an image").
    (Overridden on the instance: a gr.Image subclass makes Gradio write a .pyi file beside
    this module at import.)"""
    image = gr.Image(**kw)
    image.preprocess = lambda payload: None if payload is None else str(payload.path)
    return image


def warm_up() -> None:
    """Load the bundled model and run one prediction, so the first stroke answers fast."""
    x = np.zeros((280, 280, 4), np.uint8)
    x[60:220, 130:150, 3] = 255
    predict({"background": None, "layers": [x], "composite": x}, BUNDLED, "auto", True, True, None)


def build(ui) -> None:
    warm_up()
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=320):
            with gr.Tabs():
                with gr.Tab("Draw", id="draw"):
                    ui.sketch = gr.Sketchpad(
                        value=blank_canvas(), canvas_size=(280, 280), fixed_canvas=True, image_mode="RGBA", type="numpy",
                        brush=gr.Brush(default_size=14, colors=["#000000"], color_mode="fixed"),
                        layers=False, transforms=(), label="Draw a digit (0-9)", show_label=False,
                        elem_id="mnist-sketch", height=380, width=340, buttons=[])
                    ui.clear = gr.Button("Clear", size="sm", elem_id="mnist-clear")
                    # The editor drops its first change event (meant for loading a value), so
                    # the first stroke would show nothing: this predicts once on the first pen-up.
                    ui.first_stroke = gr.HTML("", js_on_load=FIRST_STROKE_JS, elem_id="mnist-first-stroke")
                with gr.Tab("Upload", id="upload"):
                    ui.upload = uploaded_image(type="filepath", label="A photo or scan of one digit",
                                         sources=["upload", "clipboard"], height=300, elem_id="mnist-upload")
        with gr.Column(scale=2, min_width=260):
            ui.draw_model = gr.Dropdown(model_choices(None), value=BUNDLED, label="Model", allow_custom_value=True)
            ui.invert = gr.Radio(INVERT, value="auto", label="Invert colours")
            with gr.Row():
                ui.crop = gr.Checkbox(True, label="Crop to the ink, scale to 20×20")
                ui.center = gr.Checkbox(True, label="Centre by centre of mass")
            ui.draw_msg = gr.HTML(note(EMPTY_MSG), elem_id="mnist-draw-msg")
            ui.top3 = gr.Label(num_top_classes=3, label="Top 3", elem_id="mnist-top3")
        with gr.Column(scale=3, min_width=420):
            with gr.Row():
                ui.preview = gr.Plot(_blank()[0], label="What the model sees (28×28)", show_label=False,
                                     elem_id="mnist-preview")
                ui.saliency = gr.Plot(_blank()[1], label="Saliency: gradient × input", show_label=False,
                                      elem_id="mnist-saliency")
            ui.probs = gr.Plot(_blank()[2], label="Probabilities", show_label=False, elem_id="mnist-probs")
    ui.source = gr.State("sketch")


def blank_canvas() -> dict:
    """A transparent 280x280 background: with a background the editor starts on the brush,
    so the pad is ready to draw the moment the page opens."""
    return {"background": np.zeros((280, 280, 4), np.uint8), "layers": [], "composite": None}


TITLES = ("what the model sees (28×28)", "saliency: red = for, blue = against", "probabilities")


def _figures(x, sal, p):
    return (vi.digit_figure(x, height=PANEL_H, title=TITLES[0]),
            vi.saliency_figure(x, sal, height=PANEL_H, title=TITLES[1]),
            vi.probability_bars(p, height=PANEL_H, title=TITLES[2]))


def _blank():
    z = np.zeros((28, 28), np.float32)
    return _figures(z, z, np.zeros(10, np.float32))


def predict(image, model_key: str, invert: str, crop: bool, center: bool, session: Session | None):
    """Any image -> (28x28 figure, saliency figure, probabilities figure, top-3 label, message)."""
    t0 = time.perf_counter()
    inv = {"yes": True, "no": False}.get(invert, "auto")
    try:
        if image is None:
            raise NnplayError(EMPTY_MSG)
        x = to_mnist(image, invert=inv, crop=bool(crop), center=bool(center))
        model = get_model(session, model_key)
        p = predict_probs(model, x)
        best = int(np.argmax(p))
        sal = saliency(model, x, best)
    except NnplayError as e:
        msg = EMPTY_MSG if image is None or "no ink" in str(e) else str(e)
        return (*_blank(), None, note(msg, "warn"))
    figs = _figures(x, sal, p)
    label = {str(d): float(p[d]) for d in range(10)}
    ms = (time.perf_counter() - t0) * 1000
    msg = note(f"It looks like a {best} ({p[best]:.0%} sure). Server time {ms:.0f} ms.")
    return (*figs, label, msg)


def predict_sketch(sketch, model_key, invert, crop, center, session):
    return predict(sketch, model_key, invert, crop, center, session) + ("sketch",)


def predict_upload(path, model_key, invert, crop, center, session):
    return predict(path, model_key, invert, crop, center, session) + ("upload",)


def predict_again(source, sketch, path, model_key, invert, crop, center, session):
    image = path if source == "upload" and path else sketch
    return predict(image, model_key, invert, crop, center, session)


def clear():
    return (blank_canvas(), *_blank(), None, note(EMPTY_MSG))


def wire(ui) -> None:
    opts = [ui.draw_model, ui.invert, ui.crop, ui.center, ui.session]
    outs = [ui.preview, ui.saliency, ui.probs, ui.top3, ui.draw_msg]
    live = dict(show_progress="hidden", trigger_mode="always_last")
    ui.sketch.change(predict_sketch, [ui.sketch, *opts], [*outs, ui.source], api_name="predict_sketch", **live)
    ui.upload.change(predict_upload, [ui.upload, *opts], [*outs, ui.source], api_name="predict_image", **live)
    for c in (ui.draw_model, ui.invert, ui.crop, ui.center):
        c.change(predict_again, [ui.source, ui.sketch, ui.upload, *opts], outs, api_visibility="private", **live)
    ui.first_stroke.click(predict_sketch, [ui.sketch, *opts], [*outs, ui.source], api_visibility="private", **live)
    ui.clear.click(clear, None, [ui.sketch, *outs], api_visibility="private", show_progress="hidden")
