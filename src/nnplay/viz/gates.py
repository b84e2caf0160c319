"""Figures of the logic-gate lab: decision boundary, network diagram, curves, one neuron.

Every function takes plain arrays (or an engine `Snapshot`, duck-typed) and returns a
`plotly.graph_objects.Figure` with `template="none"`. Heatmaps hold float32 z-values and
one heatmap trace per panel, so one live update stays cheap to build and to send.

Colours follow TensorFlow Playground: orange for class 0 / negative values, blue for
class 1 / positive values, a light grey in between.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

ORANGE = "#f59322"
BLUE = "#0877bd"
MID = "#e8eaeb"
INK = "#1f2937"
MUTED = "#6b7280"
TRAIN_COLOR = "#4338ca"
TEST_COLOR = "#0d9488"
# Diverging scale used by every heatmap: orange (low) -> grey -> blue (high).
COLORSCALE = [[0.0, ORANGE], [0.5, MID], [1.0, BLUE]]
# The network mosaic is uint8: 0 marks the gaps between tiles (white), 1..255 map -1..+1.
MOSAIC_COLORSCALE = [[0.0, "#ffffff"], [1 / 255, ORANGE], [128 / 255, MID], [1.0, BLUE]]
FONT = dict(family="Inter, system-ui, -apple-system, Segoe UI, sans-serif", size=12, color=INK)

# Edge widths: |w| is binned at these bounds, one line trace per (sign, bin).
WEIGHT_BINS = (0.25, 0.75, 1.5)
BIN_WIDTHS = (0.7, 1.5, 2.6, 4.0)


def _f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def to_uint8(values: np.ndarray) -> np.ndarray:
    """[-1, 1] -> 1..255 (NaN -> 128, the neutral colour); 0 is kept for the mosaic's gaps."""
    v = np.nan_to_num(np.clip(values, -1.0, 1.0), nan=0.0)
    return (np.rint((v + 1.0) * 127.0) + 1.0).astype(np.uint8)


def from_uint8(codes: np.ndarray) -> np.ndarray:
    """Inverse of `to_uint8` (up to its 1/127 rounding); gaps (0) become NaN."""
    out = (codes.astype(np.float32) - 1.0) / 127.0 - 1.0
    out[codes == 0] = np.nan
    return out


def _base_layout(**kw) -> dict:
    layout = dict(template="none", font=FONT, paper_bgcolor="white", plot_bgcolor="white",
                  margin=dict(l=8, r=8, t=8, b=8), showlegend=False, hovermode="closest",
                  dragmode=False)
    layout.update(kw)
    return layout


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
    grid = _f32(grid)
    axis = _f32(axis)
    z = (grid >= 0.5).astype(np.float32) if discretize else grid
    traces = [dict(type="heatmap", z=z, x=axis, y=axis, zmin=0.0, zmax=1.0, colorscale=COLORSCALE,
                   zsmooth=False if discretize else "fast", showscale=True,
                   colorbar=dict(thickness=10, len=0.9, outlinewidth=0, tickvals=[0, 0.5, 1],
                                 ticktext=["0", "0.5", "1"], tickfont=dict(size=10)),
                   hovertemplate="x1 %{x:.2f}, x2 %{y:.2f}<br>p(1) = %{z:.3f}<extra></extra>")]
    for xs, ys, name, line in ((x_train, y_train, "train", "white"), (x_test, y_test, "test", INK)):
        if xs is None or len(xs) == 0:
            continue
        xs, ys = _f32(xs), np.asarray(ys).astype(int)
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
    layout = _base_layout(height=height, margin=dict(l=36, r=8, t=8, b=32), annotations=notes,
                          xaxis=dict(ax, title=dict(text="x1", standoff=2), constrain="domain"),
                          yaxis=dict(ax, title=dict(text="x2", standoff=2), scaleanchor="x"))
    return dict(data=traces, layout=layout)


# ---------------------------------------------------------------- network diagram
def _tile_scale(tile: np.ndarray, kind: str) -> np.ndarray:
    """Map a node's values to [-1, 1] for display (the colour scale's range)."""
    if kind == "output":
        return tile * 2.0 - 1.0  # probability 0..1 -> -1..1
    m = float(np.nanmax(np.abs(tile))) if tile.size else 1.0
    if kind == "input":
        return tile / m if m > 0 else tile
    return tile / m if m > 1.0 else tile  # hidden: bounded activations (tanh) keep their scale


def network_layout(sizes: Sequence[int], T: int, col_gap: float = 1.6, row_gap: float = 0.3):
    """Tile positions: node (c, k) covers x in [X[c], X[c]+1] and y in [Y[k]-1, Y[k]].

    Layers are columns (input, hidden..., output); nodes are top-aligned like the Playground.
    Gaps are whole numbers of mosaic cells (1/T wide), so the mosaic is a uniform grid.
    Returns X, Y and the gaps in cells (CG, RG).
    """
    CG, RG = max(1, round(col_gap * T)), max(1, round(row_gap * T))
    X = np.arange(len(sizes)) * (T + CG) / T
    Y = -np.arange(max(sizes)) * (T + RG) / T
    return X, Y, CG, RG


def network_spec(weights: Sequence[np.ndarray], tiles: Sequence[np.ndarray],
                   node_names: Sequence[Sequence[str]] | None = None, *,
                   biases: Sequence[np.ndarray] | None = None, selected_node: tuple[int, int] | None = None,
                   selected_edge: tuple[int, int, int] | None = None, tile_res: int = 20,
                   height: int | None = None) -> dict:
    """The network as a diagram of small heatmaps joined by weighted edges.

    weights[i]: (out, in) from column i to column i+1. tiles[c]: (units_c, G, G) activation
    of every node of column c over the input square (column 0 = input features, last = output
    probability). All tiles go into ONE heatmap trace: a mosaic whose gaps are NaN rows and
    columns. Edges are at most 8 line traces, binned by sign (blue +, orange -) and |w|.
    Node and edge hover/click targets carry customdata "n:c:k" and "e:layer:out:in".
    """
    n_cols = len(tiles)
    sizes = [int(t.shape[0]) for t in tiles]
    G = int(tiles[0].shape[-1])
    stride = max(1, math.ceil(G / tile_res))
    T = len(range(0, G, stride))
    X, Y, CG, RG = network_layout(sizes, T)
    kinds = ["input"] + ["hidden"] * (n_cols - 2) + ["output"]
    rows = max(sizes)

    # All tiles in ONE uniform uint8 heatmap (4x less to send than float32, and drawn by
    # plotly as a single image): 0 = the white gaps between tiles, 1..255 = values -1..+1.
    # Canvas row 0 is the bottom; a tile's row i is x2's i-th value, so x2 points up.
    canvas = np.zeros((rows * T + (rows - 1) * RG, n_cols * T + (n_cols - 1) * CG), dtype=np.uint8)
    for c, (tile, kind) in enumerate(zip(tiles, kinds)):
        small = _f32(tile)[:, ::stride, ::stride]
        c0 = c * (T + CG)
        for k in range(sizes[c]):
            r0 = (rows - 1 - k) * (T + RG)
            canvas[r0:r0 + T, c0:c0 + T] = to_uint8(_tile_scale(small[k], kind))
    y_bottom = float(Y[rows - 1] - 1.0)
    traces: list[dict] = [dict(type="heatmap", z=canvas, x0=0.5 / T, dx=1.0 / T, y0=y_bottom + 0.5 / T,
                               dy=1.0 / T, zmin=0, zmax=255, colorscale=MOSAIC_COLORSCALE, showscale=False,
                               hoverinfo="skip", zsmooth=False)]

    def centre(c, k):
        return X[c] + 0.5, Y[k] - 0.5

    # Edges: from the right side of node (i, in) to the left side of node (i+1, out).
    groups: dict[tuple[bool, int], tuple[list, list]] = {}
    mx, my, mtext, mdata = [], [], [], []
    for i, w in enumerate(weights):
        w = np.asarray(w, dtype=np.float32)
        for o in range(w.shape[0]):
            for j in range(w.shape[1]):
                v = float(w[o, j])
                x0, y0 = X[i] + 1.0, Y[j] - 0.5
                x1, y1 = X[i + 1], Y[o] - 0.5
                key = (v >= 0, int(np.searchsorted(WEIGHT_BINS, abs(v), side="right")))
                gx, gy = groups.setdefault(key, ([], []))
                gx += [x0, x1, None]
                gy += [y0, y1, None]
                # Click/hover target near the target end, where the edges fan in.
                mx.append(x0 + 0.72 * (x1 - x0))
                my.append(y0 + 0.72 * (y1 - y0))
                mtext.append(f"weight {_node_label(node_names, i, j)} → {_node_label(node_names, i + 1, o)}"
                             f"<br>w = {v:+.3f}")
                mdata.append(f"e:{i}:{o}:{j}")
    for (pos, b), (gx, gy) in sorted(groups.items()):
        traces.append(dict(type="scatter", mode="lines", x=gx, y=gy, hoverinfo="skip",
                           name=f"{'+' if pos else '-'}w bin {b}",
                           line=dict(color=BLUE if pos else ORANGE, width=BIN_WIDTHS[b]),
                           opacity=0.85))
    if selected_edge is not None:
        li, o, j = selected_edge
        if 0 <= li < len(weights) and o < sizes[li + 1] and j < sizes[li]:
            traces.append(dict(type="scatter", mode="lines", name="selected edge",
                               x=[X[li] + 1.0, X[li + 1]], y=[Y[j] - 0.5, Y[o] - 0.5], hoverinfo="skip",
                               line=dict(color=INK, width=5, dash="dot")))
    traces.append(dict(type="scatter", mode="markers", name="edges", x=mx, y=my, text=mtext,
                       customdata=mdata, hovertemplate="%{text}<extra></extra>",
                       marker=dict(size=7, color="rgba(0,0,0,0)")))
    # Node targets (transparent markers over the tiles) carry the hover text and click id.
    nx, ny, ntext, ndata = [], [], [], []
    for c in range(n_cols):
        for k in range(sizes[c]):
            cx, cy = centre(c, k)
            nx.append(cx)
            ny.append(cy)
            text = _node_label(node_names, c, k)
            if biases is not None and c > 0:
                text += f"<br>bias {float(np.asarray(biases[c - 1])[k]):+.3f}"
            ntext.append(text + "<br><i>click to enlarge</i>")
            ndata.append(f"n:{c}:{k}")
    traces.append(dict(type="scatter", mode="markers", name="nodes", x=nx, y=ny, text=ntext,
                       customdata=ndata, hovertemplate="%{text}<extra></extra>",
                       marker=dict(size=30, symbol="square", color="rgba(0,0,0,0)")))

    # Tile outlines: one line trace (None-separated rectangles), cheaper to draw than shapes.
    ox, oy = [], []
    for c in range(n_cols):
        for k in range(sizes[c]):
            ox += [X[c], X[c] + 1, X[c] + 1, X[c], X[c], None]
            oy += [Y[k], Y[k], Y[k] - 1, Y[k] - 1, Y[k], None]
    traces.insert(1, dict(type="scatter", mode="lines", x=ox, y=oy, hoverinfo="skip", name="outlines",
                          line=dict(color="#94a3b8", width=1)))
    shapes = []
    if selected_node is not None:
        c, k = selected_node
        if 0 <= c < n_cols and 0 <= k < sizes[c]:
            shapes.append(dict(type="rect", x0=X[c] - 0.08, x1=X[c] + 1.08, y0=Y[k] - 1.08, y1=Y[k] + 0.08,
                               line=dict(color=INK, width=2.5)))
    annotations = []
    for c in range(n_cols):
        head = "Input" if c == 0 else ("Output" if c == n_cols - 1 else f"Hidden {c}")
        annotations.append(dict(x=X[c] + 0.5, y=Y[0] + 0.12, text=f"<b>{head}</b>", showarrow=False,
                                yanchor="bottom", font=dict(size=12, color=INK)))
    if node_names:
        for k, name in enumerate(node_names[0]):
            annotations.append(dict(x=X[0] - 0.08, y=Y[k] - 0.5, text=name, showarrow=False,
                                    xanchor="right", font=dict(size=11, color=MUTED)))
    rows_h = rows * 1.32
    if height is None:
        height = int(min(620, max(300, 60 + rows * 44)))
    left = -0.9 if node_names else -0.2
    layout = _base_layout(
        height=height, margin=dict(l=4, r=4, t=4, b=4), shapes=shapes, annotations=annotations,
        xaxis=dict(visible=False, range=[left, X[-1] + 1.2], fixedrange=True),
        yaxis=dict(visible=False, range=[Y[0] - rows_h - 0.1, Y[0] + 0.55], fixedrange=True),
        hoverlabel=dict(bgcolor="white", font=dict(size=12)))
    return dict(data=traces, layout=layout)


def _node_label(node_names, c, k) -> str:
    if node_names and c < len(node_names) and k < len(node_names[c]):
        return node_names[c][k]
    return f"node {c}:{k}"


def default_node_names(feature_names: Sequence[str], hidden: Sequence[int]) -> list[list[str]]:
    """['x1', ...], ['h1.1', ...], ..., ['output']."""
    names = [list(feature_names)]
    names += [[f"h{li + 1}.{k + 1}" for k in range(n)] for li, n in enumerate(hidden)]
    names.append(["output"])
    return names


def snapshot_tiles(snap) -> list[np.ndarray]:
    """Columns of node activations from a full Snapshot: inputs, hidden..., output."""
    return [snap.inputs, *list(snap.hidden or []), snap.grid[None]]


def network_from_snapshot(snap, feature_names: Sequence[str], **kw) -> go.Figure:
    hidden = [w.shape[0] for w in snap.weights[:-1]]
    return network_figure(snap.weights, snapshot_tiles(snap), default_node_names(feature_names, hidden),
                          biases=snap.biases, **kw)


# ---------------------------------------------------------------- one neuron, enlarged
def neuron_spec(tile, axis, title: str = "", *, kind: str = "hidden", height: int = 230) -> dict:
    """One node's activation over the input square, large, with its own colour bar."""
    tile = _f32(tile)
    axis = _f32(axis)
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
    layout = _base_layout(height=height, margin=dict(l=28, r=8, t=30 if title else 8, b=24),
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
    layout = _base_layout(
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


_DTYPES = {np.dtype(np.float32): "f4", np.dtype(np.float64): "f8", np.dtype(np.uint8): "u1",
           np.dtype(np.int8): "i1", np.dtype(np.int16): "i2", np.dtype(np.int32): "i4", np.dtype(np.uint16): "u2",
           np.dtype(np.uint32): "u4"}


def _encode(obj):
    if isinstance(obj, np.ndarray):
        if obj.dtype in _DTYPES:
            arr = np.ascontiguousarray(obj)
            out = {"dtype": _DTYPES[arr.dtype], "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}
            if arr.ndim > 1:
                out["shape"] = ", ".join(map(str, arr.shape))
            return out
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot encode {type(obj).__name__} as JSON")


def to_json(spec: dict) -> str:
    """A figure spec as plotly JSON, fast (no validation). `template="none"` means no template."""
    layout = dict(spec.get("layout", {}))
    if layout.get("template") == "none":
        layout["template"] = _NONE_TEMPLATE
    return json.dumps({"data": spec.get("data", []), "layout": layout}, default=_encode,
                      separators=(",", ":"), allow_nan=False)


_NONE_TEMPLATE = {"data": {}, "layout": {}}
