"""Training the sequence reader (sequence.py) on strings of MNIST training digits.

    nice -n 10 python -m nnplay.engine.mnist.sequence --out src/nnplay/weights/sequence_reader.safetensors

Each step draws a fresh batch of strings (strings.py: 1-4 training digits, from a gap down
to crossing strokes, with the photo reader's looks), so the network never sees the same
string twice. The last HELD_OUT training digits are never drawn: strings made of them
measure how well it reads strings it did not train on (exact string right, greedy decoding).
The MNIST test digits are not used at all, nor the test generator's pictures.

The loss is CTC (torch.nn.CTCLoss): -log p(right string | group), summed over every path
of frames that reads it (sequence.py explains). One thread, AdamW, a one-cycle learning rate.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn

from . import strings
from .sequence import KIND, SequenceReader, batch_tensor, greedy, outputs, weights_path

HELD_OUT = 5000   # the last training digits: only for measuring


def train_digits():
    """(train digits (N, 28, 28) float32, labels (N,)) without the held-out ones, and those."""
    from .data import load_mnist
    d = load_mnist()
    xs, ys = d.train_x[:, 0].numpy(), d.train_y.numpy()
    return (xs[:-HELD_OUT], ys[:-HELD_OUT]), (xs[-HELD_OUT:], ys[-HELD_OUT:])


def exact_rate(model: SequenceReader, xs, ys, n: int = 1000, seed: int = 1) -> float:
    """Share of n fresh strings of the digits xs read exactly right (greedy decoding)."""
    rng = np.random.default_rng(seed)
    model.eval()
    right = 0
    for i in range(0, n, 100):
        images, labels = strings.make_batch(xs, ys, min(100, n - i), rng)
        right += sum(greedy(lp) == y for lp, y in zip(outputs(model, images), labels))
    return right / n


def step(model, opt, loss_fn, images, labels) -> float:
    model.train()
    x, lengths = batch_tensor(images)
    logp = model(x, lengths)                                        # (T, N, 11)
    targets = torch.tensor([d for y in labels for d in y])
    loss = loss_fn(logp, targets, lengths, torch.tensor([len(y) for y in labels]))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    opt.step()
    return float(loss.detach())


def train(out: str, minutes: float = 20.0, seed: int = 0, batch: int = 64, lr: float = 3e-3,
          threads: int = 1, hidden: int = 96, steps: int = 0) -> dict:
    """Train for `steps` steps (or as many as fit in `minutes`, estimated after 50 steps)."""
    from ..checkpoint import save_checkpoint

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    (xs, ys), (hx, hy) = train_digits()
    model = SequenceReader(hidden)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    loss_fn = nn.CTCLoss(blank=10, zero_infinity=True)
    t0 = time.perf_counter()
    # the schedule needs the number of steps: time 50 at a fixed rate when only minutes are given
    warm = 0
    if not steps:
        for _ in range(50):
            step(model, opt, loss_fn, *strings.make_batch(xs, ys, batch, rng))
        warm = 50
        steps = max(100, int((minutes * 60 - (time.perf_counter() - t0)) / ((time.perf_counter() - t0) / 50)))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    avg = None
    for k in range(steps):
        loss = step(model, opt, loss_fn, *strings.make_batch(xs, ys, batch, rng))
        sched.step()
        avg = loss if avg is None else 0.98 * avg + 0.02 * loss
        if (k + 1) % 200 == 0:
            print(f"step {k + 1}/{steps}: loss {avg:.3f}, {time.perf_counter() - t0:.0f} s", flush=True)
    seconds = round(time.perf_counter() - t0, 1)
    metrics = {"held_out_strings_exact": exact_rate(model, hx, hy),
               "train_strings_exact": exact_rate(model, xs, ys, 500, seed=2),
               "steps": warm + steps, "batch": batch, "seconds": seconds,
               "made_by": f"python -m nnplay.engine.mnist.sequence --out {out} --seed {seed} --minutes {minutes:g} "
                          f"--steps {0 if warm else steps} --batch {batch} --lr {lr} --threads {threads}",
               "trained_on": f"strings of 1-4 MNIST train digits (all but the last {HELD_OUT}) composed by "
                             "engine/mnist/strings.py; held_out_strings_exact: 1000 strings of the last "
                             f"{HELD_OUT} train digits; MNIST test digits not used"}
    save_checkpoint(out, model.state_dict(), kind=KIND,
                    config={"hidden": hidden, "seed": seed, "batch": batch, "lr": lr, "threads": threads},
                    metrics=metrics)
    return metrics


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="train the sequence reader (CRNN + CTC on MNIST train strings)")
    ap.add_argument("--out", default=str(weights_path()))
    ap.add_argument("--minutes", type=float, default=20.0, help="training time (when --steps is 0)")
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--hidden", type=int, default=96)
    a = ap.parse_args(argv)
    print(train(a.out, a.minutes, a.seed, a.batch, a.lr, a.threads, a.hidden, a.steps))


if __name__ == "__main__":
    main()
