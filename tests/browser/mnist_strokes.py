"""Mouse-stroke digits for the MNIST browser test (points in a 0-1 box, y down)."""

from __future__ import annotations

import math


def _arc(cx, cy, rx, ry, a0, a1, n=14):
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in [a0 + (a1 - a0) * k / (n - 1) for k in range(n)]]


# each digit: a list of strokes, each a list of (x, y) in [0, 1]
DIGITS = {
    "1": [[(0.42, 0.22), (0.55, 0.08), (0.55, 0.92)]],
    "7": [[(0.2, 0.1), (0.8, 0.1), (0.4, 0.92)]],
    "0": [_arc(0.5, 0.5, 0.28, 0.42, -90, 270, 24)],
    "3": [_arc(0.48, 0.3, 0.25, 0.2, -160, 90, 14) + _arc(0.48, 0.7, 0.28, 0.22, -90, 160, 14)],
    "2": [_arc(0.5, 0.3, 0.27, 0.2, -170, 20, 12) + [(0.2, 0.9), (0.82, 0.9)]],
    "4": [[(0.6, 0.08), (0.15, 0.62), (0.85, 0.62)], [(0.62, 0.3), (0.62, 0.95)]],
}

# style -> (centre x, centre y, size) of the box the digit is drawn in, as shares of the canvas
STYLES = {
    "centred": (0.5, 0.5, 0.7),
    "small": (0.5, 0.5, 0.3),
    "large": (0.5, 0.5, 0.95),
    "off-centre": (0.3, 0.32, 0.42),
}


def draw(page, selector: str, digit: str, style: str = "centred") -> None:
    """Draw `digit` on the Sketchpad canvas with real mouse down/move/up strokes."""
    box = page.locator(f"{selector} canvas").first.bounding_box()
    side = min(box["width"], box["height"]) * 0.8          # the 280 px drawing area at the editor's zoom
    ox = box["x"] + (box["width"] - side) / 2
    oy = box["y"] + (box["height"] - side) / 2
    cx, cy, size = STYLES[style]
    for stroke in DIGITS[digit]:
        pts = [(ox + side * (cx + (x - 0.5) * size), oy + side * (cy + (y - 0.5) * size)) for x, y in stroke]
        page.mouse.move(*pts[0])
        page.mouse.down()
        for p in pts[1:]:
            page.mouse.move(*p, steps=4)
        page.mouse.up()
        page.wait_for_timeout(120)
