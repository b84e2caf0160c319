"""The gate network: a small multilayer perceptron (MLP) with one output, and the ways to
ask it (predict_probs) and to edit it by hand (edit_weight, edit_bias).

    features (N, F) -> [Linear -> activation] * len(hidden) -> Linear -> logit (N,)

The output is a single *logit* z; the probability that the gate outputs 1 is
sigmoid(z) = 1 / (1 + e^-z). We train on the logit with BCEWithLogitsLoss, which
computes binary cross-entropy

    BCE = -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))]

in a numerically stable way (log-sum-exp), instead of taking log of a sigmoid
that has rounded to exactly 0 or 1. We report sigmoid(z) as the probability.

Layer i's weight has shape (out, in), as in torch.nn.Linear: y = x @ W.T + b.
The state dict keys are `layers.{i}.weight` / `layers.{i}.bias`, i = 0..len(hidden).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..choices import make_activation
from ..errors import ConfigError
from .data import feature_matrix


class GateMLP(nn.Module):
    def __init__(self, n_features: int, hidden: tuple[int, ...], activation: str,
                 generator: torch.Generator | None = None):
        super().__init__()
        sizes = [n_features, *hidden, 1]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        # Activation modules hold no parameters, so one instance serves every layer.
        self.act = make_activation(activation)
        self.activation = activation
        self.reset_parameters(generator)

    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        """PyTorch's default Linear init, but drawn from `generator` so that a seed
        fixes the weights without touching the global RNG (several app sessions
        train in threads at once; a global torch.manual_seed would mix them up).

        W, b ~ Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)). For 2 inputs that is
        +-0.71: small enough that tanh starts in its linear part, large enough to
        break the symmetry between neurons (identical neurons would stay identical).
        """
        with torch.no_grad():
            for layer in self.layers:
                bound = 1.0 / math.sqrt(layer.in_features)
                nn.init.uniform_(layer.weight, -bound, bound, generator=generator)
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)

    @property
    def n_hidden(self) -> int:
        return len(self.layers) - 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, F) features -> (N,) logits."""
        h = x
        for layer in self.layers[:-1]:
            h = self.act(layer(h))
        return self.layers[-1](h).squeeze(-1)

    def forward_capture(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Like forward, but also return every hidden layer's activations (N, units)."""
        return forward_with(x, [l.weight for l in self.layers], [l.bias for l in self.layers], self.act)


def forward_with(x: torch.Tensor, weights, biases, act) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """A functional forward pass with given weights (out, in) and biases (out,).

    Used to redraw any recorded epoch from its saved weights without touching the
    live model. Returns (logits (N,), [activations (N, units) per hidden layer])."""
    h = x
    hidden = []
    for w, b in zip(weights[:-1], biases[:-1]):
        h = act(torch.addmm(b, h, w.t()))  # addmm: b + h @ W.T in one kernel
        hidden.append(h)
    logits = torch.addmm(biases[-1], h, weights[-1].t()).squeeze(-1)
    return logits, hidden


# --------------------------------------------------------------------------------
# A numpy twin of the forward pass, for drawing grids.
#
# A 40x40 grid is 1,600 points. Through torch, a matmul (MKL) or a tanh on a
# (1600, 8) tensor may be split over the CPU threads; on a busy 2-core machine a
# thread that has to wait for a descheduled partner turns 50 microseconds into
# 10-50 ms. numpy's einsum and ufuncs run on the calling thread only, so the grids
# cost the same whatever else the machine is doing. The trainer still trains and
# predicts with the torch model; the tests check the two agree.

def _erf(x: np.ndarray) -> np.ndarray:
    """erf(x) by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7, below float32 display)."""
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


def _np_sigmoid(z: np.ndarray) -> np.ndarray:
    # sigmoid(z) = (1 + tanh(z / 2)) / 2: the same function, and it never overflows exp().
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# activation name -> the same function on numpy arrays (see choices.ACTIVATIONS).
NP_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": _np_sigmoid,
    "linear": lambda z: z,
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "gelu": lambda z: 0.5 * z * (1.0 + _erf(z * np.float32(1 / math.sqrt(2)))),
}


def np_forward_t(feats_t: np.ndarray, weights, biases, activation: str):
    """Forward pass on points stored as columns: feats_t (F, P) -> (probability (P,),
    [activations (units, P) per hidden layer]). Weights (out, in), biases (out,).

    Column layout makes each neuron's P values contiguous, so (units, P) reshapes
    to (units, G, G) heatmaps for free. z = W @ h + b is an einsum (a plain C loop,
    single-threaded, no BLAS)."""
    act = NP_ACTIVATIONS[activation]
    h = feats_t
    hidden = []
    for w, b in zip(weights[:-1], biases[:-1]):
        z = np.einsum("ok,kp->op", w, h)
        z += b[:, None]
        h = act(z).astype(np.float32, copy=False)
        hidden.append(h)
    z = np.einsum("ok,kp->op", weights[-1], h)[0] + biases[-1][0]
    return _np_sigmoid(z).astype(np.float32, copy=False), hidden


# ---------------------------------------------------------------- asking and editing the network
def predict_probs(model: GateMLP, feature_names, n_inputs: int, x) -> np.ndarray:
    """Raw inputs (N, n_inputs) -> probabilities sigmoid(z) (N,) float32, no gradients.
    The features are computed from the raw inputs first, as in training."""
    arr = np.asarray(x, dtype=np.float32)
    if arr.ndim != 2 or arr.shape[1] != n_inputs:
        raise ConfigError(f"this gate has {n_inputs} inputs; got an array of shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ConfigError("inputs must be finite numbers")
    feats = feature_matrix(torch.from_numpy(arr), feature_names)
    with torch.no_grad():
        logits, _ = forward_with(feats, [l.weight for l in model.layers], [l.bias for l in model.layers], model.act)
        return torch.sigmoid(logits).numpy()


def edit_weight(model: GateMLP, layer: int, out_idx: int, in_idx: int, value) -> None:
    """Set one edge by hand: layers[layer].weight[out_idx, in_idx] = value (checked)."""
    w = _layer(model, layer).weight
    _check_index("out_idx", out_idx, w.shape[0])
    _check_index("in_idx", in_idx, w.shape[1])
    with torch.no_grad():
        w[out_idx, in_idx] = _finite(value, "weight")


def edit_bias(model: GateMLP, layer: int, out_idx: int, value) -> None:
    """Set one node's bias by hand: layers[layer].bias[out_idx] = value (checked)."""
    b = _layer(model, layer).bias
    _check_index("out_idx", out_idx, b.shape[0])
    with torch.no_grad():
        b[out_idx] = _finite(value, "bias")


def _layer(model: GateMLP, layer: int) -> nn.Linear:
    _check_index("layer", layer, len(model.layers))
    return model.layers[layer]


def _check_index(name: str, value, size: int) -> None:
    if not isinstance(value, (int, np.integer)) or not 0 <= value < size:
        raise ConfigError(f"{name} must be from 0 to {size - 1}, got {value}")


def _finite(value, what: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"the {what} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ConfigError(f"the {what} must be a finite number, got {value}")
    return v


def bce_with_logits(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy of logits z (N,) against 0/1 targets y (N,).

    With log sigmoid(z) = -softplus(-z), log(1 - sigmoid(z)) = -softplus(z) and
    softplus(-z) = softplus(z) - z, the BCE simplifies to

        -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))] = softplus(z) - y * z

    where softplus(z) = log(1 + e^z) is computed stably (it returns z itself for
    z > 20). This equals F.binary_cross_entropy_with_logits, but that kernel goes
    through log_sigmoid, which opens a thread-pool region even for 4 numbers; on a
    busy 2-core machine that costs milliseconds per call, this costs microseconds.
    """
    return (F.softplus(z) - y * z).mean()


def penalty(model: GateMLP, kind: str, rate: float) -> torch.Tensor | None:
    """The regularisation term added to the loss (weights only, not biases, as in
    TensorFlow Playground): l1 = rate * sum|w| (pushes weights to exactly 0),
    l2 = rate * sum w^2 / 2 (shrinks them; its gradient is rate * w)."""
    if kind == "none" or rate <= 0:
        return None
    ws = [l.weight for l in model.layers]
    if kind == "l1":
        return rate * sum(w.abs().sum() for w in ws)
    return 0.5 * rate * sum((w * w).sum() for w in ws)


def describe(n_features: int, hidden: tuple[int, ...]) -> str:
    """'2-[4,4]-1', '3-[]-1'."""
    return f"{n_features}-[{','.join(str(h) for h in hidden)}]-1"


def n_parameters(n_features: int, hidden: tuple[int, ...]) -> int:
    sizes = [n_features, *hidden, 1]
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
