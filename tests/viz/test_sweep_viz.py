"""Sweep figures: heatmap shape and annotations, one curve per cell, small multiples."""

import math

import numpy as np
import plotly.graph_objects as go

from nnplay.viz.sweeps import boundaries_figure, curves_figure, ensemble_figure, heatmap_figure, width_figure


def _summary(kind="gates", with_missing=True):
    axes = [{"field": "lr", "values": [0.01, 0.1, 1.0]}, {"field": "hidden", "values": [[], [4, 4]]}]
    cells = []
    for i, lr in enumerate(axes[0]["values"]):
        for j, h in enumerate(axes[1]["values"]):
            if with_missing and (i, j) == (2, 1):
                continue  # not run yet
            if kind == "gates":
                res = {"success_rate": 0.25 * (i + j), "median_epochs": 10.0 * (i + 1) if j else None,
                       "solved_epochs": [5, None, 7, None], "epochs": 50}
            else:
                res = {"test_accuracy": 0.9 + 0.01 * i, "curve": {"epoch": [0.5, 1.0], "train_loss": [1.0, 0.5]}}
            cells.append({"key": f"lr={lr:g}, hidden={'-'.join(map(str, h)) or 'none'}", "index": [i, j],
                          "values": {"lr": lr, "hidden": h}, "result": res})
    return {"kind": kind, "axes": axes, "cells": cells,
            "main_metric": "success_rate" if kind == "gates" else "test_accuracy"}


def test_heatmap_has_one_cell_per_grid_point_annotated():
    fig = heatmap_figure(_summary())
    assert isinstance(fig, go.Figure) and len(fig.data) == 1
    hm = fig.data[0]
    z = np.asarray(hm.z, dtype=float)
    assert z.shape == (2, 3)  # rows = hidden values, columns = lr values
    assert list(hm.x) == ["0.01", "0.1", "1"] and list(hm.y) == ["none", "4-4"]
    assert z[1, 1] == 0.5 and math.isnan(z[1, 2])  # the missing cell is blank
    assert hm.text[1][1] == "50%<br>20 ep" and hm.text[1][2] == ""
    assert fig.layout.template.layout.to_plotly_json() == {}  # template "none"


def test_heatmap_with_one_axis_is_one_row():
    s = _summary(kind="mnist", with_missing=False)
    s["axes"] = s["axes"][:1]
    s["cells"] = [dict(c, index=[c["index"][0]]) for c in s["cells"] if c["index"][1] == 0]
    hm = heatmap_figure(s).data[0]
    assert np.asarray(hm.z).shape == (1, 3) and hm.text[0][2] == "92.0%"


def test_curves_one_trace_per_cell_named_by_its_values():
    s = _summary()
    fig = curves_figure(s)
    assert [t.name for t in fig.data] == [c["key"] for c in s["cells"]]
    y = np.asarray(fig.data[0].y)
    assert y[0] == 0 and y[-1] == 0.5 and fig.data[0].x[-1] == 50  # 2 of 4 seeds solved by the end
    m = curves_figure(_summary("mnist"))
    assert len(m.data) == 5 and list(m.data[0].y) == [1.0, 0.5]


def test_small_multiples_one_heatmap_per_seed():
    g = np.random.default_rng(0).random((8, 8)).astype(np.float32)
    runs = [{"seed": s, "solved": s % 2 == 0, "solved_epoch": 10 if s % 2 == 0 else None, "train_acc": 0.75,
             "grid": g} for s in range(6)]
    fig = ensemble_figure({"runs": runs, "axis": np.linspace(-0.5, 1.5, 8), "x_train": [[0, 0], [1, 1]],
                           "y_train": [0, 1]}, cols=4)
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == 6 and all(np.asarray(h.z).dtype == np.float32 for h in heat)
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == "seed 0 ✓ ep 10" and titles[1] == "seed 1 ✗ 75%"
    assert len(boundaries_figure([("a", g)], np.arange(8)).data) == 1


def test_width_figure_sets_paper_and_ours_side_by_side():
    rows = [{"architecture": "linear", "LeCun 1998 error %": 12.0, "nnplay error %": 8.0},
            {"architecture": "LeNet-5", "LeCun 1998 error %": 0.95, "nnplay error %": None}]
    fig = width_figure(rows)
    assert [t.name for t in fig.data] == ["LeCun et al. 1998", "nnplay (this run)"]
    assert list(fig.data[0].y) == [12.0, 0.95]


def test_width_figure_leaves_room_for_the_tallest_label():
    """The tallest bar's label ("12%") sat above the plot area and was cut off."""
    rows = [{"architecture": "linear", "LeCun 1998 error %": 12.0, "nnplay error %": 8.0},
            {"architecture": "LeNet-5", "LeCun 1998 error %": 0.95, "nnplay error %": 1.1}]
    fig = width_figure(rows)
    assert fig.layout.yaxis.range[1] >= 1.15 * 12.0
    assert all(t.cliponaxis is False and t.textposition == "outside" for t in fig.data)
