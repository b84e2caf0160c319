"""The network diagram of the gate lab: every node a small heatmap, edges binned by weight.

All node tiles go into ONE uint8 heatmap trace (a mosaic with white gaps) and the edges into
at most 8 line traces (blue positive / orange negative, wider for larger |w|) with `None`
separators, so the figure stays cheap to build, send and draw at 10+ updates per second.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from .style import (BIN_WIDTHS, BLUE, INK, MOSAIC_COLORSCALE, MUTED, ORANGE, WEIGHT_BINS, base_layout, f32,
                    to_uint8)


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
    probability). All tiles go into ONE uint8 heatmap trace, a mosaic whose gaps are 0 (drawn
    white). Edges are at most 8 line traces, binned by sign (blue +, orange -) and |w|.
    Node and edge hover/click targets carry customdata "n:c:k" and "e:layer:out:in".
    Trace order (bottom to top): mosaic, outlines, edges, selected edge, edge targets, node targets.
    """
    sizes = [int(t.shape[0]) for t in tiles]
    G = int(tiles[0].shape[-1])
    stride = max(1, math.ceil(G / tile_res))
    T = len(range(0, G, stride))
    X, Y, CG, RG = network_layout(sizes, T)
    traces = [_mosaic(tiles, sizes, X, Y, stride, T, CG, RG), _outlines(X, Y, sizes),
              *_edges(weights, X, Y, sizes, node_names, selected_edge),
              _node_targets(X, Y, sizes, node_names, biases)]
    rows = max(sizes)
    if height is None:
        height = int(min(620, max(300, 60 + rows * 44)))
    layout = base_layout(
        height=height, margin=dict(l=4, r=4, t=4, b=4), shapes=_selection(X, Y, sizes, selected_node),
        annotations=_annotations(X, Y, node_names),
        xaxis=dict(visible=False, range=[-0.9 if node_names else -0.2, X[-1] + 1.2], fixedrange=True),
        yaxis=dict(visible=False, range=[Y[0] - rows * 1.32 - 0.1, Y[0] + 0.55], fixedrange=True),
        hoverlabel=dict(bgcolor="white", font=dict(size=12)))
    return dict(data=traces, layout=layout)


def _mosaic(tiles, sizes, X, Y, stride: int, T: int, CG: int, RG: int) -> dict:
    """All tiles in ONE uniform uint8 heatmap (4x less to send than float32, and drawn by
    plotly as a single image): 0 = the white gaps between tiles, 1..255 = values -1..+1.
    Canvas row 0 is the bottom; a tile's row i is x2's i-th value, so x2 points up."""
    n_cols, rows = len(tiles), max(sizes)
    kinds = ["input"] + ["hidden"] * (n_cols - 2) + ["output"]
    canvas = np.zeros((rows * T + (rows - 1) * RG, n_cols * T + (n_cols - 1) * CG), dtype=np.uint8)
    for c, (tile, kind) in enumerate(zip(tiles, kinds)):
        small = f32(tile)[:, ::stride, ::stride]
        c0 = c * (T + CG)
        for k in range(sizes[c]):
            r0 = (rows - 1 - k) * (T + RG)
            canvas[r0:r0 + T, c0:c0 + T] = to_uint8(_tile_scale(small[k], kind))
    y_bottom = float(Y[rows - 1] - 1.0)
    return dict(type="heatmap", z=canvas, x0=0.5 / T, dx=1.0 / T, y0=y_bottom + 0.5 / T, dy=1.0 / T,
                zmin=0, zmax=255, colorscale=MOSAIC_COLORSCALE, showscale=False, hoverinfo="skip", zsmooth=False)


def _edges(weights, X, Y, sizes, node_names, selected_edge) -> list[dict]:
    """Edges from the right side of node (i, in) to the left side of node (i+1, out): line
    traces binned by sign and |w|, the selected edge dotted on top, then one trace of
    transparent markers (hover text and click id "e:layer:out:in") near each edge's end."""
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
    traces = [dict(type="scatter", mode="lines", x=gx, y=gy, hoverinfo="skip", name=f"{'+' if pos else '-'}w bin {b}",
                   line=dict(color=BLUE if pos else ORANGE, width=BIN_WIDTHS[b]))
              for (pos, b), (gx, gy) in sorted(groups.items())]
    if selected_edge is not None:
        li, o, j = selected_edge
        if 0 <= li < len(weights) and o < sizes[li + 1] and j < sizes[li]:
            traces.append(dict(type="scatter", mode="lines", name="selected edge",
                               x=[X[li] + 1.0, X[li + 1]], y=[Y[j] - 0.5, Y[o] - 0.5], hoverinfo="skip",
                               line=dict(color=INK, width=5, dash="dot")))
    traces.append(dict(type="scatter", mode="markers", name="edges", x=mx, y=my, text=mtext,
                       customdata=mdata, hovertemplate="%{text}<extra></extra>",
                       marker=dict(size=7, color="rgba(0,0,0,0)")))
    return traces


def _node_targets(X, Y, sizes, node_names, biases) -> dict:
    """Transparent markers over the tiles: hover text (name, bias) and click id "n:c:k"."""
    nx, ny, ntext, ndata = [], [], [], []
    for c, size in enumerate(sizes):
        for k in range(size):
            nx.append(X[c] + 0.5)
            ny.append(Y[k] - 0.5)
            text = _node_label(node_names, c, k)
            if biases is not None and c > 0:
                text += f"<br>bias {float(np.asarray(biases[c - 1])[k]):+.3f}"
            ntext.append(text + "<br><i>click to enlarge</i>")
            ndata.append(f"n:{c}:{k}")
    return dict(type="scatter", mode="markers", name="nodes", x=nx, y=ny, text=ntext, customdata=ndata,
                hovertemplate="%{text}<extra></extra>", marker=dict(size=30, symbol="square", color="rgba(0,0,0,0)"))


def _outlines(X, Y, sizes) -> dict:
    """Tile outlines: one line trace of None-separated rectangles, cheaper to draw than shapes."""
    ox, oy = [], []
    for c, size in enumerate(sizes):
        for k in range(size):
            ox += [X[c], X[c] + 1, X[c] + 1, X[c], X[c], None]
            oy += [Y[k], Y[k], Y[k] - 1, Y[k] - 1, Y[k], None]
    return dict(type="scatter", mode="lines", x=ox, y=oy, hoverinfo="skip", name="outlines",
                line=dict(color="#94a3b8", width=1))


def _selection(X, Y, sizes, selected_node) -> list[dict]:
    """A dark frame around the enlarged node, if it exists."""
    if selected_node is None:
        return []
    c, k = selected_node
    if not (0 <= c < len(sizes) and 0 <= k < sizes[c]):
        return []
    return [dict(type="rect", x0=X[c] - 0.08, x1=X[c] + 1.08, y0=Y[k] - 1.08, y1=Y[k] + 0.08,
                 line=dict(color=INK, width=2.5))]


def _annotations(X, Y, node_names) -> list[dict]:
    """Column headings above, input feature names to the left."""
    n_cols = len(X)
    annotations = []
    for c in range(n_cols):
        head = "Input" if c == 0 else ("Output" if c == n_cols - 1 else f"Hidden {c}")
        annotations.append(dict(x=X[c] + 0.5, y=Y[0] + 0.12, text=f"<b>{head}</b>", showarrow=False,
                                yanchor="bottom", font=dict(size=12, color=INK)))
    for k, name in enumerate(node_names[0] if node_names else []):
        annotations.append(dict(x=X[0] - 0.08, y=Y[k] - 0.5, text=name, showarrow=False,
                                xanchor="right", font=dict(size=11, color=MUTED)))
    return annotations


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
