"""Small read-only probes into a model, for the live views of the MNIST lab.

These never change the weights. They switch the model to eval mode for the
measurement (batch norm uses its running statistics, dropout is off) and then put
back whatever mode it was in, so they are safe to call between two training steps.

    loss_and_accuracy(model, x, y)   mean cross-entropy and accuracy on a fixed probe set
    first_activations(model, x28)    what the first layer outputs for one digit
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class _EvalMode:
    """`with _EvalMode(model):` eval mode inside, the previous mode after."""

    def __init__(self, model: nn.Module):
        self.model, self.was_training = model, model.training

    def __enter__(self):
        self.model.eval()
        return self.model

    def __exit__(self, *exc):
        self.model.train(self.was_training)


@torch.inference_mode()
def loss_and_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 2000) -> tuple[float, float]:
    """Mean cross-entropy  -1/N sum_i log softmax(logits_i)[y_i]  and accuracy.

    x: (N, 1, 28, 28) float32 in [0, 1], y: (N,) int64.
    """
    loss_sum, correct = 0.0, 0
    with _EvalMode(model):
        for i in range(0, len(y), batch):
            logits = model(x[i:i + batch])                       # (B, 10)
            loss_sum += float(F.cross_entropy(logits, y[i:i + batch], reduction="sum"))
            correct += int((logits.argmax(1) == y[i:i + batch]).sum())
    n = max(1, len(y))
    return loss_sum / n, correct / n


@torch.inference_mode()
def first_activations(model: nn.Module, x28: np.ndarray) -> np.ndarray:
    """The first layer's output for one digit, after its non-linearity when there is one.

    x28: (28, 28) in [0, 1]. For a CNN the result is (C, H, W): one feature map per
    filter, i.e. where in the image each filter found its pattern. For a dense first
    layer it is (units, 1, 1). We run the model and catch the output of the first
    Linear/Conv2d with a forward hook, then apply ReLU (the models use ReLU after it;
    batch norm in between is folded in by hooking the module after it when present).
    """
    layers = [m for m in model.modules() if not list(m.children())]
    first = next(i for i, m in enumerate(layers) if isinstance(m, (nn.Linear, nn.Conv2d)))
    # hook the batch norm right after conv1 if there is one, so the maps are what ReLU sees
    target = layers[first + 1] if first + 1 < len(layers) and isinstance(
        layers[first + 1], (nn.BatchNorm2d, nn.BatchNorm1d)) else layers[first]
    caught: list[torch.Tensor] = []
    handle = target.register_forward_hook(lambda _m, _i, out: caught.append(out.detach()))
    try:
        with _EvalMode(model):
            model(torch.as_tensor(np.asarray(x28, dtype=np.float32)).reshape(1, 1, 28, 28))
    finally:
        handle.remove()
    out = torch.relu(caught[0][0])
    return out.reshape(out.shape[0], *(out.shape[1:] or (1, 1))).float().numpy()
