"""Sweep cells for the logic-gate lab: one config trained over several seeds.

A single training run says little: whether a small network solves XOR depends on
its random initial weights. So each cell trains the same config from `seeds`
different seeds (cfg.seed, cfg.seed + 1, ...) and reports

    success_rate   share of seeds reaching 100% training accuracy ("solved")
    median_epochs  median epoch at which the solved seeds got there (None if none did)
    final_loss     median training loss where the runs ended
    solved_epochs  per seed: the solving epoch or None, which is all a
                   "share solved by epoch e" curve needs

A run stops as soon as it is solved (`until_solved`): everything after that is
wasted time for this question, and most XOR runs solve in tens of epochs while the
budget is hundreds, so a sweep runs many times faster than training every seed to
the end. "Final loss" is therefore the loss when the run stopped.
"""

from __future__ import annotations

import time

import numpy as np

from ..gates import GateConfig, GateTrainer
from .grid import median

CHUNK = 25  # epochs between checks of the stop flag (and of "solved")

COLUMNS = ["success_rate", "n_solved", "seeds", "median_epochs", "final_loss", "mean_train_acc",
           "n_diverged", "seconds"]
METRICS = {"success_rate": "success rate (100% train accuracy)", "median_epochs": "median epochs to solve",
           "final_loss": "final loss", "mean_train_acc": "mean train accuracy"}


def _stopped(stop) -> bool:
    return stop is not None and stop.is_set()


def train_seed(cfg: GateConfig, epochs: int, *, until_solved: bool = True, stop=None,
               grid_size: int | None = None) -> dict | None:
    """Train one seed for up to `epochs` epochs. Returns its numbers (and the output
    grid when grid_size is given), or None when `stop` was set before it finished."""
    tr = GateTrainer(cfg, grid_size=grid_size or 2)
    remaining = epochs
    while remaining > 0 and not tr.diverged:
        if _stopped(stop):
            return None
        k = min(CHUNK, remaining)
        ran = tr.train(k, until_solved=until_solved)  # fewer than k: solved or diverged
        remaining -= k
        if ran < k:
            break
        if until_solved and tr.solved:
            break
    m = tr.metrics
    out = {"seed": cfg.seed, "solved": tr.solved, "solved_epoch": tr.solved_epoch, "epochs_run": tr.epoch,
           "loss": m["train_loss"], "train_acc": m["train_acc"], "test_acc": m["test_acc"],
           "diverged": tr.diverged}
    if grid_size:
        out["grid"] = tr.snapshot().grid  # (G, G) float32 probability, row = x2, col = x1
        out["axis"] = tr.grid_axis
        out["curve"] = tr.curve
    return out


def run_gate_cell(cfg_dict: dict, options: dict, stop=None) -> dict:
    """One sweep cell: `options["seeds"]` runs of `options["epochs"]` (default cfg.epochs).
    Returns the cell's result dict; {"stopped": True} if interrupted."""
    cfg = GateConfig.from_dict(cfg_dict)
    n_seeds = int(options.get("seeds", 20))
    epochs = int(options.get("epochs") or cfg.epochs)
    t0 = time.perf_counter()
    runs = []
    for k in range(n_seeds):
        run = train_seed(cfg.replace(seed=cfg.seed + k), epochs, stop=stop)
        if run is None:
            return {"stopped": True}
        runs.append(run)
    return summarize(runs, epochs, time.perf_counter() - t0)


def summarize(runs: list[dict], epochs: int, seconds: float = 0.0) -> dict:
    solved = [r["solved_epoch"] for r in runs if r["solved"]]
    return {
        "stopped": False,
        "seeds": len(runs),
        "epochs": epochs,
        "n_solved": len(solved),
        "success_rate": len(solved) / max(1, len(runs)),
        "median_epochs": median(solved),
        "final_loss": median(r["loss"] for r in runs),
        "mean_train_acc": float(np.mean([r["train_acc"] for r in runs])) if runs else None,
        "best_train_acc": max((r["train_acc"] for r in runs), default=None),
        "n_diverged": sum(1 for r in runs if r["diverged"]),
        "solved_epochs": [r["solved_epoch"] if r["solved"] else None for r in runs],
        "seconds": seconds,
    }


def solved_share_curve(solved_epochs: list, epochs: int) -> tuple[np.ndarray, np.ndarray]:
    """The share of seeds solved by each epoch, as a step curve: (epochs (K,), share (K,)).
    A seed solved at epoch e counts from e on; unsolved seeds (None) never count."""
    n = max(1, len(solved_epochs))
    done = sorted(e for e in solved_epochs if e is not None)
    xs, ys = [0], [0.0]
    for i, e in enumerate(done, start=1):
        xs += [e, e]
        ys += [ys[-1], i / n]
    xs.append(max(epochs, xs[-1]))
    ys.append(ys[-1])
    return np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=np.float32)


def seed_ensemble(cfg: GateConfig, n_seeds: int = 12, epochs: int | None = None, *, grid_size: int = 32,
                  stop=None, callback=None) -> dict:
    """Train `cfg` from seeds cfg.seed .. cfg.seed + n - 1 and keep each final decision
    surface, so a learner sees the spread: the same 2-2-1 network solves XOR from one
    start and gets stuck from another.

    Returns {"runs": [per-seed dict with "grid" (G, G)], "axis": (G,), "n_solved",
    "x_train", "y_train", "stopped"}; callback(i, run) after each seed."""
    cfg = cfg.validate()
    epochs = int(epochs or cfg.epochs)
    runs = []
    for k in range(n_seeds):
        # Trained for the whole budget (not stopped once solved), so the surfaces shown are
        # the settled ones: a run stopped at the first 100% epoch still looks washed out.
        run = train_seed(cfg.replace(seed=cfg.seed + k), epochs, until_solved=False, stop=stop,
                         grid_size=grid_size)
        if run is None:
            break
        runs.append(run)
        if callback is not None:
            callback(k, run)
    data = GateTrainer(cfg, grid_size=2).data
    return {"runs": runs, "axis": runs[0]["axis"] if runs else None, "n_solved": sum(r["solved"] for r in runs),
            "x_train": data.x_train, "y_train": data.y_train, "stopped": len(runs) < n_seeds,
            "summary": summarize(runs, epochs)}
