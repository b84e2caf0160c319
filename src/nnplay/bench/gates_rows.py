"""Benchmark row gates_xor_seeds: the logic-gate lab's training. The live view's rows are in gates_live.py."""

from __future__ import annotations

from .machine import median, percentiles


def row_gates_xor_seeds(ctx) -> dict:
    """Default config on XOR, seeds 0-99 (quick: 0-19): how many are solved
    (100% training accuracy within cfg.epochs) and the median wall time to solve,
    trainer construction included."""
    from nnplay.engine.gates import GateConfig, train_gate

    seeds = range(20 if ctx.quick else 100)
    runs = []
    for seed in seeds:
        r = train_gate(GateConfig(gate="XOR", seed=seed), until_solved=True)
        runs.append({"seed": seed, "solved": bool(r["solved"]), "solved_epoch": r["solved_epoch"],
                     "seconds": round(r["seconds"], 4)})
    solved = [r for r in runs if r["solved"]]
    med = median([r["seconds"] for r in solved])
    med_epoch = median([r["solved_epoch"] for r in solved])
    n = len(runs)
    return {
        "row": "gates_xor_seeds", "title": f"gates: XOR seeds 0-{n - 1} with the defaults",
        "result": f"{len(solved)}/{n} solved, median {med:.3f} s ({med_epoch:g} epochs)" if solved
        else f"0/{n} solved",
        "target": "100/100, median <= 0.3 s",
        "met": bool(len(solved) == n and med is not None and med <= 0.3),
        "seeds": n, "solved": len(solved), "median_seconds": med, "median_epochs": med_epoch,
        "max_seconds": max((r["seconds"] for r in solved), default=None),
        "unsolved_seeds": [r["seed"] for r in runs if not r["solved"]],
        "config": GateConfig().to_dict(),
    }
