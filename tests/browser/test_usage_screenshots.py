"""Annotated screenshots for docs/USAGE.md: each lab's panels outlined and numbered in a real
Chromium, after really using them (XOR trained until solved, a digit drawn with the mouse).
The numbers match the panel-by-panel walk-through in the guide."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from mnist_strokes import draw  # tests/browser/mnist_strokes.py
from netutil import free_port

from tests.conftest import SCREENSHOTS


@pytest.fixture(scope="module")
def app_url():
    """A fresh server for the documentation shots: the session-wide one has served every other
    test by now (finished sessions, background trainings, queued events), and the shots should
    show the app as a new visitor finds it."""
    from nnplay.app.main import launch

    port = free_port()
    demo = launch(host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()

pytestmark = pytest.mark.browser
LONG = 90_000

# Draw a numbered frame around each panel: the union of its parts, each part a CSS selector
# (optionally widened to its closest `up` container) or an XPath starting with "//".
ANNOTATE_JS = """(items) => {
  document.querySelectorAll('.nnp-usage-badge').forEach(b => b.remove());
  const find = (sel) => sel.startsWith('//')
    ? document.evaluate(sel, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue
    : document.querySelector(sel);
  const placed = [];
  for (const [parts, up, n] of items) {
    const rects = [];
    for (const sel of parts) {
      let el = find(sel);
      if (el && up) el = el.closest(up) || el;
      if (el) rects.push(el.getBoundingClientRect());
    }
    if (rects.length < parts.length) { placed.push(null); continue; }
    const l = Math.min(...rects.map(r => r.left)) - 4, t = Math.min(...rects.map(r => r.top)) - 4;
    const w = Math.max(...rects.map(r => r.right)) + 4 - l, h = Math.max(...rects.map(r => r.bottom)) + 4 - t;
    const frame = document.createElement('div');
    frame.className = 'nnp-usage-badge';
    Object.assign(frame.style, {position: 'absolute', left: (l + scrollX) + 'px', top: (t + scrollY) + 'px',
      width: w + 'px', height: h + 'px', border: '3px solid #e11d48', borderRadius: '8px',
      pointerEvents: 'none', zIndex: 9999, boxSizing: 'border-box'});
    const b = document.createElement('div');
    b.className = 'nnp-usage-badge';
    b.textContent = n;
    Object.assign(b.style, {position: 'absolute', left: (l + scrollX - 14) + 'px', top: (t + scrollY - 14) + 'px',
      width: '28px', height: '28px', lineHeight: '28px', borderRadius: '50%', background: '#e11d48',
      color: 'white', font: 'bold 16px sans-serif', textAlign: 'center', zIndex: 10000,
      boxShadow: '0 1px 4px rgba(0,0,0,.4)'});
    document.body.append(frame, b);
    placed.push(n);
  }
  return placed;
}"""

TRY_TITLE = "//div[contains(@class,'gates-col-title')][contains(.,'Try an input')]"
GATES_PANELS = [
    (["#gates-topbar"], None, "1"),                          # play / pause / step / reset, epoch, status
    (["#gates-lr"], ".row", "2"),                            # hyperparameters
    (["#gates-gate"], ".column", "3"),                       # data: gate, truth-table bits, sampling, features
    (["#gates-layer-minus", "#gates-layer-row"], None, "4"),  # layers and neurons
    (["#gates-net"], None, "5"),                             # the network diagram
    (["#gates-node", "#gates-neuron", "#gates-set-weight"], None, "6"),  # enlarged node, edge editor
    (["#gates-boundary"], None, "7"),                        # decision boundary
    (["#gates-curves"], None, "8"),                          # loss and accuracy curves
    (["#gates-truth"], None, "9"),                           # truth table with probabilities
    ([TRY_TITLE, "#gates-try-out"], None, "10"),             # try an input
    (["#gates-timeline", "#gates-replay"], None, "11"),      # timeline and replay
    (["#gates-link", "#gates-export"], None, "12"),          # link, export
]


def test_gates_lab_annotated(page, app_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(app_url)
    page.wait_for_selector("#gates-truth table", timeout=LONG)
    page.wait_for_selector("#gates-net .nnp-view[data-epoch]", timeout=LONG)
    page.click("#gates-play")
    page.wait_for_selector("#gates-truth table[data-correct='4']", timeout=LONG)  # XOR solved
    page.click("#gates-pause")
    page.locator("#gates-status").filter(has_text="Paused at epoch").wait_for(timeout=LONG)
    page.wait_for_timeout(800)
    placed = page.evaluate(ANNOTATE_JS, [list(p) for p in GATES_PANELS])
    assert None not in placed, f"panel not found: {[p[0] for p, x in zip(GATES_PANELS, placed) if x is None]}"
    page.screenshot(path=str(SCREENSHOTS / "usage-gates-annotated.png"), full_page=True)


def test_mnist_draw_annotated(page, app_url):
    page.goto(app_url)
    page.get_by_role("tab", name="MNIST").click()
    page.locator("#mnist-sketch canvas").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(800)
    draw(page, "#mnist-sketch", "4", "off-centre")  # few points: each mouse move costs time
    page.wait_for_function("document.querySelector('#mnist-draw-msg').innerText.includes('looks like')",
                           timeout=30_000)
    page.wait_for_timeout(600)
    items = [
        (["#mnist-sketch", "#mnist-clear"], ".column", "1"),           # draw / upload, clear
        (["#mnist-draw-msg", "#mnist-top3"], ".column", "2"),          # model, invert, crop/centre, verdict
        (["#mnist-preview"], None, "3"),                               # what the model sees
        (["#mnist-saliency"], None, "4"),                              # saliency
        (["#mnist-probs"], None, "5"),                                 # probabilities
    ]
    placed = page.evaluate(ANNOTATE_JS, [list(p) for p in items])
    assert None not in placed
    page.screenshot(path=str(SCREENSHOTS / "usage-mnist-draw-annotated.png"))


def fill_and_keep(page, box, text: str) -> None:
    """Type into a textbox of a just-opened section. Gradio mounts an accordion's or tab's
    children lazily and may put the default value back once mounted, so fill until it stays."""
    for _ in range(10):
        box.fill(text)
        page.wait_for_timeout(500)
        if box.input_value() == text:
            break
    expect(box).to_have_value(text)


def test_experiments_sections(page, app_url):
    """A small sweep in each lab's Experiments section, shown with its heatmap and table."""
    page.goto(app_url)
    page.wait_for_selector("#gates-truth table", timeout=LONG)
    page.get_by_text("Experiments: sweeps, seed ensembles and classic lessons").click()
    root = "#gates-experiments"
    page.locator(root).wait_for(state="visible", timeout=LONG)
    values = page.locator(f"{root} textarea")
    fill_and_keep(page, values.nth(0), "0.03,0.3")
    fill_and_keep(page, values.nth(1), "none,2,4-4")
    expect(values.nth(0)).to_have_value("0.03,0.3")
    values.nth(1).press("Tab")  # commit the edit before the click reads it
    page.click("#gates-sweep-run")
    page.locator("#gates-sweep-status").filter(has_text="Done:").wait_for(timeout=LONG)
    assert "6 of 6 cells" in page.locator("#gates-sweep-status").inner_text()
    page.wait_for_timeout(800)
    page.locator(root).screenshot(path=str(SCREENSHOTS / "usage-gates-experiments.png"))

    page.get_by_role("tab", name="MNIST").click()
    page.get_by_role("tab", name="Experiments").click()
    root = "#mnist-experiments"
    page.locator(root).wait_for(state="visible", timeout=LONG)
    values = page.locator(f"{root} textarea")
    fill_and_keep(page, values.nth(0), "32,128")
    fill_and_keep(page, values.nth(1), "0.001,0.01")
    expect(values.nth(0)).to_have_value("32,128")
    values.nth(1).press("Tab")
    page.click("#mnist-sweep-run")
    page.locator("#mnist-sweep-status").filter(has_text="Done").wait_for(timeout=LONG * 2)
    page.wait_for_timeout(800)
    page.locator(root).screenshot(path=str(SCREENSHOTS / "usage-mnist-experiments.png"))
