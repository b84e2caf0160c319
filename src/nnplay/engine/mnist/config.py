"""`MnistConfig`: every knob of one MNIST training run, validated.

The defaults are the fast CNN recipe measured on a 2-core laptop-class CPU (see
docs/pretrained.md and docs/benchmarks.md): a small batch-norm CNN in channels_last
layout, Adam with a one-cycle learning-rate schedule peaking at 0.008, batches of 128,
one epoch (~99.2% test accuracy; `epochs=2` gives ~99.3%; times in docs/benchmarks.md).  `recommended(model)` gives
the tuned recipe for each model, since a good learning rate for a CNN with batch
norm is not a good one for logistic regression.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from ..choices import OPTIMIZERS, default_weight_decay
from ..config import ConfigBase, check_range
from ..errors import ConfigError
from .models import MODELS, build_model

SCHEDULES = ("constant", "onecycle")


@dataclass(frozen=True)
class MnistConfig(ConfigBase):
    model: str = "cnn"                    # one of MODELS: cnn | mlp | logistic | lenet5
    hidden: tuple[int, ...] = (300, 100)  # mlp only: hidden layer sizes
    dropout: float = 0.0                  # dropout probability before the last layers (0 = off)
    width: int = 16                       # cnn only: channels of the first conv block (x2, x4 after it)
    head: int = 0                         # cnn only: units of a hidden fully connected layer before the
                                          # output (0 = none: features -> 10 logits directly)
    bn_after_pool: bool = True            # cnn only: conv -> pool -> BN -> ReLU blocks, ~0.7x the step time
                                          # of the classic conv -> BN -> pool (False; what checkpoints saved
                                          # without this field use): see models._conv_block
    optimizer: str = "adam"               # one of engine.choices.OPTIMIZERS
    lr: float = 0.008                     # peak learning rate (one-cycle) or the constant rate
    batch_size: int = 128                 # examples per step
    epochs: int = 1                       # passes over the training set: one epoch of one-cycle at peak
                                          # 0.008 (+ label smoothing 0.1, the recipe) gives 99.20-99.36%
                                          # (seeds 0-4) in 3.6-3.9 s of training on 2 cores (benchmarks.md)
    weight_decay: float | None = None     # the optimizer's weight decay; None = its default: AdamW's
                                          # decoupled 0.01 (else AdamW would be Adam), 0 for the others
    label_smoothing: float = 0.0          # share of each target spread over all 10 classes (0 = one-hot)
    schedule: str = "onecycle"            # constant | onecycle (warm up, then anneal to ~0)
    augment: bool = False                 # random shifts of up to 2 px (in memory, per batch)
    ema: float = 0.0                      # decay of an exponential moving average of the weights, which
                                          # is evaluated and kept as the result (0 = off; 0.999 remembers
                                          # ~1,000 steps): see averaging.py
    seed: int = 0                         # initial weights and batch order
    subset: int = 0                       # train on the first N images only (0 = all 60,000)
    threads: int = 2                      # torch.set_num_threads (0 = torch's default): with channels_last
                                          # 2 threads beat 1 on a quiet 2-core CPU and lose on a busy one
                                          # (docs/pretrained.md, docs/benchmarks.md row cnn_levers)

    def validate(self) -> "MnistConfig":
        if self.model not in MODELS:
            raise ConfigError(f"unknown model {self.model!r}; choose one of: {', '.join(MODELS)}")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer {self.optimizer!r}; choose one of: {', '.join(OPTIMIZERS)}")
        if self.schedule not in SCHEDULES:
            raise ConfigError(f"unknown schedule {self.schedule!r}; choose one of: {', '.join(SCHEDULES)}")
        if self.model == "mlp":
            if not self.hidden:
                raise ConfigError("the mlp needs at least one hidden layer, e.g. --hidden 300,100")
            if len(self.hidden) > 8:
                raise ConfigError(f"at most 8 hidden layers, got {len(self.hidden)}")
            for h in self.hidden:
                if not 1 <= h <= 4096:
                    raise ConfigError(f"each hidden layer needs 1 to 4096 units, got {h}")
        if not isinstance(self.lr, (int, float)) or not math.isfinite(self.lr) or self.lr <= 0:
            raise ConfigError(f"learning rate must be a positive number, got {self.lr}")
        check_range("learning rate", self.lr, 1e-6, 10.0)
        check_range("dropout", self.dropout, 0.0, 0.9)
        check_range("CNN width", self.width, 4, 128)
        check_range("CNN head", self.head, 0, 4096)
        check_range("batch size", self.batch_size, 1, 60000)
        check_range("epochs", self.epochs, 1, 1000)
        if self.weight_decay is not None:
            check_range("weight decay", self.weight_decay, 0.0, 1.0)
        check_range("label smoothing", self.label_smoothing, 0.0, 0.5)
        check_range("EMA decay", self.ema, 0.0, 0.99999)
        check_range("subset", self.subset, 0, 60000)
        check_range("threads", self.threads, 0, 256)
        return self

    @property
    def weight_decay_used(self) -> float:
        """The weight decay training applies: the field, or the optimizer's default when it is None."""
        return default_weight_decay(self.optimizer) if self.weight_decay is None else self.weight_decay

    def build_model(self, generator=None):
        """A fresh model of this config's architecture (every field that shapes it), initialised
        from `generator` (a torch.Generator) or, without one, from torch's global generator."""
        return build_model(self.model, self.hidden, self.dropout, generator=generator, width=self.width,
                           head=self.head, bn_after_pool=self.bn_after_pool)

    def resolved(self) -> "MnistConfig":
        """A copy with `weight_decay` filled in: what records of a run (checkpoints, tables) keep.
        The config itself keeps None, so `replace(optimizer="adamw")` still gets AdamW's default."""
        return dataclasses.replace(self, weight_decay=self.weight_decay_used)


# Fields that only some models use (the others ignore them): `applies` says which.
ONLY_FOR = {"hidden": ("mlp",), "dropout": ("mlp", "cnn", "lenet5"), "width": ("cnn",), "head": ("cnn",),
            "bn_after_pool": ("cnn",)}
# Fields that do not change what a run learns (how it runs, not what).
NOT_LEARNING = ("threads",)


def applies(model: str, field: str) -> bool:
    """Does `field` change what `model` learns? (hidden sizes: only the mlp's; threads: never)"""
    return field not in NOT_LEARNING and model in ONLY_FOR.get(field, (model,))


# Per-model recipes, measured on the 2-core CPU this project targets.
RECOMMENDED: dict[str, dict] = {
    # the MnistConfig defaults plus label smoothing 0.1: one epoch, seeds 0-4, bf16, conv -> pool -> BN
    # blocks: 99.20-99.36% (docs/benchmarks.md, 3 Dec 19:55). With the older conv -> BN -> pool blocks:
    # 99.11-99.25%, and without label smoothing 98.98-99.15%, so the worst seed missed 99.0%
    "cnn": dict(label_smoothing=0.1),
    # batch 256 at peak 0.006: 98.11-98.29% after 3 epochs (seeds 0-3) in ~3 s (docs/pretrained.md)
    "mlp": dict(hidden=(300, 100), lr=0.006, batch_size=256, epochs=3, schedule="onecycle"),
    "logistic": dict(lr=0.01, batch_size=128, epochs=3, schedule="onecycle"),
    "lenet5": dict(lr=0.005, batch_size=128, epochs=3, schedule="onecycle"),
}


def recommended(model: str = "cnn", **overrides) -> MnistConfig:
    """The tuned recipe for `model`, with any fields overridden."""
    if model not in MODELS:
        raise ConfigError(f"unknown model {model!r}; choose one of: {', '.join(MODELS)}")
    return MnistConfig.from_dict({"model": model, **RECOMMENDED[model], **overrides})
