"""The MNIST lab's Experiments section: small parallel sweeps and two lessons."""

from __future__ import annotations

import os

import gradio as gr

from nnplay.engine import lessons
from nnplay.engine.errors import ConfigError
from nnplay.engine.mnist import MnistConfig, recommended
from nnplay.engine.mnist.models import is_convolutional
from nnplay.engine.sweeps import expand
from nnplay.engine.sweeps.runner import KINDS
from nnplay.viz.mnist import weight_mosaic
from nnplay.viz.sweeps import curves_figure, width_figure

from .common import (build_axes, empty_table, lab_config, lesson_table, on_cancel, section,
                     stream_lesson, stream_sweep, sweep_panel)

FIELDS = ["lr", "hidden", "batch_size", "epochs", "model", "optimizer", "dropout", "weight_decay", "schedule"]
MAX_CELLS = 6
BUDGET = 60_000   # cells x training images x epochs (x3 for conv nets): about a minute on 2 cores
SHOWN = ["test_accuracy", "final_train_loss", "seconds", "n_params", "diverged"]

INTRO = ("### Experiments\nVary one or two settings and train every combination on a subset of the "
         "training images, several at once (one process per core). Hidden layers: `100`, `300-100`, "
         "values separated by commas. Every cell is tested on all 10,000 test images.")


def _base(state) -> MnistConfig:
    return lab_config(state, MnistConfig, recommended("mlp"))


def workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def plan(state, f1, v1, f2, v2, subset, epochs):
    base = _base(state).replace(subset=int(subset), epochs=int(epochs))
    axes = build_axes(MnistConfig, [(f1, v1), (f2, v2)])
    varied = {a.field for a in axes}
    if "hidden" in varied and "model" not in varied and base.model != "mlp":
        base = base.replace(model="mlp")  # only the MLP has hidden layers to vary
    cells = expand(base, axes, KINDS["mnist"].forbidden)
    if len(cells) > MAX_CELLS:
        raise ConfigError(f"{len(cells)} cells is more than the classroom cap of {MAX_CELLS}; use fewer values")
    cost = sum(c.cfg.subset * c.cfg.epochs * (3 if is_convolutional(c.cfg.model) else 1) for c in cells)
    if cost > BUDGET:
        raise ConfigError(f"this grid trains on {cost:,} images in all; the classroom cap is {BUDGET:,} "
                          "(about a minute): use fewer values, a smaller subset or fewer epochs")
    return base, axes, len(cells)


def run_mnist_sweep(control, state, f1, v1, f2, v2, subset, epochs):
    """Named endpoint `mnist_sweep`: yields (heatmap, curves, table, status) after each cell."""
    try:
        base, axes, total = plan(state, f1, v1, f2, v2, subset, epochs)
    except ConfigError as e:
        raise gr.Error(str(e)) from None
    yield from stream_sweep(control, "mnist", base, axes, {}, workers=workers(), total=total, main="test_accuracy",
                            shown=SHOWN, best_note=_best_note,
                            starting=f"Training {total} cells on {base.subset:,} images, {workers()} at a time "
                                     "(the first cells take a few seconds longer: the worker processes start) ...")


def _best_note(records: list) -> str:
    ok = [r for r in records if r["result"].get("test_accuracy") is not None]
    best = max(ok, key=lambda r: r["result"]["test_accuracy"], default=None)
    return f" Best: **{best['key']}** ({best['result']['test_accuracy']:.2%} test accuracy)." if best else ""


def width_lesson(control):
    """Named endpoint `mnist_lesson_width`: LeCun 1998 architectures, quick variant."""
    yield "Training six architectures on 10,000 images (about a minute) ...", None, None, None
    for lesson in stream_lesson(control, lambda stop: lessons.width_lesson("quick", workers=workers(), stop=stop)):
        yield (f"#### {lesson.title}\n{lesson.explanation}", width_figure(lesson.table),
               curves_figure(lesson.data["sweep"]), lesson_table(lesson.table))


def weights_lesson(control):
    """Named endpoint `mnist_lesson_weights`: first-layer weights of logistic vs MLP."""
    yield "Training a logistic model and an MLP ...", None, None, None
    for lesson in stream_lesson(control, lambda stop: lessons.weights_lesson(subset=6000, epochs=2, stop=stop)):
        log = weight_mosaic(lesson.data["logistic"], labels=[str(d) for d in range(10)], cols=5, height=300,
                            title="logistic: one weight image per digit", diff=True)
        mlp = weight_mosaic(lesson.data["mlp"], cols=8, height=420, title="MLP: hidden units", diff=True)
        yield f"#### {lesson.title}\n{lesson.explanation}", log, mlp, lesson_table(lesson.table)


def mnist_experiments(state=None):
    """Build the section in the current Blocks (or in a new gr.Blocks, returned, when called
    outside one). `state`: the lab's gr.State; its value's `.current.cfg` (the last run),
    `.cfg`, an MnistConfig or a dict gives the base config; else the MLP recipe."""
    return section(_build, state)


def _build(state, control):
    with gr.Column(elem_id="mnist-experiments") as col:
        sweep = sweep_panel("mnist", INTRO, FIELDS, ("hidden", "32,128,512"), ("lr", "0.001,0.01"),
                            [dict(minimum=1000, maximum=20000, value=5000, step=1000, label="training images"),
                             dict(minimum=1, maximum=3, value=2, step=1, label="epochs")], SHOWN)
        gr.Markdown("#### Classic lessons")
        with gr.Row():
            width_btn = gr.Button("Width vs test error (LeCun et al. 1998)", elem_id="mnist-lesson-width")
            weights_btn = gr.Button("First-layer weights: templates vs strokes", elem_id="mnist-lesson-weights")
        lesson_md = gr.Markdown("")
        with gr.Row():
            plot_a = gr.Plot(label="lesson")
            plot_b = gr.Plot(label="lesson (2)")
        lesson_tbl = gr.Dataframe(empty_table(["measured results appear here"]), interactive=False,
                                  label="measured")
    ev = sweep.run.click(run_mnist_sweep, [control, state, *sweep.inputs], sweep.outputs, api_name="mnist_sweep",
                         concurrency_limit=1)
    les = [width_btn.click(width_lesson, control, [lesson_md, plot_a, plot_b, lesson_tbl],
                           api_name="mnist_lesson_width", concurrency_limit=1),
           weights_btn.click(weights_lesson, control, [lesson_md, plot_a, plot_b, lesson_tbl],
                             api_name="mnist_lesson_weights", concurrency_limit=1)]
    sweep.cancel.click(on_cancel, control, sweep.outputs[-1], cancels=[ev, *les], api_visibility="private")
    return col
