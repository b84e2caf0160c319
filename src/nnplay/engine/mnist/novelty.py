"""Is it a digit at all? A small "digit or not" network trained with outlier exposure.

Why not just trust the digit model's confidence? Softmax always sums to one over the
ten digits, so a network that has only ever seen digits has no way to say "none of
these": the bundled CNN reads a printed "A" as 4 with 99.9%. A threshold on its maximum
probability (or on the energy, -logsumexp of the logits) catches some junk, but the most
confident mistakes are exactly the ones it lets through.

Outlier exposure (Hendrycks, Mazeika & Dietterich, 2019): show a network examples of
what is *not* a digit while it learns. We train a separate, small detector, so the
bundled 99.46% reader stays exactly as it was:

    input (N, 1, 28, 28) -> conv 16 -> pool -> conv 32 -> pool -> conv 64 -> pool -> linear -> 1 logit
    p(not a digit) = sigmoid(logit)

on MNIST's 60,000 training digits (label 0) and 60,000 synthetic non-digits from
negatives.py (label 1: letters, symbols, shapes, faces, scribbles, blobs), both given the
same random looks (thin, thick, binarised). The threshold is then set on held-out
MNIST test digits so that 99.5% of them are accepted; the trade-off on photographed
digits and non-digits is measured in docs/photos.md.

The detector ships in src/nnplay/weights/not_a_digit.safetensors, made by

    python -m nnplay.engine.mnist.novelty --out src/nnplay/weights/not_a_digit.safetensors
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nnplay.runtime.files import atomic_write_text

from ..checkpoint import load_checkpoint, load_into, save_checkpoint
from ..errors import CheckpointError
from .models import Normalize, _conv_block

KIND = "mnist-not-a-digit"
ACCEPT = 0.995   # share of held-out MNIST digits the threshold keeps (when trained)
PHOTO_ACCEPT = 0.99  # share of photo-looking held-out train digits it keeps (calibrate())


class DigitOrNot(nn.Module):
    """A FastCNN-shaped binary classifier: one logit, > 0 means "not a digit"."""

    def __init__(self):
        super().__init__()
        self.norm = Normalize()
        # conv -> BN -> pool -> ReLU blocks: the layout its shipped weights were trained in
        old = dict(bn_after_pool=False)
        self.features = nn.Sequential(*_conv_block(1, 16, **old), *_conv_block(16, 32, **old),
                                      *_conv_block(32, 64, **old))
        self.fc = nn.Linear(64 * 9, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(self.norm(x)).flatten(1))[:, 0]  # (N,)


def weights_path() -> Path:
    return Path(__file__).resolve().parents[2] / "weights" / "not_a_digit.safetensors"


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime: float) -> tuple[DigitOrNot, float]:
    tensors, meta = load_checkpoint(path)
    if meta.get("kind") != KIND:
        raise CheckpointError(f"{path}: not a not-a-digit detector")
    model = DigitOrNot()
    load_into(model, tensors, path)
    model.eval()
    return model, float(meta["metrics"]["threshold"])


def detector() -> tuple[DigitOrNot, float] | None:
    """(the shipped detector, its threshold), or None when the file is missing."""
    path = weights_path()
    if not path.exists():
        return None
    return _load(str(path), path.stat().st_mtime)


@torch.inference_mode()
def scores(x28: np.ndarray) -> np.ndarray | None:
    """p(not a digit) for (N, 28, 28) inputs, or None without a detector."""
    found = detector()
    if found is None:
        return None
    model, _ = found
    x = torch.from_numpy(np.ascontiguousarray(np.asarray(x28, np.float32).reshape(-1, 1, 28, 28)))
    return torch.sigmoid(model(x)).numpy()


def judge(reading):
    """Set reading.is_digit / reading.why from the marks' scores. A picture is "not a digit"
    when more than half of its marks look like no digit (one odd piece in a long number does
    not throw the whole number away). The marks are the geometric guess of reading.prepare
    (each group of ink as itself, wide ones cut evenly), not the chain the digit model chose:
    that search picks the most digit-like cuts of a scribble, so judged on it a smiley would
    pass as the 0 of its mouth. Only the marks the chain skipped are left out."""
    found = detector()
    if found is None:
        return reading
    _, threshold = found
    s = scores(np.stack([d.x28 for d in reading.digits]))
    for d, v in zip(reading.digits, s):
        d.novelty = float(v)
    # the short or flat marks the chain skipped (a shadow's rim, a line's leftover) are not judged
    skipped = {d.work_box for d in reading.extra.get("skipped", [])}
    marks = [d for d in reading.extra.get("guess") or reading.digits if d.work_box not in skipped] or reading.digits
    s = scores(np.stack([d.x28 for d in marks]))
    odd = int((s > threshold).sum())
    if odd * 2 > len(s):
        reading.is_digit = False
        reading.why = (f"the digit-or-not network scores it {float(s.max()):.0%} not a digit, over its "
                       f"{threshold:.0%} threshold" if len(s) == 1 else
                       f"{odd} of its {len(s)} marks do not look like handwritten digits")
    return reading


# ---------------------------------------------------------------------------------------
# Training (python -m nnplay.engine.mnist.novelty)
# ---------------------------------------------------------------------------------------
def _digits_with_looks(x: np.ndarray, rng) -> np.ndarray:
    from .negatives import look
    return np.stack([look(a, rng) for a in x]).astype(np.float32)


def train_detector(out: str, seed: int = 0, epochs: int = 2, negatives: int = 60000, threads: int = 1) -> dict:
    from . import negatives as neg
    from .data import load_mnist

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    data = load_mnist()
    pos = _digits_with_looks(data.train_x[:, 0].numpy(), rng)
    bad = neg.make(negatives, rng)
    x = torch.from_numpy(np.concatenate([pos, bad])[:, None])
    y = torch.cat([torch.zeros(len(pos)), torch.ones(len(bad))])
    made = time.perf_counter() - t0
    model = DigitOrNot()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = epochs * (len(x) // 256)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=6e-3, total_steps=steps)
    loss_fn = nn.BCEWithLogitsLoss()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x) - 255, 256):
            idx = order[i:i + 256]
            loss = loss_fn(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    # threshold: keep ACCEPT of the held-out MNIST test digits (first half); report on the rest
    with torch.inference_mode():
        test = torch.sigmoid(model(data.test_x)).numpy()
        held_bad = torch.sigmoid(model(torch.from_numpy(neg.make(5000, np.random.default_rng(seed + 1))[:, None]))).numpy()
    half = len(test) // 2
    threshold = float(np.quantile(test[:half], ACCEPT))
    metrics = {"threshold": threshold, "mnist_test_accepted": float((test[half:] <= threshold).mean()),
               "synthetic_negatives_flagged": float((held_bad > threshold).mean()),
               "seconds": round(time.perf_counter() - t0, 1), "data_seconds": round(made, 1)}
    save_checkpoint(out, model.state_dict(), kind=KIND,
                    config={"seed": seed, "epochs": epochs, "negatives": negatives, "accept": ACCEPT}, metrics=metrics)
    return metrics


def calibrate(path: str, accept: float = PHOTO_ACCEPT, n: int = 5000, seed: int = 0) -> dict:
    """Re-set the shipped detector's threshold for what the photo pipeline hands it: keep
    `accept` of the last n MNIST *training* digits given photo_reader.augment's looks (the
    pipeline's binarised, re-stroked, sometimes broken digits score higher than clean ones).
    The test generator's pictures are never used. The weights are untouched; the json keeps
    the old threshold and says how the new one was set."""
    from ..checkpoint import meta_path
    from .data import load_mnist
    from .photo_reader import augment

    found = detector()
    if found is None:
        raise CheckpointError(f"{weights_path()}: no detector to calibrate")
    from . import negatives as neg
    rng = np.random.default_rng(seed)
    x = load_mnist().train_x[-n:, 0].numpy()
    looks = scores(np.stack([augment(a, rng) for a in x]))
    bad = scores(neg.make(5000, np.random.default_rng(seed + 1)))
    threshold = float(np.quantile(looks, accept))
    meta = json.loads(meta_path(path).read_text())
    m = meta["metrics"]
    m.setdefault("threshold_mnist_test", m["threshold"])
    m.update({"threshold": threshold, "photo_like_train_accepted": float((looks <= threshold).mean()),
              "synthetic_negatives_flagged_at_threshold": float((bad > threshold).mean()),
              "threshold_rule": f"keeps {accept:.1%} of the last {n} MNIST train digits through photo_reader.augment "
                                f"(python -m nnplay.engine.mnist.novelty --calibrate --seed {seed})"})
    atomic_write_text(meta_path(path), json.dumps(meta, indent=2, sort_keys=True) + "\n")
    _load.cache_clear()
    return m


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="train the not-a-digit detector (outlier exposure)")
    ap.add_argument("--out", default=str(weights_path()))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--negatives", type=int, default=60000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--calibrate", action="store_true", help="only re-set the threshold for photos (calibrate())")
    a = ap.parse_args(argv)
    if a.calibrate:
        print(calibrate(a.out, seed=a.seed))
        return
    print(train_detector(a.out, a.seed, a.epochs, a.negatives, a.threads))


if __name__ == "__main__":
    main()
