"""MNIST figures: traces and shapes follow the inputs (synthetic arrays shaped as the engine's)."""

from __future__ import annotations

import numpy as np
import pytest

from nnplay.viz import mnist as vm
from nnplay.viz.mnist import inspect as vi


def _rng(seed=0):
    return np.random.default_rng(seed)


def _tile(z: np.ndarray, i: int, h: int, w: int, cols: int, gap: int) -> np.ndarray:
    r, c = divmod(i, cols)
    return z[r * (h + gap): r * (h + gap) + h, c * (w + gap): c * (w + gap) + w]


def test_mlp_mosaic_tile_i_is_unit_i_reshaped_on_one_symmetric_scale():
    w = _rng().normal(0, 0.05, (100, 784)).astype(np.float32)
    fig = vm.weight_mosaic(w)
    assert len(fig.data) == 1 and fig.data[0].type == "heatmap"
    z = np.asarray(fig.data[0].z)
    assert z.dtype == np.float32
    rows, cols = vm.grid_shape(64)
    assert (rows, cols) == (8, 8)
    gap = 2
    assert z.shape == (8 * 28 + 7 * gap, 8 * 28 + 7 * gap)
    for i in (0, 9, 37, 63):  # only the first 64 units are drawn
        np.testing.assert_array_equal(_tile(z, i, 28, 28, cols, gap), w[i].reshape(28, 28))
    assert np.isnan(z[28:28 + gap, :]).all()  # the gaps are empty
    lim = float(np.abs(w[:64]).max())
    tr = fig.data[0]
    assert tr.zmin == pytest.approx(-lim) and tr.zmax == pytest.approx(lim) and tr.zmid == 0
    assert fig.layout.template.to_plotly_json() == {} or fig.layout.template.layout.to_plotly_json() == {}


def test_fixed_scale_is_honoured_and_logistic_gets_digit_labels():
    w = _rng(1).normal(0, 0.01, (10, 784)).astype(np.float32)
    fig = vm.weight_mosaic(w, zmax=0.5, labels=[str(d) for d in range(10)])
    tr = fig.data[0]
    assert (tr.zmin, tr.zmax) == (-0.5, 0.5)
    assert vm.grid_shape(10) == (2, 5)
    assert [a.text for a in fig.layout.annotations] == [f"<b>{d}</b>" for d in range(10)]
    np.testing.assert_array_equal(_tile(np.asarray(tr.z), 7, 28, 28, 5, 2), w[7].reshape(28, 28))


def test_conv_filters_become_kxk_tiles():
    w = _rng(2).normal(0, 0.3, (16, 1, 3, 3)).astype(np.float32)
    fig = vm.weight_mosaic(w)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (4 * 3 + 3, 4 * 3 + 3)  # 4x4 tiles of 3x3, gap 1
    np.testing.assert_array_equal(_tile(z, 5, 3, 3, 4, 1), w[5, 0])


def test_activation_mosaic_and_bad_shapes():
    maps = _rng(3).random((16, 28, 28)).astype(np.float32)
    fig = vm.activation_mosaic(maps)
    assert len(fig.data) == 1 and np.asarray(fig.data[0].z).shape == (4 * 28 + 6, 4 * 28 + 6)
    with pytest.raises(ValueError):
        vm.as_tiles(np.zeros((3, 99)))


def test_weight_stats_histogram_counts_every_weight():
    snaps = [_rng(s).normal(0, 0.01 * (s + 1), (10, 784)).astype(np.float32) for s in range(5)]
    fig = vm.weight_stats(np.arange(5), snaps, current=2)
    line, heat = fig.data
    np.testing.assert_allclose(line.y, [np.linalg.norm(s) for s in snaps], rtol=1e-5)
    centres, counts = vm.weight_histograms(snaps)
    assert counts.shape == (41, 5) and (counts.sum(axis=0) == 7840).all()
    np.testing.assert_allclose(np.asarray(heat.z), np.log1p(counts), rtol=1e-6)
    assert len(fig.layout.shapes) == 2  # the "current snapshot" marker on both panels


def test_training_curves_skip_missing_test_points():
    curve = {"epoch": [0.1, 0.2, 0.3, 1.0], "train_loss": [2.0, 1.0, 0.5, 0.4], "train_acc": [0.2, 0.6, 0.8, 0.9],
             "test_epoch": [0.0, 1.0], "test_loss": [2.3, 0.4], "test_acc": [0.1, 0.88]}
    fig = vi.training_curves(curve)
    assert [t.name for t in fig.data] == ["train", "test", "train", "test"]
    assert list(fig.data[3].y) == [0.1, 0.88]
    assert fig.data[0].xaxis == "x" and fig.data[2].xaxis == "x2"
    assert sum(bool(t.showlegend) for t in fig.data) == 2


def test_confusion_figure_shows_counts_and_row_shares():
    conf = np.diag(np.full(10, 90)) + 1
    fig = vi.confusion_figure(conf, selected=(3, 5))
    tr = fig.data[0]
    assert list(tr.text[3]) == [str(v) for v in conf[3]]
    np.testing.assert_allclose(np.asarray(tr.customdata)[3, 3], 91 / 100)
    assert fig.layout.shapes[0].x0 == 4.5 and fig.layout.shapes[0].y0 == 2.5


def test_probability_bars_digit_and_saliency():
    p = np.full(10, 0.02, np.float32)
    p[7] = 0.82
    fig = vi.probability_bars(p)
    assert list(fig.data[0].x) == [str(i) for i in range(10)]
    assert fig.data[0].marker.color[7] != fig.data[0].marker.color[0]
    x = np.zeros((28, 28), np.float32)
    x[5:20, 12:15] = 1
    d = vi.digit_figure(x)
    assert d.data[0].type == "image"
    np.testing.assert_array_equal(np.asarray(d.data[0].z)[..., 0], np.rint(x * 255).astype(np.uint8))
    sal = np.zeros((28, 28), np.float32)
    sal[10, 13], sal[0, 0] = 1.0, -1.0
    rgb = vi.saliency_rgb(x, sal, scale=2)
    assert rgb.shape == (56, 56, 3) and rgb.dtype == np.uint8
    assert rgb[20, 26, 0] > rgb[20, 26, 2]   # positive evidence is red
    assert rgb[0, 0, 2] > rgb[0, 0, 0]       # negative evidence is blue
    assert tuple(rgb[54, 54]) == (255, 255, 255)  # no ink, no saliency: white
    up = vi.upscale(x, 4)
    assert up.shape == (112, 112) and up[40, 52] == 0 and up[0, 0] == 255


def test_compare_runs_labels_name_only_what_differed():
    a = {"model": "mlp", "lr": 0.1, "hidden": [64], "seed": 0}
    b = {"model": "mlp", "lr": 0.01, "hidden": [64], "seed": 0}
    c = {"model": "mlp", "lr": 0.1, "hidden": [128], "seed": 0}
    assert vi.run_labels([a, b, c]) == ["lr=0.1, hidden=64", "lr=0.01, hidden=64", "lr=0.1, hidden=128"]
    assert vi.run_labels([a, a]) == ["run 1", "run 2"]
    runs = [{"name": "#1", "config": a, "test_epoch": [1, 2], "test_acc": [0.8, 0.9]},
            {"name": "#2", "config": b, "test_epoch": [1, 2], "test_acc": [0.7, 0.85]}]
    fig = vi.compare_runs(runs)
    assert [t.name for t in fig.data] == ["#1: lr=0.1", "#2: lr=0.01"]
    assert list(fig.data[1].y) == [0.7, 0.85]
