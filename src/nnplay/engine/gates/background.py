"""Training a gate network in a background process (see runtime/pool.py for why).

    trainer = fit_in_background(GateConfig(gate="XOR"), epochs=300)

The result is the same GateTrainer, bit for bit, as training it in this process: the
worker builds it from the same seeded config and sends it back pickled (weights,
optimizer state, history). The app's `gates_train` API uses this so that a class's
worth of API trainings cannot slow down everybody's predictions.
"""

from __future__ import annotations

import os

from nnplay.runtime import ray_backend
from nnplay.runtime.pool import BackgroundPool
from .config import GateConfig
from .trainer import GateTrainer

# At most two trainings at once (this is a 2-core laptop's worth); more wait their turn.
POOL = BackgroundPool(workers=min(2, os.cpu_count() or 1), niceness=10)


def fit_new(cfg: GateConfig, epochs: int, grid_size: int = 40) -> GateTrainer:
    """A fresh trainer for `cfg`, trained `epochs` epochs in one chunk (no callbacks)."""
    trainer = GateTrainer(cfg, grid_size=grid_size)
    if epochs:
        trainer.fit(epochs, chunk=epochs)
    return trainer


def fit_in_background(cfg: GateConfig, epochs: int, grid_size: int = 40) -> GateTrainer:
    """`fit_new` in a worker process of POOL (or a Ray task with `--ray`); blocks the calling thread."""
    return (ray_backend.active() or POOL).run(fit_new, cfg, int(epochs), int(grid_size))
