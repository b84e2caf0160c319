"""Figures of hyperparameter sweeps and lessons.

Inputs are the plain dicts the engine returns (`SweepResult.summary()`, which is also
what `results.json` holds, and `Lesson.data`), so the CLI, the labs and the report
draw the same figures. Every figure uses `template="none"`; heatmaps have one trace
per panel with float32 z.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nnplay.engine.sweeps.gates import solved_share_curve
from nnplay.engine.sweeps.grid import format_value

# The gates lab's colours (TensorFlow Playground's): orange = class 0, blue = class 1.
# Kept here rather than imported so these figures do not break when the lab's module changes.
ORANGE, BLUE, MID, INK = "#f59322", "#0877bd", "#e8eaeb", "#1f2937"
COLORSCALE = [[0.0, ORANGE], [0.5, MID], [1.0, BLUE]]
FONT = dict(family="Inter, system-ui, -apple-system, Segoe UI, sans-serif", size=12, color=INK)

# Outcome scale: bad (light) -> good (dark indigo); readable annotations either way.
OUTCOME_SCALE = [[0.0, "#fff7ed"], [0.5, "#a5b4fc"], [1.0, "#312e81"]]
PALETTE = ["#4338ca", "#f59322", "#0d9488", "#dc2626", "#7c3aed", "#0891b2", "#65a30d", "#db2777",
           "#92400e", "#475569", "#ca8a04", "#0877bd"]
LABELS = {"success_rate": "success rate", "test_accuracy": "test accuracy", "median_epochs": "median epochs",
          "final_loss": "final loss", "test_error": "test error", "seconds": "seconds",
          "mean_train_acc": "mean train accuracy", "final_train_loss": "final training loss"}
PERCENT = ("success_rate", "test_accuracy", "test_error", "mean_train_acc")


def _layout(height: int, **kw) -> dict:
    d = dict(template="none", font=FONT, height=height, paper_bgcolor="white", plot_bgcolor="white",
             margin=dict(l=70, r=16, t=36, b=48), hovermode="closest")
    d.update(kw)
    return d


def _fmt(metric: str, v) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    if metric in PERCENT:
        return f"{100 * v:.1f}%" if metric != "success_rate" else f"{100 * v:.0f}%"
    if metric == "median_epochs":
        return f"{v:.0f} ep"
    return f"{v:.3g}"


def _axis_labels(summary: dict) -> list[tuple[str, list[str]]]:
    return [(a["field"], [format_value(tuple(v) if isinstance(v, list) else v) for v in a["values"]])
            for a in summary["axes"]]


def heatmap_figure(summary: dict, metric: str | None = None, *, height: int = 360) -> go.Figure:
    """The outcome of every cell: x = the first varied setting, y = the second (one row
    if only one varies). Each cell is annotated with its value (gates: also the median
    epochs to solve); cells not run (yet) are blank."""
    metric = metric or summary["main_metric"]
    axes = _axis_labels(summary)
    (xf, xl), (yf, yl) = (axes + [("", [""])] * 2)[:2]  # a missing axis is one blank row/column
    z = np.full((len(yl), len(xl)), np.nan, dtype=np.float32)
    text = [["" for _ in xl] for _ in yl]
    for rec in summary["cells"]:
        idx = list(rec["index"]) + [0, 0]
        i, j = idx[0], idx[1] if len(axes) > 1 else 0
        v = rec["result"].get(metric)
        if v is not None:
            z[j, i] = float(v)
        t = _fmt(metric, v)
        if metric == "success_rate" and rec["result"].get("median_epochs") is not None:
            t += f"<br>{rec['result']['median_epochs']:.0f} ep"
        text[j][i] = t
    zmin, zmax = (0.0, 1.0) if metric in PERCENT else (None, None)
    reverse = metric in ("test_error", "final_loss", "median_epochs", "seconds", "final_train_loss")
    trace = go.Heatmap(z=z, x=xl, y=yl, text=text, texttemplate="%{text}", textfont=dict(size=13),
                       colorscale=OUTCOME_SCALE, reversescale=reverse, zmin=zmin, zmax=zmax,
                       xgap=2, ygap=2, colorbar=dict(thickness=10, title=dict(text=LABELS.get(metric, metric))),
                       hovertemplate=f"{xf}=%{{x}}<br>{yf}=%{{y}}<br>%{{text}}<extra></extra>")
    fig = go.Figure(trace, layout=_layout(
        height, title=dict(text=f"{LABELS.get(metric, metric)} per cell", x=0.01, font=dict(size=14)),
        xaxis=dict(title=dict(text=xf), type="category", side="bottom"),
        yaxis=dict(title=dict(text=yf), type="category", autorange="reversed")))
    return fig


def curves_figure(summary: dict, *, height: int = 340) -> go.Figure:
    """Every cell's curve on one plot, the legend naming its values.
    gates: the share of seeds solved by each epoch; mnist: training loss per epoch."""
    fig = go.Figure(layout=_layout(height, showlegend=True, legend=dict(font=dict(size=11)),
                                   margin=dict(l=60, r=16, t=36, b=44)))
    gates = summary["kind"] == "gates"
    for n, rec in enumerate(summary["cells"]):
        res, color = rec["result"], PALETTE[n % len(PALETTE)]
        if gates:
            x, y = solved_share_curve(res.get("solved_epochs", []), int(res.get("epochs", 1)))
            hover = "%{y:.0%} solved by epoch %{x:.0f}"
        else:
            c = res.get("curve") or {}
            x = np.asarray(c.get("epoch", []), dtype=np.float32)
            y = np.asarray(c.get("train_loss", []), dtype=np.float32)
            hover = "epoch %{x:.2f}: loss %{y:.4f}"
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=rec["key"], line=dict(color=color, width=2),
                                 hovertemplate=f"{rec['key']}<br>{hover}<extra></extra>"))
    title = "share of seeds solved vs epoch" if gates else "training loss vs epoch"
    yrange = dict(range=[-0.03, 1.03], tickformat=".0%") if gates else dict(rangemode="tozero")
    fig.update_layout(title=dict(text=title, x=0.01, font=dict(size=14)),
                      xaxis=dict(title=dict(text="epoch"), showgrid=True, gridcolor="#eef2f7"),
                      yaxis=dict(title=dict(text="solved" if gates else "loss"), showgrid=True, gridcolor="#eef2f7",
                                 **yrange))
    return fig


def boundaries_figure(panels: Sequence[tuple[str, np.ndarray]], axis, x_train=None, y_train=None, *,
                      cols: int = 4, panel_px: int = 150) -> go.Figure:
    """Small multiples of decision surfaces: one heatmap per (title, grid (G, G)) panel,
    with the training points on each; all panels share the probability colour scale."""
    n = max(1, len(panels))
    cols = min(cols, n)
    rows = math.ceil(n / cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[t for t, _ in panels] or [""],
                        horizontal_spacing=0.02, vertical_spacing=0.12 / max(1, rows - 1) if rows > 1 else 0.1)
    axis = np.asarray(axis, dtype=np.float32)
    for k, (_, grid) in enumerate(panels):
        r, c = k // cols + 1, k % cols + 1
        fig.add_trace(go.Heatmap(z=np.asarray(grid, dtype=np.float32), x=axis, y=axis, coloraxis="coloraxis",
                                 zsmooth="best", hovertemplate="p(1) = %{z:.2f}<extra></extra>"), row=r, col=c)
        if x_train is not None:
            xs, ys = np.asarray(x_train, dtype=np.float32), np.asarray(y_train).astype(int)
            fig.add_trace(go.Scatter(x=xs[:, 0], y=xs[:, 1], mode="markers", hoverinfo="skip",
                                     marker=dict(size=7, color=[BLUE if v else ORANGE for v in ys],
                                                 line=dict(color="white", width=1))), row=r, col=c)
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, fixedrange=True)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, fixedrange=True)
    fig.update_annotations(font=dict(size=12, color=INK))
    fig.update_layout(**_layout(rows * panel_px + 60, showlegend=False, margin=dict(l=8, r=8, t=48, b=8),
                                coloraxis=dict(colorscale=COLORSCALE, cmin=0, cmax=1, showscale=False)))
    return fig


def ensemble_figure(ensemble: dict, *, cols: int = 4) -> go.Figure:
    """The seed ensemble (engine.sweeps.seed_ensemble): one boundary per seed, titled
    with ✓ and the solving epoch, or ✗ and the training accuracy reached."""
    panels = []
    for run in ensemble["runs"]:
        mark = f"✓ ep {run['solved_epoch']}" if run["solved"] else f"✗ {run['train_acc']:.0%}"
        panels.append((f"seed {run['seed']} {mark}", run["grid"]))
    return boundaries_figure(panels, ensemble["axis"] if ensemble["axis"] is not None else [0, 1],
                             ensemble.get("x_train"), ensemble.get("y_train"), cols=cols)


def lr_curves_figure(curves: dict, *, height: int = 320) -> go.Figure:
    """The learning-rate lesson: training loss (log scale) of each rate on one plot."""
    fig = go.Figure(layout=_layout(height, showlegend=True, margin=dict(l=60, r=16, t=36, b=44)))
    for n, (label, c) in enumerate(curves.items()):
        fig.add_trace(go.Scatter(x=c["epoch"], y=c["train_loss"], mode="lines", name=f"lr {c['lr']:g} ({label})",
                                 line=dict(color=PALETTE[n % len(PALETTE)], width=2)))
    fig.update_layout(title=dict(text="training loss vs epoch", x=0.01, font=dict(size=14)),
                      xaxis=dict(title=dict(text="epoch"), showgrid=True, gridcolor="#eef2f7"),
                      yaxis=dict(title=dict(text="loss"), type="log", showgrid=True, gridcolor="#eef2f7"))
    return fig


def width_figure(table: list[dict], *, height: int = 340) -> go.Figure:
    """The width lesson: test error per architecture, LeCun et al. 1998 beside nnplay.
    The value labels sit above the bars: the y range leaves room for them and they are not clipped."""
    names = [r["architecture"] for r in table]
    fig = go.Figure(layout=_layout(height, showlegend=True, barmode="group", margin=dict(l=60, r=16, t=36, b=90)))
    top = 0.0
    for key, color, name in (("LeCun 1998 error %", "#94a3b8", "LeCun et al. 1998"),
                             ("nnplay error %", "#4338ca", "nnplay (this run)")):
        vals = [r.get(key) for r in table]
        top = max([top] + [float(v) for v in vals if v is not None])
        fig.add_trace(go.Bar(x=names, y=vals, name=name, marker_color=color, cliponaxis=False,
                             text=[f"{v:g}%" if v is not None else "" for v in vals], textposition="outside"))
    fig.update_layout(title=dict(text="test error by architecture", x=0.01, font=dict(size=14)),
                      yaxis=dict(title=dict(text="test error %"), showgrid=True, gridcolor="#eef2f7",
                                 range=[0, 1.18 * top if top > 0 else 1]))
    return fig
