"""Weight averaging: an exponential moving average (EMA) of the weights, kept beside training.

SGD-style training never sits still at a minimum: each step jumps a little around it, driven
by the noise of its mini-batch. Averaging the weights of the last few hundred steps lands
closer to the middle of that cloud, which usually generalises a bit better (Polyak averaging;
on MNIST typically +0.02-0.1% test accuracy) for the price of one extra copy of the weights
and one fused update per step. The rule, for every weight tensor w and its average a:

    a <- d * a + (1 - d) * w        = a + (1 - d) * (w - a)   (a "lerp" towards w)

so a step k updates ago weighs (1 - d) * d^k: the average remembers ~1 / (1 - d) steps
(d = 0.999: ~1,000 steps, about two epochs of MNIST at batch 128).

Early on the average would still be full of the random initial weights, so the decay
warms up as TensorFlow's ExponentialMovingAverage does with `num_updates`:

    d_t = min(d, (1 + t) / (10 + t))      (t = updates so far: 0.1, 0.18, ... -> d)

Batch norm: the averaged weights need matching running statistics (each channel's
mean and variance of its inputs), else evaluation standardises with the wrong numbers.
We average the running mean and variance with the same rule (as timm's ModelEmaV2 does):
cheap, and close to the statistics of the averaged weights when these move slowly.
Integer buffers (BN's num_batches_tracked) are copied.
"""

from __future__ import annotations

import torch
from torch import nn


class WeightEma:
    """An EMA of `model`'s parameters and buffers, held in `self.model` (same architecture,
    built by the caller: `shadow`), updated by `update()` after each optimizer step."""

    def __init__(self, model: nn.Module, shadow: nn.Module, decay: float):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"EMA decay must be between 0 and 1, got {decay}")
        self.decay = float(decay)
        self.updates = 0
        self.model = shadow
        self.model.load_state_dict(model.state_dict())  # the average starts at the current weights
        self.model.requires_grad_(False)
        self.model.eval()
        src = list(model.parameters()) + list(model.buffers())
        dst = list(self.model.parameters()) + list(self.model.buffers())
        pairs = list(zip(src, dst))
        self._float = [(s, d) for s, d in pairs if d.is_floating_point()]
        self._other = [(s, d) for s, d in pairs if not d.is_floating_point()]

    def decay_now(self) -> float:
        """The decay the next update uses (warm-up: (1 + t) / (10 + t), capped at `decay`)."""
        t = self.updates
        return min(self.decay, (1 + t) / (10 + t))

    @torch.no_grad()
    def update(self) -> None:
        """a <- a + (1 - d) * (w - a) for every float tensor, in one fused call per list."""
        d = self.decay_now()
        if self._float:
            torch._foreach_lerp_([a for _, a in self._float], [w for w, _ in self._float], 1.0 - d)
        for w, a in self._other:
            a.copy_(w)
        self.updates += 1
