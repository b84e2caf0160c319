"""Try your own digit: a sketch pad (live), an upload, a webcam snapshot or a pasted image ->
every preprocessing step, a box and top 3 over each digit, the 28x28 input, probabilities
and a saliency overlay; each step is a toggle. Says so when the picture is not a digit."""

from __future__ import annotations

import os
import time

import gradio as gr
import numpy as np

from nnplay.app import gradio_compat
from nnplay.engine.errors import NnplayError
from nnplay.engine.mnist import saliency
from nnplay.engine.mnist.reading import Steps, default_reader, read_image
from nnplay.viz.mnist import inspect as vi
from nnplay.viz.mnist import reading as vr

from .common import BUNDLED, get_model, inference_threads, model_choices, note, width_js
from .runs import Session

INVERT = [("auto", "auto"), ("ink is dark: invert", "yes"), ("ink is light: keep", "no")]
# the photo steps a user can switch off (crop and centre have their own boxes)
STEPS = [("flat-field (shade, shadows)", "flatten"), ("local threshold", "threshold"),
         ("remove ruled/grid lines", "lines"), ("keep only the writing", "pick"),
         ("split into digits", "split"), ("normalise stroke width", "stroke")]
ALL_STEPS = [v for _, v in STEPS]
PANEL_H = 230
STEPS_WIDTH_JS = width_js("mnist-steps")  # show_views gets the steps view's width: panels wrap on a phone
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
    (app/gradio_compat.py: the override is set on the instance.)"""
    return gradio_compat.pass_upload_path(gr.Image(**kw))


def warm_up() -> None:
    """Load the bundled model and run one prediction, so the first stroke answers fast."""
    x = np.zeros((280, 280, 4), np.uint8)
    x[60:220, 130:150, 3] = 255
    predict({"background": None, "layers": [x], "composite": x}, BUNDLED, "auto", True, True, None, ALL_STEPS)


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
                    ui.upload = uploaded_image(type="filepath", label="A photo, a scan, a webcam snapshot or a "
                                               "pasted picture of a digit or a number",
                                               sources=["upload", "webcam", "clipboard"], height=300,
                                               elem_id="mnist-upload")
        with gr.Column(scale=2, min_width=260):
            ui.draw_model = gr.Dropdown(model_choices(None), value=BUNDLED, label="Model", allow_custom_value=True)
            ui.invert = gr.Radio(INVERT, value="auto", label="Invert colours",
                                 info="Drawings too: “ink is light: keep” takes the white pad as the ink.")
            with gr.Row():
                ui.crop = gr.Checkbox(True, label="Crop to the ink, scale to 20×20")
                ui.center = gr.Checkbox(True, label="Centre by centre of mass")
            ui.steps = gr.CheckboxGroup(STEPS, value=ALL_STEPS, label="Photo clean-up steps",
                                        elem_id="mnist-steps-toggles")
            ui.draw_msg = gr.HTML(note(EMPTY_MSG), elem_id="mnist-draw-msg")
            ui.top3 = gr.Label(num_top_classes=3, label="Top 3", elem_id="mnist-top3")
        with gr.Column(scale=3, min_width=420):
            with gr.Row():
                ui.preview = gr.Plot(_blank()[0], label="What the model sees (28×28)", show_label=False,
                                     elem_id="mnist-preview")
                ui.saliency = gr.Plot(_blank()[1], label="Saliency: gradient × input", show_label=False,
                                      elem_id="mnist-saliency")
            ui.probs = gr.Plot(_blank()[2], label="Probabilities", show_label=False, elem_id="mnist-probs")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=300):
            ui.boxes = gr.Plot(None, label="The digits found", show_label=False, elem_id="mnist-boxes")
        with gr.Column(scale=5, min_width=320):
            ui.steps_view = gr.Plot(None, label="How the picture was read", show_label=False,
                                    elem_id="mnist-steps")
    with gr.Accordion("The same facts as the API and `nnplay predict --json`", open=False):
        ui.facts = gr.JSON(None, label="reading", elem_id="mnist-facts")
    ui.source = gr.State("sketch")
    ui.views = gr.State(None)
    ui.steps_px = gr.Number(0, visible=False)


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


def _steps(crop, center, steps) -> Steps:
    on = set(ALL_STEPS if steps is None else steps)
    return Steps(crop=bool(crop), center=bool(center), **{k: k in on for k in ALL_STEPS})


def _user_message(e: Exception, image) -> str:
    """The error, naming the user's file rather than the server's copy of it (Gradio keeps
    uploads in a cache folder under a hash; the file name at its end is the user's)."""
    msg = str(e)
    if isinstance(image, (str, os.PathLike)):
        path = str(image)
        name = os.path.basename(path) or "the uploaded file"
        msg = msg.replace(path, name)
    return msg


def _reading_views(r, px: float = 0):
    """(boxes figure, steps figure) of a Reading. Two thirds of a prediction's server time, so
    they are drawn in the follow-up event (show_views), not before the answer (API calls never
    draw them)."""
    view = r.steps[0][1]
    sy = view.shape[0] / r.extra["work_shape"][0]
    sx = view.shape[1] / r.extra["work_shape"][1]
    marks = [{"box": (d.work_box[0] * sx, d.work_box[1] * sy, d.work_box[2] * sx, d.work_box[3] * sy),
              "digit": d.digit, "top": d.top(3)} for d in r.digits]
    title = f"reads {r.number}" if r.is_digit else "not a digit"
    return vr.boxes_figure(view, marks, height=PANEL_H + 60, title=title, odd=not r.is_digit), \
        vr.steps_figure(r.steps, height=PANEL_H if not px else 170, cols=vr.steps_columns(px, len(r.steps)))


def _message(r, ms: float) -> str:
    best = r.best
    p = best.probabilities
    if not r.is_digit:
        would = r.number if len(r.digits) > 1 else str(best.digit)
        return note(f"This does not look like a digit ({r.why}). A network trained only on digits would "
                    f"still have said {would}, with {p.max():.1%}.", "warn")
    if len(r.digits) == 1:
        return note(f"It looks like a {best.digit} ({p.max():.0%} sure). Server time {ms:.0f} ms.")
    each = ", ".join(f"{d.digit} ({d.probabilities.max():.0%})" for d in r.digits)
    return note(f"It reads {r.number}: {each}, left to right. Server time {ms:.0f} ms.")


def predict(image, model_key: str, invert: str, crop: bool, center: bool, session: Session | None,
            steps=None):
    """Any image -> (28x28 figure, saliency, probabilities, top-3 label, message, facts,
    reading). The 28x28, saliency and top 3 are the most confident digit's. The API returns
    the first six (the old five, then the facts of `nnplay predict --json`); the Reading goes
    to the page through a State, and show_views draws its two figures after the answer."""
    t0 = time.perf_counter()
    inference_threads()
    inv = {"yes": True, "no": False}.get(invert, "auto")
    try:
        if image is None:
            raise NnplayError(EMPTY_MSG)
        model = default_reader() if model_key in ("", None, BUNDLED) else get_model(session, model_key)
        r = read_image(image, model, invert=inv, steps=_steps(crop, center, steps))
        best = r.best
        sal = saliency(model, best.x28, best.digit)
    except NnplayError as e:
        msg = EMPTY_MSG if image is None or "no ink" in str(e) else _user_message(e, image)
        return (*_blank(), None, note(msg, "warn"), {"error": msg}, None)
    p = best.probabilities
    label = {str(d): float(p[d]) for d in range(10)}
    ms = (time.perf_counter() - t0) * 1000
    facts = r.to_dict()
    if isinstance(image, (str, os.PathLike)):
        facts = {"file": os.path.basename(str(image)), **facts}
    return (*_figures(best.x28, sal, p), label, _message(r, ms), facts, r)


def predict_sketch(sketch, model_key, invert, crop, center, session, steps=None):
    return predict(sketch, model_key, invert, crop, center, session, steps) + ("sketch",)


def predict_upload(path, model_key, invert, crop, center, session, steps=None):
    return predict(path, model_key, invert, crop, center, session, steps) + ("upload",)


def predict_again(source, sketch, path, model_key, invert, crop, center, session, steps=None):
    image = path if source == "upload" and path else sketch
    return predict(image, model_key, invert, crop, center, session, steps)


def clear():
    return (blank_canvas(), *_blank(), None, note(EMPTY_MSG), None, None, None)


def show_views(reading, px: float = 0):
    """The follow-up event: the boxes and the steps, the steps wrapped to the page's width (px)."""
    return _reading_views(reading, px or 0) if reading is not None else (None, None)


def wire(ui) -> None:
    opts = [ui.draw_model, ui.invert, ui.crop, ui.center, ui.session, ui.steps]
    outs = [ui.preview, ui.saliency, ui.probs, ui.top3, ui.draw_msg, ui.facts, ui.views]
    views = dict(fn=show_views, inputs=[ui.views, ui.steps_px], outputs=[ui.boxes, ui.steps_view],
                 api_visibility="private", show_progress="hidden", js=STEPS_WIDTH_JS)
    live = dict(show_progress="hidden", trigger_mode="always_last")
    ui.sketch.change(predict_sketch, [ui.sketch, *opts], [*outs, ui.source], api_name="predict_sketch",
                     **live).then(**views)
    ui.upload.change(predict_upload, [ui.upload, *opts], [*outs, ui.source], api_name="predict_image",
                     **live).then(**views)
    for c in (ui.draw_model, ui.invert, ui.crop, ui.center, ui.steps):
        c.change(predict_again, [ui.source, ui.sketch, ui.upload, *opts], outs, api_visibility="private",
                 **live).then(**views)
    ui.first_stroke.click(predict_sketch, [ui.sketch, *opts], [*outs, ui.source], api_visibility="private",
                          **live).then(**views)
    ui.clear.click(clear, None, [ui.sketch, *outs[:6], ui.boxes, ui.steps_view], api_visibility="private",
                   show_progress="hidden")
