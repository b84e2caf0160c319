"""Benchmark rows gates_xor_seeds and gates_frame: the logic-gate lab's training and one live frame."""

from __future__ import annotations

import time

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


def frame_figures(tr, snap):
    """Every figure the gate lab redraws on one live update: the decision boundary
    with the data, the network diagram (all node heatmaps + edges), the loss and
    accuracy curves and the enlarged first hidden neuron."""
    from nnplay.viz import gates as vg

    axis = tr.grid_axis
    d = tr.data
    return [
        vg.boundary_figure(snap.grid, axis, d.x_train, d.y_train, d.x_test, d.y_test),
        vg.network_from_snapshot(snap, tr.feature_names),
        vg.curves_figure(tr.curve, cursor_epoch=snap.epoch),
        vg.neuron_figure(snap.hidden[0][0] if snap.hidden else snap.grid, axis, "h1.1"),
    ]


def row_gates_frame(ctx) -> dict:
    """2-[8,8]-1 on XOR: one step() (an epoch plus all grids) and every figure.
    Timed twice: building the figures, and also serialising them to JSON as the
    server does before sending them to the page."""
    from nnplay.engine.gates import GateConfig, GateTrainer

    tr = GateTrainer(GateConfig(gate="XOR", hidden=(8, 8)), grid_size=40)
    repeats = 20 if ctx.quick else 200

    def frame(serialise: bool):
        snap = tr.step(1)
        figs = frame_figures(tr, snap)
        if serialise:
            for f in figs:
                f.to_json()

    build, with_json = [], []
    for times, ser in ((build, False), (with_json, True)):
        for i in range(repeats + 5):
            t0 = time.perf_counter()
            frame(ser)
            if i >= 5:
                times.append(time.perf_counter() - t0)
    p50, p95 = (1000 * v for v in percentiles(build, 50, 95))
    j50, j95 = (1000 * v for v in percentiles(with_json, 50, 95))
    return {
        "row": "gates_frame", "title": "gates: one 2-[8,8]-1 step + all figures",
        "result": f"p50 {p50:.1f} ms (p95 {p95:.1f}); with JSON {j50:.1f} ms",
        "target": "<= 20 ms", "met": bool(j50 <= 20),
        "p50_ms": round(p50, 2), "p95_ms": round(p95, 2),
        "p50_ms_with_json": round(j50, 2), "p95_ms_with_json": round(j95, 2),
        "figures": 4, "grid_size": 40, "repeats": repeats,
    }
