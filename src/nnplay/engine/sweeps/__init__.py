"""Hyperparameter sweeps: train a grid of configs and compare them.

    from nnplay.engine.sweeps import parse_axis, run_sweep
    from nnplay.engine.gates import GateConfig
    axes = [parse_axis(GateConfig, "lr=0.01,0.1"), parse_axis(GateConfig, "hidden=none,2,4-4")]
    res = run_sweep("gates", GateConfig(gate="XOR"), axes, {"seeds": 10, "epochs": 500}, out="runs/xor")
    res.rows()      # one dict per cell: lr, hidden, success_rate, median_epochs, final_loss, ...

Files: grid.py (value syntax, grid expansion), store.py (the --out folder, resume),
gates.py (a gate cell over seeds; seed ensembles), mnist.py (an MNIST cell),
runner.py (in-process or parallel worker processes, stop and Ctrl-C).
"""

from .gates import seed_ensemble, solved_share_curve, train_seed
from .grid import MAX_AXES, MAX_VALUES, Axis, Cell, expand, format_value, make_axis, parse_axis, parse_value
from .runner import KINDS, SweepResult, default_workers, run_sweep
from .store import SweepStore

__all__ = [
    "KINDS", "MAX_AXES", "MAX_VALUES", "Axis", "Cell", "SweepResult", "SweepStore", "default_workers", "expand",
    "format_value", "make_axis", "parse_axis", "parse_value", "run_sweep", "seed_ensemble",
    "solved_share_curve", "train_seed",
]
