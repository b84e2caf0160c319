"""One table per kind of choice: names -> functions.

The UI dropdowns and the CLI's argparse `choices=` are both built from the keys of
these dicts, so a new activation or optimizer added here shows up everywhere.
Lab-specific tables live with their lab (`gates.truth.GATES`, `mnist.models.MODELS`).
"""

from __future__ import annotations

from typing import Callable, Iterable

import torch
from torch import nn

from .errors import ConfigError

# name -> a factory for the activation module.
#   relu(z) = max(0, z)            cheap, but a neuron can "die" (zero gradient for z<0)
#   tanh(z) in (-1, 1)             zero-centred; the Playground's default
#   sigmoid(z) = 1/(1+e^-z)        in (0, 1); saturates, so gradients shrink
#   linear(z) = z                  no non-linearity: the whole net collapses to one linear map
#   leaky_relu(z) = max(0.01 z, z) relu that never fully dies
#   gelu(z) = z * Phi(z)           smooth relu used by transformers
ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "linear": nn.Identity,
    "leaky_relu": lambda: nn.LeakyReLU(0.01),
    "gelu": nn.GELU,
}

Params = Iterable[torch.nn.Parameter]

# AdamW's own weight decay when the caller gives none: PyTorch's default (and the
# AdamW paper's setting scale). Each step first shrinks every weight by lr * 0.01 * w,
# then takes the Adam step: "decoupled" decay. With 0 here AdamW *is* Adam, step for
# step, so the lab's AdamW would show nothing new.
ADAMW_WEIGHT_DECAY = 0.01

# name -> factory(params, lr, weight_decay) -> optimizer.
# weight_decay here is the optimizer's own decay (L2 folded into the update for
# SGD/Adam/RMSprop, decoupled for AdamW); None = the optimizer's default (0, AdamW 0.01).
OPTIMIZERS: dict[str, Callable[[Params, float, float], torch.optim.Optimizer]] = {
    "sgd": lambda p, lr, wd: torch.optim.SGD(p, lr=lr, weight_decay=wd or 0.0),
    "momentum": lambda p, lr, wd: torch.optim.SGD(p, lr=lr, momentum=0.9, weight_decay=wd or 0.0),
    "adam": lambda p, lr, wd: torch.optim.Adam(p, lr=lr, weight_decay=wd or 0.0),
    "adamw": lambda p, lr, wd: torch.optim.AdamW(p, lr=lr, weight_decay=ADAMW_WEIGHT_DECAY if wd is None else wd),
    "rmsprop": lambda p, lr, wd: torch.optim.RMSprop(p, lr=lr, weight_decay=wd or 0.0),
    # Adadelta is what pytorch/examples mnist/main.py uses (at lr=1.0).
    "adadelta": lambda p, lr, wd: torch.optim.Adadelta(p, lr=lr, weight_decay=wd or 0.0),
}

# The gate lab offers the Playground's five; Adadelta is for MNIST.
GATE_OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop")


def pick(table: dict, name: str, what: str):
    """Look `name` up in `table`, or raise a ConfigError listing the valid names."""
    key = str(name).strip().lower()
    if key not in table:
        raise ConfigError(f"unknown {what} {name!r}; choose one of: {', '.join(table)}")
    return table[key]


def default_weight_decay(optimizer: str) -> float:
    """The weight decay `optimizer` uses when none is given: AdamW's ADAMW_WEIGHT_DECAY, 0 for the others."""
    return ADAMW_WEIGHT_DECAY if str(optimizer).strip().lower() == "adamw" else 0.0


def make_activation(name: str) -> nn.Module:
    return pick(ACTIVATIONS, name, "activation")()


def make_optimizer(name: str, params: Params, lr: float, weight_decay: float | None = None) -> torch.optim.Optimizer:
    """weight_decay None = the optimizer's own default (0; AdamW ADAMW_WEIGHT_DECAY)."""
    return pick(OPTIMIZERS, name, "optimizer")(params, lr, weight_decay)
