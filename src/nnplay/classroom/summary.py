"""What the class view shows, computed from the stored runs (plain dicts in, plain dicts out).

crowd_sweep turns the class's gate runs into the same summary dict a sweep produces
(engine.sweeps SweepResult.summary()), so viz.sweeps.heatmap_figure draws it: the
class *is* the sweep, each student's run one seed of a cell

    x = learning rate, y = hidden layers (4-4 = two layers of 4), cell = share of runs solved.
"""

from __future__ import annotations

import csv
import io
import json
import statistics

CSV_COLUMNS = ["id", "class_name", "nickname", "kind", "created_at", "gate", "hidden", "activation", "lr",
               "solved", "solved_epoch", "epochs", "final_loss", "model", "test_accuracy", "seconds", "config"]


def _hidden_key(text: str) -> tuple:
    """Order hidden-layer labels: none, 1, 2, 4, 2-2, 4-4, ... (by depth, then sizes)."""
    if text in (None, "", "none"):
        return (0,)
    parts = [int(p) for p in str(text).split("-")]
    return (len(parts), *parts)


def gate_filters(runs: list[dict]) -> tuple[list[str], list[str]]:
    """The gates and the activations present in the gate runs (most used gate first)."""
    gates = [r["gate"] for r in runs if r.get("kind") == "gates"]
    by_use = sorted(set(gates), key=lambda g: (-gates.count(g), g))
    acts = sorted({r["activation"] for r in runs if r.get("kind") == "gates" and r.get("activation")})
    return by_use, acts


def crowd_sweep(runs: list[dict], gate: str | None = None, activation: str | None = None) -> dict:
    """The gate runs of one gate (default: the most used) as a sweep summary: success rate
    per (learning rate, hidden layers) cell, optionally for one activation only."""
    runs = [r for r in runs if r.get("kind") == "gates"]
    if gate is None:
        gate = (gate_filters(runs)[0] or [None])[0]
    runs = [r for r in runs if r["gate"] == gate and (not activation or r["activation"] == activation)]
    lrs = sorted({float(r["lr"]) for r in runs})
    hiddens = sorted({r["hidden"] for r in runs}, key=_hidden_key)
    cells = []
    for i, lr in enumerate(lrs):
        for j, hidden in enumerate(hiddens):
            group = [r for r in runs if float(r["lr"]) == lr and r["hidden"] == hidden]
            if not group:
                continue
            solved = [r for r in group if r["solved"]]
            epochs = [r["solved_epoch"] for r in solved if r.get("solved_epoch") is not None]
            losses = [r["final_loss"] for r in group if r.get("final_loss") is not None]
            cells.append({"key": f"lr={lr:g}, hidden={hidden}", "index": [i, j],
                          "values": {"lr": lr, "hidden": hidden},
                          "result": {"success_rate": len(solved) / len(group), "n_solved": len(solved),
                                     "seeds": len(group), "median_epochs": statistics.median(epochs) if epochs else None,
                                     "final_loss": statistics.median(losses) if losses else None,
                                     "students": sorted({r["nickname"] for r in group})}})
    return {"kind": "gates", "gate": gate, "activation": activation or None, "runs": len(runs),
            "axes": [{"field": "lr", "values": lrs}, {"field": "hidden", "values": hiddens}],
            "cells_total": len(lrs) * len(hiddens), "cells_done": len(cells), "main_metric": "success_rate",
            "cells": cells}


def leaderboard(runs: list[dict]) -> list[dict]:
    """MNIST runs, best test accuracy first (faster first on a tie)."""
    mnist = [r for r in runs if r.get("kind") == "mnist"]
    mnist.sort(key=lambda r: (-(r.get("test_accuracy") or 0.0), r.get("seconds") or 0.0, r["id"]))
    return [{"rank": k, "id": r["id"], "nickname": r["nickname"], "model": r["model"],
             "test_accuracy": r.get("test_accuracy"), "seconds": r.get("seconds"), "epochs": r.get("epochs"),
             "lr": r.get("lr"), "quick": bool((r.get("config") or {}).get("subset"))}
            for k, r in enumerate(mnist, 1)]


def _cell(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else value


def to_csv(runs: list[dict]) -> str:
    """Every run as one CSV row (config as JSON text; curves left out)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for r in runs:
        writer.writerow([_cell(r.get(c)) for c in CSV_COLUMNS])
    return buf.getvalue()
