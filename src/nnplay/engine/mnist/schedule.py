"""The learning-rate shapes a training can follow over its steps (see MnistConfig.schedule)."""

from __future__ import annotations

import math


def one_cycle(frac: float, warmup: float = 0.25) -> float:
    """The one-cycle shape (Smith 2018), as a factor of the peak learning rate.

    frac in [0, 1] is the share of training done. The rate rises linearly from
    peak/25 to the peak over the first `warmup` share (big steps are unsafe while
    the weights are random), then falls along a half cosine to ~0, so the last
    steps settle into a minimum instead of bouncing around it.
    """
    if frac < warmup:
        return 0.04 + 0.96 * frac / warmup
    t = (frac - warmup) / (1 - warmup)
    return 0.5 * (1 + math.cos(math.pi * min(t, 1.0))) * (1 - 1e-3) + 1e-3
