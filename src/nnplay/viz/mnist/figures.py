"""MNIST figures, part 1: what the first layer has learnt.

    weight_mosaic(W)            up to 64 first-layer units (or conv filters) as tiles in
                                ONE heatmap trace, NaN gaps between tiles, one symmetric
                                diverging scale shared by every tile
    activation_mosaic(maps)     a conv layer's feature maps for one digit, same layout
    weight_stats(...)           weight-norm curve + weight histogram over time

Every function takes plain numpy arrays (shapes in the docstrings) and returns a
`plotly.graph_objects.Figure` with `template="none"`; heatmap z is float32.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# Negative weights blue, positive red, zero white: the classic diverging map.
DIVERGING = "RdBu_r"
FONT = dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=12, color="#1f2937")
MAX_TILES = 64
# Plotly's toolbar (zoom, download…) is drawn over the top right of every plot, about 26 px high.
# Figures keep that band empty and put their titles just below it.
MODEBAR_PX = 28
TITLE_PX = 24


def top_margin(title: str | None = None, subplot_titles: bool = False) -> int:
    """Pixels above the plot area: the toolbar band, then a line for each line of the title
    (lines split by <br>, so a long title can wrap on a phone) and one for subplot titles."""
    lines = title.count("<br>") + 1 if title else 0
    return MODEBAR_PX + TITLE_PX * (lines + subplot_titles) + 4


def base_layout(fig: go.Figure, *, height: int, title: str | None = None, subplot_titles: bool = False,
                **kw) -> go.Figure:
    """The look shared by every MNIST figure. The title sits just above the plot area, left-aligned,
    below the toolbar's band (so the toolbar never covers it); subplot titles sit under it."""
    fig.update_layout(template="none", height=height, font=FONT,
                      margin=dict(l=40, r=20, t=top_margin(title, subplot_titles), b=36),
                      paper_bgcolor="white", plot_bgcolor="white",
                      title=dict(text=title, x=0.01, xanchor="left", yref="container", yanchor="top",
                                 y=1 - MODEBAR_PX / height, font=dict(size=14)) if title else None,
                      **kw)
    return fig


def left_subplot_titles(fig: go.Figure) -> go.Figure:
    """make_subplots centres each title over its panel, so a narrow panel cuts both ends
    ("weight histogram over tim"); anchor each at its panel's left edge instead."""
    lefts = {round(sum(ax.domain) / 2, 6): ax.domain[0] for ax in fig.select_xaxes()}
    for ann in fig.layout.annotations:
        ann.update(x=lefts.get(round(ann.x, 6), ann.x), xanchor="left", font=dict(size=12))
    return fig


def as_tiles(weights: np.ndarray) -> np.ndarray:
    """Any first-layer weight tensor -> (n, h, w) float32 tiles.

    (units, 784) dense rows are reshaped to 28x28 (row-major, like the image
    flattening); (C, 1, k, k) / (C, k, k) conv filters are kept as k x k.
    """
    w = np.asarray(weights, dtype=np.float32)
    if w.ndim == 2:
        side = int(round(math.sqrt(w.shape[1])))
        if side * side != w.shape[1]:
            raise ValueError(f"a dense first layer needs a square number of inputs, got {w.shape[1]}")
        return w.reshape(w.shape[0], side, side)
    if w.ndim == 4:
        return w[:, 0] if w.shape[1] == 1 else w.mean(axis=1)
    if w.ndim == 3:
        return w
    raise ValueError(f"cannot draw first-layer weights of shape {w.shape}")


def grid_shape(n: int, cols: int | None = None) -> tuple[int, int]:
    """(rows, cols) for n tiles: near-square, e.g. 10 -> (2, 5), 64 -> (8, 8)."""
    if cols is None:
        cols = 5 if n == 10 else max(1, math.ceil(math.sqrt(n)))
    return math.ceil(n / cols), cols


def fit_columns(n: int, width_px: float, *, min_tile_px: int = 56, chrome_px: int = 100) -> int:
    """Tile columns for a mosaic `width_px` wide: the near-square count of grid_shape(n), or fewer
    so each tile stays at least min_tile_px wide (a phone gets 4 columns of 64 units, not 8 of 20 px).
    chrome_px: the width taken by margins and the colour bar."""
    fit = max(1, int((width_px - chrome_px) // min_tile_px))
    return min(grid_shape(n)[1], fit)


def tile_mosaic(tiles: np.ndarray, cols: int | None = None, gap: int = 1) -> np.ndarray:
    """(n, h, w) tiles -> one 2-D float32 array with NaN gaps (NaN cells are not drawn).

    Tile i sits at row i // cols, column i % cols, its top-left pixel at
    (r * (h + gap), c * (w + gap)).
    """
    n, h, w = tiles.shape
    rows, cols = grid_shape(n, cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + gap): r * (h + gap) + h, c * (w + gap): c * (w + gap) + w] = tiles[i]
    return out


def symmetric_limit(*arrays: np.ndarray) -> float:
    """max |value| over all arrays (never 0, so an all-zero layer still draws)."""
    m = max((float(np.nanmax(np.abs(a))) for a in arrays if np.size(a)), default=0.0)
    return m if m > 0 and math.isfinite(m) else 1.0


def _mosaic_figure(tiles: np.ndarray, *, colorscale, zmin: float, zmax: float, zmid: float | None,
                   labels, title: str | None, height: int, colorbar_title: str, cols: int | None,
                   colorbar_below: bool = False) -> go.Figure:
    n, h, w = tiles.shape
    gap = 1 if h <= 8 else 2
    z = tile_mosaic(tiles, cols, gap)
    rows, cols = grid_shape(n, cols)
    bar = (dict(orientation="h", x=0.5, xanchor="center", y=-0.02, yanchor="top", thickness=10, len=0.9,
                title=dict(text=colorbar_title, side="top")) if colorbar_below else
           dict(title=dict(text=colorbar_title, side="right"), thickness=12, len=0.9))
    fig = go.Figure(go.Heatmap(
        z=z, colorscale=colorscale, zmin=zmin, zmax=zmax, zmid=zmid, zsmooth=False,
        hoverongaps=False, hovertemplate="value %{z:.3f}<extra></extra>", colorbar=bar))
    if labels is not None:
        for i, text in enumerate(labels[:n]):
            r, c = divmod(i, cols)
            fig.add_annotation(x=c * (w + gap) + 0.5, y=r * (h + gap) + 0.5, text=f"<b>{text}</b>",
                               showarrow=False, xanchor="left", yanchor="top",
                               font=dict(size=13, color="#111827"), bgcolor="rgba(255,255,255,0.75)")
    axis = dict(visible=False, showgrid=False, zeroline=False)
    fig.update_xaxes(**axis, constrain="domain", fixedrange=True)
    fig.update_yaxes(**axis, autorange="reversed", scaleanchor="x", constrain="domain", fixedrange=True)
    # meta tells the page's tap-to-enlarge view where each tile is (app/mnist/zoom.py)
    base_layout(fig, height=height, title=title, dragmode=False,
                meta=dict(tile=dict(h=h, w=w, gap=gap, cols=cols, n=n), labels=list(labels[:n]) if labels else None))
    if colorbar_below:
        fig.update_layout(margin=dict(l=8, r=8, b=64))
    return fig


def weight_mosaic(weights: np.ndarray, *, zmax: float | None = None, labels=None, title: str | None = None,
                  height: int = 460, max_tiles: int = MAX_TILES, cols: int | None = None,
                  diff: bool = False, colorbar_below: bool = False) -> go.Figure:
    """First-layer weights as tiles on one fixed symmetric diverging scale.

    weights: (units, 784) for logistic/MLP, (C, 1, k, k) for a conv layer.
    zmax: the colour limit; pass the largest |w| over the whole run so a
    tile getting stronger over time also gets darker (default: max |w| shown).
    labels: one text per tile (e.g. "0".."9" for logistic regression).
    diff: the weights are W_t - W_0 (only changes the colour-bar title).
    colorbar_below: a horizontal colour bar under the tiles (narrow screens), not a vertical one beside.
    """
    tiles = as_tiles(weights)[:max_tiles]
    lim = float(zmax) if zmax else symmetric_limit(tiles)
    return _mosaic_figure(tiles, colorscale=DIVERGING, zmin=-lim, zmax=lim, zmid=0.0, labels=labels,
                          title=title, height=height, cols=cols, colorbar_below=colorbar_below,
                          colorbar_title="W<sub>t</sub> − W<sub>0</sub>" if diff else "weight")


def activation_mosaic(maps: np.ndarray, *, title: str | None = None, height: int = 300,
                      max_tiles: int = MAX_TILES, cols: int | None = None) -> go.Figure:
    """Feature maps (C, H, W) of one digit, one tile per channel, one shared scale."""
    tiles = np.asarray(maps, dtype=np.float32)[:max_tiles]
    lo = float(min(0.0, np.nanmin(tiles))) if tiles.size else 0.0
    hi = float(np.nanmax(tiles)) if tiles.size else 1.0
    return _mosaic_figure(tiles, colorscale="Viridis", zmin=lo, zmax=hi if hi > lo else lo + 1, zmid=None,
                          labels=None, title=title, height=height, cols=cols, colorbar_title="activation")


def histogram_bins(n_weights: int, most: int = 41) -> int:
    """Bins for a histogram of n weights: about sqrt(n), between 7 and `most`. A CNN's first layer
    has only ~150 weights: 41 bins left most rows empty and drew stripes; 12 bins hold ~12 each."""
    return int(np.clip(round(math.sqrt(max(n_weights, 1))), 7, most))


def weight_histograms(snapshots: list[np.ndarray], bins: int | None = None, lim: float | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of every snapshot's weights on one shared set of bins.

    bins: default histogram_bins(weights per snapshot).
    Returns (centres (bins,), counts (bins, T) float32): column t is snapshot t.
    """
    bins = bins or histogram_bins(int(np.size(snapshots[0])))
    lim = float(lim) if lim else symmetric_limit(*snapshots)
    edges = np.linspace(-lim, lim, bins + 1)
    counts = np.stack([np.histogram(np.clip(np.ravel(s), -lim, lim), bins=edges)[0] for s in snapshots], axis=1)
    return ((edges[:-1] + edges[1:]) / 2).astype(np.float32), counts.astype(np.float32)


def weight_stats(x: np.ndarray, snapshots: list[np.ndarray], *, current: int | None = None,
                 x_title: str = "epoch", height: int = 460, lim: float | None = None) -> go.Figure:
    """Weight-norm curve (top) and weight histogram over time (bottom) for the same snapshots.

    x: (T,) the time of each snapshot; snapshots: T arrays of first-layer weights.
    current: index of the snapshot on screen, marked on both panels.
    The histogram is a heatmap: column t = snapshot t, colour = log(1 + count).
    """
    x = np.asarray(x, dtype=np.float32)
    norms = np.array([float(np.linalg.norm(np.ravel(s))) for s in snapshots], dtype=np.float32)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1, row_heights=[0.4, 0.6],
                        subplot_titles=("weight norm ‖W‖", "weight histogram over time"))
    fig.add_trace(go.Scatter(x=x, y=norms, mode="lines+markers" if len(x) < 40 else "lines",
                             line=dict(color="#4f46e5", width=2), marker=dict(size=4), name="‖W‖",
                             hovertemplate="‖W‖ = %{y:.3f}<extra></extra>"), row=1, col=1)
    if snapshots:
        centres, counts = weight_histograms(snapshots, lim=lim)
        fig.add_trace(go.Heatmap(x=x, y=centres, z=np.log1p(counts).astype(np.float32), colorscale="Blues",
                                 showscale=False, zsmooth=False,
                                 hovertemplate="w ≈ %{y:.3f}<br>log(1+count) %{z:.2f}<extra></extra>"),
                      row=2, col=1)
    if current is not None and 0 <= current < len(x):
        for r in (1, 2):
            fig.add_vline(x=float(x[current]), line=dict(color="#f97316", width=2, dash="dot"), row=r, col=1)
    fig.update_xaxes(title_text=x_title, row=2, col=1)
    fig.update_yaxes(title_text="weight", row=2, col=1)
    left_subplot_titles(fig)
    return base_layout(fig, height=height, showlegend=False, subplot_titles=True)
