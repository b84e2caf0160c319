"""Inspect: test accuracy, per-class accuracy, a clickable confusion matrix and the mistakes."""

from __future__ import annotations

import functools
import threading

import gradio as gr
import numpy as np

from nnplay.engine.errors import NnplayError
from nnplay.engine.mnist import evaluate, load_mnist
from nnplay.viz.mnist import inspect as vi

from .common import BUNDLED, model_choices, get_model, note
from .runs import Session

DIGITS = [str(d) for d in range(10)]
GALLERY_N = 30
_lock = threading.Lock()

# Binds Plotly's click on the confusion heatmap to this component's "click" event
# (gr.Plot has no click event). Re-checked twice a second because a new figure
# replaces the plot's event emitter.
CLICK_JS = """
const handler = (ev) => {
  const pt = ev && ev.points && ev.points[0];
  if (pt) trigger('click', {true_digit: String(pt.y), pred_digit: String(pt.x)});
};
setInterval(() => {
  const div = document.querySelector('#mnist-confusion .js-plotly-plot');
  if (div && div._ev && div.on && !div._ev.listeners('plotly_click').includes(handler)) {
    div.on('plotly_click', handler);
  }
}, 500);
"""


def build(ui) -> None:
    with gr.Row(equal_height=False):
        ui.inspect_model = gr.Dropdown(model_choices(None), value=BUNDLED, label="Model", scale=3,
                                       allow_custom_value=True)
        ui.evaluate_btn = gr.Button("Evaluate on the 10,000 test digits", variant="primary", scale=2,
                                    elem_id="mnist-evaluate")
        ui.accuracy = gr.HTML(note("Press Evaluate to test the model on MNIST's 10,000 test digits."), scale=3,
                              min_width=240)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=420):
            ui.confusion = gr.Plot(label="Confusion matrix", show_label=False, elem_id="mnist-confusion")
            ui.click_html = gr.HTML("<span style='color:#6b7280;font-size:13px'>Click a cell (or pick it "
                                    "on the right) to see those digits.</span>", js_on_load=CLICK_JS,
                                    elem_id="mnist-confusion-click")
        with gr.Column(scale=1, min_width=420):
            ui.per_class = gr.Plot(label="Accuracy per digit", show_label=False, elem_id="mnist-per-class")
            with gr.Row():
                ui.cell_true = gr.Dropdown(DIGITS, value="4", label="True digit", min_width=100)
                ui.cell_pred = gr.Dropdown(DIGITS, value="9", label="Predicted as", min_width=100)
            gr.Markdown("**These test digits** (confidence of the prediction)", elem_classes="mnist-gallery-title")
            ui.cell_gallery = gr.Gallery(label="These test digits (confidence of the prediction)", columns=8,
                                         show_label=False, buttons=[],
                                         fit_columns=False, height=250, object_fit="contain",
                                         allow_preview=False, elem_id="mnist-cell-gallery")
    gr.Markdown("**The most confident mistakes** (true → predicted, confidence)", elem_classes="mnist-gallery-title")
    ui.mistakes = gr.Gallery(label="The most confident mistakes (true → predicted, confidence)", columns=12,
                             show_label=False, buttons=[],
                             fit_columns=False, height=360, object_fit="contain", allow_preview=False,
                             elem_id="mnist-mistakes")


@functools.lru_cache(maxsize=1)
def _bundled_eval():
    data = load_mnist()
    return evaluate(get_model(None, BUNDLED), data.test_x, data.test_y)


def evaluation(session: Session | None, key: str):
    """EvalResult of a model on the full test set (cached per run, and once for the bundled model)."""
    try:
        with _lock:  # one 10,000-image evaluation at a time keeps the CPU for the others
            if not key or key == BUNDLED:
                return _bundled_eval()
            model = get_model(session, key)
            run = session.run(key)
            if getattr(run, "evaluation", None) is None:
                data = load_mnist()
                run.evaluation = evaluate(model, data.test_x, data.test_y)
            return run.evaluation
    except NnplayError as e:
        raise gr.Error(str(e)) from None


def _tile(i: int, caption: str):
    x = load_mnist().test_x[i, 0].numpy()
    return vi.gallery_tile(x, 3), caption


def confusion(res, t: int, p: int):
    n = int(res.confusion[t, p])
    return vi.confusion_figure(res.confusion, selected=(t, p), height=460,
                               title=f"confusion matrix<br><sup>selected: {n} true {t}s predicted as {p}</sup>")


def cell_examples(res, t: int, p: int) -> list:
    """Test digits of true class t predicted as p (most confident first)."""
    data = load_mnist()
    y = data.test_y.numpy()
    idx = np.flatnonzero((y == t) & (res.predictions == p))
    conf = res.probabilities[idx, p]
    idx = idx[np.argsort(-conf)][:GALLERY_N]
    return [_tile(int(i), f"{res.probabilities[i, p]:.0%}") for i in idx]


def mistakes(res) -> list:
    y = load_mnist().test_y.numpy()
    out = []
    for i in res.mistakes[:48]:
        p = int(res.predictions[i])
        out.append(_tile(int(i), f"{y[i]}→{p} {res.probabilities[i, p]:.0%}"))
    return out


def run_evaluation(session: Session, key: str, t: str, p: str):
    res = evaluation(session, key)
    acc = float(res.test_accuracy)
    n_wrong = int(np.asarray(res.confusion).sum() - np.trace(res.confusion))
    head = (f"<div style='font-size:15px'><span style='font-size:28px;font-weight:700;color:#4f46e5'>"
            f"{acc:.2%}</span> test accuracy · {n_wrong} of {int(np.asarray(res.confusion).sum()):,} wrong</div>")
    ti, pi = int(t), int(p)
    return (head, confusion(res, ti, pi),
            vi.per_class_bars(res.per_class_accuracy, overall=acc), cell_examples(res, ti, pi), mistakes(res))


def show_cell(session: Session, key: str, t: str, p: str):
    res = evaluation(session, key)
    ti, pi = int(t), int(p)
    return confusion(res, ti, pi), cell_examples(res, ti, pi)


def clicked(evt: gr.EventData):
    data = getattr(evt, "_data", None) or {}
    t, p = data.get("true_digit"), data.get("pred_digit")
    if t not in DIGITS or p not in DIGITS:
        return gr.skip(), gr.skip()
    return t, p


def wire(ui) -> None:
    outs = [ui.accuracy, ui.confusion, ui.per_class, ui.cell_gallery, ui.mistakes]
    ui.evaluate_btn.click(run_evaluation, [ui.session, ui.inspect_model, ui.cell_true, ui.cell_pred], outs,
                          api_name="evaluate")
    ui.inspect_model.input(run_evaluation, [ui.session, ui.inspect_model, ui.cell_true, ui.cell_pred], outs,
                           api_visibility="private")
    for c in (ui.cell_true, ui.cell_pred):
        c.input(show_cell, [ui.session, ui.inspect_model, ui.cell_true, ui.cell_pred],
                [ui.confusion, ui.cell_gallery], api_visibility="private", show_progress="hidden")
    ui.click_html.click(clicked, None, [ui.cell_true, ui.cell_pred], api_visibility="private",
                        show_progress="hidden").then(
        show_cell, [ui.session, ui.inspect_model, ui.cell_true, ui.cell_pred], [ui.confusion, ui.cell_gallery],
        api_visibility="private", show_progress="hidden")
