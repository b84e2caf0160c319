"""GateConfig: the one description of a logic-gate run.

The CLI flags (`nnplay train gates --lr 0.1`), the lab's controls and the page URL
(`?gate=XOR&hidden=4,4`) all build a GateConfig; checkpoints store `to_dict()`.
The round trips (dict, URL query) come from `engine.config.ConfigBase`.

The defaults solve XOR (100% train accuracy) for every seed 0-99 within 1,000
epochs: two hidden layers of 4 tanh neurons, Adam at lr 0.03, full batch. Measured
over seeds 0-99 the median is about 30 epochs and the worst about 110 (see
tests/engine/test_gates_defaults.py).
"""

from __future__ import annotations

import dataclasses
import math

from ..choices import ACTIVATIONS, GATE_OPTIMIZERS
from ..config import ConfigBase, check_range
from ..errors import ConfigError
from .data import FEATURES, split_sizes
from .truth import GATES, canonical_gate, parse_truth_table

SAMPLINGS = ("exact", "noisy")
REGULARIZATIONS = ("none", "l1", "l2")

# Limits, shared by validate(), the CLI help and the UI sliders.
MAX_LAYERS = 6
MAX_NEURONS = 16
LR_RANGE = (1e-5, 10.0)
MAX_EPOCHS = 1_000_000
MAX_POINTS = 1000
NOISE_RANGE = (0.0, 2.0)
TRAIN_RATIO_RANGE = (0.1, 0.9)
REG_RATE_RANGE = (0.0, 10.0)
MAX_SEED = 2**31 - 1

# Choice fields -> their allowed values (argparse `choices=` and UI dropdowns).
CHOICES: dict[str, tuple[str, ...]] = {
    "sampling": SAMPLINGS,
    "activation": tuple(ACTIVATIONS),
    "optimizer": GATE_OPTIMIZERS,
    "regularization": REGULARIZATIONS,
    "features": tuple(FEATURES),
}

# One line per field: the CLI's --help and the UI's info= text.
HELP: dict[str, str] = {
    "gate": f"a gate name ({', '.join(GATES)}) or a truth table such as 0110 (rows 00,01,10,11) "
            "or 8 digits for 3 inputs",
    "sampling": "exact: the truth-table rows themselves; noisy: a cloud of points around each corner",
    "n_points": "noisy sampling: points per corner",
    "noise": "noisy sampling: standard deviation of the Gaussian noise around each corner",
    "train_ratio": "noisy sampling: fraction of the points used for training (the rest test)",
    "features": "comma-separated input features: " + ", ".join(FEATURES),
    "hidden": "neurons per hidden layer, e.g. 4,4; 'none' for no hidden layer (0-6 layers of 1-16)",
    "activation": "the hidden layers' activation function",
    "optimizer": "how the weights are updated from the gradient (adamw: Adam with weight decay 0.01)",
    "lr": "learning rate, 1e-5 to 10: the size of each update step",
    "batch_size": "examples per update; 0 = the full training set (values above it mean the full set)",
    "epochs": "passes over the training set",
    "regularization": "penalty on the weights: none, l1 (sum |w|) or l2 (sum w^2 / 2)",
    "reg_rate": "regularization strength, 0 to 10",
    "seed": "random seed for the initial weights, the noisy data and the batch order",
}


@dataclasses.dataclass(frozen=True)
class GateConfig(ConfigBase):
    gate: str = "XOR"                          # name in GATES, else a 4/8-digit truth table
    sampling: str = "exact"                    # "exact" rows or a "noisy" cloud per corner
    n_points: int = 40                         # noisy: points per corner
    noise: float = 0.15                        # noisy: Gaussian sigma around each corner
    train_ratio: float = 0.7                   # noisy: train share; the rest is the test set
    features: tuple[str, ...] = ("x1", "x2")   # input features (3-input gates add x3 themselves)
    hidden: tuple[int, ...] = (4, 4)           # neurons per hidden layer; () = no hidden layer
    activation: str = "tanh"                   # hidden activation, a key of choices.ACTIVATIONS
    optimizer: str = "adam"                    # a name in choices.GATE_OPTIMIZERS
    lr: float = 0.03                           # learning rate
    batch_size: int = 0                        # 0 = full batch (also: anything >= the training set)
    epochs: int = 1000                         # for the CLI / train_gate(); step() ignores it
    regularization: str = "none"               # "none", "l1" or "l2"
    reg_rate: float = 0.0                      # penalty strength
    seed: int = 0                              # initial weights, noisy data, batch order

    def __post_init__(self):
        # Normalise spelling so that "xor", "XOR" and "0110", "Tanh" and "tanh" are the same
        # config (equal, same URL). The dataclass is frozen, hence object.__setattr__.
        norm = {}
        if isinstance(self.gate, str):
            g = self.gate.strip()
            try:
                norm["gate"] = canonical_gate(g)
            except ConfigError:
                norm["gate"] = g  # validate() says what is wrong with it
        for name in ("sampling", "activation", "optimizer", "regularization"):
            value = getattr(self, name)
            if isinstance(value, str):
                norm[name] = value.strip().lower()
        if isinstance(self.features, (list, tuple)):
            norm["features"] = tuple(str(f).strip().lower().replace(" ", "") for f in self.features)
        if isinstance(self.hidden, list):
            norm["hidden"] = tuple(self.hidden)
        for k, v in norm.items():
            object.__setattr__(self, k, v)

    # ------------------------------------------------------------------ checks
    def validate(self) -> "GateConfig":
        """Raise ConfigError (one sentence a user can act on) unless every field is valid."""
        parse_truth_table(self.gate)  # unknown gate / malformed table
        _one_of("sampling", self.sampling, SAMPLINGS)
        _one_of("activation", self.activation, tuple(ACTIVATIONS))
        _one_of("optimizer", self.optimizer, GATE_OPTIMIZERS)
        _one_of("regularization", self.regularization, REGULARIZATIONS)
        _whole("n_points", self.n_points, 1, MAX_POINTS)
        check_range("noise", float(self.noise), *NOISE_RANGE)
        check_range("train_ratio", float(self.train_ratio), *TRAIN_RATIO_RANGE)
        self._check_features()
        self._check_hidden()
        lr = self.lr
        if not isinstance(lr, (int, float)) or isinstance(lr, bool) or not math.isfinite(lr) or lr <= 0:
            raise ConfigError(f"the learning rate must be a positive number between {LR_RANGE[0]:g} and "
                              f"{LR_RANGE[1]:g}, got {lr}")
        check_range("the learning rate", float(lr), *LR_RANGE)
        if not isinstance(self.batch_size, int) or self.batch_size < 0:
            raise ConfigError(f"batch_size must be 0 (the full training set) or a whole number from 1 to the "
                              f"number of training examples, got {self.batch_size}")
        _whole("epochs", self.epochs, 1, MAX_EPOCHS)
        check_range("reg_rate", float(self.reg_rate), *REG_RATE_RANGE)
        _whole("seed", self.seed, 0, MAX_SEED)
        return self

    def _check_features(self) -> None:
        if not self.features:
            raise ConfigError("choose at least one input feature, e.g. x1,x2")
        for f in self.features:
            if f not in FEATURES:
                extra = " (3-input gates get x3 automatically)" if f == "x3" else ""
                raise ConfigError(f"unknown input feature {f!r}{extra}; choose from {', '.join(FEATURES)}")
        if len(set(self.features)) != len(self.features):
            raise ConfigError(f"input features are listed twice: {', '.join(self.features)}")

    def _check_hidden(self) -> None:
        if len(self.hidden) > MAX_LAYERS:
            raise ConfigError(f"at most {MAX_LAYERS} hidden layers are allowed, got {len(self.hidden)}")
        for i, n in enumerate(self.hidden, start=1):
            if not isinstance(n, int) or not 1 <= n <= MAX_NEURONS:
                raise ConfigError(f"each hidden layer needs 1 to {MAX_NEURONS} neurons; layer {i} has {n} "
                                  "(use 'none' for no hidden layer)")

    # ------------------------------------------------------------------ derived
    @property
    def table(self) -> tuple[int, ...]:
        """The gate's outputs in row order, e.g. XOR -> (0, 1, 1, 0)."""
        return parse_truth_table(self.gate)

    @property
    def n_inputs(self) -> int:
        return 2 if len(self.table) == 4 else 3

    def n_train(self) -> int:
        """How many training examples this config yields (exact: the rows)."""
        return split_sizes(self)[0]

    def effective_batch_size(self) -> int:
        """batch_size with 0 (and anything above the training set) meaning the full set."""
        n = self.n_train()
        return n if self.batch_size <= 0 else min(self.batch_size, n)


def _one_of(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ConfigError(f"unknown {name} {value!r}; choose one of: {', '.join(allowed)}")


def _whole(name: str, value, lo: int, hi: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ConfigError(f"{name} must be a whole number from {lo} to {hi:,}, got {value}")
