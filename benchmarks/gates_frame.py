"""How fast is one live update of the logic-gate lab? `python benchmarks/gates_frame.py [--json]`

1. Server: one update of a 2-[8,8]-1 network = `speed` training epochs + every figure and
   panel (boundary, network diagram, curves, enlarged neuron, truth table, status) as the
   JSON the browser receives. Reports the median and 90th percentile in ms, and the split
   between training/grids and figures. Target: <= 20 ms.
2. Through gradio_client: the app is served on a free port and the `gates_step` endpoint (the
   Step button: one epoch + every figure) is called back to back for a few seconds. Reports
   updates per second as a client sees them (server + queue + HTTP/SSE; no browser drawing).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # a clone without `pip install -e .`


def _ms(samples: list[float]) -> dict:
    s = sorted(samples)
    return {"median_ms": round(statistics.median(s) * 1000, 2), "p90_ms": round(s[int(0.9 * (len(s) - 1))] * 1000, 2)}


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
    size = sum(len(o.plot) for o in out[:4])
    return {"network": "2-[8,8]-1", "epochs_per_update": speed, "updates": n, "update": _ms(total),
            "train_step_and_grids": _ms(step), "figures_and_panels": _ms(figs), "plot_json_bytes": size}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client_rate(seconds: float = 5.0, url: str | None = None) -> dict:
    from gradio_client import Client

    demo = None
    if url is None:
        from nnplay.app.main import launch

        port = _free_port()
        demo = launch(host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
        url = f"http://127.0.0.1:{port}/"
    try:
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
    finally:
        if demo is not None:
            demo.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--updates", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--url", help="measure a running app instead of starting one")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    import os

    result = {"server": server_frame(args.updates), "client": client_rate(args.seconds, args.url),
              "load_average": [round(v, 2) for v in os.getloadavg()], "cpus": os.cpu_count()}
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
        print(f"machine: {result['cpus']} CPUs, load average {result['load_average']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
