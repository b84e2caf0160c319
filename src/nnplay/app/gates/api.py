"""Named API endpoints of the gate lab, for `gradio_client` (see docs/api-gates.md).

    gates_train(config, epochs)          -> metrics + truth table (and keeps the model in the session)
    gates_predict(inputs, config, epochs) -> probabilities for given input rows
    gates_export(config, epochs)          -> the export zip
"""

from __future__ import annotations

import json

import gradio as gr

from nnplay.app.classroom import context as class_hooks
from nnplay.engine.errors import NnplayError
from nnplay.engine.gates import GateConfig, GateTrainer
from nnplay.engine.gates.background import fit_in_background

from .export import export_zip
from .session import GRID, Session

MAX_API_EPOCHS = 20_000


def parse_config(config) -> GateConfig:
    """A dict, a JSON object text or URL query text (`gate=XOR&hidden=4,4`) -> GateConfig."""
    if config is None or config == "" or config == {}:
        return GateConfig()
    if isinstance(config, dict):
        return GateConfig.from_dict(config)
    text = str(config).strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise gr.Error(f"config is not valid JSON ({e.msg}); send a JSON object or query text like "
                           "gate=XOR&hidden=4,4") from None
        return GateConfig.from_dict(data)
    return GateConfig.from_query(text, strict=True)


def _epochs(epochs) -> int:
    try:
        n = int(epochs)
    except (TypeError, ValueError):
        raise gr.Error(f"epochs must be a whole number, got {epochs!r}") from None
    if not 0 <= n <= MAX_API_EPOCHS:
        raise gr.Error(f"epochs must be from 0 to {MAX_API_EPOCHS:,}, got {n}")
    return n


def _trained(config, epochs) -> GateTrainer:
    """Parse and validate here (parse_config: a clear message at once), then train in a
    background process, so other users' predictions do not wait for this training's Python
    loop (see runtime/pool.py)."""
    try:
        return fit_in_background(parse_config(config), _epochs(epochs), GRID)
    except NnplayError as e:
        raise gr.Error(str(e)) from None


def api_train(config, epochs, session):
    """Train a fresh network with `config` (dict, JSON or query text) for `epochs` epochs and
    return {"config", "metrics", "truth_table", "solved", "diverged", "query"}. The trained
    model stays in this client's session for `gates_predict` without a config."""
    trainer = _trained(config, epochs)
    class_hooks.gate_finished(trainer)  # class mode: record this run (no-op otherwise)
    session = session if session is not None else Session.new(trainer.cfg)
    session.cfg, session.trainer, session.view = trainer.cfg, trainer, None
    session.fix_selection()
    report = trainer.report()
    out = {"config": trainer.cfg.to_dict(), "metrics": trainer.metrics, "truth_table": report["truth_table"],
           "solved": trainer.solved, "solved_epoch": trainer.solved_epoch, "diverged": trainer.diverged,
           "query": trainer.cfg.to_query()}
    return out, session


def api_predict(inputs, config, epochs, session):
    """Probabilities for input rows [[x1, x2(, x3)], ...]. With a config: train it fresh for
    `epochs` first; without: use this session's model (from gates_train or the page)."""
    if config not in (None, "", {}):
        trainer = _trained(config, epochs)
    elif session is not None:
        trainer = session.trainer
    else:
        raise gr.Error("no model yet: pass a config (and epochs), or call gates_train first")
    rows = inputs
    if isinstance(inputs, str):
        try:
            rows = json.loads(inputs)
        except json.JSONDecodeError:
            raise gr.Error("inputs must be a list of rows such as [[0, 1], [1, 1]]") from None
    if isinstance(rows, (list, tuple)) and rows and not isinstance(rows[0], (list, tuple)):
        rows = [rows]
    try:
        probs = trainer.predict_many(rows)
    except (NnplayError, TypeError, ValueError) as e:
        raise gr.Error(f"cannot predict for {str(inputs)[:80]}: {e}") from None
    return {"inputs": [list(map(float, r)) for r in rows], "probabilities": [float(p) for p in probs],
            "answers": [int(p >= 0.5) for p in probs], "epoch": trainer.epoch}


def api_export(config, epochs, session):
    """The export zip of a network trained with `config` for `epochs` (or of the session's model
    when config is empty)."""
    if config not in (None, "", {}):
        trainer = _trained(config, epochs)
    elif session is not None:
        trainer = session.trainer
    else:
        trainer = _trained({}, epochs)
    return str(export_zip(trainer))


def register(state: gr.State) -> None:
    """Hidden components + named endpoints (call inside the tab's Blocks)."""
    with gr.Group(visible=False):
        config_text = gr.Textbox(label="config")
        epochs = gr.Number(value=200, precision=0, label="epochs")
        inputs = gr.JSON(label="inputs")
        result = gr.JSON(label="result")
        pred = gr.JSON(label="prediction")
        zipped = gr.File(label="zip")
    btn = gr.Button(visible=False)
    btn.click(api_train, [config_text, epochs, state], [result, state], api_name="gates_train",
              show_progress="hidden")
    btn.click(api_predict, [inputs, config_text, epochs, state], [pred], api_name="gates_predict",
              show_progress="hidden")
    btn.click(api_export, [config_text, epochs, state], [zipped], api_name="gates_export", show_progress="hidden")
