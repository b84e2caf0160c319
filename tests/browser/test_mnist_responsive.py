"""The MNIST lab on a phone (390x844) and a tablet (820x1180), in a real Chromium: no sideways
scroll, no overlapping controls, readable weight tiles that enlarge when tapped, galleries that fit,
and a training that leaves no error in the browser console.
Screenshots go to SCREENSHOTS/mnist-{phone,tablet}-*.png (tests/conftest.py)."""

from __future__ import annotations

import itertools

import pytest
from tests.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "tablet": (820, 1180)}
# The Train section's controls and views: none may cover another, none may stick out of the screen.
TRAIN_PARTS = ["#mnist-model", "#mnist-lr", "#mnist-train", "#mnist-stop", "#mnist-status", "#mnist-curves",
               "#mnist-mosaic", "#mnist-timeline", "#mnist-timeline-row button", "#mnist-timeline-row label",
               "#mnist-wstats"]
MIN_TILE_PX = 48


@pytest.fixture(params=list(SIZES))
def sized(request, browser):
    w, h = SIZES[request.param]
    ctx = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1, has_touch=True)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield request.param, pg, errors
    ctx.close()


def _section(page, app_url, name: str):
    page.goto(app_url)
    page.get_by_role("tab", name="MNIST").click()
    page.locator("#mnist-sketch canvas").first.wait_for(state="visible", timeout=30_000)
    page.locator("#mnist-sections").get_by_role("tab", name=name).click()
    page.wait_for_timeout(600)


def _no_sideways_scroll(page):
    sw, cw = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert sw <= cw, f"the page scrolls sideways: {sw} px of content in {cw} px"


def _boxes(page, selectors):
    out = {}
    for sel in selectors:
        loc = page.locator(sel).first
        assert loc.count() == 1 or page.locator(sel).count() >= 1, f"{sel} is missing"
        out[sel] = loc.bounding_box()
        assert out[sel] is not None, f"{sel} is not shown"
    return out


def _overlap(a, b) -> float:
    dx = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    dy = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(0.0, dx) * max(0.0, dy)


def _train_quick(page):
    page.locator("#mnist-train").click()
    page.wait_for_function("document.querySelector('#mnist-status').innerText.includes('finished')",
                           timeout=240_000)
    page.wait_for_function("() => { const d = document.querySelector('#mnist-mosaic .js-plotly-plot');"
                           " return d && d.layout && d.layout.title && /snapshot/.test(d.layout.title.text); }",
                           timeout=30_000)
    page.wait_for_timeout(800)


def test_train_section_fits_phone_and_tablet(sized, app_url):
    name, page, errors = sized
    width = SIZES[name][0]
    _section(page, app_url, "Train & watch the weights")
    # every section tab is on screen (they wrap instead of hiding in a "..." menu)
    tabs = page.locator("#mnist-sections").get_by_role("tab")
    assert tabs.count() == 6 and all(tabs.nth(i).is_visible() for i in range(6))
    _train_quick(page)
    _no_sideways_scroll(page)
    boxes = _boxes(page, TRAIN_PARTS)
    for sel, b in boxes.items():
        assert b["x"] >= 0 and b["x"] + b["width"] <= width + 0.5, f"{sel} sticks out of the screen: {b}"
    for (s1, b1), (s2, b2) in itertools.combinations(boxes.items(), 2):
        if s2.startswith(s1 + " ") or s1.startswith(s2 + " "):
            continue  # a part and its own button/label
        assert _overlap(b1, b2) < 1, f"{s1} and {s2} overlap: {b1} {b2}"
    # weight tiles big enough to read: the plot's pixels per tile
    tile_px = page.evaluate("""() => { const d = document.querySelector('#mnist-mosaic .js-plotly-plot');
        const t = d.layout.meta.tile, L = d._fullLayout;
        return L.xaxis._length / (t.cols * (t.w + t.gap) - t.gap) * t.w; }""")
    assert tile_px >= MIN_TILE_PX, f"weight tiles are {tile_px:.0f} px wide"
    # every subplot title of the weight statistics is inside its plot (not "weight histogram over tim")
    inside = page.evaluate("""() => { const p = document.querySelector('#mnist-wstats .js-plotly-plot');
        const r = p.getBoundingClientRect();
        return [...p.querySelectorAll('.annotation-text')].map(a => { const b = a.getBoundingClientRect();
          return b.left >= r.left - 0.5 && b.right <= r.right + 0.5; }); }""")
    assert inside and all(inside)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"mnist-{name}-train.png"), full_page=True)
    # tap a tile: the enlarged view shows exactly that tile's 28x28 weights
    page.locator("#mnist-mosaic").scroll_into_view_if_needed()
    xy = page.evaluate("""() => { const d = document.querySelector('#mnist-mosaic .js-plotly-plot');
        const t = d.layout.meta.tile, L = d._fullLayout, r = d.getBoundingClientRect();
        const c = 1, row = 0;  // the second tile (digit 1)
        const x = c * (t.w + t.gap) + t.w / 2, y = row * (t.h + t.gap) + t.h / 2;
        return [r.left + L._size.l + L.xaxis.l2p(x), r.top + L._size.t + L.yaxis.l2p(y)]; }""")
    page.mouse.click(*xy)
    page.locator("#mnist-zoom .js-plotly-plot").wait_for(state="visible", timeout=10_000)
    same = page.evaluate("""() => { const d = document.querySelector('#mnist-mosaic .js-plotly-plot');
        const t = d.layout.meta.tile, z = d._fullData[0].z;
        const big = document.querySelector('#mnist-zoom .js-plotly-plot')._fullData[0].z;
        if (big.length !== t.h || big[0].length !== t.w) return 'shape ' + big.length + 'x' + big[0].length;
        for (let i = 0; i < t.h; i++) for (let j = 0; j < t.w; j++)
          if (Math.abs(big[i][j] - z[i][t.w + t.gap + j]) > 1e-6) return 'differs at ' + i + ',' + j;
        return 'same'; }""")
    assert same == "same"
    assert page.locator("#mnist-zoom").inner_text().count("digit 1") == 1
    zb = page.locator("#mnist-zoom .mnist-zoom-card").bounding_box()
    assert zb["x"] >= 0 and zb["x"] + zb["width"] <= width + 0.5
    page.screenshot(path=str(SCREENSHOTS / f"mnist-{name}-zoom.png"))
    page.locator("#mnist-zoom .mnist-zoom-close").click()
    assert page.locator("#mnist-zoom").count() == 0
    assert not [e for e in errors if "AbortError" in e or "errored" in e], errors


def test_inspect_section_fits_phone_and_tablet(sized, app_url):
    name, page, _ = sized
    _section(page, app_url, "Inspect errors")
    page.locator("#mnist-evaluate").click()
    page.wait_for_function("document.body.innerText.includes('test accuracy ·')", timeout=120_000)
    page.wait_for_function("document.querySelectorAll('#mnist-mistakes img').length >= 10", timeout=30_000)
    page.wait_for_timeout(800)
    _no_sideways_scroll(page)
    for gallery in ("#mnist-cell-gallery", "#mnist-mistakes"):
        grid = page.evaluate(f"""() => {{ const g = document.querySelector('{gallery} .grid-container');
            const w = document.querySelector('{gallery} .grid-wrap');
            return [g.scrollWidth, w.clientWidth]; }}""")
        assert grid[0] <= grid[1] + 1, f"{gallery}: {grid[0]} px of thumbnails in {grid[1]} px"
    # nothing covers the first row of thumbnails (the gallery's own label used to)
    first = page.locator("#mnist-mistakes img").first.bounding_box()
    labels = page.locator("#mnist-mistakes [data-testid='block-label']")
    assert labels.count() == 0 or _overlap(labels.first.bounding_box(), first) < 1
    page.screenshot(path=str(SCREENSHOTS / f"mnist-{name}-inspect.png"), full_page=True)
