"""The gate lab's live view, as served and drawn: `python benchmarks/gates_frame.py [--url URL]
[--pages N] [--seconds S] [--json]` (or `python -m nnplay.bench.gates_live`), and its benchmark rows:

    gates_frame_cpu    one live frame as the stream builds it (train `speed` = 1 epoch, build and encode the
       frame), CPU time of the thread, for 2-[8,8]-1 and the largest network (6 x 16).
    gates_browser_fps  `python -m nnplay app` as a child process; Chromium opens the lab with a 2-[8,8]-1 net at
       1 epoch per frame and presses Play. Frames/s = changes of data-epoch on #gates-boundary,
       #gates-net and #gates-epoch per second (the smallest of the three) over `seconds`.
       Main-thread ms per frame = CPU time of the renderers' main threads (/proc, Linux) divided
       by the frames drawn; also the renderer's busy time (Chrome's Performance.getMetrics
       TaskDuration, wall time, so it grows when the machine is busy and the thread waits).
    gates_four_pages   the same with 4 pages playing at once against one server.

`page_rates(url, pages, seconds)` works against any running app (it counts the epoch
element's data-epoch, which the previous, Plotly-based live view also set), so "before"
figures can be taken from an older checkout the same way.
"""

from __future__ import annotations

import contextlib
import os
import time

from nnplay.runtime.appserver import app_process
from nnplay.runtime.browser import find_chromium, launch_chromium

from .machine import percentiles

QUERY = "?gate=XOR&hidden=8,8&speed=1"
VIEWS = ("#gates-boundary .nnp-view", "#gates-net .nnp-view", "#gates-epoch .ep-value")

# Counts data-epoch changes of each live view from inside the page (a MutationObserver), so
# reading the counts does not depend on how often the test process polls.
COUNTER_JS = """(sels) => {
  window.__nnpCounts = {};
  for (const s of sels) {
    const el = document.querySelector(s);
    window.__nnpCounts[s] = 0;
    if (!el) continue;
    new MutationObserver(() => { window.__nnpCounts[s]++; })
      .observe(el, {attributes: true, attributeFilter: ['data-epoch']});
  }
}"""


# ---------------------------------------------------------------- f: server CPU per frame
def frame_cpu_ms(hidden: tuple[int, ...], frames: int) -> dict:
    """CPU (thread time) and wall ms per frame, built as the stream builds one."""
    from nnplay.app.gates import frames as fr
    from nnplay.app.gates.session import Session
    from nnplay.engine.gates import GateConfig

    s = Session.new(GateConfig(gate="XOR", hidden=hidden), speed=1)
    cpu, wall, size = [], [], 0
    for i in range(frames + 5):
        c0, w0 = time.thread_time(), time.perf_counter()
        with s.lock:
            start = s.trainer.curve_len
            snap = s.trainer.step(s.speed)
            text = fr.dumps(fr.build(s, snap, curve_from=start, with_static=False))
        if i >= 5:
            cpu.append(time.thread_time() - c0)
            wall.append(time.perf_counter() - w0)
            size = len(text)
    c50, c95 = (1000 * v for v in percentiles(cpu, 50, 95))
    return {"network": f"2-[{','.join(map(str, hidden))}]-1", "cpu_p50_ms": round(c50, 2), "cpu_p95_ms": round(c95, 2),
            "wall_p50_ms": round(1000 * percentiles(wall, 50)[0], 2), "frame_bytes": size}


def row_gates_frame_cpu(ctx) -> dict:
    n = 50 if ctx.quick else 400
    small, large = frame_cpu_ms((8, 8), n), frame_cpu_ms((16,) * 6, n // 2)
    return {
        "row": "gates_frame_cpu", "title": "gates: server CPU per live frame",
        "result": (f"2-[8,8]-1 {small['cpu_p50_ms']:.1f} ms CPU (p95 {small['cpu_p95_ms']:.1f}, "
                   f"{small['frame_bytes'] // 1024} KB); 6x16 {large['cpu_p50_ms']:.1f} ms (p95 {large['cpu_p95_ms']:.1f}, "
                   f"{large['frame_bytes'] // 1024} KB)"),
        "target": "<= 3 ms (2-[8,8]-1), <= 10 ms (6x16)",
        "met": bool(small["cpu_p50_ms"] <= 3 and large["cpu_p50_ms"] <= 10),
        "p50_ms": small["cpu_p50_ms"], "p95_ms": small["cpu_p95_ms"], "small": small, "large": large,
        "frames": n, "epochs_per_frame": 1,
    }


# ---------------------------------------------------------------- i, j: frames drawn in Chromium
@contextlib.contextmanager
def served_app(timeout_s: float = 120.0):
    """`python -m nnplay app` on a free loopback port, as a user starts it; yields its URL."""
    with app_process(timeout_s=timeout_s) as app:
        yield app.url


def page_rates(url: str, pages: int = 1, seconds: float = 5.0, query: str = QUERY) -> dict:
    """Open `pages` pages (each its own browser context, i.e. its own visitor), press Play in
    all, and count the frames each draws per second over `seconds`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            tabs = []
            for _ in range(pages):
                ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
                page = ctx.new_page()
                page.goto(url.rstrip("/") + "/" + query)
                page.wait_for_selector("#gates-truth table", timeout=120_000)
                page.wait_for_function("document.querySelector('#gates-epoch .ep-value')", timeout=120_000)
                page.wait_for_timeout(500)
                cdp = ctx.new_cdp_session(page)
                cdp.send("Performance.enable")
                page.evaluate(COUNTER_JS, list(VIEWS))
                tabs.append((page, cdp))
            for page, _ in tabs:
                page.click("#gates-play")
            time.sleep(1.5)  # warm-up: the stream (or timer) is running
            start = [_sample(page, cdp) for page, cdp in tabs]
            cpu0, t0 = renderer_main_cpu(), time.perf_counter()
            time.sleep(seconds)
            cpu1, dt = renderer_main_cpu(), time.perf_counter() - t0
            end = [_sample(page, cdp) for page, cdp in tabs]
            for page, _ in tabs:
                page.click("#gates-pause")
        finally:
            browser.close()
    out = []
    for a, b in zip(start, end):
        counts = {s: b["counts"][s] - a["counts"][s] for s in VIEWS}
        drawn = [c for s, c in counts.items() if b["present"][s]]
        frames = min(drawn) if drawn else 0
        busy = b["task_s"] - a["task_s"]
        out.append({"frames_per_s": round(frames / dt, 1), "counts": counts,
                    "epochs_per_s": round((b["epoch"] - a["epoch"]) / dt, 1),
                    "busy_ms_per_frame": round(1000 * busy / frames, 2) if frames else None,
                    "busy_share": round(busy / dt, 3)})
    frames_all = sum(p["frames_per_s"] for p in out) * dt
    cpu_ms = round(1000 * (cpu1 - cpu0) / frames_all, 2) if frames_all else None
    return {"pages": out, "seconds": round(dt, 2), "min_frames_per_s": min(p["frames_per_s"] for p in out),
            "main_thread_cpu_ms_per_frame": cpu_ms}


def _descendants(root: int) -> list[int]:
    """Process ids under `root` (Linux /proc), for finding our own Chromium's renderers."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", encoding="utf-8") as f:
                    parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out += kids
        todo += kids
    return out


def renderer_main_cpu() -> float:
    """CPU seconds used so far by the main threads of this process's Chromium renderers."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for pid in _descendants(os.getpid()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"--type=renderer" not in f.read():
                    continue
            with open(f"/proc/{pid}/task/{pid}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime of the main thread
        except (OSError, ValueError, IndexError):
            continue
    return total


def _sample(page, cdp) -> dict:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    state = page.evaluate("""(sels) => ({counts: window.__nnpCounts,
        present: Object.fromEntries(sels.map(s => [s, !!document.querySelector(s)])),
        epoch: Number(document.querySelector('#gates-epoch .ep-value').dataset.epoch || 0)})""", list(VIEWS))
    return {**state, "task_s": metrics.get("TaskDuration", 0.0)}


def _skip(key: str, title: str, why: str) -> dict:
    return {"row": key, "title": title, "result": f"skipped: {why}", "target": "", "met": None}


def _rates_on_a_served_app(ctx, pages: int) -> dict | None:
    """page_rates with `pages` pages on a freshly started app; None when there is no Chromium."""
    if find_chromium() is None:
        return None
    with served_app() as url:
        return page_rates(url, pages, 3.0 if ctx.quick else 5.0)


def row_gates_browser_fps(ctx) -> dict:
    title = "gates: live frames/s in headless Chromium, 2-[8,8]-1"
    r = _rates_on_a_served_app(ctx, 1)
    if r is None:
        return _skip("gates_browser_fps", title, "no Chromium found")
    page = r["pages"][0]
    return {
        "row": "gates_browser_fps", "title": title,
        "result": (f"{page['frames_per_s']:.1f} frames/s, every view each frame; main thread "
                   f"{r['main_thread_cpu_ms_per_frame']} ms CPU per frame"),
        "target": ">= 30 frames/s (stretch 60); <= 10 ms main thread per frame",
        "met": bool(page["frames_per_s"] >= 30 and (r["main_thread_cpu_ms_per_frame"] or 99) <= 10),
        **r,
    }


def row_gates_four_pages(ctx) -> dict:
    title = "gates: 4 pages playing at once, frames/s each"
    r = _rates_on_a_served_app(ctx, 4)
    if r is None:
        return _skip("gates_four_pages", title, "no Chromium found")
    rates = [p["frames_per_s"] for p in r["pages"]]
    return {
        "row": "gates_four_pages", "title": title,
        "result": "frames/s " + ", ".join(f"{v:.1f}" for v in rates) + " (one Chromium, one server)",
        "target": ">= 20 frames/s in each", "met": bool(min(rates) >= 20), **r,
    }


def main(argv=None) -> int:
    import argparse
    import json

    ap = argparse.ArgumentParser(description="The gate lab's live view: server CPU per frame and frames/s "
                                             "drawn in headless Chromium.")
    ap.add_argument("--url", help="measure a running app instead of starting `nnplay app`")
    ap.add_argument("--pages", type=int, default=1, help="pages playing at once (default 1)")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--query", default=QUERY, help=f"page query (default {QUERY})")
    ap.add_argument("--no-browser", action="store_true", help="only the server's CPU per frame")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = {"server": [frame_cpu_ms((8, 8), 200), frame_cpu_ms((16,) * 6, 100)]}
    if not args.no_browser:
        if args.url:
            out["browser"] = page_rates(args.url, args.pages, args.seconds, args.query)
        else:
            with served_app() as url:
                out["browser"] = page_rates(url, args.pages, args.seconds, args.query)
    out["load_average"] = [round(v, 2) for v in os.getloadavg()]
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    for s in out["server"]:
        print(f"server, one frame of {s['network']} at 1 epoch/frame: {s['cpu_p50_ms']} ms CPU (p95 {s['cpu_p95_ms']}), "
              f"{s['frame_bytes']} bytes")
    for i, p in enumerate(out.get("browser", {}).get("pages", [])):
        print(f"page {i + 1}: {p['frames_per_s']} frames/s drawn ({p['epochs_per_s']} epochs/s), renderer busy "
              f"{p['busy_ms_per_frame']} ms per frame (wall)")
    if "browser" in out:
        print(f"renderers' main threads: {out['browser']['main_thread_cpu_ms_per_frame']} ms CPU per frame")
    print(f"load average {out['load_average']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
