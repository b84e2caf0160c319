"""The gate lab's components, laid out like TensorFlow Playground: a top bar, then
data (left), network (middle) and output (right), then timeline, sharing and About."""

from __future__ import annotations

from types import SimpleNamespace

from pathlib import Path

import gradio as gr

from nnplay.engine.gates import GateConfig
from nnplay.engine.gates.config import CHOICES, MAX_LAYERS, MAX_POINTS
from nnplay.engine.gates.truth import input_rows

from .session import BATCH_CHOICES, LR_CHOICES, PICKER_GATES, REG_RATES, picker_value
from .texts import ABOUT, INFO

D = GateConfig()
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁·x₂",
                  "sin(x1)": "sin(x₁)", "sin(x2)": "sin(x₂)"}


# The live views: canvases and panels drawn in the page by live.js from compact frames (see
# frames.py and stream.py). The hub (#gates-status) holds the renderer and the stream; every
# other view registers its element, in whatever order Gradio mounts them.
LIVE_JS = (Path(__file__).with_name("live.js")).read_text(encoding="utf-8")
VIEW_JS = """
const reg = (window.nnplayGatesViews = window.nnplayGatesViews || {});
reg[NAME] = {element, trigger};
if (window.nnplayGates && window.nnplayGates.viewAdded) window.nnplayGates.viewAdded(NAME);
"""
TEMPLATES = {
    "epoch": "<div class='ep-label'>Epoch</div><div class='ep-value'>0</div>",
    "net": "<div class='nnp-view nnp-net'><canvas></canvas><div class='nnp-tip' hidden></div></div>",
    "neuron": "<div class='nnp-view nnp-neuron'><div class='nnp-title'></div><canvas></canvas></div>",
    "boundary": "<div class='nnp-view nnp-boundary'><canvas></canvas></div>",
    "curves": "<div class='nnp-view nnp-curves'><canvas></canvas></div>",
    "truth": "<div class='nnp-view nnp-truth'></div>",
    "try": "<div class='nnp-view nnp-try'></div>",
    "timeline": ("<div class='nnp-view nnp-timeline'><div class='tl-label'>Timeline</div><div class='tl-row'>"
                 "<input type='range' class='tl-range' min='0' max='1' step='1' value='0' aria-label='timeline'>"
                 "<label class='tl-num'>epoch <input type='number' class='tl-epoch' min='0' step='1'></label>"
                 "</div><div class='tl-info'>" + INFO["timeline"] + "</div></div>"),
}
HUB_TEMPLATE = ("<div class='st-text'></div><div class='st-conn' hidden><span class='st-conn-msg'></span> "
                "<button type='button' class='st-conn-btn'>Reconnect</button></div>")


def live_view(name: str, elem_id: str, **kw) -> gr.HTML:
    """One live view: a fixed template that live.js draws into (never re-rendered by Gradio)."""
    return gr.HTML("", html_template=TEMPLATES[name], js_on_load=VIEW_JS.replace("NAME", repr(name)),
                   elem_id=elem_id, elem_classes="gates-live", apply_default_css=False, **kw)


def live_hub() -> gr.HTML:
    """The status line, which also receives every frame a Gradio event answers with (its value)
    and runs the renderer and the stream."""
    return gr.HTML("", html_template=HUB_TEMPLATE, js_on_load=LIVE_JS, elem_id="gates-status",
                   apply_default_css=False, min_width=300, scale=5)


def _title(text: str) -> None:
    gr.HTML(f"<div class='gates-col-title'>{text}</div>", elem_classes=f"gates-title-{text.split()[0].lower()}")


def bit_label(row: tuple[int, ...], bit: str) -> str:
    return f"{''.join(map(str, row))} → {bit}"


def top_bar(ui: SimpleNamespace) -> None:
    with gr.Row(equal_height=True, elem_id="gates-topbar"):
        with gr.Row(elem_classes="gates-transport", scale=2):
            ui.play = gr.Button("▶ Play", variant="primary", elem_id="gates-play", min_width=90)
            ui.pause = gr.Button("❚❚ Pause", elem_id="gates-pause", min_width=90)
            ui.step = gr.Button("Step +1", elem_id="gates-step", min_width=80)
            ui.reset = gr.Button("↺ Reset", elem_id="gates-reset", min_width=80)
        ui.epoch = live_view("epoch", "gates-epoch", min_width=110)
        ui.live = live_hub()
    with gr.Row(equal_height=True, elem_id="gates-settings"):
        ui.lr = gr.Dropdown(LR_CHOICES, value=D.lr, label="Learning rate", info=INFO["lr"],
                            allow_custom_value=True, elem_id="gates-lr", min_width=130)
        ui.optimizer = gr.Dropdown(list(CHOICES["optimizer"]), value=D.optimizer, label="Optimizer",
                                   info=INFO["optimizer"], elem_id="gates-optimizer", min_width=120)
        ui.activation = gr.Dropdown(list(CHOICES["activation"]), value=D.activation, label="Activation",
                                    info=INFO["activation"], elem_id="gates-activation", min_width=120)
        ui.batch_size = gr.Dropdown(BATCH_CHOICES, value=D.batch_size, label="Batch size", info=INFO["batch_size"],
                                    elem_id="gates-batch", min_width=110)
        ui.regularization = gr.Dropdown(list(CHOICES["regularization"]), value=D.regularization,
                                        label="Regularization", info=INFO["regularization"], min_width=120)
        ui.reg_rate = gr.Dropdown(REG_RATES, value=D.reg_rate, label="Regularization rate", info=INFO["reg_rate"],
                                  allow_custom_value=True, min_width=120)
        ui.seed = gr.Number(value=D.seed, label="Seed", info=INFO["seed"], precision=0, minimum=0, min_width=90,
                            elem_id="gates-seed")
        ui.speed = gr.Slider(1, 50, value=2, step=1, label="Epochs per frame", info=INFO["speed"],
                             min_width=260, elem_id="gates-speed")


def data_column(ui: SimpleNamespace) -> None:
    _title("Data")
    ui.gate = gr.Dropdown(PICKER_GATES, value=picker_value(D.gate)[0], label="Gate", info=INFO["gate"],
                          elem_id="gates-gate")
    ui.bits = gr.Textbox(picker_value(D.gate)[1], visible=False, elem_id="gates-bits")
    gr.Markdown("Truth table — *click an output bit to flip it*", elem_classes="gates-small")
    ui.bit_buttons = []
    rows8 = input_rows(3)
    with gr.Row(elem_id="gates-bits-row"):
        for i in range(8):
            row = input_rows(2)[i] if i < 4 else rows8[i]
            ui.bit_buttons.append(gr.Button(bit_label(row, "0"), size="sm", min_width=56,
                                            elem_classes="gates-bit", visible=i < 4))
    ui.sampling = gr.Radio(list(CHOICES["sampling"]), value=D.sampling, label="Sampling", info=INFO["sampling"],
                           elem_id="gates-sampling")
    ui.n_points = gr.Slider(1, MAX_POINTS // 8, value=D.n_points, step=1, label="Points per corner",
                            info=INFO["n_points"], visible=D.sampling == "noisy")
    ui.noise = gr.Slider(0.0, 0.5, value=D.noise, step=0.01, label="Noise", info=INFO["noise"],
                         visible=D.sampling == "noisy")
    ui.train_ratio = gr.Slider(0.1, 0.9, value=D.train_ratio, step=0.05, label="Train / test ratio",
                               info=INFO["train_ratio"], visible=D.sampling == "noisy")
    ui.show_test = gr.Checkbox(True, label="Show test data", info=INFO["show_test"],
                               visible=D.sampling == "noisy")
    ui.features = gr.CheckboxGroup([(FEATURE_LABELS.get(f, f), f) for f in CHOICES["features"]],
                                   value=list(D.features), label="Input features", info=INFO["features"],
                                   elem_id="gates-features")


def network_column(ui: SimpleNamespace) -> None:
    _title("Network")
    ui.hidden = gr.Textbox(",".join(map(str, D.hidden)), visible=False, elem_id="gates-hidden")
    with gr.Row(equal_height=True):
        ui.layer_minus = gr.Button("− layer", size="sm", min_width=70, elem_id="gates-layer-minus", scale=0)
        ui.layer_label = gr.HTML(f"<div class='gates-layers'><b>{len(D.hidden)}</b> hidden layers</div>")
        ui.layer_plus = gr.Button("+ layer", size="sm", min_width=70, elem_id="gates-layer-plus", scale=0)
    ui.neuron_minus, ui.neuron_plus, ui.neuron_groups, ui.neuron_labels = [], [], [], []
    with gr.Row(equal_height=True, elem_id="gates-layer-row"):
        for i in range(MAX_LAYERS):
            with gr.Column(min_width=70, visible=i < len(D.hidden), elem_classes="gates-layer-ctl") as col:
                ui.neuron_labels.append(gr.HTML(f"<div class='gates-layer-n'>layer {i + 1}</div>"))
                with gr.Row():
                    ui.neuron_minus.append(gr.Button("−", size="sm", min_width=28))
                    ui.neuron_plus.append(gr.Button("+", size="sm", min_width=28))
            ui.neuron_groups.append(col)
    ui.network = live_view("net", "gates-net")
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=200):
            ui.node = gr.Dropdown([], label="Enlarged node", info=INFO["node"], elem_id="gates-node")
            ui.edge = gr.Dropdown([], label="Edge to edit", info=INFO["edge"], elem_id="gates-edge")
            with gr.Row(equal_height=True):
                ui.weight = gr.Number(None, label="New weight", info=INFO["weight"], elem_id="gates-weight",
                                      min_width=90, scale=2)
                ui.set_weight = gr.Button("Set", size="sm", scale=1, min_width=50, elem_id="gates-set-weight")
        with gr.Column(scale=1, min_width=220):
            ui.neuron = live_view("neuron", "gates-neuron")


def output_column(ui: SimpleNamespace) -> None:
    _title("Output")
    ui.boundary = live_view("boundary", "gates-boundary")
    ui.discretize = gr.Checkbox(False, label="Discretize output", info=INFO["discretize"])
    ui.curves = live_view("curves", "gates-curves")
    _title("Truth table")
    ui.truth = live_view("truth", "gates-truth")
    _title("Try an input")
    ui.try_mode = gr.Radio(["sliders", "0/1 switches"], value="sliders", label="Input mode", info=INFO["try_mode"])
    with gr.Row() as ui.try_slider_row:
        ui.try_sliders = [gr.Slider(-0.5, 1.5, value=v, step=0.01, label=f"x{i + 1}", min_width=90,
                                    info=INFO["try_x"],
                                    visible=i < 2, elem_id=f"gates-try-x{i + 1}") for i, v in enumerate((1, 0, 0))]
    with gr.Row(visible=False) as ui.try_switch_row:
        ui.try_switches = [gr.Checkbox(v == 1, label=f"x{i + 1} = 1", min_width=70, visible=i < 2,
                                       info=INFO["try_bit"])
                           for i, v in enumerate((1, 0, 0))]
    ui.try_out = live_view("try", "gates-try-out")


def bottom(ui: SimpleNamespace) -> None:
    with gr.Row(equal_height=True):
        ui.timeline = live_view("timeline", "gates-timeline", scale=6)
        ui.replay = gr.Button("⟲ Replay history", scale=1, min_width=120, elem_id="gates-replay")
    with gr.Row(equal_height=False):
        ui.query = gr.Textbox(visible=False, elem_id="gates-query")
        ui.link = gr.Textbox(label="Link to these settings", info=INFO["link"], interactive=False, scale=4,
                             buttons=["copy"], elem_id="gates-link")
        with gr.Column(scale=1, min_width=150):
            ui.copy = gr.Button("Copy link", elem_id="gates-copy")
            ui.export = gr.Button("Export model (.zip)", elem_id="gates-export")
        ui.export_file = gr.File(label="Exported model", scale=2, visible=False, elem_id="gates-export-file")
    with gr.Accordion("About this lab", open=False, elem_id="gates-about"):
        gr.Markdown(ABOUT)


def build_layout() -> SimpleNamespace:
    ui = SimpleNamespace()
    top_bar(ui)
    with gr.Row(equal_height=False, elem_id="gates-main"):
        with gr.Column(scale=3, min_width=260, elem_classes="gates-col"):
            data_column(ui)
        with gr.Column(scale=5, min_width=420, elem_classes="gates-col"):
            network_column(ui)
        with gr.Column(scale=4, min_width=340, elem_classes="gates-col"):
            output_column(ui)
    bottom(ui)
    return ui
