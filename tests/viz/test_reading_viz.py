"""How a picture was read: the steps strip wraps into rows on narrow screens; the boxes carry
their readings (oracles: trace counts, grid positions and annotation texts)."""

from __future__ import annotations

import numpy as np

from nnplay.viz.mnist import reading as vr

STEPS = [(f"step {i}", np.random.default_rng(i).random((40, 60))) for i in range(6)] + [("model sees", np.zeros((28, 56)))]


def _cells(fig):
    """(row, col) of each image trace, from its axis domains."""
    xs = sorted({round(fig.layout[f"xaxis{'' if t.xaxis == 'x' else t.xaxis[1:]}"].domain[0], 3) for t in fig.data})
    ys = sorted({round(fig.layout[f"yaxis{'' if t.yaxis == 'y' else t.yaxis[1:]}"].domain[0], 3) for t in fig.data},
                reverse=True)
    return [(ys.index(round(fig.layout[f"yaxis{'' if t.yaxis == 'y' else t.yaxis[1:]}"].domain[0], 3)),
             xs.index(round(fig.layout[f"xaxis{'' if t.xaxis == 'x' else t.xaxis[1:]}"].domain[0], 3)))
            for t in fig.data]


def test_one_row_on_a_desktop():
    fig = vr.steps_figure(STEPS, height=200, cols=vr.steps_columns(1100, len(STEPS)))
    assert len(fig.data) == 7 and {r for r, _ in _cells(fig)} == {0}
    assert fig.layout.height == 200
    assert [a.text for a in fig.layout.annotations] == [t for t, _ in STEPS]


def test_rows_of_three_on_a_phone():
    cols = vr.steps_columns(480, len(STEPS))   # room for 3 panels of 150 px: rows of 3, 3, 1
    assert cols == 3
    fig = vr.steps_figure(STEPS, height=150, cols=cols)
    assert _cells(fig) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0)]
    assert fig.layout.height == 450
    last = fig.data[-1].z                       # the model's inputs: light ink on black, as MNIST
    assert last.shape == (28, 56, 3) and last.max() == 0


def test_unknown_width_is_one_row():
    assert vr.steps_columns(0, 7) == 7 and vr.steps_columns(5000, 7) == 7 and vr.steps_columns(120, 7) == 2
    assert vr.steps_columns(680, 6) == 3 and vr.steps_columns(680, 7) == 4   # even rows: 3 + 3, 4 + 3


def test_boxes_are_labelled_with_reading_and_top3():
    img = np.zeros((50, 100))
    fig = vr.boxes_figure(img, [{"box": (5, 5, 40, 45), "digit": 4, "top": [(4, 0.9), (9, 0.05)]},
                                {"box": (55, 5, 95, 45), "digit": 2, "top": [(2, 0.8)]}], title="reads 42")
    assert len(fig.layout.shapes) == 2
    texts = [a.text for a in fig.layout.annotations]
    assert "<b>4</b>" in texts and "<b>2</b>" in texts and "4 90%<br>9 5%" in texts
