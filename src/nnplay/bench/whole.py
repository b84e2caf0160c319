"""What a user waits for: `nnplay train mnist` as a fresh process, timed from exec to exit.

Python's start-up, the imports, loading MNIST, training, the test evaluation and the
checkpoint are all inside the clock, as they are for someone at a terminal. The
command's own `--json` line supplies the accuracy it reached.

    r = time_train_command(["--model", "cnn", "--seed", "1"])
    r["wall_seconds"], r["result"]["test_accuracy"]

`src` runs another copy of nnplay's code (its `src/` folder first on PYTHONPATH): the
benchmark's before/after comparison runs the old and the new code side by side.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def time_train_command(args: list[str], *, data_dir: str | os.PathLike | None = None,
                       src: str | os.PathLike | None = None, timeout_s: float = 900,
                       env: dict | None = None) -> dict:
    """Run `python -m nnplay train mnist ARGS --json --out TMP`; wall seconds from just
    before the process is started until it has exited, and its JSON result. `env`:
    variables to set for the process (a value of None removes that variable)."""
    extra = env or {}
    env = {**os.environ, "PYTHONWARNINGS": "ignore", **{k: v for k, v in extra.items() if v is not None}}
    for k in (k for k, v in extra.items() if v is None):
        env.pop(k, None)
    if data_dir:
        env["NNPLAY_DATA_DIR"] = str(data_dir)
    if src:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    with tempfile.TemporaryDirectory(prefix="nnplay-bench-") as tmp:
        cmd = [sys.executable, "-m", "nnplay", "train", "mnist", *args, "--json", "--out", str(Path(tmp) / "m")]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout_s)
        wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"`nnplay train mnist {' '.join(args)}` exited with {done.returncode}: "
                           f"{done.stderr.strip()[-400:]}")
    result = json.loads([ln for ln in done.stdout.splitlines() if ln.startswith("{")][-1])
    return {"args": args, "wall_seconds": round(wall, 3), "test_accuracy": result["test_accuracy"],
            "train_seconds": result.get("seconds"), "bf16": result.get("bf16"), "result": result}


def seeds_summary(runs: list[dict], target: float, ref_epoch: float | None) -> dict:
    """The worst seed counts: the slowest wall time and the lowest accuracy of `runs`."""
    worst_wall = max(r["wall_seconds"] for r in runs)
    worst_acc = min(r["test_accuracy"] for r in runs)
    return {
        "seeds": len(runs),
        "worst_wall_seconds": worst_wall,
        "median_wall_seconds": sorted(r["wall_seconds"] for r in runs)[len(runs) // 2],
        "worst_test_accuracy": worst_acc,
        "best_test_accuracy": max(r["test_accuracy"] for r in runs),
        "all_reach_target": bool(worst_acc >= target),
        "worst_ratio_to_reference_epoch": round(worst_wall / ref_epoch, 3) if ref_epoch else None,
        "runs": [{k: r[k] for k in ("args", "wall_seconds", "test_accuracy", "train_seconds", "bf16")}
                 for r in runs],
    }


def whole_process_seeds(model_args: list[str], seeds, target: float, ref_epoch: float | None, *,
                        data_dir=None, src=None) -> dict:
    """`nnplay train mnist MODEL_ARGS --seed S` for every seed, each a fresh process."""
    runs = [time_train_command([*model_args, "--seed", str(s)], data_dir=data_dir, src=src) for s in seeds]
    return seeds_summary(runs, target, ref_epoch)
