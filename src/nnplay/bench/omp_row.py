"""Row omp_wait: how torch's OpenMP threads wait, quiet and beside a busy neighbour.

`import nnplay` sets GOMP_SPINCOUNT=3000 (a short spin) before torch loads; see the
comment in src/nnplay/__init__.py. This row is the evidence: the same training command
(`nnplay train mnist`, default CNN, the first 10,000 images) as a fresh process under
each waiting policy, first on the machine as it is, then beside two processes that each
keep one core busy (a busy laptop: a browser, a video call). OpenMP reads these
variables once, when torch loads, so every variant is its own process.

    policies: short spin (ours)   GOMP_SPINCOUNT=3000
              libgomp default     GOMP_SPINCOUNT=300000 (what torch does with no setting)
              never spin          OMP_WAIT_POLICY=PASSIVE (nnplay's earlier setting)
"""

from __future__ import annotations

import subprocess
import sys

from .whole import time_train_command

POLICIES = {
    "short spin (ours)": {"GOMP_SPINCOUNT": "3000", "OMP_WAIT_POLICY": None},
    "libgomp default": {"GOMP_SPINCOUNT": "300000", "OMP_WAIT_POLICY": None},
    # an explicit GOMP_SPINCOUNT would override PASSIVE's zero spin, so it is removed
    "never spin (PASSIVE)": {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": None},
}
HOG = "import time\nt = time.time() + 600\nwhile time.time() < t: pass"


def _hogs(n: int) -> list[subprocess.Popen]:
    """n processes that each keep one core busy (killed by the caller; 10 minutes at most)."""
    return [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(n)]


def _run(ctx, env: dict, images: int) -> dict:
    r = time_train_command(["--model", "cnn", "--subset", str(images), "--threads", str(ctx.threads)],
                           data_dir=ctx.data_dir, env=env)
    return {"train_seconds": r["train_seconds"], "wall_seconds": r["wall_seconds"],
            "test_accuracy": r["test_accuracy"]}


def row_omp_wait(ctx) -> dict:
    images = 1000 if ctx.quick else 10000
    out = []
    for neighbours in (0, 2):
        hogs = _hogs(neighbours)
        try:
            for name, env in POLICIES.items():
                out.append({"policy": name, "busy_neighbours": neighbours, "env": env, **_run(ctx, env, images)})
        finally:
            for h in hogs:
                h.kill()
                h.wait()

    def ratio(name: str, neighbours: int) -> float:
        ours = next(r for r in out if r["policy"] == "short spin (ours)" and r["busy_neighbours"] == neighbours)
        it = next(r for r in out if r["policy"] == name and r["busy_neighbours"] == neighbours)
        return round(it["train_seconds"] / max(ours["train_seconds"], 1e-9), 2)

    text = "; ".join(f"{'busy' if n else 'as is'}: " + ", ".join(
        f"{name} {ratio(name, n):.2f}x" for name in POLICIES) for n in (0, 2))
    return {"row": "omp_wait", "title": "OpenMP waiting: training time against ours, quiet and busy",
            "result": f"training seconds relative to ours, {images:,} images; {text}",
            "target": "ours within 10% of the fastest in both", "images": images,
            "met": all(ratio(name, n) >= 0.9 for name in POLICIES for n in (0, 2)), "variants": out}
