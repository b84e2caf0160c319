"""The gate datasets and the input features.

Raw inputs are points (x1, x2) or (x1, x2, x3) near the corners of the unit square
(cube); the label of a point is the gate's output at its corner.

- exact sampling: the truth-table rows themselves, 4 (or 8) points. There is
  nothing to generalise to, so the test set *is* the training set.
- noisy sampling: n points per corner, each corner plus Gaussian noise of standard
  deviation sigma on every coordinate, shuffled with the seed and split into
  train/test by `train_ratio`. Now the test accuracy measures generalisation.

Features (as in TensorFlow Playground) are fixed functions of the raw inputs that
the network sees instead of / besides x1 and x2. With x1*x2 available, XOR becomes
linearly separable: XOR = x1 + x2 - 2*x1*x2 on the corners, so even a network with
no hidden layer can learn it. That is the point of the feature toggles.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import torch

from .truth import input_rows, parse_truth_table


def _sin(v):
    """sin for a torch tensor or a numpy array (features accept either)."""
    return torch.sin(v) if isinstance(v, torch.Tensor) else np.sin(v)


# name -> its formula in the raw inputs x, shape (N, n_inputs) -> (N,). Written as text
# once, so that the exported standalone script (app/gates/export.py) is generated from
# the same formulas the engine trains with; `sin` is torch.sin or np.sin to match x.
FORMULAS: dict[str, str] = {
    "x1": "x[:, 0]",
    "x2": "x[:, 1]",
    "x1^2": "x[:, 0] * x[:, 0]",
    "x2^2": "x[:, 1] * x[:, 1]",
    "x1*x2": "x[:, 0] * x[:, 1]",
    "sin(x1)": "sin(x[:, 0])",
    "sin(x2)": "sin(x[:, 1])",
}

# 3-input gates get their third input as an extra feature, always (not a toggle).
X3_FEATURE = "x3"
X3_FORMULA = "x[:, 2]"


def _compile(formula: str) -> Callable:
    return eval(f"lambda x: {formula}", {"sin": _sin})  # a fixed table of formulas, never user text


# name -> f(x) with x of shape (N, n_inputs) (torch tensor or numpy array) -> (N,)
FEATURES: dict[str, Callable] = {name: _compile(f) for name, f in FORMULAS.items()}
_x3 = _compile(X3_FORMULA)


def formula(name: str) -> str:
    """The formula text of a feature column (x3 included)."""
    return X3_FORMULA if name == X3_FEATURE else FORMULAS[name]


def feature_names(features, n_inputs: int) -> list[str]:
    """The network's input columns in order: the chosen features, then x3 for 3-input gates."""
    names = list(features)
    if n_inputs == 3 and X3_FEATURE not in names:
        names.append(X3_FEATURE)
    return names


def feature_matrix(x: torch.Tensor, names) -> torch.Tensor:
    """Raw inputs (N, n_inputs) -> features (N, len(names)), float32."""
    cols = [_x3(x) if n == X3_FEATURE else FEATURES[n](x) for n in names]
    return torch.stack(cols, dim=1).to(torch.float32)


@dataclasses.dataclass
class GateData:
    """Raw inputs and 0/1 labels as float32 numpy arrays.

    x_train (N, n_inputs), y_train (N,), x_test (M, n_inputs), y_test (M,).
    For exact sampling, the test arrays are copies of the training arrays."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_inputs(self) -> int:
        return self.x_train.shape[1]


def split_sizes(cfg) -> tuple[int, int]:
    """(n_train, n_test) for a config. Exact: (rows, rows). Noisy: the split of
    n_points * corners, keeping at least one example on each side."""
    rows = len(parse_truth_table(cfg.gate))
    if cfg.sampling != "noisy":
        return rows, rows
    total = rows * int(cfg.n_points)
    n_train = min(max(int(round(total * float(cfg.train_ratio))), 1), total - 1) if total > 1 else 1
    return n_train, total - n_train


def make_dataset(cfg) -> GateData:
    """Build the dataset a GateConfig describes (deterministic for cfg.seed)."""
    table = parse_truth_table(cfg.gate)
    n_inputs = 2 if len(table) == 4 else 3
    corners = np.array(input_rows(n_inputs), dtype=np.float32)     # (R, n_inputs)
    labels = np.array(table, dtype=np.float32)                      # (R,)
    if cfg.sampling != "noisy":
        return GateData(corners.copy(), labels.copy(), corners.copy(), labels.copy())

    # Noisy: repeat each corner n times, add N(0, sigma^2) noise per coordinate.
    # The data has its own random stream ([seed, 1]) so that changing, say, the
    # hidden sizes does not change the points.
    rng = np.random.default_rng([int(cfg.seed), 1])
    n = int(cfg.n_points)
    x = np.repeat(corners, n, axis=0)                               # (R*n, n_inputs)
    y = np.repeat(labels, n)                                        # (R*n,)
    x = x + rng.normal(0.0, float(cfg.noise), size=x.shape)
    order = rng.permutation(len(x))
    x, y = x[order].astype(np.float32), y[order].astype(np.float32)
    n_train, _ = split_sizes(cfg)
    return GateData(x[:n_train].copy(), y[:n_train].copy(), x[n_train:].copy(), y[n_train:].copy())
