"""What the trainer hands out: Snapshot, the per-epoch curve keys, and the grids.

The grids are the network evaluated at every point of a G x G lattice over the
input square: the output probability (the decision boundary), each hidden
neuron's activation and each input feature. They are drawn with the numpy twin
of the forward pass (model.np_forward_t), one batched pass for all G*G points.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from ..choices import make_activation
from .data import feature_matrix
from .model import NP_ACTIVATIONS, forward_with, np_forward_t

CURVE_KEYS = ("epoch", "train_loss", "test_loss", "train_acc", "test_acc")


@dataclasses.dataclass
class Snapshot:
    """The state after `epoch` epochs. Losses are the data loss (binary cross-entropy,
    without the regularisation penalty); accuracies are fractions in [0, 1].

    weights[i]: (out, in) float32, biases[i]: (out,), i = 0..n_hidden (the last is the output).
    grid: (G, G) output probability over the input square, row = x2, column = x1.
    hidden: per hidden layer, (units, G, G) activations on that grid.
    inputs: (n_features, G, G) the feature values on that grid.
    The three grids are None in the light entries of `GateTrainer.history`."""

    epoch: int
    train_loss: float
    test_loss: float
    train_acc: float
    test_acc: float
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    grid: np.ndarray | None = None
    hidden: list[np.ndarray] | None = None
    inputs: np.ndarray | None = None
    diverged: str | None = None

    @property
    def solved(self) -> bool:
        """100% training accuracy."""
        return self.train_acc >= 1.0


def grid_features(axis: np.ndarray, n_inputs: int, x3: float, names) -> np.ndarray:
    """(F, G*G) float32 features of the lattice points as columns; point k = row * G + col,
    with row -> x2 and col -> x1 (x3 fixed for 3-input gates: a slice of the cube)."""
    ax = torch.from_numpy(axis)
    x2, x1 = torch.meshgrid(ax, ax, indexing="ij")  # (G, G) each: x2 down the rows, x1 across
    cols = [x1.reshape(-1), x2.reshape(-1)]
    if n_inputs == 3:
        cols.append(torch.full_like(cols[0], x3))
    raw = torch.stack(cols, dim=1)                    # (G*G, n_inputs)
    return np.ascontiguousarray(feature_matrix(raw, names).numpy().T)


def draw_grids(feats_t: np.ndarray, weights, biases, activation: str, g: int):
    """One batched forward pass over the G*G points, capturing every layer.
    weights/biases: numpy (out, in) / (out,). Returns (grid (G, G), [hidden (units, G, G)],
    inputs (F, G, G))."""
    if activation in NP_ACTIVATIONS:
        prob, hidden = np_forward_t(feats_t, weights, biases, activation)
    else:  # an activation without a numpy twin: the torch path
        with torch.no_grad():
            logits, hid = forward_with(torch.from_numpy(feats_t.T), [torch.as_tensor(w) for w in weights],
                                       [torch.as_tensor(b) for b in biases], make_activation(activation))
            prob, hidden = torch.sigmoid(logits).numpy(), [h.t().numpy() for h in hid]
    # (units, G*G) -> (units, G, G): one heatmap per neuron.
    return (prob.reshape(g, g), [h.reshape(h.shape[0], g, g).copy() for h in hidden],
            feats_t.reshape(feats_t.shape[0], g, g).copy())
