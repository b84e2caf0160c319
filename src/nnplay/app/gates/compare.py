"""Compare gate runs: pin the current run, change settings, train, pin again; the pinned
runs' curves are overlaid and their decision boundaries shown side by side
(viz/gates/compare.py). Pins live in the session (Session.pinned), at most MAX_PINS."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import gradio as gr

from nnplay.engine.gates import GateConfig
from nnplay.viz.gates.compare import compare_figure

from .session import Session, ensure, locked

MAX_PINS = 4
MAX_CURVE_POINTS = 1000  # per pinned curve, so four pins of long runs stay small in the session


def build() -> SimpleNamespace:
    """The panel's components (in the current Blocks); the tab wires them with `wire`."""
    ui = SimpleNamespace()
    gr.Markdown("Pin the run on screen, change a setting (the network resets), train, and pin again: "
                f"up to {MAX_PINS} runs, their training curves overlaid and their boundaries side by side.")
    with gr.Row():
        ui.pin = gr.Button("Pin this run", elem_id="gates-pin", variant="secondary", min_width=140)
        ui.clear = gr.Button("Clear pinned runs", elem_id="gates-pin-clear", min_width=140)
    ui.table = gr.Markdown("", elem_id="gates-pinned")
    ui.plot = gr.Plot(show_label=False, elem_id="gates-compare-plot")
    return ui


def wire(ui: SimpleNamespace, state: gr.State) -> None:
    quiet = dict(show_progress="hidden", api_visibility="private")
    ui.pin.click(on_pin, state, [state, ui.plot, ui.table], **quiet)
    ui.clear.click(on_clear, state, [state, ui.plot, ui.table], **quiet)


def _label(cfg: GateConfig, first: GateConfig | None, k: int) -> str:
    """'#2 lr=0.3, hidden=none': the settings that differ from the first pinned run."""
    if first is None:
        return f"#{k} {cfg.gate}, hidden {','.join(map(str, cfg.hidden)) or 'none'}, {cfg.optimizer} lr {cfg.lr:g}"
    diff = [f"{f.name}={_text(getattr(cfg, f.name))}" for f in dataclasses.fields(cfg)
            if f.name != "epochs" and getattr(cfg, f.name) != getattr(first, f.name)]
    return f"#{k} " + (", ".join(diff) if diff else "same settings")


def _text(v) -> str:
    return ",".join(map(str, v)) or "none" if isinstance(v, tuple) else f"{v:g}" if isinstance(v, float) else str(v)


def pin_run(session: Session) -> dict:
    """The shown run as a pinned entry: config, curve up to the shown epoch, boundary."""
    tr, snap = session.trainer, session.shown()
    first = session.pinned[0]["cfg"] if session.pinned else None
    curve = tr.curve
    if snap.epoch in curve["epoch"]:  # the timeline may show an earlier epoch: cut the curve there
        end = curve["epoch"].index(snap.epoch) + 1
        curve = {key: values[:end] for key, values in curve.items()}
    n = len(curve["epoch"])
    if n > MAX_CURVE_POINTS:  # a long run: keep evenly spread points (the plot draws 300 anyway)
        keep = sorted({round(i * (n - 1) / (MAX_CURVE_POINTS - 1)) for i in range(MAX_CURVE_POINTS)})
        curve = {key: [values[i] for i in keep] for key, values in curve.items()}
    k = (session.pinned[-1]["k"] + 1) if session.pinned else 1
    return {"k": k, "cfg": session.cfg, "label": _label(session.cfg, first, k), "curve": curve, "grid": snap.grid,
            "axis": tr.grid_axis, "x": tr.data.x_train, "y": tr.data.y_train, "epoch": snap.epoch,
            "train_acc": snap.train_acc, "train_loss": snap.train_loss}


def outputs(session: Session) -> tuple:
    runs = session.pinned
    fig = compare_figure(runs, runs[0]["axis"]) if runs else compare_figure([], [0.0, 1.0])
    rows = [f"| {r['label']} | {r['epoch']:,} | {r['train_acc']:.0%} | {r['train_loss']:.4f} |" for r in runs]
    table = ("| pinned run | epoch | train acc | train loss |\n|---|---|---|---|\n" + "\n".join(rows)) if rows else ""
    return session, fig, table


@locked
def on_pin(session):
    session = ensure(session)
    session.pinned = (session.pinned + [pin_run(session)])[-MAX_PINS:]
    if session.pinned[0]["k"] != 1:  # the oldest was dropped: labels compare with the new first run
        first = session.pinned[0]
        for r in session.pinned[1:]:
            r["label"] = _label(r["cfg"], first["cfg"], r["k"])
        first["label"] = _label(first["cfg"], None, first["k"])
    return outputs(session)


@locked
def on_clear(session):
    session = ensure(session)
    session.pinned = []
    return outputs(session)
