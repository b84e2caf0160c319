"""Training an MNIST model with live events, a stop button and a live learning rate.

The loop, per step (B = batch size, N = training images):

    idx    = perm[i : i+B]                  a slice of a random permutation of 0..N-1
    x, y   = train_x[idx], train_y[idx]     (B,1,28,28) float32, (B,) int64: one gather
    x      = shift(x)                       optional: random shifts of up to 2 px
    logits = model(x)                       (B, 10)
    loss   = cross_entropy(logits, y)       mean over the batch of -log softmax(logits)[y]
    loss.backward(); optimizer.step()

No DataLoader: the data already sits in memory as one uint8 tensor (see data.py);
each batch is gathered and converted to float32 (pixel / 255) on its own.

One loop for one process and for several (DDP): a `Shard` says which share of each
epoch's permutation this process trains on and how processes agree (sum counts, stop
together); the single-process `Shard` is "all of it, alone". distributed.py gives the
DDP one, as nanoGPT does with its rank/world hooks.

Reproducible and safe to run in threads: the trainer draws every random number
(initial weights, batch order, shifts, dropout masks) from its own torch.Generator and
never touches torch's global random state or its thread count (a process-wide
setting: the program - CLI, app, sweep worker - chooses it).

bf16 where the CPU computes it natively (AVX-512 BF16 or AMX): the forward pass of the
convolutional models runs under autocast, so matrix products take bfloat16 inputs
(8 bits of mantissa instead of 23) and accumulate in float32; weights, gradients and
the optimizer stay float32. Elsewhere everything is float32 (see `precision`).

A `MnistTrainer.run()` generator yields a `TrainEvent` every `every` steps and at
the end of each epoch (with the test accuracy), so a UI can draw curves and the
first layer's weights while training runs, and a CLI can drive a progress bar.
`stop()` may be called from another thread (a UI button): the loop checks a
threading.Event before every step, so it ends within one step.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field, replace

import numpy as np
import torch
import torch.nn.functional as F

from ..config import check_range
from ..errors import ConfigError
from .augment import random_shift
from .averaging import WeightEma
from .config import MnistConfig
from .data import MnistData, load_mnist
from .models import first_layer, is_convolutional
from .optim import LeanOptimizer
from .precision import use_bf16
from .schedule import one_cycle

class Shard:
    """One process training alone: every index of each epoch, nothing to agree on.

    distributed.DdpShard overrides these for several processes (ranks): `take` keeps
    this rank's share of the permutation, `wrap` puts the model in DDP, `any` and `sum`
    all-reduce over the ranks, `sync` copies rank 0's batch-norm statistics."""

    rank, world_size = 0, 1

    def take(self, perm: torch.Tensor) -> torch.Tensor:
        return perm

    def wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        return model

    def any(self, flag: bool) -> bool:
        return flag

    def sum(self, values: torch.Tensor) -> torch.Tensor:
        return values

    def sync(self, model: torch.nn.Module) -> None:
        pass


def checked_lr(lr) -> float:
    """A learning rate typed by a user, as a float, or ConfigError saying what is wrong with it."""
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise ConfigError(f"learning rate must be a number, got {lr!r}") from None
    if not math.isfinite(lr) or lr <= 0:
        raise ConfigError(f"learning rate must be a positive number, got {lr}")
    check_range("learning rate", lr, 1e-6, 10.0)
    return lr


@dataclass
class TrainEvent:
    step: int                  # optimizer steps done so far
    epoch: float               # fractional epochs done (1.5 = half way through the second)
    lr: float                  # learning rate used for the last step
    train_loss: float          # mean loss over the steps since the previous event
    train_acc: float           # accuracy on the training batches since the previous event
    test_acc: float | None     # filled at each epoch end (and at the end), else None
    examples_per_sec: float    # training throughput since the previous event
    first_layer: np.ndarray | None = None  # copy of first_layer(model), float32
    done: bool = False         # the last event of the run (finished or stopped)
    stopped: bool = False      # the run ended because stop() was called
    seconds: float = 0.0       # training wall time so far (test evaluations excluded)


@dataclass
class TrainResult:
    model: torch.nn.Module
    history: list[TrainEvent]
    metrics: dict
    seconds: float
    cfg: MnistConfig | None = None
    extra: dict = field(default_factory=dict)


@torch.inference_mode()
def correct_count(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 500,
                  channels_last: bool = False, bf16: bool = False) -> int:
    """How many of x (N,1,28,28, uint8 or float) the model classifies as y. inference_mode
    skips autograd's bookkeeping. Batches of 500: large enough to amortise per-call
    overhead, small enough that a batch's activations stay in the CPU's caches (the CNN's
    first maps are 500 x 16 x 28 x 28 floats = 25 MB). Measured on the 10,000 test images
    (2-core Xeon, quiet): CNN 0.35 s at 500 against 0.60 s at 1,000; MLP 0.04 s at both.
    500 also divides 10,000, so no odd-sized last batch needs its own oneDNN kernels."""
    from .data import as_float

    was_training = model.training
    model.eval()
    correct = 0
    for i in range(0, len(y), batch):
        xb = as_float(x[i:i + batch])
        if channels_last:
            xb = xb.contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            correct += int((model(xb).argmax(1) == y[i:i + batch]).sum())
    model.train(was_training)
    return correct


def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 500,
             channels_last: bool = False, bf16: bool = False) -> float:
    """Share of correct predictions (see correct_count)."""
    return correct_count(model, x, y, batch, channels_last, bf16) / max(1, len(y))


class MnistTrainer:
    """Trains `cfg` on `data` (loaded from the default place when None).

    generator: the source of every random number (default: seeded with cfg.seed);
    precision: "auto" (bf16 for conv models on CPUs with native bf16), "bf16" or "fp32";
    shard:     which share of the data this process trains on (default: all of it);
    max_steps: stop after this many steps (the schedule is planned for them);
    shift_generator: the random shifts' own generator (DDP: one per rank; default `generator`);
    final_eval: measure the test accuracy when the run ends (the last event's test_acc)."""

    def __init__(self, cfg: MnistConfig | None = None, data: MnistData | None = None, every: int = 50, *,
                 channels_last: bool | None = None, precision: str = "auto", eval_every_epoch: bool = True,
                 generator: torch.Generator | None = None, shard: Shard | None = None,
                 max_steps: int | None = None, shift_generator: torch.Generator | None = None,
                 final_eval: bool = True):
        self.cfg = (cfg or MnistConfig()).validate()
        if data is None:
            data = load_mnist(subset=self.cfg.subset or None)
        elif self.cfg.subset:
            data = data.subset(self.cfg.subset)
        self.data = data
        self.every = max(1, int(every))
        self.shard = shard or Shard()
        self.local_batch = self.cfg.batch_size // self.shard.world_size  # the global batch, shared out
        if self.local_batch < 1:
            raise ConfigError(f"batch size {self.cfg.batch_size} is smaller than the {self.shard.world_size} "
                              f"processes; use at least --batch-size {self.shard.world_size}")
        # channels_last stores conv activations as (N, H, W, C): the C values of one pixel
        # sit together in memory, which is the layout oneDNN's fast CPU convolutions use.
        # Measured here: ~2-3x faster per epoch for the CNN (see docs/pretrained.md).
        if channels_last is None:
            channels_last = is_convolutional(self.cfg.model)
        self.channels_last = channels_last
        self.bf16 = use_bf16(self.cfg.model, precision)
        self.eval_every_epoch = eval_every_epoch
        self.final_eval = final_eval  # the last event carries the test accuracy (False: None)
        self.gen = generator if generator is not None else torch.Generator().manual_seed(self.cfg.seed)
        self.shift_gen = shift_generator if shift_generator is not None else self.gen
        self.model = self._new_model(self.gen)
        self.net = self.shard.wrap(self.model)  # what the steps call: the model, or DDP around it
        # cfg.ema > 0: an averaged copy of the weights rides along; it is what test_accuracy
        # scores and what the run leaves in self.model at the end (averaging.py)
        # The shadow is built from a throwaway generator (its start is overwritten with the model's
        # weights): the run's stream and torch's global one stay untouched.
        self.ema = (WeightEma(self.model, self._new_model(torch.Generator()), self.cfg.ema) if self.cfg.ema
                    else None)
        # torch.optim's update, without the torch._dynamo import its classes trigger (optim.py)
        self.optimizer = LeanOptimizer(self.cfg.optimizer, self.net.parameters(), self.cfg.lr,
                                       self.cfg.weight_decay_used)
        self.base_lr = self.cfg.lr
        self.max_steps = max_steps
        self.history: list[TrainEvent] = []
        self._stop = threading.Event()
        self.step_count = 0
        self.seconds = 0.0
        self.examples_seen = 0  # by this process

    def _new_model(self, generator: torch.Generator) -> torch.nn.Module:
        """A model of this run's architecture and memory layout, initialised from `generator`."""
        m = self.cfg.build_model(generator)
        return m.to(memory_format=torch.channels_last) if self.channels_last else m

    @property
    def eval_model(self) -> torch.nn.Module:
        """The weights a test scores: the running average when cfg.ema, else the model."""
        return self.ema.model if self.ema is not None else self.model

    # -- controls (safe to call from another thread) ------------------------------------
    def stop(self) -> None:
        """Ask the loop to end; it does before its next step."""
        self._stop.set()

    def set_lr(self, lr: float) -> None:
        """Change the (peak) learning rate from the next step on, without a reset."""
        self.base_lr = checked_lr(lr)

    @property
    def steps_per_epoch(self) -> int:
        per_process = len(self.data.train_y) // self.shard.world_size
        return math.ceil(per_process / self.local_batch)

    @property
    def total_steps(self) -> int:
        total = self.steps_per_epoch * self.cfg.epochs
        return min(total, int(self.max_steps)) if self.max_steps else total

    def lr_at(self, step: int) -> float:
        if self.cfg.schedule == "onecycle":
            return self.base_lr * one_cycle(step / max(1, self.total_steps))
        return self.base_lr

    def test_accuracy(self) -> float:
        """On every test image of `data`, the work shared out between processes:
        each scores x[rank::world] and the counts are summed."""
        sh = self.shard
        self.shard.sync(self.model)
        if self.ema is not None:
            self.shard.sync(self.ema.model)
        x, y = self.data.test_pixels[sh.rank::sh.world_size], self.data.test_y[sh.rank::sh.world_size]
        # float32 even when training used bf16: the number must be the one `nnplay eval`, the app
        # and anyone loading the checkpoint get from the same weights
        counts = torch.tensor([correct_count(self.eval_model, x, y, channels_last=self.channels_last), len(y)],
                              dtype=torch.float64)
        counts = sh.sum(counts)
        return float(counts[0] / max(1.0, float(counts[1])))

    # -- the loop --------------------------------------------------------------------------
    def run(self):
        """Train, yielding TrainEvents; the last one has done=True. Uses whatever thread
        count the program set (torch.set_num_threads is process-wide: not the trainer's call)."""
        cfg, data, net = self.cfg, self.data, self.net
        n, bs = len(data.train_y), self.local_batch
        total = self.total_steps
        net.train()
        win = _Window()
        lr = self.lr_at(self.step_count)
        for epoch in range(cfg.epochs):
            mine = self.shard.take(torch.randperm(n, generator=self.gen))  # (N / world,)
            for i in range(0, len(mine), bs):
                if self._stop.is_set() or self.step_count >= total:
                    yield self._finish(lr, win, stopped=self._stop.is_set())
                    return
                t0 = time.perf_counter()
                lr = self._step(mine[i:i + bs], win)
                self.seconds += time.perf_counter() - t0
                epoch_end = i + bs >= len(mine)
                if self.step_count % self.every == 0 or epoch_end:
                    test_acc = self.test_accuracy() if epoch_end and self.eval_every_epoch else None
                    ev = self._event(lr, win, test_acc, epoch=epoch + min(1.0, (i + bs) / len(mine)))
                    win = _Window()
                    yield ev
                    win.t0 = time.perf_counter()
        yield self._finish(lr, win, stopped=False)

    def _step(self, idx: torch.Tensor, win: "_Window") -> float:
        """One optimizer step on the training images `idx`; returns the learning rate used."""
        xb, yb = self.data.batch(idx), self.data.train_y[idx]   # (B,1,28,28) float32, (B,) int64
        if self.cfg.augment:
            xb = random_shift(xb, 2, self.shift_gen)
        if self.channels_last:
            xb = xb.contiguous(memory_format=torch.channels_last)
        lr = self.lr_at(self.step_count)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            logits = self.net(xb)
        # cross-entropy against targets (1 - s) * one_hot(y) + s / 10: label smoothing s keeps the
        # model from pushing its logits ever further apart on examples it already gets right
        loss = F.cross_entropy(logits.float(), yb, label_smoothing=self.cfg.label_smoothing)
        # A NaN loss on any process stops every process (one raising alone would leave the
        # others waiting in their next all-reduce); the weights are those of the last good step.
        if self.shard.any(not bool(torch.isfinite(loss))):
            raise ConfigError(f"training diverged at step {self.step_count} (loss is {loss.item()}); "
                              "lower the learning rate")
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()               # with DDP, gradients are all-reduced (averaged) here
        self.optimizer.step()
        if self.ema is not None:
            self.ema.update()         # average <- average + (1 - d) * (weights - average)
        self.step_count += 1
        win.add(loss.item(), int((logits.argmax(1) == yb).sum()), len(yb))
        self.examples_seen += len(yb)
        return lr

    def _event(self, lr, win: "_Window", test_acc, epoch=None, **kw) -> TrainEvent:
        loss_sum, correct, seen = win.loss_sum, win.correct, win.seen
        elapsed = max(1e-9, time.perf_counter() - win.t0)
        ev = TrainEvent(
            step=self.step_count,
            epoch=float(epoch if epoch is not None else self.step_count / self.steps_per_epoch),
            lr=float(lr),
            train_loss=loss_sum / seen if seen else float("nan"),
            train_acc=correct / seen if seen else float("nan"),
            test_acc=test_acc,
            examples_per_sec=seen / elapsed if seen else 0.0,
            first_layer=first_layer(self.model).detach().float().numpy().copy(),
            seconds=self.seconds,
            **kw,
        )
        self.history.append(replace(ev, first_layer=None))  # keep history light
        return ev

    def _finish(self, lr, win: "_Window", stopped: bool) -> TrainEvent:
        if self.ema is not None:  # the run's result is the averaged weights (saved, scored, shown)
            self.model.load_state_dict(self.ema.model.state_dict())
        last = self.history[-1] if self.history else None
        test_acc = last.test_acc if last is not None and last.step == self.step_count else None
        if test_acc is None and self.final_eval:
            test_acc = self.test_accuracy()
        steps = win.steps
        if win.seen == 0 and last is not None:  # nothing new since the last event: repeat its numbers
            win.loss_sum, win.correct, win.seen = last.train_loss * 1.0, last.train_acc, 1
        ev = self._event(lr, win, test_acc, done=True, stopped=stopped)
        ev.examples_per_sec = last.examples_per_sec if steps == 0 and last is not None else ev.examples_per_sec
        self.history[-1] = replace(ev, first_layer=None)
        return ev

    def metrics(self) -> dict:
        """The run's numbers under the CLI's JSON keys."""
        done = [e for e in self.history if e.test_acc is not None]
        last = self.history[-1] if self.history else None
        # train_accuracy: accuracy on the training batches of the last epoch (while learning,
        # and on shifted images when augmenting) - cheap, and close to a full pass.
        n_last = [e for e in self.history if e.epoch > (self.history[-1].epoch - 1) and not math.isnan(e.train_acc)]
        train_acc = float(np.mean([e.train_acc for e in n_last])) if n_last else float("nan")
        return {
            "test_accuracy": done[-1].test_acc if done else None,
            "train_accuracy": train_acc,
            "epochs": round(last.epoch, 4) if last else 0.0,
            "steps": self.step_count,
            "seconds": round(self.seconds, 3),
            "stopped": bool(last.stopped) if last else False,
        }


@dataclass
class _Window:
    """Training loss and accuracy summed over the steps since the last event."""
    loss_sum: float = 0.0
    correct: int = 0
    seen: int = 0
    steps: int = 0
    t0: float = field(default_factory=time.perf_counter)

    def add(self, loss: float, correct: int, n: int) -> None:
        self.loss_sum += loss * n
        self.correct += correct
        self.seen += n
        self.steps += 1


def train(cfg: MnistConfig | None = None, data: MnistData | None = None, callback=None, every: int = 50,
          **trainer_kw) -> TrainResult:
    """Run a whole training; `callback(event)` is called for every event."""
    trainer = MnistTrainer(cfg, data, every=every, **trainer_kw)
    t0 = time.perf_counter()
    for ev in trainer.run():
        if callback is not None:
            callback(ev)
    wall = time.perf_counter() - t0
    return TrainResult(trainer.model, trainer.history, trainer.metrics(), wall, trainer.cfg,
                       extra={"trainer": trainer})
