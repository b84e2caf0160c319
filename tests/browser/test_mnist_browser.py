"""The MNIST tab in a real Chromium: draw digits with the mouse, train quickly, inspect, compare.
Screenshots go to SCREENSHOTS/mnist-*.png (tests/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import SCREENSHOTS
from mnist_strokes import draw  # tests/browser/mnist_strokes.py (pytest puts this folder on sys.path)

pytestmark = pytest.mark.browser


def _open_mnist(page, app_url, section: str | None = None):
    page.goto(app_url)
    page.get_by_role("tab", name="MNIST").click()
    page.locator("#mnist-sketch canvas").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(800)  # the editor sets up its brush after the canvas appears
    if section:
        page.get_by_role("tab", name=section).click()
        page.wait_for_timeout(500)


def _plot_traces(page, elem_id: str) -> list[str]:
    return page.evaluate(
        f"() => {{ const d = document.querySelector('#{elem_id} .js-plotly-plot');"
        " return d && d.data ? d.data.map(t => t.type || 'scatter') : []; }")


def _prediction(page) -> tuple[str, int]:
    page.wait_for_function("document.querySelector('#mnist-draw-msg').innerText.includes('looks like')",
                           timeout=20_000)
    m = re.search(r"looks like a (\d) \((\d+)%", page.locator("#mnist-draw-msg").inner_text())
    return m.group(1), int(m.group(2))


def _clear(page):
    page.locator("#mnist-clear").click()
    page.wait_for_function("!document.querySelector('#mnist-draw-msg').innerText.includes('looks like')",
                           timeout=10_000)
    page.wait_for_timeout(300)


def test_draw_digits_and_see_the_prediction(page, app_url):
    _open_mnist(page, app_url)
    draw(page, "#mnist-sketch", "7")
    assert _prediction(page)[0] == "7"
    # the 28x28 preview, the saliency overlay and the 10 bars are drawn
    assert _plot_traces(page, "mnist-preview") == ["image"]
    assert _plot_traces(page, "mnist-saliency") == ["image"]
    assert _plot_traces(page, "mnist-probs") == ["bar"]
    assert page.locator("#mnist-top3").inner_text().split()[2] == "7"  # "Top 3", then the winner
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "mnist-draw.png"))
    for digit, style in [("1", "large"), ("0", "off-centre"), ("3", "centred"), ("7", "small")]:
        _clear(page)
        draw(page, "#mnist-sketch", digit, style)
        assert _prediction(page)[0] == digit, f"a {style} {digit}"
    _clear(page)
    assert "draw a digit first" in page.locator("#mnist-draw-msg").inner_text().lower()


def test_quick_training_updates_weights_and_curves(page, app_url):
    _open_mnist(page, app_url, "Train & watch the weights")
    lr1 = float(page.locator("#mnist-lr input").input_value())
    page.locator("#mnist-train").click()
    page.wait_for_function("document.querySelector('#mnist-status').innerText.includes('training')"
                           " || document.querySelector('#mnist-status').innerText.includes('finished')",
                           timeout=60_000)
    page.wait_for_function("document.querySelector('#mnist-status').innerText.includes('finished')",
                           timeout=180_000)
    page.wait_for_timeout(1000)
    assert _plot_traces(page, "mnist-mosaic") == ["heatmap"]
    curves = page.evaluate("() => document.querySelector('#mnist-curves .js-plotly-plot').data"
                           ".map(t => [t.name, t.x.length])")
    assert [c[0] for c in curves] == ["train", "test", "train", "test"] and min(c[1] for c in curves) >= 3
    title = page.evaluate("() => document.querySelector('#mnist-mosaic .js-plotly-plot').layout.title.text")
    n = int(re.search(r"snapshot (\d+)/(\d+)", title).group(2))
    assert n >= 3
    page.screenshot(path=str(SCREENSHOTS / "mnist-train.png"), full_page=True)
    # play the timeline from the first snapshot: the mosaic steps through the recorded weights
    page.get_by_role("button", name="▶ Play").click()
    page.wait_for_function("() => /snapshot [1-3]\\//.test(document.querySelector('#mnist-mosaic .js-plotly-plot')"
                           ".layout.title.text)", timeout=20_000)
    page.get_by_label("Change since start (Wₜ − W₀)").check()
    page.wait_for_function("() => document.querySelector('#mnist-mosaic .js-plotly-plot').layout.title.text"
                           ".includes('change since start')", timeout=20_000)
    page.screenshot(path=str(SCREENSHOTS / "mnist-weights-diff.png"), full_page=True)
    # a second run with another learning rate, then both in "Compare runs"
    page.locator("#mnist-lr input").fill(str(lr1 * 5))
    page.locator("#mnist-lr input").press("Enter")
    page.locator("#mnist-train").click()
    page.wait_for_function("document.querySelector('#mnist-status').innerText.includes('run #2')"
                           " && document.querySelector('#mnist-status').innerText.includes('finished')",
                           timeout=180_000)
    page.get_by_role("tab", name="Compare runs").click()
    page.wait_for_function("() => { const d = document.querySelector('#mnist-compare .js-plotly-plot');"
                           " return d && d.data && d.data.length >= 2; }", timeout=20_000)
    names = page.evaluate("() => document.querySelector('#mnist-compare .js-plotly-plot').data.map(t => t.name)")
    assert names == [f"#1: lr={lr1:g}", f"#2: lr={lr1 * 5:g}"]
    assert f"{lr1 * 5:g}" in page.locator("#mnist-runs-table").inner_text()
    page.wait_for_timeout(800)
    page.screenshot(path=str(SCREENSHOTS / "mnist-compare.png"), full_page=True)


def test_inspect_and_compare(page, app_url):
    _open_mnist(page, app_url, "Inspect errors")
    page.locator("#mnist-evaluate").click()
    page.wait_for_function("document.body.innerText.includes('test accuracy ·')", timeout=120_000)
    acc = float(re.search(r"([\d.]+)% test accuracy", page.locator("body").inner_text()).group(1))
    assert acc > 97
    page.wait_for_timeout(800)
    assert _plot_traces(page, "mnist-confusion") == ["heatmap"]
    # click the confusion cell (true 7, predicted 9) with the mouse, on the plot itself
    xy = page.evaluate("""() => { const d = document.querySelector('#mnist-confusion .js-plotly-plot');
        const L = d._fullLayout, r = d.getBoundingClientRect();
        return [r.left + L._size.l + L.xaxis.l2p(9), r.top + L._size.t + L.yaxis.l2p(7)]; }""")
    page.mouse.click(*xy)
    page.wait_for_function("() => { const d = document.querySelector('#mnist-confusion .js-plotly-plot');"
                           " return d.layout.shapes && d.layout.shapes.length && d.layout.shapes[0].y0 === 6.5; }",
                           timeout=20_000)
    assert page.locator("#mnist-cell-gallery").count() == 1
    assert page.locator("#mnist-mistakes img").count() >= 10
    page.screenshot(path=str(SCREENSHOTS / "mnist-inspect.png"), full_page=True)


def test_the_weight_decay_box_follows_the_optimizer(page, app_url):
    """Issue 17.6: choosing AdamW shows (and trains with) its own decay, 0.01; a typed value stays."""
    _open_mnist(page, app_url, "Train & watch the weights")
    controls = page.locator("#mnist-train-controls")
    controls.get_by_text("More settings").click()
    box = page.locator("#mnist-weight-decay input")

    def choose(name, value):
        controls.get_by_label("Optimizer").click()
        page.get_by_role("option", name=name, exact=True).click()
        page.wait_for_function(f"document.querySelector('#mnist-weight-decay input').value == '{value}'",
                               timeout=20_000)

    assert box.input_value() == "0"
    choose("adamw", "0.01")
    choose("sgd", "0")
    box.fill("0.003")
    box.press("Enter")
    choose("adamw", "0.003")
    box.fill("0")
    box.press("Enter")
    choose("adamw", "0")
    choose("adam", "0")
    choose("adamw", "0.01")
    controls.screenshot(path=str(SCREENSHOTS / "mnist-weight-decay.png"))
