"""The gate lab's controls in a real Chromium: a lesson's "Try it" loads its setup and brings
the lab into view, pinned runs are compared (issue 17.9), a flipped table shows its name and
an unknown link key is named (17.6). Screenshots: gates-lesson-try-it.png, gates-compare-*.png."""

from __future__ import annotations

import pytest

from tests.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

LONG = 90_000  # ms; the machine may be busy (no timing is asserted)


def link(page) -> str:
    return page.locator("#gates-link textarea, #gates-link input").first.input_value()


def test_try_it_opens_the_lessons_setup_in_the_lab(page, app_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(app_url)
    page.wait_for_selector("#gates-truth table", timeout=LONG)
    assert "hidden" not in link(page)  # the defaults: 4,4
    page.get_by_text("Experiments: sweeps, seed ensembles and classic lessons").click()
    button = page.locator("#gates-try-xor-no-hidden-layer")
    button.scroll_into_view_if_needed(timeout=LONG)
    assert page.evaluate("window.scrollY") > 500  # the lessons sit far below the lab
    button.click()
    page.wait_for_function("(document.querySelector('#gates-link textarea') || "
                           "document.querySelector('#gates-link input')).value.includes('hidden=none')", timeout=LONG)
    page.locator("#gates-status").filter(has_text="Lesson setup loaded: no hidden layer").wait_for(timeout=LONG)
    page.wait_for_function("document.querySelector('#gates-play').getBoundingClientRect().top >= 0 && "
                           "document.querySelector('#gates-play').getBoundingClientRect().bottom <= "
                           "window.innerHeight", timeout=LONG)
    assert "0</b> hidden layers" in page.locator(".gates-layers").first.inner_html()
    page.screenshot(path=str(SCREENSHOTS / "gates-lesson-try-it.png"))

    # The learning-rate lesson's "too high" setup: SGD at lr 10 on a 4-4 network.
    page.get_by_text("Experiments: sweeps, seed ensembles and classic lessons").scroll_into_view_if_needed()
    page.locator("#gates-try-lr-lr-10--too-high").click()
    page.wait_for_function("(document.querySelector('#gates-link textarea') || "
                           "document.querySelector('#gates-link input')).value.includes('lr=10.0')", timeout=LONG)
    assert "optimizer=sgd" in link(page) and "hidden" not in link(page)


@pytest.mark.parametrize("width, height", [(1440, 1000), (820, 1180), (390, 844)])
def test_pin_two_runs_and_compare_them(browser, app_url, width, height):
    ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    page = ctx.new_page()
    try:
        page.goto(app_url)
        page.wait_for_selector("#gates-truth table", timeout=LONG)
        page.get_by_text("Compare runs: pin a run, change settings, pin again").click()
        for _ in range(3):
            page.click("#gates-step")
        page.click("#gates-pin")
        page.locator("#gates-pinned").filter(has_text="#1 XOR, hidden 4,4, adam lr 0.03").wait_for(timeout=LONG)
        page.locator("#gates-lr input").first.click()
        page.get_by_role("option", name="0.3", exact=True).click()
        page.locator("#gates-status").filter(has_text="now applies").wait_for(timeout=LONG)
        page.click("#gates-step")
        page.click("#gates-pin")
        page.locator("#gates-pinned").filter(has_text="#2 lr=0.3").wait_for(timeout=LONG)
        page.wait_for_function("document.querySelectorAll('#gates-compare-plot .heatmaplayer image, "
                               "#gates-compare-plot .hm image').length >= 2 || "
                               "document.querySelectorAll('#gates-compare-plot g.heatmaplayer g.hm').length >= 2",
                               timeout=LONG)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.locator("#gates-compare").scroll_into_view_if_needed()
        page.locator("#gates-compare").screenshot(path=str(SCREENSHOTS / f"gates-compare-{width}.png"))
    finally:
        ctx.close()


def test_flipping_into_a_named_table_shows_its_name_and_an_unknown_link_key_is_named(page, app_url):
    page.goto(app_url.rstrip("/") + "/?bogus=1")
    page.wait_for_selector("#gates-truth table", timeout=LONG)
    status = page.locator("#gates-status")
    status.filter(has_text="Ignored 'bogus' in the link").wait_for(timeout=LONG)
    assert "applied" not in status.inner_text()
    page.locator("#gates-bits-row button").nth(3).click()  # XOR's row 11: 0 -> 1 makes OR (0111)
    page.wait_for_function("(document.querySelector('#gates-link textarea') || "
                           "document.querySelector('#gates-link input')).value.includes('gate=OR')", timeout=LONG)
    assert page.locator("#gates-gate input").first.input_value() == "OR"


def test_sgd_at_lr_10_stops_in_the_page_with_a_message(page, app_url):
    page.goto(app_url.rstrip("/") + "/?optimizer=sgd&lr=10.0")
    page.wait_for_selector("#gates-truth table", timeout=LONG)
    page.click("#gates-play")
    status = page.locator("#gates-status")
    status.filter(has_text="Training stopped: diverged at epoch").wait_for(timeout=LONG)
    text = status.inner_text()
    assert "the loss grew from" in text and "lower the learning rate" in text
