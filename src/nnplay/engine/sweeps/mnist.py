"""Sweep cells for the MNIST lab: one training run per cell.

Each cell trains its config once and reports

    test_accuracy / test_error   on the 10,000 test images (never trained on)
    seconds                      training wall time (test evaluations excluded)
    curve                        training loss and accuracy against the (fractional)
                                 epoch, about POINTS points, for the overlaid curves
    diverged                     the loss became NaN/inf (learning rate too high)

Cells are independent, so the runner trains several at once in separate processes
(see runner.py), each with torch.set_num_threads(1): on a 2-core laptop two cells
with one thread each finish sooner than the same cells one after another with two
threads each, because tiny per-step operations do not split well across threads.
"""

from __future__ import annotations

import math

from ..errors import ConfigError
from ..mnist import MnistConfig, MnistTrainer, count_parameters, load_mnist

POINTS = 40  # curve points per cell

COLUMNS = ["test_accuracy", "test_error", "final_train_loss", "seconds", "n_params", "diverged"]
METRICS = {"test_accuracy": "test accuracy", "test_error": "test error", "seconds": "training seconds",
           "final_train_loss": "final training loss"}


def run_mnist_cell(cfg_dict: dict, options: dict, stop=None) -> dict:
    """Train one MNIST config; return its result dict ({"stopped": True} if interrupted)."""
    cfg = MnistConfig.from_dict(cfg_dict)
    data = load_mnist()  # cached per process; the trainer takes cfg.subset of it
    test_n = int(options.get("test_subset") or 0)
    if test_n:
        data = data.subset(None, test_n)
    n_train = min(cfg.subset or len(data.train_y), len(data.train_y))
    total_steps = math.ceil(n_train / cfg.batch_size) * cfg.epochs
    every = max(1, total_steps // int(options.get("points", POINTS)))  # an event every `every` steps
    trainer = MnistTrainer(cfg, data, every=every)
    curve = {"epoch": [], "train_loss": [], "train_acc": [], "test_epoch": [], "test_acc": []}
    last = None
    try:
        for ev in trainer.run():
            if stop is not None and stop.is_set():
                trainer.stop()
            if ev.stopped:
                return {"stopped": True}
            if not math.isnan(ev.train_loss):
                curve["epoch"].append(round(ev.epoch, 4))
                curve["train_loss"].append(ev.train_loss)
                curve["train_acc"].append(ev.train_acc)
            if ev.test_acc is not None and (not curve["test_epoch"] or curve["test_epoch"][-1] != round(ev.epoch, 4)):
                curve["test_epoch"].append(round(ev.epoch, 4))
                curve["test_acc"].append(ev.test_acc)
            last = ev
    except ConfigError as e:  # the trainer's "diverged ... lower the learning rate"
        return {"stopped": False, "diverged": str(e), "test_accuracy": None, "test_error": None,
                "final_train_loss": None, "seconds": trainer.seconds, "curve": curve,
                "n_params": count_parameters(trainer.model), "epochs": cfg.epochs}
    acc = last.test_acc if last is not None else None
    return {
        "stopped": False,
        "diverged": None,
        "test_accuracy": acc,
        "test_error": None if acc is None else 1.0 - acc,
        "final_train_loss": curve["train_loss"][-1] if curve["train_loss"] else None,
        "seconds": trainer.seconds,
        "n_params": count_parameters(trainer.model),
        "epochs": cfg.epochs,
        "curve": curve,
    }
