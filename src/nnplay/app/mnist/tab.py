"""The "MNIST" tab: train and watch first-layer weights, inspect errors, try your own digit,
compare runs. Each part lives in nnplay.app.mnist.<part>; this module lays them out and wires them."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from nnplay.app.experiments import mnist_experiments
from nnplay.app.mnist import api, compare, draw, handwriting, inspect, texts, train, weights, zoom
from nnplay.app.mnist.runs import Session, close_session

# The tab's look (app/main.py may add it to its CSS; the layout works without it).
CSS = """
#mnist-sketch canvas {cursor: crosshair}
#mnist-cell-gallery .caption-label, #mnist-mistakes .caption-label, #mnist-hw-gallery .caption-label {font-size: 12px}
#mnist-cell-gallery .grid-container, #mnist-mistakes .grid-container, #mnist-hw-gallery .grid-container {
  grid-template-columns: repeat(auto-fill, minmax(84px, 1fr)) !important}
.mnist-gallery-title p {margin: 4px 0 0}
#mnist-timeline-row {flex-wrap: wrap}
""" + zoom.CSS

INTRO = ("**Handwritten digits (MNIST).** Draw a digit and see what a trained network makes of it, "
         "train your own model and watch its first layer learn, then look at the mistakes it makes.")


def build() -> gr.Blocks:
    ui = SimpleNamespace()
    with gr.Blocks() as tab:
        ui.session = gr.State(Session(), delete_callback=close_session)
        gr.Markdown(INTRO)
        with gr.Accordion("About this lab", open=False, elem_id="mnist-about"):
            gr.Markdown(texts.ABOUT)
        with gr.Tabs(elem_id="mnist-sections", overflow_behavior="wrap"):
            with gr.Tab("Try your own digit", id="mnist-draw"):
                draw.build(ui)
            with gr.Tab("Train & watch the weights", id="mnist-train"):
                train.build(ui)
            with gr.Tab("Inspect errors", id="mnist-inspect") as ui.inspect_tab:
                inspect.build(ui)
            with gr.Tab("Compare runs", id="mnist-compare-tab") as ui.compare_tab:
                compare.build(ui)
            with gr.Tab("My handwriting", id="mnist-handwriting-tab") as ui.hw_tab:
                handwriting.build(ui)
            with gr.Tab("Experiments", id="mnist-experiments-tab"):
                mnist_experiments(ui.session)
        api.build(ui)
        texts.apply_info(ui)
        draw.wire(ui)
        train.wire(ui)
        weights.wire(ui)
        inspect.wire(ui)
        handwriting.wire(ui)
        api.wire(ui)
        ui.compare_tab.select(compare.refresh, ui.session, [ui.compare_plot, ui.compare_table],
                              api_visibility="private")
    return tab
