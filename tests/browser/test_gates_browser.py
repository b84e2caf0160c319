"""The logic-gate lab in a real Chromium: pick XOR, play, watch it learn, pause, scrub the
timeline, and open a link with settings; every live view draws every frame of the stream,
Pause wins over a late frame, a lost stream says so. Screenshots: SCREENSHOTS/gates-*.png."""

from __future__ import annotations

import re

import pytest

from tests.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

LONG = 90_000  # ms; the machine may be busy, so waits are generous (no timing is asserted)


def epoch(page) -> int:
    return int(page.locator("#gates-epoch .ep-value").get_attribute("data-epoch") or 0)


VIEWS = ("gates-epoch .ep-value", "gates-boundary .nnp-view", "gates-net .nnp-view", "gates-neuron .nnp-view",
         "gates-curves .nnp-view", "gates-truth .nnp-view", "gates-timeline .nnp-view", "gates-status .st-text")


def view_epochs(page) -> dict:
    """data-epoch of every live view: the epoch of the frame it last drew."""
    return page.evaluate("(sels) => Object.fromEntries(sels.map(s => [s, "
                         "Number(document.querySelector('#' + s)?.dataset.epoch ?? -1)]))", list(VIEWS))


def wait_ready(page) -> None:
    page.wait_for_selector("#gates-truth table", timeout=LONG)
    page.wait_for_selector("#gates-net .nnp-view[data-epoch]", timeout=LONG)
    page.wait_for_function("window.nnplayGates && window.nnplayGates.conn === 'open'", timeout=LONG)


def pick(page, elem_id: str, option: str) -> None:
    page.locator(f"#{elem_id} input").first.click()
    page.get_by_role("option", name=option, exact=True).click()


def test_xor_play_pause_timeline_and_link(page, app_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # 1. open the page
    page.goto(app_url)
    wait_ready(page)

    # 2. pick XOR (after another gate, so the pick really changes something) and press play
    pick(page, "gates-gate", "AND")
    page.wait_for_function("document.querySelector('#gates-truth .verdict') && "
                           "[...document.querySelectorAll('#gates-truth tbody tr td:nth-child(3)')]"
                           ".map(t => t.innerText).join('') === '0001'", timeout=LONG)
    pick(page, "gates-gate", "XOR")
    page.wait_for_function("[...document.querySelectorAll('#gates-truth tbody tr td:nth-child(3)')]"
                           ".map(t => t.innerText).join('') === '0110'", timeout=LONG)
    assert epoch(page) == 0
    page.click("#gates-play")

    # 3. the epoch counter advances and the truth table turns all-correct (4 of 4, all rows green)
    page.wait_for_function("Number(document.querySelector('#gates-epoch .ep-value').dataset.epoch) > 0",
                           timeout=LONG)
    page.wait_for_selector("#gates-truth table[data-correct='4']", timeout=LONG)
    assert page.locator("#gates-truth tbody tr.ok").count() == 4
    assert page.locator("#gates-truth tbody tr.bad").count() == 0

    # 4. pause: the status says where it stopped, and the counter stays there
    page.click("#gates-pause")
    status = page.locator("#gates-status")
    status.filter(has_text="Paused at epoch").wait_for(timeout=LONG)
    paused_at = int(re.search(r"Paused at epoch (\d+)", status.inner_text()).group(1))
    page.wait_for_function(f"document.querySelector('#gates-epoch .ep-value').dataset.epoch == '{paused_at}'",
                           timeout=LONG)
    assert paused_at > 0
    page.screenshot(path=str(SCREENSHOTS / "gates-xor-solved.png"), full_page=True)
    page.locator("#gates-net").screenshot(path=str(SCREENSHOTS / "gates-network.png"))

    # 5. drag the timeline back towards the start: every panel shows an earlier epoch
    slider = page.locator("#gates-timeline input[type=range]")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] - 4, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.4, y, steps=8)
    page.mouse.move(box["x"] + 2, y, steps=8)
    page.mouse.up()
    # Dragged to the left end: the first recorded entry, epoch 0 (the weights before training).
    page.wait_for_function("document.querySelector('#gates-epoch .ep-value').dataset.epoch === '0'", timeout=LONG)
    assert slider.input_value() == "0"
    status.filter(has_text="viewing history").wait_for(timeout=LONG)
    page.locator("#gates-neuron").filter(has_text="at epoch 0").wait_for(timeout=LONG)
    page.locator("#gates-timeline").filter(has_text="epoch 0 (1 of").wait_for(timeout=LONG)
    assert page.locator("#gates-truth table").get_attribute("data-correct") != "4"  # untrained: not all right
    page.screenshot(path=str(SCREENSHOTS / "gates-timeline.png"), full_page=True)

    # 6. open a link with settings and see them applied
    page.goto(app_url + "?gate=NAND&hidden=3,2&activation=relu&lr=0.1&sampling=noisy&seed=7")
    wait_ready(page)
    page.wait_for_function("[...document.querySelectorAll('#gates-truth tbody tr td:nth-child(3)')]"
                           ".map(t => t.innerText).join('') === '1110'", timeout=LONG)
    assert page.locator("#gates-gate input").first.input_value() == "NAND"
    assert page.locator("#gates-activation input").first.input_value() == "relu"
    assert page.locator("#gates-lr input").first.input_value() == "0.1"
    assert page.locator("#gates-seed input").first.input_value() == "7"
    assert "2" in page.locator("#gates-root .gates-layers").first.inner_text()
    assert "Settings from the link applied" in status.inner_text()
    assert "hidden=3,2" in page.locator("#gates-link textarea, #gates-link input").first.input_value()
    page.screenshot(path=str(SCREENSHOTS / "gates-from-link.png"), full_page=True)


def test_bad_link_shows_a_message(page, app_url):
    page.goto(app_url + "?gate=XYZ&lr=banana")
    wait_ready(page)
    status = page.locator("#gates-status")
    status.filter(has_text="could not be used").wait_for(timeout=LONG)
    assert page.locator("#gates-gate input").first.input_value() == "XOR"  # the defaults instead


def test_every_view_draws_every_frame_and_pause_stops_them(page, app_url):
    page.goto(app_url + "?gate=XOR&hidden=8,8&speed=1")
    wait_ready(page)
    assert set(view_epochs(page).values()) == {0}
    page.click("#gates-play")
    page.wait_for_function("Number(document.querySelector('#gates-epoch .ep-value').dataset.epoch) >= 5",
                           timeout=LONG)
    seen = []
    for _ in range(6):  # several samples: each time every view shows the same, newer epoch
        page.wait_for_timeout(150)
        seen.append(view_epochs(page))
    for sample in seen:
        assert len(set(sample.values())) == 1, sample  # drawn together, from one frame
    assert seen[-1]["gates-epoch .ep-value"] > seen[0]["gates-epoch .ep-value"]
    points = int(page.locator("#gates-curves .nnp-view").get_attribute("data-points"))
    assert points >= seen[-1]["gates-epoch .ep-value"]  # one curve point per epoch (speed 1)
    page.click("#gates-pause")
    page.locator("#gates-status").filter(has_text="Paused at epoch").wait_for(timeout=LONG)
    stopped = view_epochs(page)
    page.wait_for_timeout(1000)
    assert view_epochs(page) == stopped  # no frame after Pause
    assert len(set(stopped.values())) == 1


def test_pause_wins_over_a_late_frame(page, app_url, monkeypatch):
    """A training frame built before Pause that arrives after Pause's answer must not be drawn
    over the paused state. Here the stream's frames from epoch 10 on are held back until the
    page shows the paused state, then released: one surely arrives late."""
    import threading

    from nnplay.app.gates import stream

    build, released = stream.Conn.next_frame, threading.Event()

    def late(self):
        text = build(self)  # built (and numbered) holding the session's lock, which it then releases
        if text is not None and self.session.trainer.epoch >= 10:
            released.wait(LONG / 1000)
        return text

    monkeypatch.setattr(stream.Conn, "next_frame", late)
    page.goto(app_url + "?gate=XOR")
    wait_ready(page)
    page.click("#gates-play")
    page.wait_for_function("Number(document.querySelector('#gates-epoch .ep-value').dataset.epoch) >= 6",
                           timeout=LONG)
    page.click("#gates-pause")
    status = page.locator("#gates-status")
    status.filter(has_text="Paused at epoch").wait_for(timeout=LONG)
    released.set()
    page.wait_for_function("window.nnplayGates.stats.stale >= 1", timeout=LONG)  # the late frame came...
    page.wait_for_timeout(300)
    text = status.inner_text()
    assert "Paused at epoch" in text, text  # ...and was not drawn
    assert epoch(page) == int(re.search(r"Paused at epoch (\d+)", text).group(1)) >= 10


def test_lost_stream_shows_a_message_and_reconnects(page, app_url):
    from nnplay.app.gates import stream

    page.goto(app_url + "?gate=XOR")
    wait_ready(page)
    conn = page.locator("#gates-status .st-conn")
    assert conn.is_hidden()
    page.click("#gates-play")
    page.wait_for_function("Number(document.querySelector('#gates-epoch .ep-value').dataset.epoch) >= 4",
                           timeout=LONG)
    assert stream.close_all() >= 1  # the server ends the stream (as a restart would)
    conn.filter(has_text="connection to the server was lost").wait_for(timeout=LONG)
    page.screenshot(path=str(SCREENSHOTS / "gates-connection-lost.png"))
    frozen = epoch(page)
    page.click("#gates-status .st-conn button")  # Reconnect
    page.wait_for_function("window.nnplayGates.conn === 'open'", timeout=LONG)
    assert conn.is_hidden()
    # still playing on the server side: frames flow again on the new stream
    page.wait_for_function(f"Number(document.querySelector('#gates-epoch .ep-value').dataset.epoch) > {frozen}",
                           timeout=LONG)
    page.click("#gates-pause")


def test_clicking_a_node_and_an_edge_then_editing_the_weight(page, app_url):
    page.goto(app_url + "?gate=XOR&hidden=3")
    wait_ready(page)
    box = page.locator("#gates-net canvas").bounding_box()
    # find a hidden node's centre and an edge's midpoint from the drawn layout
    hit = page.evaluate("""() => { const h = document.querySelector('#gates-net .nnp-view').__hit;
        const n = h.nodes.find(n => n.c === 1 && n.k === 2), e = h.edges.find(e => e.i === 1 && e.j === 1);
        return {nx: n.x + h.s / 2, ny: n.y + h.s / 2, ex: e.x0 + 0.7 * (e.x1 - e.x0), ey: e.y0 + 0.7 * (e.y1 - e.y0)}; }""")
    page.mouse.click(box["x"] + hit["nx"], box["y"] + hit["ny"])
    page.locator("#gates-neuron").filter(has_text="h1.3 at epoch 0").wait_for(timeout=LONG)
    page.mouse.click(box["x"] + hit["ex"], box["y"] + hit["ey"])
    page.locator("#gates-status").filter(has_text="Type a new value for this weight").wait_for(timeout=LONG)
    assert "h1.2" in page.locator("#gates-edge input").first.input_value()
    page.locator("#gates-weight input").fill("-3")
    page.click("#gates-set-weight")
    page.locator("#gates-status").filter(has_text="Weight set to -3").wait_for(timeout=LONG)
    assert page.evaluate("window.nnplayGates.frame.w[1][1]") == -3


def test_typed_numbers_apply_on_enter(page, app_url):
    """The speed box (epochs per frame) and the timeline's epoch box apply on Enter; the
    speed goes into the link and the timeline's number is the epoch, as its label says."""
    page.goto(app_url + "?gate=XOR")
    wait_ready(page)
    speed = page.locator("#gates-speed input[type=number]")
    speed.fill("7")
    speed.press("Enter")
    link = page.locator("#gates-link textarea, #gates-link input").first
    page.wait_for_function("(el) => el.value.includes('speed=7')", arg=link.element_handle(), timeout=LONG)
    page.click("#gates-step")
    page.click("#gates-step")
    page.click("#gates-play")
    page.wait_for_function("Number(document.querySelector('#gates-epoch .ep-value').dataset.epoch) >= 30",
                           timeout=LONG)
    page.click("#gates-pause")
    page.locator("#gates-status").filter(has_text="Paused at epoch").wait_for(timeout=LONG)
    assert (epoch(page) - 2) % 7 == 0  # two single steps, then 7 epochs per frame
    box = page.locator("#gates-timeline .tl-epoch")
    assert int(box.input_value()) == epoch(page)  # the number shown is the epoch
    box.fill("1")
    box.press("Enter")
    page.wait_for_function("document.querySelector('#gates-epoch .ep-value').dataset.epoch === '1'", timeout=LONG)
    page.locator("#gates-timeline").filter(has_text="Timeline — epoch 1 (2 of").wait_for(timeout=LONG)


def _overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] - 0.5 and b["x"] < a["x"] + a["width"] - 0.5
            and a["y"] < b["y"] + b["height"] - 0.5 and b["y"] < a["y"] + a["height"] - 0.5)


@pytest.mark.parametrize("width, height", [(390, 844), (820, 1180)], ids=["phone", "tablet"])
def test_layout_on_phone_and_tablet(browser, app_url, width, height):
    """Issue 17.1: transport buttons and status wrap without overlapping or clipping, no
    sideways scroll, the boundary stays square; on a phone the network and the boundary sit
    right below Play and the status, on a tablet they start within the first screen; the
    settings come after them."""
    from itertools import combinations

    ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    page = ctx.new_page()
    try:
        page.goto(app_url + "?gate=XOR")
        wait_ready(page)
        page.wait_for_timeout(500)

        def box(sel):
            return page.locator(sel).first.bounding_box()

        top = {s: box(s) for s in ("#gates-play", "#gates-pause", "#gates-step", "#gates-reset", "#gates-epoch",
                                   "#gates-status")}
        for (a, ra), (b, rb) in combinations(top.items(), 2):
            assert not _overlap(ra, rb), (a, ra, b, rb)
        for s, r in top.items():
            assert r["x"] >= 0 and r["x"] + r["width"] <= width, (s, r)
        assert top["#gates-status"]["width"] >= 200  # not a one-word column
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
        net, boundary, plot = box("#gates-net"), box("#gates-boundary"), box("#gates-boundary canvas")
        assert abs(plot["width"] - plot["height"]) <= 2 and plot["width"] >= 240  # square, readable
        status_bottom = top["#gates-status"]["y"] + top["#gates-status"]["height"]
        if width < 640:
            assert 0 <= net["y"] - status_bottom <= 40
            assert 0 <= boundary["y"] - (net["y"] + net["height"]) <= 40
        else:
            assert net["y"] < height and boundary["y"] < height and top["#gates-play"]["y"] < height
            assert abs(net["y"] - boundary["y"]) <= 2  # side by side
        assert box("#gates-settings")["y"] > boundary["y"] + boundary["height"]
        name = "phone" if width < 640 else "tablet"
        page.screenshot(path=str(SCREENSHOTS / f"gates-{name}.png"))
    finally:
        ctx.close()
