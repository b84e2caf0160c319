"""Training an MNIST model with live events, a stop button and a live learning rate.

The loop, per step (B = batch size, N = training images):

    idx    = perm[i : i+B]                  a slice of a random permutation of 0..N-1
    x, y   = train_x[idx], train_y[idx]     (B,1,28,28) float32, (B,) int64: one gather
    x      = shift(x)                       optional: random shifts of up to 2 px
    logits = model(x)                       (B, 10)
    loss   = cross_entropy(logits, y)       mean over the batch of -log softmax(logits)[y]
    loss.backward(); optimizer.step()

No DataLoader: the data already sits in memory as one tensor (see data.py).

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

from ..choices import make_optimizer
from ..config import check_range
from ..errors import ConfigError
from .config import MnistConfig
from .data import MnistData, load_mnist
from .models import build_model, first_layer


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


def one_cycle(frac: float, warmup: float = 0.25) -> float:
    """The one-cycle shape (Smith 2018), as a factor of the peak learning rate.

    frac in [0, 1] is the share of training done. The rate rises linearly from
    peak/25 to the peak over the first `warmup` share (big steps are unsafe while
    the weights are random), then falls along a half cosine to ~0, so the last
    steps settle into a minimum instead of bouncing around it.
    """
    if frac < warmup:
        return 0.04 + 0.96 * frac / warmup
    t = (frac - warmup) / (1 - warmup)
    return 0.5 * (1 + math.cos(math.pi * min(t, 1.0))) * (1 - 1e-3) + 1e-3


def random_shift(x: torch.Tensor, max_shift: int, gen: torch.Generator) -> torch.Tensor:
    """Shift each image by its own random (dy, dx) in [-max_shift, max_shift], filling with 0.

    x: (B, 1, 28, 28). Pad every side by s -> (B, 1, 28+2s, 28+2s), then read a 28x28
    window at offset (s+dy, s+dx) per image with one advanced-indexing gather:
    rows[b, i] = s + dy[b] + i, cols[b, j] = s + dx[b] + j.
    """
    b, _, h, w = x.shape
    s = max_shift
    padded = F.pad(x, (s, s, s, s))
    dy = torch.randint(0, 2 * s + 1, (b, 1), generator=gen)
    dx = torch.randint(0, 2 * s + 1, (b, 1), generator=gen)
    rows = (dy + torch.arange(h)).unsqueeze(2)         # (B, H, 1)
    cols = (dx + torch.arange(w)).unsqueeze(1)         # (B, 1, W)
    batch = torch.arange(b).view(b, 1, 1)
    return padded[batch, 0, rows, cols].unsqueeze(1)   # (B, 1, H, W)


@torch.inference_mode()
def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 500,
             channels_last: bool = False) -> float:
    """Share of correct predictions. inference_mode skips autograd bookkeeping. Batches
    of ~500 amortise per-call overhead while the activations still fit in the CPU's
    cache; measured here, 5,000 at once was 3x slower than 500 (memory-bound)."""
    was_training = model.training
    model.eval()
    correct = 0
    for i in range(0, len(y), batch):
        xb = x[i:i + batch]
        if channels_last:
            xb = xb.contiguous(memory_format=torch.channels_last)
        correct += int((model(xb).argmax(1) == y[i:i + batch]).sum())
    model.train(was_training)
    return correct / max(1, len(y))


class MnistTrainer:
    """Trains `cfg` on `data` (loaded from the default place when None)."""

    def __init__(self, cfg: MnistConfig | None = None, data: MnistData | None = None, every: int = 50, *,
                 channels_last: bool | None = None, bf16: bool = False, eval_every_epoch: bool = True):
        self.cfg = (cfg or MnistConfig()).validate()
        if data is None:
            data = load_mnist(subset=self.cfg.subset or None)
        elif self.cfg.subset:
            data = data.subset(self.cfg.subset)
        self.data = data
        self.every = max(1, int(every))
        # channels_last stores conv activations as (N, H, W, C): the C values of one pixel
        # sit together in memory, which is the layout oneDNN's fast CPU convolutions use.
        # Measured here: ~2-3x faster per epoch for the CNN (see docs/pretrained.md).
        if channels_last is None:
            channels_last = self.cfg.model in ("cnn", "lenet5")
        self.channels_last = channels_last
        self.bf16 = bf16
        self.eval_every_epoch = eval_every_epoch
        torch.manual_seed(self.cfg.seed)  # the initial weights
        self.model = build_model(self.cfg.model, self.cfg.hidden, self.cfg.dropout)
        if channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.optimizer = make_optimizer(self.cfg.optimizer, self.model.parameters(), self.cfg.lr,
                                        self.cfg.weight_decay)
        self.base_lr = self.cfg.lr
        self.gen = torch.Generator().manual_seed(self.cfg.seed)  # batch order and shifts
        self.history: list[TrainEvent] = []
        self._stop = threading.Event()
        self.step_count = 0
        self.seconds = 0.0

    # -- controls (safe to call from another thread) ------------------------------------
    def stop(self) -> None:
        """Ask the loop to end; it does before its next step."""
        self._stop.set()

    def set_lr(self, lr: float) -> None:
        """Change the (peak) learning rate from the next step on, without a reset."""
        try:
            lr = float(lr)
        except (TypeError, ValueError):
            raise ConfigError(f"learning rate must be a number, got {lr!r}") from None
        if not math.isfinite(lr) or lr <= 0:
            raise ConfigError(f"learning rate must be a positive number, got {lr}")
        check_range("learning rate", lr, 1e-6, 10.0)
        self.base_lr = lr

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(len(self.data.train_y) / self.cfg.batch_size)

    @property
    def total_steps(self) -> int:
        return self.steps_per_epoch * self.cfg.epochs

    def lr_at(self, step: int) -> float:
        if self.cfg.schedule == "onecycle":
            return self.base_lr * one_cycle(step / max(1, self.total_steps))
        return self.base_lr

    def test_accuracy(self) -> float:
        return accuracy(self.model, self.data.test_x, self.data.test_y, channels_last=self.channels_last)

    # -- the loop --------------------------------------------------------------------------
    def run(self):
        """Train, yielding TrainEvents; the last one has done=True.

        torch's thread count is process-wide: it is set to cfg.threads for the run and
        put back afterwards, so a CLI or test process is left as it was."""
        before = torch.get_num_threads()
        if self.cfg.threads:
            torch.set_num_threads(self.cfg.threads)
        try:
            yield from self._run()
        finally:
            if self.cfg.threads:
                torch.set_num_threads(before)

    def _run(self):
        cfg, data, model = self.cfg, self.data, self.model
        x_all, y_all = data.train_x, data.train_y
        n, bs = len(y_all), cfg.batch_size
        model.train()
        loss_sum, correct, seen, t_window = 0.0, 0, 0, time.perf_counter()
        steps_in_window = 0
        lr = self.lr_at(self.step_count)
        for epoch in range(cfg.epochs):
            perm = torch.randperm(n, generator=self.gen)
            for i in range(0, n, bs):
                if self._stop.is_set():
                    yield self._finish(lr, loss_sum, correct, seen, steps_in_window, t_window, stopped=True)
                    return
                t0 = time.perf_counter()
                idx = perm[i:i + bs]
                xb, yb = x_all[idx], y_all[idx]
                if cfg.augment:
                    xb = random_shift(xb, 2, self.gen)
                if self.channels_last:
                    xb = xb.contiguous(memory_format=torch.channels_last)
                lr = self.lr_at(self.step_count)
                for group in self.optimizer.param_groups:
                    group["lr"] = lr
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
                    logits = model(xb)
                loss = F.cross_entropy(logits.float(), yb)
                if not torch.isfinite(loss):
                    raise ConfigError(f"training diverged at step {self.step_count} (loss is {loss.item()}); "
                                      "lower the learning rate")
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                self.step_count += 1
                steps_in_window += 1
                loss_sum += loss.item() * len(yb)
                correct += int((logits.argmax(1) == yb).sum())
                seen += len(yb)
                self.seconds += time.perf_counter() - t0
                epoch_end = i + bs >= n
                if self.step_count % self.every == 0 or epoch_end:
                    test_acc = self.test_accuracy() if epoch_end and self.eval_every_epoch else None
                    ev = self._event(lr, loss_sum, correct, seen, steps_in_window, t_window, test_acc,
                                     epoch=epoch + min(1.0, (i + bs) / n))
                    loss_sum, correct, seen, steps_in_window = 0.0, 0, 0, 0
                    yield ev
                    t_window = time.perf_counter()
        yield self._finish(lr, loss_sum, correct, seen, steps_in_window, t_window, stopped=False)

    def _event(self, lr, loss_sum, correct, seen, steps, t_window, test_acc, epoch=None, **kw) -> TrainEvent:
        elapsed = max(1e-9, time.perf_counter() - t_window)
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

    def _finish(self, lr, loss_sum, correct, seen, steps, t_window, stopped: bool) -> TrainEvent:
        last = self.history[-1] if self.history else None
        test_acc = last.test_acc if last is not None and last.step == self.step_count else None
        if test_acc is None:
            test_acc = self.test_accuracy()
        if seen == 0 and last is not None:  # nothing new since the last event: repeat its numbers
            loss_sum, correct, seen = last.train_loss * 1.0, last.train_acc, 1
        ev = self._event(lr, loss_sum, correct, seen, steps, t_window, test_acc, done=True, stopped=stopped)
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
