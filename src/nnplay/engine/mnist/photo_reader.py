"""A digit reader for photos: the bundled CNN's shape, trained on what the photo pipeline outputs.

The bundled CNN (99.46% on the MNIST test set) has only ever seen MNIST's clean, evenly thick,
anti-aliased digits. The photo pipeline (reading.py) hands it something a little different:
a binarised mask with its stroke width normalised, a stroke sometimes broken where a ruled line
was erased, a dash of line left beside it, a slant or a shear the writer gave it. A network
learns what it is shown, so we show it that, with generic, well-known augmentations of MNIST
*training* digits (never the test digits, never the test generator's pictures):

    28x28 MNIST train digit, 4x up (112 px, on a 160 px canvas so nothing falls off)
      -> random affine (rotation, shear, aspect)      Simard et al. 2003
      -> elastic distortion (a smoothed random displacement field)   ditto
      -> threshold at a random level: a binary mask, as the pipeline's local threshold
      -> stroke width: dilate or erode, then (mostly) reading's own stroke normalisation
      -> small gaps in the strokes (a pen lift, a line erased across a stroke)
      -> specks and short dashes beside the digit (line residue)
      -> blur then threshold again (rounded corners, closed small loops)
      -> reading's own 28x28 step: crop, longer side 20 px, centre of mass at the middle
A quarter of every batch is left as MNIST drew it, so the MNIST test accuracy stays high.

Training starts from the bundled CNN's weights (fine-tuning: a few epochs are enough), with
one thread and a fresh augmentation of the 60,000 training digits each epoch:

    nice python -m nnplay.engine.mnist.photo_reader --out src/nnplay/weights/photo_reader.safetensors

The result is an ordinary MNIST checkpoint (kind "mnist", model "cnn"): `load_model` and
`nnplay predict --checkpoint` read it like any other. read_image uses it for pictures when
no model is given; the MNIST lab's test-set numbers stay the bundled CNN's.
"""

from __future__ import annotations

import argparse
import copy
import functools
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

BIG = 4          # work at 4x MNIST's size: 112 px digits
CANVAS = 160     # room around the 112 px digit for affine warps
CLEAN = 0.25     # share of each epoch's digits left as MNIST drew them


def weights_path() -> Path:
    return Path(__file__).resolve().parents[2] / "weights" / "photo_reader.safetensors"


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime: float):
    from .io import load_model
    return load_model(path)[0]


def photo_reader():
    """The shipped photo reader (eval mode, loaded once), or None when its file is missing."""
    path = weights_path()
    if not path.exists():
        return None
    return _load(str(path), path.stat().st_mtime)


# ---------------------------------------------------------------------------------------
# Augmentation: one MNIST digit -> what the photo pipeline might hand the reader
# ---------------------------------------------------------------------------------------
def _warp(a: np.ndarray, rng) -> np.ndarray:
    """Random affine (rotation +-12 deg, shear +-0.3, aspect 0.75-1.2) about the centre,
    then (half the time) an elastic distortion: each pixel moves by a random field
    smoothed with a Gaussian (sigma 4 MNIST px), scaled to ~1.5 MNIST px."""
    c = CANVAS / 2
    ang = np.deg2rad(rng.uniform(-12, 12))
    sh, sx = rng.uniform(-0.3, 0.3), rng.uniform(0.75, 1.2)
    rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
    m = rot @ np.array([[sx, sh], [0.0, 1.0]])
    affine = np.hstack([m, (np.array([c, c]) - m @ np.array([c, c]))[:, None]]).astype(np.float32)
    a = cv2.warpAffine(a, affine, (CANVAS, CANVAS), flags=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        sigma, alpha = 4.0 * BIG, rng.uniform(1.0, 2.5) * BIG
        dx = cv2.GaussianBlur(rng.uniform(-1, 1, (CANVAS, CANVAS)).astype(np.float32), (0, 0), sigma)
        dy = cv2.GaussianBlur(rng.uniform(-1, 1, (CANVAS, CANVAS)).astype(np.float32), (0, 0), sigma)
        dx *= alpha / max(float(np.abs(dx).max()), 1e-6)
        dy *= alpha / max(float(np.abs(dy).max()), 1e-6)
        gx, gy = np.meshgrid(np.arange(CANVAS, dtype=np.float32), np.arange(CANVAS, dtype=np.float32))
        a = cv2.remap(a, gx + dx, gy + dy, cv2.INTER_LINEAR)
    return a


def _disk(d: int) -> np.ndarray:
    d = max(1, int(d)) | 1
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


def _stroke(mask: np.ndarray, h: float, rng) -> np.ndarray:
    """Thicker or thinner pen, then (80%) reading's own stroke normalisation."""
    from .photo import normalise_stroke
    from .reading import STROKE

    k = rng.random()
    m = mask.astype(np.uint8)
    if k < 0.3:
        m = cv2.dilate(m, _disk(rng.uniform(0.03, 0.12) * h))
    elif k < 0.55:
        thin = cv2.erode(m, _disk(rng.uniform(0.02, 0.06) * h))
        m = thin if thin.sum() > 0.35 * m.sum() else m
    out = m.astype(bool)
    return normalise_stroke(out, STROKE * h) if rng.random() < 0.8 else out


def _gaps(mask: np.ndarray, h: float, rng) -> np.ndarray:
    """1-2 small cuts across a stroke: a disk of 4-10% of the height erased at a stroke pixel."""
    ys, xs = np.nonzero(mask)
    out = mask.astype(np.uint8)
    for _ in range(int(rng.integers(1, 3))):
        i = int(rng.integers(len(ys)))
        cv2.circle(out, (int(xs[i]), int(ys[i])), max(1, int(rng.uniform(0.04, 0.10) * h)), 0, -1)
    return out.astype(bool) if out.sum() > 0.6 * mask.sum() else mask


def _dashes(mask: np.ndarray, box, h: float, rng) -> np.ndarray:
    """1-2 specks or short, near-horizontal or near-vertical dashes (what line removal leaves)
    touching or just beside the digit's box: 5-25% of its height long."""
    x0, y0, x1, y1 = box
    out = mask.astype(np.uint8)
    thick = max(1, int(rng.uniform(0.04, 0.1) * h))
    for _ in range(int(rng.integers(1, 3))):
        cx = rng.uniform(x0 - 0.15 * h, x1 + 0.15 * h)
        cy = rng.uniform(y0 - 0.1 * h, y1 + 0.1 * h)
        half = rng.uniform(0.02, 0.12) * h
        ang = (0.0 if rng.random() < 0.7 else np.pi / 2) + rng.uniform(-0.1, 0.1)
        p = (int(cx - half * np.cos(ang)), int(cy - half * np.sin(ang)))
        q = (int(cx + half * np.cos(ang)), int(cy + half * np.sin(ang)))
        cv2.line(out, p, q, 1, thick)
    return out.astype(bool)


def augment(x28: np.ndarray, rng) -> np.ndarray:
    """One MNIST digit (28, 28) in [0, 1] -> a photo-pipeline-like (28, 28) float32."""
    from .reading import _to_28

    pad = (CANVAS - 28 * BIG) // 2
    a = np.zeros((CANVAS, CANVAS), np.float32)
    a[pad:pad + 28 * BIG, pad:pad + 28 * BIG] = cv2.resize(x28, (28 * BIG, 28 * BIG), interpolation=cv2.INTER_LINEAR)
    a = _warp(a, rng)
    mask = a > rng.uniform(0.25, 0.6)
    if not mask.any():
        return x28
    ys, xs = np.nonzero(mask)
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    h = float(max(box[3] - box[1], 0.6 * (box[2] - box[0])))
    mask = _stroke(mask, h, rng)
    if rng.random() < 0.3:
        mask = _gaps(mask, h, rng)
    if rng.random() < 0.2:
        mask = _dashes(mask, box, h, rng)
    if rng.random() < 0.25:
        s = rng.uniform(0.01, 0.03) * h
        mask = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), s) > rng.uniform(0.35, 0.65)
    if not mask.any():
        return x28
    soft = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 1.0)
    return _to_28(mask, np.maximum(soft, mask * 0.9), True, True)


def augmented(x: np.ndarray, rng) -> np.ndarray:
    """(N, 28, 28) -> (N, 28, 28): CLEAN of them as they are, the rest through augment()."""
    out = x.copy()
    for i in np.nonzero(rng.random(len(x)) >= CLEAN)[0]:
        out[i] = augment(x[i], rng)
    return out


# ---------------------------------------------------------------------------------------
# Training (python -m nnplay.engine.mnist.photo_reader)
# ---------------------------------------------------------------------------------------
def _accuracy(model, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.inference_mode():
        right = sum(int((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum()) for i in range(0, len(x), 1000))
    return right / len(x)


def train_reader(out: str, seed: int = 0, epochs: int = 4, threads: int = 1, lr: float = 2e-3) -> dict:
    """Fine-tune the bundled CNN on augmented MNIST training digits; save an MNIST checkpoint."""
    from .io import load_pretrained, save_model

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    from .data import load_mnist
    data = load_mnist()
    xs, ys = data.train_x[:, 0].numpy(), data.train_y
    base, cfg, _ = load_pretrained()
    model = copy.deepcopy(base)  # the same architecture (and block order) as the bundled CNN
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps = epochs * (len(xs) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    aug_s = 0.0
    for epoch in range(epochs):
        ta = time.perf_counter()
        x = torch.from_numpy(augmented(xs, rng)[:, None])
        aug_s += time.perf_counter() - ta
        model.train()
        order = torch.randperm(len(x))
        for i in range(0, len(x) - 127, 128):
            idx = order[i:i + 128]
            loss = loss_fn(model(x[idx]), ys[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        print(f"epoch {epoch + 1}/{epochs}: loss {float(loss):.3f}, {time.perf_counter() - t0:.0f} s", flush=True)
    check = torch.from_numpy(augmented(data.test_x[:, 0].numpy(), np.random.default_rng(seed + 1))[:, None])
    metrics = {"test_accuracy": _accuracy(model, data.test_x, data.test_y),
               "bundled_test_accuracy": _accuracy(base, data.test_x, data.test_y),
               "augmented_test_accuracy": _accuracy(model, check, data.test_y),
               "bundled_augmented_test_accuracy": _accuracy(base, check, data.test_y),
               "epochs": float(epochs), "seconds": round(time.perf_counter() - t0, 1),
               "augment_seconds": round(aug_s, 1)}
    cfg = type(cfg).from_dict({**cfg.to_dict(), "epochs": epochs, "seed": seed, "threads": threads, "lr": lr},
                              strict=False)
    save_model(out, model, cfg, {**metrics, "made_by": f"python -m nnplay.engine.mnist.photo_reader --out {out} "
                                 f"--seed {seed} --epochs {epochs} --threads {threads} --lr {lr}",
                                 "trained_on": "MNIST train digits (60,000), fine-tuned from the bundled CNN, "
                                 "with photo_reader.augment; MNIST test digits only measured"})
    model.eval()
    return metrics


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="train the photo reader (augmented MNIST, from the bundled CNN)")
    ap.add_argument("--out", default=str(weights_path()))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=2e-3)
    a = ap.parse_args(argv)
    print(train_reader(a.out, a.seed, a.epochs, a.threads, a.lr))


if __name__ == "__main__":
    main()
