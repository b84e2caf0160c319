"""Photos in a real Chromium: upload a photographed number and a non-digit, see the steps,
the boxes with each digit's top 3, and the not-a-digit message. Screenshots go to
SCREENSHOTS/mnist-photo-*.png (docs/USAGE.md shows them)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import SCREENSHOTS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "photos"))
import generator as g  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    from nnplay.engine.mnist import load_mnist

    d = load_mnist(test_subset=200)
    xs, ys = d.test_x[:, 0].numpy(), d.test_y.numpy()
    want = {int(y): x for x, y in zip(reversed(xs), reversed(ys))}  # the first of each digit
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(8)
    lk = g.look_for("ruled notebook paper", rng)
    lk.height, lk.pen, lk.shadow, lk.table = 0.25, "ballpoint", True, 0.0
    number = folder / "number-427.jpg"
    number.write_bytes(g.photo_of([g.skeleton_segments(want[d]) for d in (4, 2, 7)], lk, rng))
    letter = folder / "letter-A.jpg"
    letter.write_bytes(g.printed_picture("A", g.look_for("even light", rng), rng))
    return number, letter


def _upload(page, app_url, path):
    page.goto(app_url)
    page.get_by_role("tab", name="MNIST").click()
    page.locator("#mnist-sketch canvas").first.wait_for(state="visible", timeout=30_000)
    page.get_by_role("tab", name="Upload").click()
    page.locator("#mnist-upload input[type=file]").set_input_files(str(path))


def _message(page, words: str) -> str:
    page.wait_for_function(f"() => document.querySelector('#mnist-draw-msg').innerText.includes({words!r})",
                           timeout=60_000)
    return page.locator("#mnist-draw-msg").inner_text()


def _plot(page, elem_id: str) -> dict:
    page.wait_for_function("id => { const d = document.querySelector('#' + id + ' .js-plotly-plot');"
                           " return !!(d && d.data && d.data.length > 0); }", arg=elem_id, timeout=30_000)
    return page.evaluate(f"""() => {{ const d = document.querySelector('#{elem_id} .js-plotly-plot');
        return {{traces: d.data.map(t => t.type), shapes: (d.layout.shapes || []).length,
                 notes: (d.layout.annotations || []).map(a => a.text)}}; }}""")


def test_a_photographed_number_shows_boxes_and_steps(page, app_url, pictures):
    page.set_viewport_size({"width": 1440, "height": 1300})
    _upload(page, app_url, pictures[0])
    msg = _message(page, "reads")
    assert "It reads 427" in msg                                  # (this picture is read right today)
    boxes = _plot(page, "mnist-boxes")
    assert boxes["shapes"] == 3 and [n for n in boxes["notes"] if n.startswith("<b>")] == ["<b>4</b>", "<b>2</b>",
                                                                                          "<b>7</b>"]
    assert sum("%" in n for n in boxes["notes"]) == 3          # each digit's top 3
    steps = _plot(page, "mnist-steps")
    titles = page.evaluate("() => document.querySelector('#mnist-steps .js-plotly-plot').layout.annotations"
                           ".map(a => a.text)")
    assert "flat-field" in titles and any(t.startswith("lines removed") for t in titles)
    assert len(steps["traces"]) == len(titles) >= 6
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#mnist-boxes").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "mnist-photo-number.png"), full_page=False)
    # switching a step off re-reads the picture without it: lines stay, the reading changes
    page.locator("#mnist-steps-toggles label", has_text="remove ruled/grid lines").click()
    page.wait_for_function("() => !document.querySelector('#mnist-steps .js-plotly-plot').layout.annotations"
                           ".some(a => a.text.startsWith('lines removed'))", timeout=60_000)


def test_a_letter_is_not_a_digit(page, app_url, pictures):
    page.set_viewport_size({"width": 1440, "height": 1300})
    _upload(page, app_url, pictures[1])
    msg = _message(page, "does not look like a digit")
    assert "A network trained only on digits would still have said" in msg
    page.locator("#mnist-boxes").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "mnist-photo-not-a-digit.png"), full_page=False)


@pytest.mark.parametrize("width,height,name", [(820, 1180, "tablet"), (390, 844, "phone")])
def test_the_photo_views_fit_small_screens(page, app_url, pictures, width, height, name):
    page.set_viewport_size({"width": width, "height": height})
    _upload(page, app_url, pictures[0])
    _message(page, "reads")
    _plot(page, "mnist-boxes")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("#mnist-boxes").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"mnist-photo-{name}.png"))
