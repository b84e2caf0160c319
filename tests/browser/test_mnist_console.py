"""Issue 17.10: a training session in the MNIST lab must leave no error in the browser console
("AbortError: signal is aborted without reason", "Connection errored out" were reported once).
This drives what a student does while a model trains: tick the diff view, change the learning
rate, switch sections, stop a run, train again, play the timeline; every console error and
uncaught page error is collected and must stay empty."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _section(page, name):
    page.locator("#mnist-sections").get_by_role("tab", name=name).click()
    page.wait_for_timeout(300)


def test_a_training_session_logs_no_console_errors(browser, app_url):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page: {e}"))
    try:
        page.goto(app_url)
        page.get_by_role("tab", name="MNIST").click()
        page.locator("#mnist-sketch canvas").first.wait_for(state="visible", timeout=30_000)
        _section(page, "Train & watch the weights")
        for k in (1, 2, 3):
            page.locator("#mnist-train").click()
            page.wait_for_function(f"document.querySelector('#mnist-status').innerText.includes('run #{k}')",
                                   timeout=60_000)
            page.get_by_label("Change since start (Wₜ − W₀)").click()
            page.locator("#mnist-lr input").fill(str(0.01 * k))
            page.locator("#mnist-lr input").press("Enter")
            for name in ("Compare runs", "Inspect errors", "My handwriting", "Train & watch the weights"):
                _section(page, name)
            if k == 2:
                page.locator("#mnist-stop").click()
            page.wait_for_function(f"document.querySelector('#mnist-status').innerText.includes('run #{k}')"
                                   " && /finished|stopped/.test(document.querySelector('#mnist-status').innerText)",
                                   timeout=240_000)
            page.get_by_role("button", name="▶ Play").click()
            page.wait_for_timeout(1500)
        page.wait_for_timeout(2000)
        assert "errored out" not in page.locator("body").inner_text().lower()
        assert errors == []
    finally:
        ctx.close()
