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


# --- issue 17: what a student misreads ------------------------------------------------------------

def _titled_figures():
    curve = {"epoch": [0.5, 1.0], "train_loss": [1.0, 0.5], "train_acc": [0.7, 0.9],
             "test_epoch": [1.0], "test_loss": [0.6], "test_acc": [0.88]}
    w = _rng(4).normal(0, 0.05, (10, 784)).astype(np.float32)
    return {"mosaic": vm.weight_mosaic(w, title="run #1 · first-layer weights · epoch 1.00 · snapshot 3/3"),
            "stats": vm.weight_stats(np.arange(3), [w, w * 1.1, w * 1.2]),
            "curves": vi.training_curves(curve),
            "confusion": vi.confusion_figure(np.eye(10) * 90 + 1, title="confusion matrix"),
            "per_class": vi.per_class_bars(np.linspace(0.9, 0.99, 10), overall=0.95),
            "bars": vi.probability_bars(np.full(10, 0.1), title="probabilities"),
            "digit": vi.digit_figure(np.zeros((28, 28)), title="what the model sees"),
            "compare": vi.compare_runs([])}


@pytest.mark.parametrize("name", list(_titled_figures()))
def test_titles_sit_below_the_plotly_toolbar(name):
    """Plotly's toolbar covers the top MODEBAR_PX of a plot: no title or subplot title may start there."""
    fig = _titled_figures()[name]
    lay, h = fig.layout, fig.layout.height
    t = lay.margin.t
    if lay.title.text:
        assert lay.title.yref == "container" and lay.title.yanchor == "top"
        assert (1 - lay.title.y) * h >= vm.MODEBAR_PX - 0.5, "the title starts inside the toolbar band"
        assert t >= vm.MODEBAR_PX + vm.TITLE_PX
    subtitles = [a for a in lay.annotations if a.yref == "paper" and a.y == 1.0 and a.yanchor == "bottom"]
    if subtitles:
        room = vm.MODEBAR_PX + vm.TITLE_PX * (1 + bool(lay.title.text))
        assert t >= room, "subplot titles at the top are drawn in the toolbar band"


def test_subplot_titles_start_at_their_panel_left_edge():
    """Centred, "weight histogram over time" was cut at both ends of a narrow panel."""
    w = _rng(5).normal(0, 0.05, (10, 784)).astype(np.float32)
    for fig in (vm.weight_stats(np.arange(2), [w, w]),
                vi.training_curves({"epoch": [1], "train_loss": [1], "train_acc": [0.5]})):
        lefts = sorted(ax.domain[0] for ax in fig.select_xaxes())
        assert [a.xanchor for a in fig.layout.annotations] == ["left"] * len(fig.layout.annotations)
        assert {round(a.x, 6) for a in fig.layout.annotations} <= {round(v, 6) for v in lefts}


def test_per_digit_axis_title_has_room_beside_the_tick_labels():
    """"correct" overlapped the "95%" tick: the axis title needs automargin and a standoff."""
    fig = vi.per_class_bars(np.linspace(0.9, 0.99, 10), overall=0.95)
    ax = fig.layout.yaxis
    assert ax.title.text == "correct" and ax.automargin is True
    assert ax.title.standoff >= 8 and fig.layout.margin.l >= 64


def test_cnn_weight_histogram_has_no_empty_stripes():
    """A CNN's first layer has 16 x 3 x 3 = 144 weights: on 41 bins most rows were empty or held one
    weight, and the heatmap was a striped pattern. Interior rows of the histogram must all hold weights."""
    rng = _rng(6)
    w0 = rng.uniform(-1 / 3, 1 / 3, (16, 1, 3, 3)).astype(np.float32)  # PyTorch's default conv init
    snaps = [w0 + 0.01 * t * rng.normal(size=w0.shape).astype(np.float32) for t in range(20)]
    centres, counts = vm.weight_histograms(snaps)
    assert len(centres) == vm.histogram_bins(144) <= 12
    for t in range(counts.shape[1]):  # no empty bin between a snapshot's smallest and largest weight
        filled = np.flatnonzero(counts[:, t])
        holes = (counts[filled[0]:filled[-1] + 1, t] == 0).sum()
        assert holes == 0, f"snapshot {t}: {holes} empty bins inside the weight range draw stripes"
    assert counts.sum(axis=0).tolist() == [144] * 20
    # a dense layer keeps the fine binning
    assert vm.histogram_bins(10 * 784) == 41


def test_gallery_tiles_leave_the_caption_a_white_strip():
    x = np.zeros((28, 28), np.float32)
    x[:, 27] = 1  # ink down the right edge: where Gradio draws the caption
    tile = vi.gallery_tile(x, 3, caption_px=24)
    assert tile.shape == (108, 108) and tile.dtype == np.uint8
    assert (tile[84:] == 255).all()              # the caption strip is white
    assert (tile[:84, 12:96] == vi.upscale(x, 3)).all()  # the digit is whole, not cropped


def test_curves_legend_sits_below_the_axis_titles():
    fig = vi.training_curves({"epoch": [1], "train_loss": [1], "train_acc": [0.5]})
    lg = fig.layout.legend
    assert (lg.yref, lg.y, lg.yanchor) == ("container", 0, "bottom") and fig.layout.margin.b >= 64


def test_two_line_titles_get_room_for_both_lines():
    """On a phone the one-line titles were cut ("accuracy per digit (dotted: overall 99.46%; ora"):
    the details go on a second, smaller line, and the top margin holds both below the toolbar."""
    fig = vi.per_class_bars(np.linspace(0.9, 0.99, 10), overall=0.95)
    assert "<br>" in fig.layout.title.text and fig.layout.title.text.split("<br>")[0] == "accuracy per digit"
    assert fig.layout.margin.t >= vm.MODEBAR_PX + 2 * vm.TITLE_PX
    assert vm.top_margin("a<br>b") == vm.top_margin("a") + vm.TITLE_PX


def test_compare_legend_sits_below_the_plot():
    runs = [{"name": f"#{i}", "config": {"lr": 0.01 * i}, "test_epoch": [1], "test_acc": [0.9]} for i in range(1, 5)]
    fig = vi.compare_runs(runs)
    lg = fig.layout.legend
    assert (lg.orientation, lg.yref, lg.y, lg.yanchor) == ("h", "container", 0, "bottom")
    assert fig.layout.margin.b >= 60 + 20 * 2   # a line of legend room per extra run


def test_empty_comparison_has_a_sane_axis_and_a_short_hint():
    fig = vi.compare_runs([])
    assert tuple(fig.layout.yaxis.range) == (0, 1)  # not Plotly's -100%..400% for no data
    assert all(len(line) <= 32 for line in fig.layout.annotations[0].text.split("<br>"))
