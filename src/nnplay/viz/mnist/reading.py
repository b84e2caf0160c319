"""MNIST figures, part 3: how a picture was read.

    steps_figure(steps, cols=)     every preprocessing step side by side (ink dark on white),
                                   ending with the 28x28 inputs the model sees; wrapped in rows
                                   of `cols` panels on narrow screens (steps_columns(width))
    boxes_figure(image, digits)    the picture with a box over each digit, its reading and top 3

Inputs are plain arrays and tuples (engine.mnist.reading's Reading holds them), so the CLI,
notebook and report can draw them too.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures import base_layout

BOX_COLOR = "#4f46e5"
ODD_COLOR = "#dc2626"


def _grey_rgb(a: np.ndarray, ink_dark: bool = True) -> np.ndarray:
    """(h, w) in [0, 1] -> (h, w, 3) uint8; ink (1) dark on white unless ink_dark is False."""
    g = np.clip(np.asarray(a, np.float32), 0, 1)
    g = 1 - g if ink_dark else g
    return np.repeat(np.rint(g * 255).astype(np.uint8)[..., None], 3, axis=2)


def steps_columns(width_px: float, n: int, min_panel_px: int = 150) -> int:
    """Panels per row for a figure `width_px` wide: at least `min_panel_px` each, rows as even
    as possible (7 panels on 4 columns' room: 4 + 3), so a phone gets rows of readable panels
    instead of one row of slivers. width 0 (unknown) gives one row."""
    n = max(1, n)
    if not width_px or width_px <= 0:
        return n
    most = int(min(n, max(2, width_px // min_panel_px)))
    rows = -(-n // most)
    return -(-n // rows)


def steps_figure(steps: list[tuple[str, np.ndarray]], *, height: int = 210, cols: int | None = None) -> go.Figure:
    """One small panel per step, left to right, wrapped after `cols` panels (default: one row).
    The last step (the 28x28 inputs, side by side) is drawn as MNIST shows it, light ink on
    black; the others dark ink on white. Each row is `height` px high."""
    n = max(1, len(steps))
    cols = max(1, min(n, cols or n))
    rows = -(-n // cols)
    widths = [max(0.6, a.shape[1] / max(1, a.shape[0])) for _, a in steps] or [1]
    # one row: panels as wide as their pictures; wrapped: equal columns (rows share them)
    titles = [t for t, _ in steps] or [""]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles,
                        column_widths=widths if rows == 1 else None, horizontal_spacing=0.012,
                        vertical_spacing=min(0.3, 40 / (height * rows)) if rows > 1 else 0.0)
    for i, (title, a) in enumerate(steps):
        last = i == n - 1
        fig.add_trace(go.Image(z=_grey_rgb(a, ink_dark=not last), hoverinfo="skip"),
                      row=i // cols + 1, col=i % cols + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_annotations(font=dict(size=11))
    base_layout(fig, height=height * rows)
    fig.update_layout(margin=dict(l=4, r=4, t=30, b=4))
    return fig


def boxes_figure(image: np.ndarray, digits: list[dict], *, height: int = 320, title: str | None = None,
                 odd: bool = False) -> go.Figure:
    """The picture (ink map, (h, w) in [0, 1]) with a box over each digit.

    digits: [{"box": (x0, y0, x1, y1) in the picture's pixels, "digit": d, "top": [(d, p), ...]}].
    Each box is labelled with its reading above it and its top 3 below it. odd=True draws
    the boxes red (the picture does not look like digits).
    """
    img = _grey_rgb(image)
    h, w = img.shape[:2]
    fig = go.Figure(go.Image(z=img, hoverinfo="skip"))
    color = ODD_COLOR if odd else BOX_COLOR
    for d in digits:
        x0, y0, x1, y1 = d["box"]
        fig.add_shape(type="rect", x0=x0 - 0.5, y0=y0 - 0.5, x1=x1 - 0.5, y1=y1 - 0.5,
                      line=dict(color=color, width=2.5))
        top = d.get("top") or []
        fig.add_annotation(x=(x0 + x1) / 2, y=y0, yshift=4, text=f"<b>{d['digit']}</b>", showarrow=False,
                           yanchor="bottom", font=dict(size=20, color=color), bgcolor="rgba(255,255,255,0.8)")
        if top:
            fig.add_annotation(x=(x0 + x1) / 2, y=y1, yshift=-4, showarrow=False, yanchor="top",
                               text="<br>".join(f"{k} {p:.0%}" for k, p in top),
                               font=dict(size=11, color="#111827"), bgcolor="rgba(255,255,255,0.85)",
                               bordercolor=color, borderwidth=1)
    fig.update_xaxes(visible=False, range=[-0.5, w - 0.5])
    fig.update_yaxes(visible=False, range=[h - 0.5, -0.5], scaleanchor="x")
    base_layout(fig, height=height, title=title)
    fig.update_layout(margin=dict(l=4, r=4, t=36 if title else 8, b=4))
    return fig
