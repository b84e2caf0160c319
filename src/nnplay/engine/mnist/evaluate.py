"""Judging a trained model: accuracy, per-digit accuracy, the confusion matrix, its
worst mistakes; and the two things a UI asks of one image: probabilities and a
saliency map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..errors import ImageError


@dataclass
class EvalResult:
    test_accuracy: float            # share of images classified correctly
    per_class_accuracy: np.ndarray  # (10,) recall per true digit: correct / images of that digit
    confusion: np.ndarray           # (10, 10) int64, [true digit, predicted digit] -> count
    mistakes: np.ndarray            # indices of misclassified images, most confident mistake first
    probabilities: np.ndarray       # (N, 10) float32 softmax outputs
    predictions: np.ndarray         # (N,) int64 argmax digit
    labels: np.ndarray              # (N,) int64 true digits

    def to_dict(self) -> dict:
        """The CLI's JSON keys."""
        return {
            "test_accuracy": float(self.test_accuracy),
            "per_class_accuracy": [float(a) for a in self.per_class_accuracy],
            "confusion_matrix": self.confusion.astype(int).tolist(),
            "errors": int(len(self.mistakes)),
        }


@torch.inference_mode()
def probabilities(model: torch.nn.Module, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
    """softmax(model(x)) for x (N,1,28,28), in batches of 500 (cache-sized) with autograd off.
    softmax(z)_k = exp(z_k) / sum_j exp(z_j) turns logits into probabilities summing to 1."""
    was_training = model.training
    model.eval()  # batch norm uses its running averages, dropout is off
    out = [torch.softmax(model(x[i:i + batch]).float(), dim=1) for i in range(0, len(x), batch)]
    model.train(was_training)
    return torch.cat(out) if out else torch.zeros(0, 10)


def evaluate(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> EvalResult:
    """Run the whole set once and summarise it."""
    probs = probabilities(model, x).numpy().astype(np.float32)
    labels = y.numpy().astype(np.int64)
    pred = probs.argmax(1)
    # confusion[t, p] counts images of digit t predicted as p: a 10x10 histogram,
    # computed in one bincount over the combined index t*10 + p.
    confusion = np.bincount(labels * 10 + pred, minlength=100).reshape(10, 10)
    per_class = np.diag(confusion) / np.maximum(1, confusion.sum(1))
    wrong = np.flatnonzero(pred != labels)
    mistakes = wrong[np.argsort(-probs[wrong, pred[wrong]], kind="stable")]
    return EvalResult(
        test_accuracy=float((pred == labels).mean()) if len(labels) else 0.0,
        per_class_accuracy=per_class.astype(np.float64),
        confusion=confusion.astype(np.int64),
        mistakes=mistakes,
        probabilities=probs,
        predictions=pred.astype(np.int64),
        labels=labels,
    )


def _as_batch(x28) -> tuple[torch.Tensor, bool]:
    """(28,28) or (N,28,28) array in [0,1] -> (N,1,28,28) float32 tensor, and whether it was single."""
    arr = np.asarray(x28, dtype=np.float32)
    single = arr.ndim == 2
    if single:
        arr = arr[None]
    if arr.ndim == 4 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 3 or arr.shape[1:] != (28, 28):
        raise ImageError(f"expected a 28x28 image (or a stack of them), got shape {np.asarray(x28).shape}")
    return torch.from_numpy(np.ascontiguousarray(arr)).unsqueeze(1), single


def predict_probs(model: torch.nn.Module, x28) -> np.ndarray:
    """Digit probabilities for one 28x28 image -> (10,), or for (N,28,28) -> (N,10)."""
    x, single = _as_batch(x28)
    p = probabilities(model, x).numpy()
    return p[0] if single else p


def saliency(model: torch.nn.Module, x28, cls: int) -> np.ndarray:
    """Gradient x input for class `cls`: (28, 28) float32.

    For the logit z_cls, d z_cls / d x_ij says how much brightening pixel (i, j)
    would raise the score for `cls`; multiplying by the pixel value x_ij keeps only
    pixels that are actually inked, giving each one's contribution (to first order).
    Positive = this ink argues for `cls`, negative = against it.
    """
    if not 0 <= int(cls) <= 9:
        raise ImageError(f"class must be a digit 0-9, got {cls}")
    x, _ = _as_batch(x28)
    x = x[:1].clone().requires_grad_(True)
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            logit = model(x)[0, int(cls)]
            (grad,) = torch.autograd.grad(logit, x)
    finally:
        model.train(was_training)
    return (grad * x).detach()[0, 0].numpy().astype(np.float32)
