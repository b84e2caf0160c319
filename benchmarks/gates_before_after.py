"""Before/after of the gate lab's live view, side by side in one run:
`python benchmarks/gates_before_after.py BEFORE_TREE AFTER_TREE [ROUNDS]`.

Each tree is a checkout of nnplay (e.g. a `git worktree` of the commit before the streaming live
view, and this one). Both apps are served at once; a headless Chromium plays 2-[8,8]-1 at 1 epoch
per update in 1 page and then 4 pages of each, alternating, for ROUNDS rounds; and the server's
CPU per update is measured in each tree. The figures in docs/benchmarks.md came from this script.
"""
import json, os, subprocess, sys, time, urllib.request
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from nnplay.bench.gates_live import page_rates
from nnplay.runtime.ports import free_port

PY = sys.executable
TREES = {"before": sys.argv[1], "after": sys.argv[2]}

def serve(tree):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": tree + "/src", "GRADIO_ANALYTICS_ENABLED": "False"}
    p = subprocess.Popen([PY, "-m", "nnplay", "app", "--port", str(port)], cwd=tree, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "config", timeout=2); break
        except OSError:
            time.sleep(0.2)
    return p, url

CPU_SNIPPET = r'''
import time, json, torch
from nnplay.app.gates.session import Session
from nnplay.engine.gates import GateConfig
old = {before}
res = {{}}
for hidden in ((8, 8), (16,) * 6):
    s = Session.new(GateConfig(gate="XOR", hidden=hidden), speed=1)
    cpu = []
    for i in range(105 if hidden == (8, 8) else 55):
        c0 = time.thread_time()
        with s.lock:
            if old:
                from nnplay.app.gates.frames import frame
                frame(s, s.trainer.step(1))  # every figure as plotly JSON + panels
            else:
                from nnplay.app.gates import frames as fr
                n0 = s.trainer.curve_len
                fr.dumps(fr.build(s, s.trainer.step(1), curve_from=n0, with_static=False))
        if i >= 5:
            cpu.append(time.thread_time() - c0)
    cpu.sort()
    res["x".join(map(str, hidden))] = round(1000 * cpu[len(cpu) // 2], 2)
print(json.dumps(res))
'''

def server_cpu(tree, before):
    env = {**os.environ, "PYTHONPATH": tree + "/src"}
    out = subprocess.run([PY, "-c", CPU_SNIPPET.format(before=before)], cwd=tree, env=env, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else out.stderr[-500:]

def summary(r):
    pages = r["pages"]
    return {"frames_per_s": [p["frames_per_s"] for p in pages], "epochs_per_s": [p["epochs_per_s"] for p in pages],
            "main_ms_per_update": [round(1000 * p["busy_share"] / p["epochs_per_s"], 1) if p["epochs_per_s"] else None for p in pages],
            "busy_ms_per_frame": [p["busy_ms_per_frame"] for p in pages],
            "main_cpu_ms_per_update": round(1000 * r["main_thread_cpu_ms_per_frame"] * sum(p["frames_per_s"] for p in pages) / max(1e-9, sum(p["epochs_per_s"] for p in pages))) / 1000 if r["main_thread_cpu_ms_per_frame"] else None}

out = {"load_start": os.getloadavg()}
for label, tree in TREES.items():
    out[f"cpu_{label}"] = server_cpu(tree, label == "before")
servers = {k: serve(t) for k, t in TREES.items()}
try:
    for rnd in range(int(sys.argv[3]) if len(sys.argv) > 3 else 2):
        for label in TREES:
            for pages in (1, 4):
                r = page_rates(servers[label][1], pages, 5.0)
                out[f"r{rnd}_{label}_{pages}p"] = summary(r)
                print(label, pages, out[f"r{rnd}_{label}_{pages}p"], flush=True)
finally:
    for p, _ in servers.values():
        p.terminate()
out["load_end"] = os.getloadavg()
print(json.dumps(out))
