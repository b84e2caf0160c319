"""How fast is one live update of the logic-gate lab? `python benchmarks/gates_frame.py [--json]`
(or `python -m nnplay.bench.gates_live`).

1. Server: one update of a 2-[8,8]-1 network = `speed` training epochs + every figure and
   panel (boundary, network diagram, curves, enlarged neuron, truth table, status) as the
   JSON the browser receives. Reports the median and 90th percentile in ms, and the split
   between training/grids and figures. Target: <= 20 ms.
3. With --browser: a headless Chromium presses Play on a 2-[8,8]-1 net at speed 1 and the epoch
   counter gives the updates per second that reached the page and were drawn.
2. Through gradio_client: the app is served on a free port and the `gates_step` endpoint (the
   Step button: one epoch + every figure) is called back to back for a few seconds. Reports
   updates per second as a client sees them (server + queue + HTTP/SSE; no browser drawing).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from nnplay.runtime.browser import launch_chromium
from nnplay.runtime.ports import free_port

from .machine import percentiles


def _ms(samples: list[float]) -> dict:
    p50, p90 = percentiles(samples, 50, 90)
    return {"median_ms": round(p50 * 1000, 2), "p90_ms": round(p90 * 1000, 2)}


def server_frame(n: int = 200, speed: int = 2) -> dict:
    import torch

    from nnplay.app.gates.frames import frame
    from nnplay.app.gates.session import Session
    from nnplay.engine.gates import GateConfig

    torch.set_num_threads(1)  # as in the app's worker threads: tiny tensors, no gain from more
    session = Session.new(GateConfig(gate="XOR", hidden=(8, 8)), speed=speed)
    for _ in range(10):  # warm-up
        frame(session, session.trainer.step(speed))
    total, step, figs = [], [], []
    for _ in range(n):
        t0 = time.perf_counter()
        snap = session.trainer.step(speed)
        t1 = time.perf_counter()
        out = frame(session, snap)
        t2 = time.perf_counter()
        total.append(t2 - t0)
        step.append(t1 - t0)
        figs.append(t2 - t1)
    size = sum(len(o if isinstance(o, str) else o.plot) for o in out[:4])
    return {"network": "2-[8,8]-1", "epochs_per_update": speed, "updates": n, "update": _ms(total),
            "train_step_and_grids": _ms(step), "figures_and_panels": _ms(figs), "plot_json_bytes": size}


def _with_app(url: str | None, fn):
    """Call fn(url) with `url`, or with the app served on a free port for the call."""
    if url is not None:
        return fn(url)
    from nnplay.app.main import launch

    port = free_port()
    demo = launch(host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
    try:
        return fn(f"http://127.0.0.1:{port}/")
    finally:
        demo.close()


def client_rate(seconds: float = 5.0, url: str | None = None) -> dict:
    return _with_app(url, lambda u: _client_rate(u, seconds))


def _client_rate(url: str, seconds: float) -> dict:
    from gradio_client import Client

    client = Client(url, verbose=False)
    client.predict("gate=XOR&hidden=8,8", 0, api_name="/gates_train")  # this session: 2-[8,8]-1
    for _ in range(3):
        client.predict(api_name="/gates_step")
    times = []
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        t0 = time.perf_counter()
        client.predict(api_name="/gates_step")
        times.append(time.perf_counter() - t0)
    return {"calls": len(times), "updates_per_s": round(len(times) / sum(times), 1), "roundtrip": _ms(times)}


def browser_rate(url: str, seconds: float = 8.0) -> dict:
    """Updates per second that reach a real Chromium while a 2-[8,8]-1 net trains with Play
    (speed 1, so the epoch counter counts the updates the page received and drew)."""
    from playwright.sync_api import sync_playwright

    read = "Number(document.querySelector('#gates-epoch .ep-value').dataset.epoch || 0)"
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(url.rstrip("/") + "/?gate=XOR&hidden=8,8&speed=1")
        page.wait_for_selector("#gates-truth table", timeout=120_000)
        page.click("#gates-play")
        page.wait_for_function(f"{read} >= 3", timeout=120_000)
        e0, t0 = page.evaluate(read), time.perf_counter()
        time.sleep(seconds)
        e1, t1 = page.evaluate(read), time.perf_counter()
        page.click("#gates-pause")
        browser.close()
    return {"updates_per_s": round((e1 - e0) / (t1 - t0), 1), "seconds": round(t1 - t0, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--updates", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--url", help="measure a running app instead of starting one")
    ap.add_argument("--browser", action="store_true", help="also count the updates a headless Chromium receives")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    import os

    result = {"server": server_frame(args.updates), "client": client_rate(args.seconds, args.url)}
    if args.browser:
        result["browser"] = _with_app(args.url, lambda url: browser_rate(url, max(args.seconds, 5.0)))
    result.update(load_average=[round(v, 2) for v in os.getloadavg()], cpus=os.cpu_count())
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        s, c = result["server"], result["client"]
        print(f"server, one update of {s['network']} ({s['epochs_per_update']} epochs + every figure): "
              f"median {s['update']['median_ms']} ms, p90 {s['update']['p90_ms']} ms "
              f"(train+grids {s['train_step_and_grids']['median_ms']} ms, figures "
              f"{s['figures_and_panels']['median_ms']} ms; {s['plot_json_bytes'] // 1024} KB of plot JSON)")
        print(f"gradio_client, /gates_step back to back: {c['updates_per_s']} updates/s "
              f"(round trip median {c['roundtrip']['median_ms']} ms, {c['calls']} calls)")
        if "browser" in result:
            print(f"headless Chromium, Play on 2-[8,8]-1 at speed 1: {result['browser']['updates_per_s']} "
                  "updates/s drawn")
        print(f"machine: {result['cpus']} CPUs, load average {result['load_average']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
