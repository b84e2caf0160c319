"""Figures of the logic-gate lab: decision boundary, network diagram, curves, one neuron.

Every `*_spec` function takes plain arrays (or an engine `Snapshot`, duck-typed) and returns
the figure as a plain {"data": [...], "layout": {...}} dict with `template="none"`; the
`*_figure` functions at the end wrap a spec in a `go.Figure`. One heatmap trace per panel
(float32 z for the boundary and neuron, uint8 codes for the network mosaic), so one live
update stays cheap to build and to send.

Colours follow TensorFlow Playground: orange for class 0 / negative values, blue for
class 1 / positive values, a light grey in between.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from .network import default_node_names, network_layout, network_spec, snapshot_tiles  # noqa: F401
from .style import (BIN_WIDTHS, BLUE, COLORSCALE, INK, MID, MOSAIC_COLORSCALE, MUTED, ORANGE,  # noqa: F401
                          TEST_COLOR, TRAIN_COLOR, WEIGHT_BINS, base_layout, f32, from_uint8, to_json, to_uint8)


# ---------------------------------------------------------------- decision boundary
def boundary_spec(grid, axis, x_train=None, y_train=None, x_test=None, y_test=None, *,
                  discretize: bool = False, try_point: Sequence[float] | None = None,
                  try_prob: float | None = None, note: str = "", height: int = 340) -> dict:
    """Predicted probability over the input square with the data points on top.

    grid: (G, G) probability, row = x2 (y), col = x1 (x); axis: (G,) grid coordinates.
    x_*: (N, >=2) raw inputs (only x1, x2 are drawn), y_*: (N,) 0/1 labels.
    discretize: show the 0/1 decision (p >= 0.5) instead of the probability.
    try_point: (x1, x2) marked with a star (the "try an input" control).
    note: a short text in the top-left corner (e.g. which x3 slice a 3-input gate shows).
    """
    grid = f32(grid)
    axis = f32(axis)
    z = (grid >= 0.5).astype(np.float32) if discretize else grid
    traces = [dict(type="heatmap", z=z, x=axis, y=axis, zmin=0.0, zmax=1.0, colorscale=COLORSCALE,
                   zsmooth=False if discretize else "fast", showscale=True,
                   colorbar=dict(thickness=10, len=0.9, outlinewidth=0, tickvals=[0, 0.5, 1],
                                 ticktext=["0", "0.5", "1"], tickfont=dict(size=10)),
                   hovertemplate="x1 %{x:.2f}, x2 %{y:.2f}<br>p(1) = %{z:.3f}<extra></extra>")]
    for xs, ys, name, line in ((x_train, y_train, "train", "white"), (x_test, y_test, "test", INK)):
        if xs is None or len(xs) == 0:
            continue
        xs, ys = f32(xs), np.asarray(ys).astype(int)
        traces.append(dict(
            type="scatter", mode="markers", name=name, x=xs[:, 0], y=xs[:, 1],
            marker=dict(size=8 if name == "train" else 7, color=[BLUE if v else ORANGE for v in ys],
                        line=dict(color=line, width=1.2 if name == "train" else 1.6),
                        symbol="circle" if name == "train" else "square"),
            hovertemplate=f"{name}: (%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    if try_point is not None:
        label = "try" if try_prob is None else f"p = {try_prob:.2f}"
        traces.append(dict(type="scatter", mode="markers+text", name="try",
                           x=[float(try_point[0])], y=[float(try_point[1])], text=[label],
                           textposition="top center", textfont=dict(size=12, color=INK),
                           marker=dict(symbol="star", size=17, color="#facc15",
                                       line=dict(color=INK, width=1.5)),
                           hovertemplate="try: (%{x:.2f}, %{y:.2f})<extra></extra>"))
    lo, hi = float(axis[0]), float(axis[-1])
    step = float(axis[1] - axis[0]) / 2 if len(axis) > 1 else 0.0
    rng = [lo - step, hi + step]
    ax = dict(range=rng, zeroline=False, showgrid=False, ticks="outside", tickvals=[0, 1],
              mirror=True, showline=True, linecolor="#cbd5e1", fixedrange=True)
    notes = [dict(text=note, x=0.01, y=0.99, xref="paper", yref="paper", xanchor="left", yanchor="top",
                  showarrow=False, bgcolor="rgba(255,255,255,0.8)", font=dict(size=11, color=INK))] if note else []
    layout = base_layout(height=height, margin=dict(l=36, r=8, t=8, b=32), annotations=notes,
                          xaxis=dict(ax, title=dict(text="x1", standoff=2), constrain="domain"),
                          yaxis=dict(ax, title=dict(text="x2", standoff=2), scaleanchor="x"))
    return dict(data=traces, layout=layout)


# ---------------------------------------------------------------- one neuron, enlarged
def neuron_spec(tile, axis, title: str = "", *, kind: str = "hidden", height: int = 230) -> dict:
    """One node's activation over the input square, large, with its own colour bar."""
    tile = f32(tile)
    axis = f32(axis)
    if kind == "output":
        zmin, zmax = 0.0, 1.0
    else:
        m = float(np.nanmax(np.abs(tile))) or 1.0
        zmin, zmax = -m, m
    trace = dict(type="heatmap", z=tile, x=axis, y=axis, zmin=zmin, zmax=zmax, colorscale=COLORSCALE,
                 zsmooth="fast", colorbar=dict(thickness=8, len=0.9, outlinewidth=0, tickfont=dict(size=10)),
                 hovertemplate="x1 %{x:.2f}, x2 %{y:.2f}<br>value %{z:.3f}<extra></extra>")
    ax = dict(showgrid=False, zeroline=False, tickvals=[0, 1], ticks="outside", fixedrange=True,
              showline=True, mirror=True, linecolor="#cbd5e1")
    layout = base_layout(height=height, margin=dict(l=28, r=8, t=30 if title else 8, b=24),
                          title=dict(text=title, x=0.02, y=0.98, font=dict(size=13)),
                          xaxis=dict(ax, constrain="domain"), yaxis=dict(ax, scaleanchor="x"))
    return dict(data=[trace], layout=layout)


# ---------------------------------------------------------------- curves
def _thin(values: Sequence, max_points: int) -> np.ndarray:
    idx = np.arange(len(values))
    if len(values) > max_points:
        idx = np.unique(np.linspace(0, len(values) - 1, max_points).round().astype(int))
    return idx


def curves_spec(curve: dict, cursor_epoch: float | None = None, *, max_points: int = 400,
                  height: int = 300) -> dict:
    """Loss (top, log scale) and accuracy (bottom) of train and test against the epoch.

    curve: {"epoch": [...], "train_loss": [...], "test_loss": [...], "train_acc": [...], "test_acc": [...]}.
    cursor_epoch: a vertical line marking the epoch shown by the other figures (the timeline).
    """
    ep = np.asarray(curve.get("epoch", []), dtype=np.float32)
    idx = _thin(ep, max_points)
    traces = []
    for key, axis, color, dash, name in (
            ("train_loss", "y", TRAIN_COLOR, "solid", "train loss"),
            ("test_loss", "y", TEST_COLOR, "dash", "test loss"),
            ("train_acc", "y2", TRAIN_COLOR, "solid", "train accuracy"),
            ("test_acc", "y2", TEST_COLOR, "dash", "test accuracy")):
        vals = np.asarray(curve.get(key, []), dtype=np.float32)
        if len(vals) != len(ep) or len(vals) == 0:
            continue
        traces.append(dict(type="scatter", mode="lines", x=ep[idx], y=vals[idx], name=name, yaxis=axis,
                           legendgroup=key.split("_")[0], showlegend=axis == "y",
                           line=dict(color=color, width=2, dash=dash),
                           hovertemplate=f"{name}<br>epoch %{{x:.0f}}: %{{y:.4f}}<extra></extra>"))
    for t in traces:  # legend shows "train"/"test" once
        if t["showlegend"]:
            t["name"] = t["name"].split()[0]
    shapes = []
    if cursor_epoch is not None:
        shapes.append(dict(type="line", xref="x", yref="paper", x0=cursor_epoch, x1=cursor_epoch, y0=0, y1=1,
                           line=dict(color=INK, width=1.5, dash="dot")))
    xmax = float(ep[-1]) if len(ep) else 1.0
    grid = dict(showgrid=True, gridcolor="#eef2f7", zeroline=False, fixedrange=True,
                showline=True, linecolor="#cbd5e1")
    layout = base_layout(
        height=height, margin=dict(l=48, r=8, t=24, b=36), shapes=shapes, showlegend=True,
        legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom", font=dict(size=11)),
        xaxis=dict(grid, range=[0, max(xmax, 1.0)], title=dict(text="epoch", standoff=4), anchor="y2"),
        yaxis=dict(grid, domain=[0.56, 1.0], type="log", title=dict(text="loss", standoff=4),
                   exponentformat="power", nticks=4),
        yaxis2=dict(grid, domain=[0.0, 0.44], range=[-0.03, 1.03], title=dict(text="accuracy", standoff=4),
                    tickformat=".0%", tickvals=[0, 0.5, 1]),
    )
    return dict(data=traces, layout=layout)


# ---------------------------------------------------------------- figures and fast JSON
# Each *_spec function returns the figure as a plain {"data": [...], "layout": {...}} dict.
# The *_figure functions wrap it in a validated go.Figure (for the CLI, notebooks, tests);
# the live app sends `to_json(spec)` instead, which skips plotly's validation (a few ms
# per figure) and writes numpy arrays as base64 typed arrays, as plotly.py 6 does.
def boundary_figure(*args, **kw) -> go.Figure:
    return go.Figure(boundary_spec(*args, **kw))


def network_figure(*args, **kw) -> go.Figure:
    return go.Figure(network_spec(*args, **kw))


def neuron_figure(*args, **kw) -> go.Figure:
    return go.Figure(neuron_spec(*args, **kw))


def curves_figure(*args, **kw) -> go.Figure:
    return go.Figure(curves_spec(*args, **kw))


def network_from_snapshot(snap, feature_names: Sequence[str], **kw) -> go.Figure:
    hidden = [w.shape[0] for w in snap.weights[:-1]]
    return network_figure(snap.weights, snapshot_tiles(snap), default_node_names(feature_names, hidden),
                          biases=snap.biases, **kw)
