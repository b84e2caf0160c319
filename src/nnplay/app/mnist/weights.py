"""First-layer weights: the mosaic, the timeline (slider + play), W_t - W_0, norm and histogram,
and for CNNs the first layer's feature maps for a chosen test digit."""

from __future__ import annotations

import gradio as gr
import numpy as np

from nnplay.engine.mnist.data import load_mnist
from nnplay.engine.mnist.models import is_convolutional
from nnplay.engine.mnist.probe import first_activations
from nnplay.viz import mnist as vm

from . import zoom
from .common import width_js
from .runs import Run, Session

DIGIT_LABELS = [str(d) for d in range(10)]
MOSAIC_H, STATS_H, ACT_H = 520, 520, 330
DEFAULT_PX = 620      # the mosaic's width on a desktop, used until the page has said how wide it is
NARROW_PX = 480       # narrower than this: colour bar below the tiles, weight statistics stacked below
# Events that draw the mosaic send its width in pixels as their last input (a hidden number),
# so a phone gets fewer, bigger tile columns than a desktop.
WIDTH_JS = width_js("mnist-mosaic")


HELP = ("**First-layer weights.** Each tile is one unit's 784 input weights drawn as a 28×28 picture "
        "(for logistic regression: one tile per digit; for a CNN: its first filters). Red = positive, "
        "blue = negative, on one colour scale for all tiles and all snapshots, so growing weights get stronger "
        "colours. Drag the slider or press Play to watch them develop; tick *change since start* to see Wₜ − W₀.")


def build(ui) -> None:
    gr.Markdown(HELP, elem_id="mnist-weights-help")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=400):
            ui.mosaic = gr.Plot(label="First-layer weights", show_label=False, elem_id="mnist-mosaic",
                                value=vm.weight_mosaic(np.zeros((10, 784), np.float32), height=300, cols=5,
                                                       title="first-layer weights appear here"))
            with gr.Row(equal_height=True, elem_id="mnist-timeline-row"):
                ui.play = gr.Button("▶ Play", scale=0, min_width=90, size="md")
                ui.diff = gr.Checkbox(False, label="Change since start (Wₜ − W₀)", scale=1, min_width=200)
            ui.timeline = gr.Slider(1, 2, value=1, step=1, label="Snapshot (drag to travel in time)",
                                    elem_id="mnist-timeline")
        ui.stats = gr.Plot(label="Weight norm and histogram", show_label=False, scale=2, min_width=300,
                           elem_id="mnist-wstats", value=vm.weight_stats(np.zeros(0), [], height=360))
    ui.mosaic_px = gr.Number(0, visible=False)
    ui.zoom = gr.HTML("", js_on_load=zoom.ZOOM_JS, elem_id="mnist-zoom-hook")
    with gr.Row(visible=False, equal_height=False) as ui.act_row:
        with gr.Column(scale=1, min_width=200):
            ui.act_digit = gr.Slider(0, 999, value=0, step=1, label="Test digit #")
            ui.act_image = gr.Image(label="Input", height=150, width=150, interactive=False,
                                    buttons=[])
        ui.act_plot = gr.Plot(label="First-layer feature maps", show_label=False, scale=3)
    ui.play_timer = gr.Timer(0.35, active=False)


def title_for(run: Run, index: int, n: int, epoch: float, diff: bool, short: bool = False) -> str:
    if short:  # a phone's plot is ~350 px wide
        return f"{run.name} · {'Wₜ − W₀' if diff else 'weights'} · ep {epoch:.2f} · snapshot {index + 1}/{n}"
    what = "change since start Wₜ − W₀" if diff else "first-layer weights"
    return f"run {run.name} · {what} · epoch {epoch:.2f} · snapshot {index + 1}/{n}"


def mosaic_grid(n: int, px: float | None) -> tuple[int, int, bool]:
    """(columns, figure height, colour bar below) for n tiles in a plot px wide: tiles at least
    ~56 px wide (fewer columns on a phone), the height following the rows."""
    px = float(px) if px and px > 50 else DEFAULT_PX
    narrow = px < NARROW_PX
    chrome = 24 if narrow else 100
    cols = vm.fit_columns(n, px, chrome_px=chrome, min_tile_px=72 if narrow else 56)
    rows = -(-n // cols)
    tile = min((px - chrome) / cols, 130)
    extra = vm.top_margin("title") + (70 if narrow else 30)
    return cols, int(np.clip(rows * (tile + 2) + extra, 260, 1700)), narrow


def figures(run: Run | None, view: dict | None, index: int | None, diff: bool, px: float | None = None):
    """(mosaic, stats) for snapshot `index` (None = the latest) of a run; px: the mosaic's width."""
    if run is None or not view or not view["snapshots"]:
        return gr.skip(), gr.skip()
    snaps, epochs = view["snapshots"], view["snap_epochs"]
    i = len(snaps) - 1 if index is None else int(np.clip(index, 0, len(snaps) - 1))
    shown = [s - snaps[0] for s in snaps] if diff else snaps
    lim = vm.symmetric_limit(*shown)  # one scale over the whole run: growth shows as stronger colour
    labels = DIGIT_LABELS if run.cfg.model == "logistic" else None
    cols, height, narrow = mosaic_grid(min(len(snaps[0]), vm.MAX_TILES), px)
    mosaic = vm.weight_mosaic(shown[i], zmax=lim, labels=labels, diff=diff, height=height, cols=cols,
                              colorbar_below=narrow, title=title_for(run, i, len(snaps), epochs[i], diff, narrow))
    stats = vm.weight_stats(np.asarray(epochs), shown, current=i, height=380 if narrow else max(height, 380),
                            lim=lim)
    return mosaic, stats


def show_snapshot(session: Session, number: float, diff: bool, px: float = 0):
    """Slider value k (1-based) -> snapshot k - 1."""
    run = session.current if session else None
    view = run.view() if run else None
    return figures(run, view, int(number) - 1, diff, px)


def start_play(session: Session, number: float):
    """Play from the current snapshot (from the first one when at the end)."""
    run = session.current if session else None
    n = len(run.view()["snapshots"]) if run else 0
    if n < 2:
        return gr.skip(), gr.Timer(active=False)
    return (1 if number >= n else int(number)), gr.Timer(active=True)


def play_tick(session: Session, number: float, diff: bool, px: float = 0):
    """Advance the timeline one snapshot; stop at the end."""
    run = session.current if session else None
    if run is None:
        return gr.skip(), gr.skip(), gr.skip(), gr.Timer(active=False)
    view = run.view()
    n = len(view["snapshots"])
    k = min(int(number) + 1, n)
    mosaic, stats = figures(run, view, k - 1, diff, px)
    return k, mosaic, stats, gr.Timer(active=k < n)


def feature_maps(session: Session, key_index: float):
    """The chosen test digit and the first conv layer's maps for it (CNN runs only)."""
    run = session.current if session else None
    if run is None or run.model is None or run.running or not is_convolutional(run.cfg.model):
        return gr.skip(), gr.skip()
    data = load_mnist()
    i = int(np.clip(key_index, 0, len(data.test_y) - 1))
    x = data.test_x[i, 0].numpy()
    maps = first_activations(run.model, x)
    img = (np.kron(1 - x, np.ones((5, 5))) * 255).astype(np.uint8)
    fig = vm.activation_mosaic(maps, height=ACT_H,
                               title=f"what each of the {len(maps)} first-layer filters finds in test digit #{i} "
                                     f"(a {int(data.test_y[i])})")
    return img, fig


def wire(ui) -> None:
    shown = [ui.session, ui.timeline, ui.diff, ui.mosaic_px]
    ui.timeline.input(show_snapshot, shown, [ui.mosaic, ui.stats], js=WIDTH_JS,
                      show_progress="hidden", api_visibility="private", trigger_mode="always_last")
    ui.diff.change(show_snapshot, shown, [ui.mosaic, ui.stats], js=WIDTH_JS,
                   show_progress="hidden", api_visibility="private")
    ui.play.click(start_play, [ui.session, ui.timeline], [ui.timeline, ui.play_timer], api_visibility="private")
    ui.play_timer.tick(play_tick, shown, [ui.timeline, ui.mosaic, ui.stats, ui.play_timer], js=WIDTH_JS,
                       show_progress="hidden", api_visibility="private")
    ui.act_digit.release(feature_maps, [ui.session, ui.act_digit], [ui.act_image, ui.act_plot],
                         show_progress="hidden", api_visibility="private")
