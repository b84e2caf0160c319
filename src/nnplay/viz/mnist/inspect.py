"""MNIST figures, part 2: curves, errors and single predictions.

    training_curves(curve)          loss and accuracy, train and test, side by side
    confusion_figure(conf)          10x10 heatmap, colour = share of the true class
    probability_bars(probs)         the 10 softmax outputs
    digit_rgb / digit_figure        the 28x28 image the model sees
    saliency_rgb / saliency_figure  gradient x input painted over the digit
    run_labels / compare_runs       test-accuracy curves of several runs, labelled by what differed
    upscale                         28x28 -> a crisp bigger uint8 image for galleries
"""

from __future__ import annotations

import functools
import threading

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures import base_layout, left_subplot_titles, top_margin

TRAIN_COLOR, TEST_COLOR = "#4f46e5", "#f97316"
PALETTE = ["#4f46e5", "#f97316", "#059669", "#dc2626", "#0891b2", "#a21caf", "#ca8a04", "#475569",
           "#db2777", "#65a30d"]


def _xy(curve: dict, key: str, xkey: str):
    x, y = curve.get(xkey) or [], curve.get(key) or []
    pts = [(a, b) for a, b in zip(x, y) if b is not None]
    return [p[0] for p in pts], [p[1] for p in pts]


def training_curves(curve: dict, *, height: int = 300, x_key: str = "epoch") -> go.Figure:
    """Loss (left) and accuracy (right) against epochs.

    curve: lists keyed "epoch", "train_loss", "train_acc" (every recorded step) and
    "test_epoch", "test_loss", "test_acc" (each evaluation; None entries skipped).
    Accuracies are fractions in [0, 1].
    """
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=("loss", "accuracy"))
    test_x = "test_epoch" if "test_epoch" in curve else x_key
    shown: set[str] = set()
    for col, key, name, color, xk in [(1, "train_loss", "train", TRAIN_COLOR, x_key),
                                      (1, "test_loss", "test", TEST_COLOR, test_x),
                                      (2, "train_acc", "train", TRAIN_COLOR, x_key),
                                      (2, "test_acc", "test", TEST_COLOR, test_x)]:
        x, y = _xy(curve, key, xk)
        if not x:
            continue
        test = key.startswith("test")
        fig.add_trace(go.Scatter(x=x, y=y, name=name, legendgroup=name, showlegend=name not in shown,
                                 mode="lines+markers" if test else "lines",
                                 line=dict(color=color, width=2.5 if test else 1.5), marker=dict(size=6)),
                      row=1, col=col)
        shown.add(name)
    fig.update_xaxes(title_text="epoch", rangemode="tozero")
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    left_subplot_titles(fig)
    # the legend sits at the very bottom, under the axis titles (at y=-0.25 it ran into them on a phone)
    base_layout(fig, height=height, subplot_titles=True,
                legend=dict(orientation="h", x=0.5, xanchor="center", y=0, yref="container", yanchor="bottom"))
    fig.update_layout(margin=dict(b=72))
    return fig


def confusion_figure(conf: np.ndarray, *, selected: tuple[int, int] | None = None, height: int = 420,
                     title: str | None = None) -> go.Figure:
    """Confusion matrix: row = true digit, column = predicted digit.

    Colour is the share of each true class (so rare mistakes still show), the
    text is the count. `selected` (true, pred) gets an outline.
    """
    conf = np.asarray(conf)
    rows = conf.sum(axis=1, keepdims=True)
    share = (conf / np.maximum(rows, 1)).astype(np.float32)
    colour = np.sqrt(share).astype(np.float32)  # sqrt lifts the small off-diagonal shares
    digits = [str(d) for d in range(conf.shape[0])]
    fig = go.Figure(go.Heatmap(
        z=colour, x=digits, y=digits, text=conf.astype(int).astype(str), texttemplate="%{text}",
        customdata=share, colorscale="Blues", zmin=0, zmax=1, showscale=False, xgap=1, ygap=1,
        hovertemplate="true %{y}, predicted %{x}<br>%{text} digits (%{customdata:.1%} of the %{y}s)<extra></extra>"))
    if selected is not None:
        t, p = selected
        fig.add_shape(type="rect", x0=p - 0.5, x1=p + 0.5, y0=t - 0.5, y1=t + 0.5,
                      line=dict(color="#f97316", width=3))
    fig.update_xaxes(title_text="predicted digit", type="category", showgrid=False)
    fig.update_yaxes(title_text="true digit", type="category", autorange="reversed", showgrid=False,
                     scaleanchor="x")
    base_layout(fig, height=height, title=title)
    fig.update_layout(margin=dict(l=50, r=10, t=top_margin(title), b=50))
    return fig


# Copying a figure is not thread-safe: plotly pops each trace's "type" out of the source's
# own dict while it copies, so a second thread copying the same cached base at that moment
# builds a Scatter and fails ("'textposition' property of scatter"). The app predicts for
# many users at once, so copies of the shared bases below take turns.
_COPY_LOCK = threading.Lock()


def _copy(base: go.Figure) -> go.Figure:
    with _COPY_LOCK:
        return go.Figure(base)


@functools.lru_cache(maxsize=8)
def _bars_base(height: int, title: str | None) -> go.Figure:
    fig = go.Figure(go.Bar(x=[str(i) for i in range(10)], y=[0.0] * 10, textposition="outside",
                           cliponaxis=False, hovertemplate="digit %{x}: %{y:.2%}<extra></extra>"))
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%", showgrid=True, gridcolor="#eef2ff")
    fig.update_xaxes(type="category", title_text="digit")
    base_layout(fig, height=height, title=title)
    fig.update_layout(margin=dict(l=44, r=10, t=top_margin(title), b=40))
    return fig


def probability_bars(probs: np.ndarray, *, height: int = 230, title: str | None = None) -> go.Figure:
    """The 10 class probabilities; the winner is highlighted.
    (Built from a cached empty figure: this runs on every pen stroke.)"""
    p = np.asarray(probs, dtype=np.float32).reshape(-1)
    best = int(np.argmax(p))
    fig = _copy(_bars_base(height, title))
    fig.data[0].update(y=p, marker_color=[TEST_COLOR if i == best else "#c7d2fe" for i in range(len(p))],
                       text=[f"{v:.0%}" if v >= 0.01 else "" for v in p])
    return fig


@functools.lru_cache(maxsize=8)
def _image_base(height: int, title: str | None, hover: bool) -> go.Figure:
    fig = go.Figure(go.Image(hovertemplate="row %{y}, col %{x}<extra></extra>" if hover else None,
                             hoverinfo=None if hover else "skip"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    base_layout(fig, height=height, title=title)
    fig.update_layout(margin=dict(l=4, r=4, t=top_margin(title), b=4))
    return fig


def digit_rgb(x28: np.ndarray) -> np.ndarray:
    """(28, 28) in [0, 1] -> (28, 28, 3) uint8 grey picture, white ink on black as in MNIST."""
    g = np.clip(np.asarray(x28, dtype=np.float32).reshape(28, 28), 0, 1) * 255
    return np.repeat(np.rint(g).astype(np.uint8)[..., None], 3, axis=2)


def digit_figure(x28: np.ndarray, *, height: int = 230, title: str | None = None) -> go.Figure:
    """The 28x28 input as the model sees it (one Image trace, square pixels)."""
    fig = _copy(_image_base(height, title, True))
    fig.data[0].z = digit_rgb(x28)
    return fig


def saliency_rgb(x28: np.ndarray, sal: np.ndarray, scale: int = 1) -> np.ndarray:
    """(28, 28) digit + (28, 28) signed saliency -> (28s, 28s, 3) uint8 picture.

    The digit is drawn dark grey on white; pixels that pushed the answer up are
    tinted red, pixels that pushed it down blue, more opaque where |saliency| is larger.
    """
    x = np.clip(np.asarray(x28, dtype=np.float32).reshape(28, 28), 0, 1)
    s = np.asarray(sal, dtype=np.float32).reshape(28, 28)
    m = float(np.max(np.abs(s))) or 1.0
    a = np.clip(np.abs(s) / m, 0, 1)[..., None] ** 0.7
    base = (1.0 - 0.55 * x)[..., None] * np.ones(3, np.float32)         # ink: grey
    tint = np.where((s >= 0)[..., None], np.array([0.86, 0.15, 0.15], np.float32),
                    np.array([0.15, 0.35, 0.86], np.float32))
    rgb = (base * (1 - a) + tint * a) * 255
    img = np.clip(rgb, 0, 255).astype(np.uint8)
    return np.kron(img, np.ones((scale, scale, 1), np.uint8)) if scale > 1 else img


def saliency_figure(x28: np.ndarray, sal: np.ndarray, *, height: int = 230, title: str | None = None) -> go.Figure:
    """saliency_rgb as a figure (one Image trace)."""
    fig = _copy(_image_base(height, title, False))
    fig.data[0].z = saliency_rgb(x28, sal)
    return fig


def upscale(x28: np.ndarray, scale: int = 4, invert: bool = True) -> np.ndarray:
    """(28, 28) in [0, 1] -> (28s, 28s) uint8, nearest neighbour (crisp pixels); ink dark if invert."""
    x = np.clip(np.asarray(x28, dtype=np.float32).reshape(28, 28), 0, 1)
    img = ((1 - x) if invert else x) * 255
    return np.kron(img.astype(np.uint8), np.ones((scale, scale), np.uint8))


def gallery_tile(x28: np.ndarray, scale: int = 3, caption_px: int = 24) -> np.ndarray:
    """A square gallery thumbnail: the upscaled digit (ink dark) with a white strip below it and white
    sides. Gradio draws each caption over the bottom right of its thumbnail; the strip takes it, so
    the caption never hides the digit's strokes. Returns (28s + caption_px) squared uint8."""
    img = upscale(x28, scale)
    side = img.shape[0] + caption_px
    left = caption_px // 2
    out = np.full((side, side), 255, np.uint8)
    out[:img.shape[0], left:left + img.shape[1]] = img
    return out


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return ",".join(str(i) for i in v) or "none"
    return str(v)


def run_labels(configs: list[dict], ignore=("seed_note",)) -> list[str]:
    """One short label per run naming only the settings that differ between runs,
    e.g. ["lr=0.1, hidden=64", "lr=0.01, hidden=64"]; "run k" when nothing differs."""
    if not configs:
        return []
    keys = [k for k in configs[0] if k not in ignore]
    differ = [k for k in keys if len({_fmt(c.get(k)) for c in configs}) > 1]
    labels = []
    for i, c in enumerate(configs):
        text = ", ".join(f"{k}={_fmt(c.get(k))}" for k in differ)
        labels.append(text if text else f"run {i + 1}")
    return labels


def compare_runs(runs: list[dict], *, height: int = 340) -> go.Figure:
    """Overlay the test-accuracy curves of several runs.

    runs: dicts with "name" (e.g. "#2"), "config" (dict), "test_epoch" and "test_acc" lists,
    and optionally "label" (what differed, worked out by the caller; else from the configs).
    Legend entries name the run and what differed from the others.
    """
    labels = ([r["label"] for r in runs] if runs and all("label" in r for r in runs)
              else run_labels([r["config"] for r in runs]))
    fig = go.Figure()
    for i, (r, lab) in enumerate(zip(runs, labels)):
        x, y = _xy(r, "test_acc", "test_epoch")
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=f"{r.get('name', i + 1)}: {lab}",
                                 line=dict(color=PALETTE[i % len(PALETTE)], width=2), marker=dict(size=6)))
    fig.update_xaxes(title_text="epoch", rangemode="tozero")
    fig.update_yaxes(title_text="test accuracy", tickformat=".0%", title_standoff=12)
    if not runs:
        fig.update_yaxes(range=[0, 1])
        fig.update_xaxes(range=[0, 1])
        fig.add_annotation(text="Train a model to see<br>its test-accuracy curve here.", showarrow=False,
                           x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=14, color="#6b7280"))
    # the legend goes below the plot: on its right it took half of a phone's width
    base_layout(fig, height=height + 20 * max(0, len(runs) - 2),
                legend=dict(orientation="h", x=0, xanchor="left", y=0, yref="container", yanchor="bottom"),
                title="test accuracy of every run<br><sup>legend: the settings that differed</sup>")
    fig.update_layout(margin=dict(l=70, r=16, b=60 + 20 * max(0, len(runs) - 2)))
    return fig


def per_class_bars(acc: np.ndarray, *, height: int = 300, overall: float | None = None) -> go.Figure:
    """Accuracy per true digit (10 fractions); the weakest digit is highlighted."""
    a = np.asarray(acc, dtype=np.float32).reshape(-1)
    worst = int(np.argmin(a))
    fig = go.Figure(go.Bar(x=[str(i) for i in range(len(a))], y=a, text=[f"{v:.1%}" for v in a],
                           textposition="outside", cliponaxis=False,
                           marker_color=[TEST_COLOR if i == worst else TRAIN_COLOR for i in range(len(a))],
                           hovertemplate="digit %{x}: %{y:.2%} correct<extra></extra>"))
    lo = max(0.0, float(a.min()) - 0.1) if a.size else 0.0
    # automargin + standoff: the axis title gets its own room left of the tick labels ("95%")
    fig.update_yaxes(range=[lo, 1.04], tickformat=".0%", title_text="correct", automargin=True, title_standoff=10)
    fig.update_xaxes(type="category", title_text="true digit")
    title = "accuracy per digit"
    if overall is not None:
        fig.add_hline(y=overall, line=dict(color="#6b7280", dash="dot", width=1))
        title += f"<br><sup>dotted: overall {overall:.2%}; orange: the weakest digit</sup>"
    base_layout(fig, height=height, title=title)
    fig.update_layout(margin=dict(l=72))
    return fig
