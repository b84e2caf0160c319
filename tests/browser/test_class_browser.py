"""Class mode in a real Chromium: two students (two browser contexts) join with nicknames, each
trains an XOR network in the gate lab and pauses; the Class tab shows both runs, and the
crowd-sourced heatmap cell they share changes from 100% to 50% solved.
Screenshots: docs/screenshots/class-*.png at desktop, tablet and phone widths."""

from __future__ import annotations

import pytest
from netutil import free_port

from nnplay.classroom import ClassStore
from tests.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

LONG = 120_000  # ms; the machine may be busy, so waits are generous (no timing is asserted)
CELL = "lr=0.1&hidden=4,4"  # both students' runs fall in this cell (x = lr 0.1, y = hidden 4-4)
# The cell's value as Plotly drew it (calcdata: z decoded from the figure's typed array).
CELL_Z = ("(() => { const gd = document.querySelector('#class-heatmap .js-plotly-plot');"
          " if (!gd || !gd.calcdata || !gd.data) return null; const t = gd.data[0], c = gd.calcdata[0][0];"
          " const i = Array.from(t.x).indexOf('0.1'), j = Array.from(t.y).indexOf('4-4');"
          " return (i < 0 || j < 0 || !c.z[j]) ? null : c.z[j][i]; })()")


@pytest.fixture(scope="module")
def class_url(tmp_path_factory):
    from nnplay.app.classroom import context
    from nnplay.app.main import launch

    store = ClassStore.open(tmp_path_factory.mktemp("class") / "class.db", "Period 3")
    port = free_port()
    demo = launch(host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True, classroom=store)
    yield f"http://127.0.0.1:{port}/", store
    demo.close()
    context.configure(None)
    store.close()


def student(browser, url: str, nickname: str, query: str, width=1440, height=1000):
    ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    page = ctx.new_page()
    page.goto(f"{url}?{query}")
    page.wait_for_selector("#gates-truth table", timeout=LONG)
    page.locator("#class-nick input, #class-nick textarea").first.fill(nickname)
    page.click("#class-join-btn")
    page.locator("#class-who").filter(has_text=f"You are {nickname}").wait_for(timeout=LONG)
    return ctx, page


def fill_class(store) -> None:
    import random

    rng = random.Random(0)
    for k in range(24):
        hidden = rng.choice([[], [2], [4], [4, 4]])
        lr = rng.choice([0.01, 0.1, 1.0])
        solved = bool(hidden) and rng.random() < {0.01: 0.3, 0.1: 0.9, 1.0: 0.6}[lr] - (0.3 if hidden == [2] else 0)
        store.record_gate(f"s{k}", "o", {"gate": "XOR", "hidden": hidden, "lr": lr, "activation": "tanh"},
                          solved=solved, epochs=500, final_loss=0.05 if solved else 0.6,
                          solved_epoch=rng.randint(20, 300) if solved else None)
    for k, (model, acc, sec) in enumerate([("logistic", 0.885, 2.1), ("logistic", 0.89, 2.4), ("mlp", 0.93, 3.0),
                                           ("mlp", 0.945, 4.1), ("cnn", 0.968, 7.2), ("lenet5", 0.955, 5.6)]):
        store.record_mnist(f"s{k}", "o", {"model": model, "lr": 0.01, "epochs": 1, "subset": 3000},
                           test_accuracy=acc, seconds=sec)


def train_and_pause(page, until_solved: bool) -> None:
    page.click("#gates-play")
    if until_solved:
        page.wait_for_selector("#gates-truth table[data-correct='4']", timeout=LONG)
    else:  # a linear network cannot solve XOR: train a while, then pause
        page.wait_for_function("Number(document.querySelector('#gates-epoch .ep-value').dataset.epoch) >= 60",
                               timeout=LONG)
    page.click("#gates-pause")
    page.locator("#gates-status").filter(has_text="Paused at epoch").wait_for(timeout=LONG)


def test_two_students_fill_the_class_heatmap(browser, class_url):
    url, store = class_url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ctx_a, ada = student(browser, url, "ada", f"gate=XOR&{CELL}&activation=tanh")
    ada.screenshot(path=str(SCREENSHOTS / "class-join.png"))
    train_and_pause(ada, until_solved=True)
    ada.get_by_role("tab", name="Class").click()
    ada.wait_for_function(f"{CELL_Z} === 1", timeout=LONG)  # ada's run: 1 of 1 solved

    ctx_b, bob = student(browser, url, "bob", f"gate=XOR&{CELL}&activation=linear")
    train_and_pause(bob, until_solved=False)
    ada.wait_for_function(f"{CELL_Z} === 0.5", timeout=LONG)  # the same cell, live in ada's view: 1 of 2
    hover = ada.evaluate("document.querySelector('#class-heatmap .js-plotly-plot').data[0].customdata.flat().join('|')")
    assert "1 of 2 solved: ada, bob" in hover
    runs = store.list_runs("gates")
    assert [(r["nickname"], r["solved"], r["hidden"], r["lr"]) for r in runs] == \
        [("ada", True, "4-4", 0.1), ("bob", False, "4-4", 0.1)]

    # an MNIST run appears as a point; clicking it opens its curves
    store.record_mnist("cy", "owner-c", {"model": "cnn", "lr": 0.005, "epochs": 2, "subset": 3000},
                       test_accuracy=0.975, seconds=6.5,
                       curve={"epoch": [0.5, 1, 1.5, 2], "train_loss": [0.9, 0.4, 0.3, 0.2],
                              "train_acc": [0.7, 0.9, 0.93, 0.95], "test_epoch": [1, 2], "test_acc": [0.96, 0.975]})
    point = ada.locator("#class-scatter .scatterlayer path.point").first
    point.wait_for(timeout=LONG)
    point.click(force=True)
    ada.locator("#class-curve-title").filter(has_text="cy").wait_for(timeout=LONG)
    ada.wait_for_selector("#class-curves .js-plotly-plot", timeout=LONG)
    assert "97.50% in 6.5 s" in ada.locator("#class-curve-title").inner_text()

    # Bob opens the class view too; the page, the tablet and the phone
    bob.get_by_role("tab", name="Class").click()
    bob.wait_for_function(f"{CELL_Z} === 0.5", timeout=LONG)
    for name, size in (("tablet", (820, 1180)), ("phone", (390, 844))):
        bob.set_viewport_size({"width": size[0], "height": size[1]})
        bob.wait_for_timeout(800)
        assert bob.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
        bob.screenshot(path=str(SCREENSHOTS / f"class-view-{name}.png"), full_page=True)

    # Bob deletes his own run: the cell is ada's alone again
    bob.set_viewport_size({"width": 1440, "height": 1000})
    bob.locator("#class-view").get_by_text("My runs").click()
    bob.get_by_role("button", name="Delete this run").click()
    bob.get_by_text("Deleted.").wait_for(timeout=LONG)
    bob.wait_for_function(f"{CELL_Z} === 1", timeout=LONG)
    assert [r["nickname"] for r in store.list_runs("gates")] == ["ada"]

    # the docs' picture: a class further on (runs written straight to the database)
    fill_class(store)
    ada.wait_for_function("document.querySelectorAll('#class-scatter .scatterlayer path.point').length >= 6",
                          timeout=LONG)
    ada.wait_for_timeout(500)
    ada.screenshot(path=str(SCREENSHOTS / "class-view.png"), full_page=True)
    ctx_a.close()
    ctx_b.close()
