"""Compare runs: every run of the session, its test-accuracy curve and a table of settings."""

from __future__ import annotations

import gradio as gr

from nnplay.viz.mnist import inspect as vi

from .runs import Session

COLUMNS = ["run", "model", "quick", "what differed", "hidden", "lr", "optimizer", "batch", "epochs",
           "L2", "dropout", "schedule", "augment", "seed", "test acc.", "time (s)", "status"]


def build(ui) -> None:
    ui.compare_plot = gr.Plot(vi.compare_runs([]), label="Test accuracy of every run", show_label=False,
                              elem_id="mnist-compare")
    ui.compare_table = gr.Dataframe(headers=COLUMNS, value=[], label="Runs of this session", interactive=False,
                                    elem_id="mnist-runs-table", wrap=False)


def table(session: Session | None) -> list[list]:
    runs = [r.summary() for r in (session.runs if session else [])]
    labels = vi.run_labels([r["config"] for r in runs])
    rows = []
    for r, lab in zip(runs, labels):
        c = r["config"]
        acc = r["test_accuracy"]
        rows.append([r["name"], c["model"], "yes" if r["quick"] else "no", lab,
                     ",".join(map(str, c["hidden"])) if c["model"] == "mlp" else "-", c["lr"], c["optimizer"],
                     c["batch_size"], c["epochs"], c["weight_decay"], c["dropout"], c["schedule"],
                     "yes" if c["augment"] else "no", c["seed"], f"{acc:.2%}" if acc is not None else "-",
                     r["seconds"], r["status"]])
    return rows


def refresh(session: Session | None):
    runs = [r.summary() for r in (session.runs if session else [])]
    return vi.compare_runs(runs), table(session)
