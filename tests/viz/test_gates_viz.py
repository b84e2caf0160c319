"""The gate lab's figures follow the engine state: values, trace counts, colours."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnplay.engine.gates import GateConfig, GateTrainer
from nnplay.viz import gates as vg


@pytest.fixture(scope="module")
def trained():
    tr = GateTrainer(GateConfig(gate="XOR", hidden=(3, 2), sampling="noisy", n_points=10), grid_size=24)
    tr.step(30)
    return tr, tr.snapshot()


def test_boundary_heatmap_is_the_snapshot_grid(trained):
    tr, snap = trained
    fig = vg.boundary_figure(snap.grid, tr.grid_axis, tr.data.x_train, tr.data.y_train, tr.data.x_test,
                             tr.data.y_test, try_point=(0.2, 0.9), try_prob=0.7)
    heat = fig.data[0]
    assert heat.type == "heatmap" and fig.layout.template.layout.to_plotly_json() == {}
    assert np.asarray(heat.z).dtype == np.float32
    np.testing.assert_array_equal(np.asarray(heat.z), snap.grid)
    np.testing.assert_array_equal(np.asarray(heat.x), tr.grid_axis)
    train, test, star = fig.data[1], fig.data[2], fig.data[3]
    assert len(train.x) == len(tr.data.y_train) and len(test.x) == len(tr.data.y_test)
    expected = [vg.BLUE if v else vg.ORANGE for v in tr.data.y_train]
    assert list(train.marker.color) == expected
    assert (star.x[0], star.y[0]) == (0.2, 0.9) and "0.70" in star.text[0]


def test_discretize_shows_the_decision(trained):
    tr, snap = trained
    fig = vg.boundary_figure(snap.grid, tr.grid_axis, discretize=True)
    z = np.asarray(fig.data[0].z)
    np.testing.assert_array_equal(z, (snap.grid >= 0.5).astype(np.float32))
    assert len(fig.data) == 1  # no points given, none drawn


def _mosaic(fig):
    heat = fig.data[0]
    return np.asarray(heat.z), heat


def test_network_mosaic_holds_every_node_tile(trained):
    tr, snap = trained
    fig = vg.network_from_snapshot(snap, tr.feature_names, tile_res=12)
    z, heat = _mosaic(fig)
    assert z.dtype == np.uint8 and len([t for t in fig.data if t.type == "heatmap"]) == 1
    tiles = vg.snapshot_tiles(snap)
    sizes = [len(t) for t in tiles]
    G = snap.grid.shape[0]
    stride = -(-G // 12)
    T = len(range(0, G, stride))
    _, _, CG, RG = vg.network_layout(sizes, T)
    rows = max(sizes)
    # The output tile decodes to 2p-1 of the snapshot grid, within the uint8 rounding.
    c, k = len(tiles) - 1, 0
    r0, c0 = (rows - 1 - k) * (T + RG), c * (T + CG)
    out = vg.from_uint8(z[r0:r0 + T, c0:c0 + T])
    np.testing.assert_allclose(out, snap.grid[::stride, ::stride] * 2 - 1, atol=1 / 127 + 1e-6)
    # A hidden tile (tanh, already in [-1, 1]) decodes to the activations themselves.
    h = snap.hidden[0][1][::stride, ::stride]
    r0, c0 = (rows - 2) * (T + RG), 1 * (T + CG)
    np.testing.assert_allclose(vg.from_uint8(z[r0:r0 + T, c0:c0 + T]), h, atol=1 / 127 + 1e-6)
    # Every cell is either a tile cell (1..255) or a gap (0): count the tile cells.
    assert int((z > 0).sum()) == sum(sizes) * T * T
    nodes = next(t for t in fig.data if t.name == "nodes")
    assert len(nodes.x) == sum(sizes) and nodes.customdata[0] == "n:0:0"


def test_edges_are_binned_by_sign_and_size():
    w = [np.array([[0.1, -2.0], [1.0, -0.5], [3.0, 0.2]], dtype=np.float32),
         np.array([[-0.1, 0.6, -1.0]], dtype=np.float32)]
    G = 8
    tiles = [np.zeros((2, G, G), np.float32), np.zeros((3, G, G), np.float32), np.zeros((1, G, G), np.float32)]
    fig = vg.network_figure(w, tiles, vg.default_node_names(["x1", "x2"], [3]))
    lines = [t for t in fig.data if t.type == "scatter" and t.mode == "lines" and t.name.endswith(tuple("0123"))]
    allw = np.concatenate([a.ravel() for a in w])
    groups = {(bool(v >= 0), int(np.searchsorted(vg.WEIGHT_BINS, abs(v), side="right"))) for v in allw}
    assert len(lines) == len(groups)
    blue = sum(list(t.x).count(None) for t in lines if t.line.color == vg.BLUE)
    orange = sum(list(t.x).count(None) for t in lines if t.line.color == vg.ORANGE)
    assert blue == int((allw >= 0).sum()) and orange == int((allw < 0).sum())
    # Wider lines for larger |w|: the widest traces hold exactly the two weights with |w| >= 1.5.
    widest = [t for t in lines if t.line.width == max(vg.BIN_WIDTHS)]
    assert {t.line.color for t in widest} == {vg.BLUE, vg.ORANGE}
    assert sum(list(t.x).count(None) for t in widest) == int((np.abs(allw) >= 1.5).sum()) == 2
    edges = next(t for t in fig.data if t.name == "edges")
    assert len(edges.customdata) == allw.size and "e:0:0:1" in edges.customdata


def test_selection_is_drawn():
    w = [np.ones((2, 2), np.float32), np.ones((1, 2), np.float32)]
    tiles = [np.zeros((2, 4, 4), np.float32)] * 2 + [np.zeros((1, 4, 4), np.float32)]
    fig = vg.network_figure(w, tiles, selected_node=(1, 1), selected_edge=(0, 1, 0))
    assert len(fig.layout.shapes) == 1 and any(t.name == "selected edge" for t in fig.data)


def test_curves_follow_the_history_and_cursor(trained):
    tr, snap = trained
    fig = vg.curves_figure(tr.curve, cursor_epoch=12)
    by = {(t.yaxis, t.line.color, t.line.dash): t for t in fig.data}
    train_loss = by[("y", vg.TRAIN_COLOR, "solid")]
    np.testing.assert_allclose(train_loss.y, np.float32(tr.curve["train_loss"]))
    assert len(fig.data) == 4 and fig.layout.yaxis.type == "log"
    assert fig.layout.shapes[0].x0 == 12


def test_long_curves_are_thinned():
    n = 5000
    curve = {"epoch": list(range(n)), **{k: [0.5] * n for k in ("train_loss", "test_loss", "train_acc", "test_acc")}}
    fig = vg.curves_figure(curve, max_points=300)
    assert all(len(t.x) <= 300 for t in fig.data) and fig.data[0].x[-1] == n - 1


def test_neuron_heatmap(trained):
    tr, snap = trained
    fig = vg.neuron_figure(snap.hidden[0][2], tr.grid_axis, "h1.3")
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), snap.hidden[0][2])
    assert fig.layout.title.text == "h1.3"


def test_fast_json_matches_plotly(trained):
    tr, snap = trained
    spec = vg.boundary_spec(snap.grid, tr.grid_axis, tr.data.x_train, tr.data.y_train)
    fast = json.loads(vg.to_json(spec))
    slow = json.loads(vg.boundary_figure(snap.grid, tr.grid_axis, tr.data.x_train, tr.data.y_train).to_json())
    assert fast["data"][0]["z"] == slow["data"][0]["z"]  # same base64 float32 block and shape
    assert fast["data"][1]["marker"]["color"] == slow["data"][1]["marker"]["color"]
