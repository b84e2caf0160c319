"""Finding and starting Chrome/Chromium, for the report's figures, the browser tests and
the benchmarks that count what a real page draws.

    path = find_chromium()                  # None when there is no browser
    with sync_playwright() as p:
        browser = launch_chromium(p)         # headless, sandbox off, no network chatter

The Debian Chromium (`apt-get install chromium`) is the tested one; Playwright's own
downloaded browsers are never needed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

DEBIAN_CHROMIUM = "/usr/bin/chromium"
# --no-sandbox: containers and CI runners often lack the user namespaces the sandbox needs;
# the last two stop the browser from fetching updates and field trials in the background.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update"]


def find_chromium() -> str | None:
    """$BROWSER_PATH (the variable kaleido also reads), the Debian Chromium, or a
    Chromium/Chrome on PATH; None when there is none."""
    for cand in (os.environ.get("BROWSER_PATH"), DEBIAN_CHROMIUM, shutil.which("chromium"),
                 shutil.which("chromium-browser"), shutil.which("google-chrome")):
        if cand and Path(cand).exists():
            return cand
    return None


def launch_chromium(playwright, **kw):
    """`playwright.chromium.launch` on the browser `find_chromium` finds, with CHROMIUM_ARGS.
    `playwright` is the object `sync_playwright()` gives; extra keywords go to launch()."""
    path = find_chromium()
    if path is None:
        raise FileNotFoundError("no Chromium/Chrome found: apt-get install chromium, or set BROWSER_PATH")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, **kw)
