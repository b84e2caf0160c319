"""Shared look of the gate lab's figures: colours, fonts, value encodings and fast JSON.

The live app sends figures with `to_json(spec)`: plain dicts written straight to plotly's
JSON (numpy arrays as base64 typed arrays, as plotly.py 6 does) without plotly's
validation, which costs a few milliseconds per figure.
"""

from __future__ import annotations

import base64
import json

import numpy as np

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


def f32(a) -> np.ndarray:
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


def base_layout(**kw) -> dict:
    layout = dict(template="none", font=FONT, paper_bgcolor="white", plot_bgcolor="white",
                  margin=dict(l=8, r=8, t=8, b=8), showlegend=False, hovermode="closest",
                  dragmode=False)
    layout.update(kw)
    return layout


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
        layout["template"] = NONE_TEMPLATE
    return json.dumps({"data": spec.get("data", []), "layout": layout}, default=_encode,
                      separators=(",", ":"), allow_nan=False)


NONE_TEMPLATE = {"data": {}, "layout": {}}
