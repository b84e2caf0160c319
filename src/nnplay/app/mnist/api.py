"""Named API endpoints without a widget of their own: `train` (blocking, returns curves and weights)
and `stop`. The predict endpoints are the draw section's own events (`predict_sketch`, `predict_image`)."""

from __future__ import annotations

import time

import gradio as gr

from nnplay.app.classroom import context as class_hooks
from nnplay.engine.errors import NnplayError
from nnplay.engine.mnist.config import MnistConfig
from nnplay.engine.mnist.models import MODELS

from .runs import QUICK_TRAIN, Session
from .train import UI_THREADS, recipe


def api_train(session: Session, settings: dict | None) -> dict:
    """Train one run with `settings` (MnistConfig fields plus "quick", default true) and wait for it.

    Returns {"run", "status", "config", "test_accuracy", "seconds", "curves", "first_layer": {"shape",
    "values"}, "snapshots"}; curves hold "epoch", "train_loss", "train_acc", "test_epoch", "test_loss",
    "test_acc"; first_layer is the last snapshot (at most 64 units / filters), None if the run was
    stopped before it trained.
    """
    settings = dict(settings or {})
    quick = bool(settings.pop("quick", True))
    model = settings.get("model", "mlp")
    try:
        base = recipe(model) if model in MODELS else {}
        cfg = MnistConfig.from_dict({**base, "subset": QUICK_TRAIN if quick else 0,
                                  "threads": UI_THREADS, **settings})
    except NnplayError as e:
        raise gr.Error(str(e)) from None
    run = session.start(cfg, quick=quick)
    while run.running:
        time.sleep(0.05)
    class_hooks.wait_recorded(run)  # class mode: answered only once it is in the database
    if run.status == "error":
        raise gr.Error(run.message)
    view = run.view()
    snaps = view["snapshots"]  # none when the run was stopped while it waited for a slot
    first = {"shape": list(snaps[-1].shape), "values": snaps[-1].round(5).tolist()} if snaps else None
    return {"run": run.name, "status": run.status, "config": cfg.resolved().to_dict(),
            "test_accuracy": run.test_accuracy, "seconds": round(run.seconds, 3), "curves": view["curve"],
            "snapshots": len(snaps), "first_layer": first}


def api_stop(session: Session) -> str:
    run = session.current if session else None
    if run is None or not run.running:
        return "nothing is training"
    run.stop()
    return f"stopping run {run.name}"


def build(ui) -> None:
    with gr.Row(visible=False):
        ui.api_settings = gr.JSON(value={}, label="settings")
        ui.api_result = gr.JSON(label="result")
        ui.api_text = gr.Textbox(label="message")
        ui.api_train_btn = gr.Button("train")
        ui.api_stop_btn = gr.Button("stop")


def wire(ui) -> None:
    ui.api_train_btn.click(api_train, [ui.session, ui.api_settings], ui.api_result, api_name="train")
    ui.api_stop_btn.click(api_stop, ui.session, ui.api_text, api_name="stop")
