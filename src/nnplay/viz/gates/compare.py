"""Pinned gate runs side by side: their loss and accuracy curves overlaid (top) and their
decision boundaries in a row (bottom), as one figure spec.

Built from the lab's own figures: each run's curves are `curves_spec`'s train traces and
each boundary is `boundary_spec`'s heatmap and points, moved onto this figure's axes and
coloured per run.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from .figures import boundary_spec, curves_spec
from .style import INK, base_layout

# One colour per pinned run (curves and the frame of its boundary).
RUN_COLORS = ("#4338ca", "#db2777", "#0d9488", "#ca8a04", "#7c3aed", "#475569")


def loss_ticks(values) -> dict:
    """Readable ticks for a log loss axis: 3-4 values spread over the data, printed plainly
    (0.69, 0.1, 0.001), not plotly's bare mantissas ("5, 2, 1, 5")."""
    v = np.asarray([x for x in values if np.isfinite(x) and x > 0], dtype=np.float64)
    if v.size == 0:
        return {}
    lo, hi = float(v.min()), float(v.max())
    ticks = sorted({float(f"{t:.2g}") for t in np.geomspace(lo, hi, 4)}) if hi > lo else [float(f"{lo:.2g}")]
    return dict(tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])


def compare_spec(runs: Sequence[dict], axis, *, height: int = 640) -> dict:
    """runs: [{"label": str, "curve": {epoch, train_loss, train_acc, ...}, "grid": (G, G),
    "x": (N, >=2) training inputs, "y": (N,) labels}, ...]; axis: (G,) grid coordinates.
    Returns {"data", "layout"}: per run a loss trace (y), an accuracy trace (y2), and a
    boundary panel (heatmap + training points) on axes x{3+i}/y{3+i}."""
    traces, annotations, shapes = [], [], []
    n = max(len(runs), 1)
    gap = 0.04
    width = (1.0 - gap * (n - 1)) / n
    layout_axes = {}
    for i, run in enumerate(runs):
        color = RUN_COLORS[i % len(RUN_COLORS)]
        for t in curves_spec(run["curve"], max_points=300)["data"]:
            if t["name"].startswith("train"):  # the train loss and train accuracy traces
                acc = t["yaxis"] == "y2"
                traces.append(dict(t, name=run["label"], legendgroup=f"run{i}", showlegend=not acc,
                                   line=dict(color=color, width=2),
                                   hovertemplate=f"{run['label']}<br>epoch %{{x:.0f}}: %{{y:.4f}}<extra></extra>"))
        xa, ya = f"x{3 + i}", f"y{3 + i}"
        for t in boundary_spec(run["grid"], axis, run.get("x"), run.get("y"), height=200)["data"]:
            extra = dict(showscale=False) if t["type"] == "heatmap" else dict(showlegend=False)
            traces.append(dict(t, xaxis=xa, yaxis=ya, **extra))
        lo = i * (width + gap)
        ax = dict(showgrid=False, zeroline=False, tickvals=[0, 1], fixedrange=True, showline=True, mirror=True,
                  linecolor=color, linewidth=3)
        layout_axes[f"xaxis{3 + i}"] = dict(ax, domain=[lo, lo + width], anchor=ya, constrain="domain")
        layout_axes[f"yaxis{3 + i}"] = dict(ax, domain=[0.0, 0.36], anchor=xa, scaleanchor=xa, constrain="domain")
        short = run["label"].split()[0]  # "#2": the legend and the table carry the full label
        annotations.append(dict(text=f"<b>{short}</b>", x=lo + width / 2, y=0.38, xref="paper",
                                yref="paper", xanchor="center", yanchor="bottom", showarrow=False,
                                font=dict(size=11, color=color)))
    grid = dict(showgrid=True, gridcolor="#eef2f7", zeroline=False, fixedrange=True, showline=True,
                linecolor="#cbd5e1")
    layout = base_layout(
        height=height, margin=dict(l=56, r=12, t=30, b=24), showlegend=True, annotations=annotations,
        shapes=shapes, legend=dict(orientation="h", x=0, y=1.01, yanchor="bottom", font=dict(size=11)),
        xaxis=dict(grid, title=dict(text="epoch", standoff=2), anchor="y2"),
        yaxis=dict(grid, domain=[0.76, 1.0], type="log", title=dict(text="train loss", standoff=8),
                   **loss_ticks([v for run in runs for v in run["curve"].get("train_loss", [])])),
        yaxis2=dict(grid, domain=[0.5, 0.7], range=[-0.03, 1.03], tickformat=".0%", tickvals=[0, 0.5, 1],
                    title=dict(text="train acc", standoff=8)),
        **layout_axes)
    if not runs:
        layout["annotations"] = [dict(text="Pin a run to compare it with the next ones.", x=0.5, y=0.5,
                                      xref="paper", yref="paper", showarrow=False, font=dict(color=INK))]
    return dict(data=traces, layout=layout)


def compare_figure(*args, **kw) -> go.Figure:
    return go.Figure(compare_spec(*args, **kw))
