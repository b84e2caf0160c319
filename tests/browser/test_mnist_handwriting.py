"""My handwriting, in a real Chromium: draw digits, save them with their labels, read the table of
how each model reads them (bundled CNN, then a run trained in the session), download the set."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from tests.conftest import SCREENSHOTS
from mnist_strokes import draw  # tests/browser/mnist_strokes.py

pytestmark = pytest.mark.browser


def _section(page, name):
    page.locator("#mnist-sections").get_by_role("tab", name=name).click()
    page.wait_for_timeout(600)


def _save(page, digit: str, n: int):
    draw(page, "#mnist-hw-sketch", digit)
    page.locator("#mnist-hw-label").get_by_label(digit, exact=True).check()
    page.locator("#mnist-hw-save").click()
    page.wait_for_function(f"document.querySelector('#mnist-hw-msg').innerText.includes('{n} digit')",
                           timeout=30_000)
    page.wait_for_timeout(400)


def _table(page) -> tuple[list[str], list[list[str]]]:
    return page.evaluate("""() => { const t = document.querySelector('#mnist-hw-table');
        const head = [...t.querySelectorAll('thead th')].map(th => th.innerText.trim());
        const rows = [...t.querySelectorAll('.virtual-row')].map(tr =>
          [...tr.querySelectorAll('[role=gridcell]')].map(td => td.innerText.trim()));
        return [head, rows]; }""")


def test_save_my_digits_and_see_how_every_model_reads_them(page, app_url):
    page.goto(app_url)
    page.get_by_role("tab", name="MNIST").click()
    page.locator("#mnist-sketch canvas").first.wait_for(state="visible", timeout=30_000)
    _section(page, "My handwriting")
    page.locator("#mnist-hw-sketch canvas").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(800)
    _save(page, "7", 1)
    _save(page, "1", 2)
    assert page.locator("#mnist-hw-gallery img").count() == 2
    head, rows = _table(page)
    assert head[:2] == ["digit", "true"] and head[2].startswith("bundled CNN")
    assert [r[1] for r in rows] == ["", "7", "1"]
    assert rows[0][2] == "2 of 2 right" and rows[1][2].startswith("✓ 7") and rows[2][2].startswith("✓ 1")
    # train a model: the table gets a column for it
    _section(page, "Train & watch the weights")
    page.locator("#mnist-train").click()
    page.wait_for_function("document.querySelector('#mnist-status').innerText.includes('finished')",
                           timeout=240_000)
    page.wait_for_timeout(1500)
    _section(page, "My handwriting")
    page.wait_for_function("document.querySelector('#mnist-hw-table').innerText.includes('run #1')",
                           timeout=30_000)
    head, rows = _table(page)
    assert len(head) == 4 and head[3].startswith("run #1")
    assert rows[0][3].endswith("of 2 right") and all(r[3][0] in "✓✗" for r in rows[1:])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "mnist-handwriting.png"), full_page=True)
    # the download holds the two digits, as MNIST stores them, with their labels
    with page.expect_download(timeout=30_000) as dl:
        page.locator("#mnist-hw-download").click()
    data = zipfile.ZipFile(io.BytesIO(open(dl.value.path(), "rb").read()))
    assert sorted(data.namelist()) == ["001_7.png", "002_1.png", "my_handwriting.npz"]
    npz = np.load(io.BytesIO(data.read("my_handwriting.npz")))
    assert npz["images"].shape == (2, 28, 28) and npz["images"].dtype == np.uint8
    assert npz["labels"].tolist() == [7, 1] and npz["images"].max() > 200
    # undo removes the last one everywhere
    page.locator("#mnist-hw-undo").click()
    page.wait_for_function("document.querySelectorAll('#mnist-hw-gallery img').length === 1", timeout=20_000)
    assert len(_table(page)[1]) == 2
