"""Does 2 ranks x 1 thread beat 1 rank x 2 threads on this machine?

Both runs use the same code (`engine.mnist.distributed.fit`, DDP over gloo, the default
CNN recipe, global batch 128) launched by torchrun, and time only the training steps
(a third run, 1 rank x 1 thread, is the single-process default for scale):

    torchrun --standalone --nproc_per_node=1  (OMP_NUM_THREADS=2)   1 rank  x 2 threads
    torchrun --standalone --nproc_per_node=2  (OMP_NUM_THREADS=1)   2 ranks x 1 thread

Two threads split each convolution's work inside one process (and wait for each
other at every operator); two ranks each run whole steps on half the batch and meet
once per step in the gradient all-reduce. Which wins depends on the sizes involved,
so we measure rather than guess.

Run directly: python -m nnplay.bench.ddp [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _worker(args) -> int:
    """One rank (started by torchrun): train, and rank 0 writes the metrics as JSON."""
    from nnplay.engine.mnist import distributed as D
    from nnplay.engine.mnist.config import MnistConfig

    cfg = MnistConfig(epochs=1, subset=args.subset)
    try:
        _, metrics = D.fit(cfg, data_dir=args.data_dir, threads=args.threads, max_steps=args.max_steps,
                           evaluate=False)
        if D.env_from_os().is_main:
            Path(args.out).write_text(json.dumps(metrics))
    finally:
        D.cleanup()
    return 0


def launch(ranks: int, threads: int, *, subset: int = 0, max_steps: int | None = None,
           data_dir: str | None = None, timeout_s: float = 600) -> dict:
    """Start a torchrun job of `ranks` x `threads` and return rank 0's metrics
    plus the wall time of the whole job (process start-up included)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "metrics.json"
        cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={ranks}",
               "-m", "nnplay.bench.ddp", "--worker", "--out", str(out), "--threads", str(threads),
               "--subset", str(subset)]
        if max_steps:
            cmd += ["--max-steps", str(max_steps)]
        if data_dir:
            cmd += ["--data-dir", str(data_dir)]
        env = {**os.environ, "OMP_NUM_THREADS": str(threads), "PYTHONWARNINGS": "ignore"}
        # One retry: --standalone picks its rendezvous/store ports just before binding them,
        # and another program can take one in between (seen once in the test suite).
        for attempt in (1, 2):
            t0 = time.perf_counter()
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout_s)
            wall = time.perf_counter() - t0
            if done.returncode == 0 and out.exists():
                break
            if attempt == 2:
                raise RuntimeError(f"torchrun {ranks}x{threads} failed ({done.returncode}): {done.stderr[-1500:]}")
            print(f"torchrun {ranks}x{threads} failed ({done.returncode}), retrying once: "
                  f"{done.stderr.strip().splitlines()[-1:] or ''}", file=sys.stderr)
        metrics = json.loads(out.read_text())
    metrics["job_wall_seconds"] = round(wall, 2)
    return metrics


def compare(*, quick: bool = False, data_dir: str | None = None) -> dict:
    """Both layouts (and, for scale, the default 1 rank x 1 thread; not with quick) on the same work:
    the first 150 steps of the default CNN recipe (19,200 images; quick: 2,000 images)."""
    subset, steps = (2000, None) if quick else (0, 150)
    one_two = launch(1, 2, subset=subset, max_steps=steps, data_dir=data_dir)
    two_one = launch(2, 1, subset=subset, max_steps=steps, data_dir=data_dir)
    one_one = two_one if quick else launch(1, 1, subset=subset, max_steps=steps, data_dir=data_dir)
    speedup = two_one["examples_per_sec"] / max(one_two["examples_per_sec"], 1e-9)
    vs_single = two_one["examples_per_sec"] / max(one_one["examples_per_sec"], 1e-9)
    winner = "2 ranks x 1 thread" if speedup > 1 else "1 rank x 2 threads"
    return {
        "row": "ddp_ranks_vs_threads", "title": "2 ranks x 1 thread vs 1 rank x 2 threads (DDP, gloo)",
        "result": (f"{two_one['examples_per_sec']:.0f} vs {one_two['examples_per_sec']:.0f} img/s: "
                   f"{winner} wins ({max(speedup, 1 / speedup):.2f}x)"
                   + ("" if quick else f"; 1 rank x 1 thread {one_one['examples_per_sec']:.0f} img/s")),
        "target": "report either way", "met": None,
        "one_rank_two_threads": one_two, "two_ranks_one_thread": two_one,
        "one_rank_one_thread": None if quick else one_one,  # skipped by --quick to stay quick
        "speedup_two_ranks": round(speedup, 3),
        "speedup_two_ranks_vs_one_thread": None if quick else round(vs_single, 3),
        "winner": winner, "steps": two_one["steps"], "train_examples": subset or 60000,
    }


def row_ddp_ranks_vs_threads(ctx) -> dict:
    """The bench row: `compare` with the bench's quick flag and data folder."""
    return compare(quick=ctx.quick, data_dir=ctx.data_dir)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nnplay.bench.ddp", description=__doc__.split("\n\n")[0])
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--subset", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--max-steps", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--data-dir", default=None, help="MNIST folder (default: the usual search)")
    p.add_argument("--quick", action="store_true", help="2,000 images instead of 60,000")
    args = p.parse_args(argv)
    if args.worker:
        return _worker(args)
    print(json.dumps(compare(quick=args.quick, data_dir=args.data_dir), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
