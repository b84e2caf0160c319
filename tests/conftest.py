"""Shared test set-up: MNIST location, a live app server, a gradio client and Chromium."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from netutil import free_port

from nnplay.runtime.browser import find_chromium, launch_chromium

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"
COMMITTED_MNIST = ROOT / "data" / "mnist"
# Screenshots the suite takes go to a temporary folder, so a test run never rewrites
# committed files; `make screenshots` (NNPLAY_SCREENSHOTS=docs/screenshots) refreshes the docs' copies.
SCREENSHOTS = Path(os.environ.get("NNPLAY_SCREENSHOTS") or Path(tempfile.gettempdir()) / "nnplay-screenshots")

# Hypothesis keeps its files (example database, caches) in a temporary folder too, not in
# the tree's .hypothesis/.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(Path(tempfile.gettempdir()) / "nnplay-hypothesis"))

# The real MNIST files: the verified shared copy when present, else the committed one.
os.environ.setdefault("NNPLAY_DATA_DIR", str(SHARED_MNIST if SHARED_MNIST.exists() else COMMITTED_MNIST))
os.environ.setdefault("TQDM_DISABLE", "1")

@pytest.fixture(scope="session")
def app_url():
    """The whole app served on a free loopback port for the test session."""
    from nnplay.app.main import launch

    port = free_port()
    demo = launch(host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="session")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False, ssl_verify=False)


@pytest.fixture(scope="session")
def browser():
    if find_chromium() is None:
        pytest.skip("no Chromium found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
    pg = ctx.new_page()
    yield pg
    ctx.close()
