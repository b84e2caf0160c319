"""Two copies of nnplay side by side, as a user runs them: `nnplay train mnist` as fresh
processes timed exec to exit, seed by seed, each round next to a reference epoch.

    git archive <old commit> | tar -x -C /tmp/old
    python -m nnplay.bench.before_after --before /tmp/old/src --seeds 0,1,2,3,4 \\
        --out benchmarks/before-after.json

Per round (one seed): the pytorch/examples reference epoch (training seconds, in its own
process with PyTorch's default settings, the bench's threads), then for each model the old code and this code, one
after the other, so both see the same machine load. `--after-only-seeds` adds seeds run
with this code alone (the worst seed of the target needs five). The report and
docs/benchmarks.md read the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]  # the src/ folder of this copy


def _ints(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def run(before: str, seeds: list[int], models: list[str], after_only: list[int], data_dir=None,
        threads: int = 2, progress=print) -> dict:
    import torch

    from . import machine
    from .reference import run_reference_process
    from .whole import time_train_command

    torch.set_num_threads(threads)
    out = {"format": "nnplay-before-after", "machine": machine.describe(), "before_src": str(before),
           "threads": threads, "rounds": []}
    for seed in seeds + after_only:
        row = {"seed": seed, "load_average": machine.load_average()}
        if seed in seeds:
            ref = run_reference_process(data_dir, epochs=1, threads=threads)
            row["reference_epoch_seconds"] = round(ref["epoch_seconds"], 2)
        for model in models:
            for name, src in (("before", before), ("after", HERE)):
                if name == "before" and seed not in seeds:
                    continue
                # each copy with its own OpenMP default (this process's import set ours, which the
                # old copy would inherit: an explicit GOMP_SPINCOUNT overrides its PASSIVE)
                t = time_train_command(["--model", model, "--seed", str(seed)], data_dir=data_dir, src=src,
                                       env={"GOMP_SPINCOUNT": None, "OMP_WAIT_POLICY": None})
                row[f"{model}_{name}"] = {k: t[k] for k in ("wall_seconds", "test_accuracy", "train_seconds")}
        out["rounds"].append(row)
        progress(json.dumps(row))
    out["machine"]["load_average_at_end"] = machine.load_average()
    return out


def markdown(d: dict) -> str:
    """The rounds as a Markdown table: whole-process seconds, accuracy and the ratio to the
    round's reference epoch, before and after, per model."""
    models = [k[:-6] for k in d["rounds"][0] if k.endswith("_after")]
    head = ["seed", "load (1 min)", "reference epoch"]
    for m in models:
        head += [f"{m} before", f"{m} after"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in d["rounds"]:
        ref = r.get("reference_epoch_seconds")
        cells = [str(r["seed"]), f"{r['load_average'][0]:.1f}", f"{ref:.1f} s" if ref else "-"]
        for m in models:
            for name in ("before", "after"):
                t = r.get(f"{m}_{name}")
                if t is None:
                    cells.append("-")
                    continue
                ratio = f", {t['wall_seconds'] / ref:.2f}x" if ref else ""
                cells.append(f"{t['wall_seconds']:.1f} s{ratio}, {100 * t['test_accuracy']:.2f}%")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nnplay.bench.before_after", description=__doc__.split("\n\n")[0])
    p.add_argument("--before", required=True, help="the src/ folder of the old copy")
    p.add_argument("--seeds", default="0", help="seeds run with both copies, each beside a reference epoch")
    p.add_argument("--after-only-seeds", default="", help="seeds run with this copy only")
    p.add_argument("--models", default="cnn,mlp")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data-dir", default=os.environ.get("NNPLAY_DATA_DIR"))
    p.add_argument("--out", default="benchmarks/before-after.json")
    a = p.parse_args(argv)
    result = run(a.before, _ints(a.seeds), a.models.split(","), _ints(a.after_only_seeds), a.data_dir, a.threads)
    Path(a.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
