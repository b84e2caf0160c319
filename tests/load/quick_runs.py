"""Soak test of the MNIST lab's quick training in a real browser: click Train on a fresh page,
wait for "finished", repeat. A run that never finishes is caught with what is needed to find
why: the status text, the page's recent /queue/join requests (which events were still sent),
a screenshot and a py-spy dump of the server (when py-spy is installed).

    python -m tests.load.quick_runs [RUNS] [--timeout 60] [--out DIR]

This is how the "quick run never finishes" bug was found (docs/benchmarks.md): 5 hangs in 120
runs before the fix, 0 in 100 after. The server is `python -m nnplay app` in its own process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from nnplay.runtime.browser import launch_chromium
from nnplay.runtime.ports import free_port

FINISHED = "document.querySelector('#mnist-status').innerText.includes('finished')"


def _serve(port: int, log: Path) -> subprocess.Popen:
    srv = subprocess.Popen([sys.executable, "-m", "nnplay", "app", "--host", "127.0.0.1", "--port", str(port)],
                           stdout=log.open("w"), stderr=subprocess.STDOUT, env=os.environ.copy())
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return srv
        except OSError:
            time.sleep(0.5)
    srv.kill()
    raise RuntimeError(f"the app did not start; see {log}")


def _open(browser, url: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 1100})
    joins: list[tuple[float, object]] = []

    def on_request(r):
        if "queue/join" in r.url:
            try:
                joins.append((time.time(), (r.post_data_json or {}).get("fn_index")))
            except ValueError:
                joins.append((time.time(), "?"))
    page.on("request", on_request)
    page.goto(url)
    page.get_by_role("tab", name="MNIST").click()
    page.get_by_role("tab", name="Train & watch the weights").click()
    page.locator("#mnist-train").wait_for(state="visible", timeout=60_000)
    return page, joins


def _report_hang(i: int, page, joins, srv, out: Path) -> None:
    now = time.time()
    print(f"run {i}: NOT FINISHED; status: {page.locator('#mnist-status').inner_text()!r}", flush=True)
    print("  last joins (seconds ago, fn_index):", [(round(now - t, 1), f) for t, f in joins[-8:]], flush=True)
    page.screenshot(path=str(out / f"hang{i}.png"))
    if shutil.which("py-spy"):
        with (out / f"hang{i}-server.txt").open("w") as f:
            subprocess.run(["py-spy", "dump", "--pid", str(srv.pid)], stdout=f, stderr=subprocess.STDOUT)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", type=int, nargs="?", default=40)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds a quick run may take")
    ap.add_argument("--out", default="quick-runs-out", help="folder for screenshots and server dumps")
    a = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    srv = _serve(port, out / "server.log")
    hangs = 0
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            for i in range(a.runs):
                page, joins = _open(browser, f"http://127.0.0.1:{port}/", 820 if i % 2 else 1440)
                t0 = time.time()
                page.locator("#mnist-train").click()
                try:
                    page.wait_for_function(FINISHED, timeout=a.timeout * 1000)
                    print(f"run {i}: finished in {time.time() - t0:.1f} s", flush=True)
                except Exception:  # playwright's TimeoutError: record what the page and server show
                    hangs += 1
                    _report_hang(i, page, joins, srv, out)
                page.close()
            browser.close()
    finally:
        srv.terminate()
        srv.wait(30)
    print(f"{a.runs - hangs} of {a.runs} quick runs finished", flush=True)
    return 1 if hangs else 0


if __name__ == "__main__":
    raise SystemExit(main())
