"""Compare runs: every run of the session, its test-accuracy curve and a table of settings."""

from __future__ import annotations

import gradio as gr

from nnplay.engine.mnist.config import applies
from nnplay.viz.mnist import inspect as vi

from .runs import Session

COLUMNS = ["run", "model", "quick", "what differed", "hidden", "lr", "optimizer", "batch", "epochs",
           "L2", "dropout", "schedule", "augment", "seed", "test acc. (10,000 digits)", "time (s, click to end)",
           "examples/s", "status"]


def build(ui) -> None:
    ui.compare_plot = gr.Plot(vi.compare_runs([]), label="Test accuracy of every run", show_label=False,
                              elem_id="mnist-compare")
    ui.compare_table = gr.Dataframe(headers=COLUMNS, value=[], label="Runs of this session", interactive=False,
                                    elem_id="mnist-runs-table", wrap=False)


def what_differed(configs: list[dict]) -> list[str]:
    """Per run, the settings that differ between the runs and apply to that run's model
    (no hidden sizes for logistic or CNN runs), e.g. ["model=logistic", "model=mlp, hidden=64"]."""
    if not configs:
        return []
    keys = list(dict.fromkeys(k for c in configs for k in c))
    labels = []
    for i, c in enumerate(configs):
        bits = []
        for k in keys:
            users = [d for d in configs if applies(d.get("model"), k)]
            if applies(c.get("model"), k) and len({vi._fmt(d.get(k)) for d in users}) > 1:
                bits.append(f"{k}={vi._fmt(c.get(k))}")
        labels.append(", ".join(bits) or f"run {i + 1}")
    return labels


def table(session: Session | None) -> list[list]:
    runs = [r.summary() for r in (session.runs if session else [])]
    labels = what_differed([r["config"] for r in runs])
    rows = []
    for r, lab in zip(runs, labels):
        c = r["config"]
        acc = r["test_accuracy"]
        rows.append([r["name"], c["model"], "yes" if r["quick"] else "no", lab,
                     ",".join(map(str, c["hidden"])) if c["model"] == "mlp" else "-", c["lr"], c["optimizer"],
                     c["batch_size"], c["epochs"], c["weight_decay"], c["dropout"], c["schedule"],
                     "yes" if c["augment"] else "no", c["seed"], f"{acc:.2%}" if acc is not None else "-",
                     r["seconds"], f"{r['examples_per_sec']:,.0f}", r["status"]])
    return rows


def refresh(session: Session | None):
    runs = [r.summary() for r in (session.runs if session else [])]
    for r, lab in zip(runs, what_differed([r["config"] for r in runs])):
        r["label"] = lab
    return vi.compare_runs(runs), table(session)
