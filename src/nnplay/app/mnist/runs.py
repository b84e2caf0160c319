"""Per-session training runs in background threads.

A `Session` lives in a `gr.State`, so every browser tab (and every gradio_client)
has its own. Each Train click makes a `Run`: a daemon thread drives the engine's
`MnistTrainer.run()` generator and records curves and first-layer snapshots; the
page polls `Run.view()` with a `gr.Timer`, so no request ever waits for training.

One test accuracy per run: while it trains, the curve shows a live *estimate* on
PROBE_N fixed test digits (and says so); when it ends, the trainer measures all 10,000
test digits once, and that number is the run's everywhere (progress line, Compare).
Times are what the user waited: from the Train click to finished.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from nnplay.app.classroom import context as class_hooks
from nnplay.app.slots import SLOTS
from nnplay.runtime import ray_backend
from nnplay.engine.errors import NnplayError
from nnplay.engine.mnist import MnistConfig, MnistTrainer, first_layer, load_mnist
from nnplay.engine.mnist.probe import loss_and_accuracy
from nnplay.engine.mnist.trainer import checked_lr

from . import ray_run

TRAIN_THREADS = 1       # torch threads while the app trains: one core per training, so live
                        # drawing and other users stay responsive (process-wide: set by the app)
QUICK_TRAIN = 3000      # training images in "quick" mode
QUICK_MIN_SECONDS = 4.0 # a quick run is paced to last at least this long, so a class can watch it learn
MIN_EVENTS = 40         # trainer events (curve points, chances to snapshot) in a run, at least
PROBE_N = 1000          # fixed test digits measured a few times a second for the live test estimate
MAX_TILES = 64          # first-layer units kept per snapshot (the mosaic shows at most 64)
MAX_SNAPSHOTS = 120     # older snapshots are thinned out beyond this
SNAPSHOT_EVERY = 0.2    # seconds between recorded snapshots
PROBE_EVERY = 0.5       # seconds between live test measurements
EVENT_EVERY = {"logistic": 10, "mlp": 5, "cnn": 2, "lenet5": 4}  # steps between trainer events
# Trainings at once on this server (all users) come from app/slots.py (default 1,
# `nnplay app --max-trainings N`); the others wait in line and see their place.
_ids = itertools.count(1)


@dataclass
class Run:
    number: int
    cfg: MnistConfig
    quick: bool
    paced: bool = False                # slowed to last QUICK_MIN_SECONDS (quick runs started from the page)
    status: str = "waiting"            # waiting | running | done | stopped | error
    message: str = ""
    progress: float = 0.0              # share of the planned steps done, 0..1
    examples_per_sec: float = 0.0     # examples trained / seconds since the click (what the user sees)
    lr: float = 0.0
    seconds: float = 0.0               # from the Train click to now, or to finished
    train_seconds: float = 0.0         # the trainer's own clock: training steps only
    examples: int = 0                  # training examples processed so far
    clicked: float = field(default_factory=time.perf_counter)
    test_accuracy: float | None = None # on all 10,000 test digits, measured once when the run ends
    curve: dict = field(default_factory=lambda: {k: [] for k in (
        "epoch", "train_loss", "train_acc", "test_epoch", "test_loss", "test_acc")})
    snap_epochs: list = field(default_factory=list)
    snapshots: list = field(default_factory=list)   # (<=64 units, ...) float32 first-layer copies
    trainer: MnistTrainer | None = None
    evaluation: object = None          # the engine's EvalResult on the test set, once asked for
    remote_key: str | None = None      # while it trains on Ray: its key in ray_run's learning-rate mailbox
    lock: threading.Lock = field(default_factory=threading.Lock)
    first: threading.Event = field(default_factory=threading.Event)  # set once the step-0 point and tiles exist

    @property
    def name(self) -> str:
        return f"#{self.number}"

    @property
    def running(self) -> bool:
        return self.status in ("waiting", "running")

    @property
    def model(self):
        return self.trainer.model if self.trainer else None

    def label(self) -> str:
        acc = f", {self.test_accuracy:.1%}" if self.test_accuracy is not None else ""
        quick = " quick" if self.quick else ""
        return f"run {self.name}: {self.cfg.model}{quick}{acc}"

    def view(self) -> dict:
        """A consistent copy of what the page draws (safe while the thread appends)."""
        with self.lock:
            return {"curve": {k: list(v) for k, v in self.curve.items()},
                    "snap_epochs": list(self.snap_epochs), "snapshots": list(self.snapshots),
                    "status": self.status, "message": self.message, "progress": self.progress,
                    "examples_per_sec": self.examples_per_sec, "lr": self.lr,
                    "seconds": self.seconds if not self.running else time.perf_counter() - self.clicked,
                    "train_seconds": self.train_seconds, "examples": self.examples, "probe_n": PROBE_N,
                    "test_accuracy": self.test_accuracy, "position": SLOTS.position(self)}

    def summary(self) -> dict:
        v = self.view()
        return {"name": self.name, "config": self.cfg.resolved().to_dict(), "quick": self.quick,
                "test_epoch": v["curve"]["test_epoch"], "test_acc": v["curve"]["test_acc"],
                "test_accuracy": self.test_accuracy, "seconds": round(self.seconds, 2),
                "examples_per_sec": round(self.examples_per_sec, 1), "status": self.status}

    # -- recording (called from the training thread) -----------------------------------
    def _snapshot(self, epoch: float, w: np.ndarray, force: bool = False) -> None:
        with self.lock:
            self.snap_epochs.append(float(epoch))
            self.snapshots.append(np.array(w[:MAX_TILES], dtype=np.float32))
            if len(self.snapshots) > MAX_SNAPSHOTS:  # keep the first, thin the rest to every other one
                keep = [0] + list(range(2, len(self.snapshots) - 1, 2)) + [len(self.snapshots) - 1]
                self.snapshots = [self.snapshots[i] for i in keep]
                self.snap_epochs = [self.snap_epochs[i] for i in keep]

    def _probe(self, epoch: float, probe) -> None:
        loss, acc = loss_and_accuracy(self.trainer.model, *probe)
        with self.lock:
            self.curve["test_epoch"].append(float(epoch))
            self.curve["test_loss"].append(loss)
            self.curve["test_acc"].append(acc)

    def train(self, data, probe) -> None:
        """The thread body: wait for a free slot (app/slots.py), then train and record."""
        if not SLOTS.acquire(self, cancelled=lambda: self.status == "stopped"):
            return
        try:
            pool = ray_backend.active()  # nnplay app --ray: train as a Ray task (app/mnist/ray_run.py)
            ray_run.train(self, data, probe, pool) if pool is not None else self._train(data, probe)
        finally:
            SLOTS.release(self)

    def _train(self, data, probe) -> None:
        if self.status == "stopped":
            return
        self.status = "running"
        try:
            import torch

            if torch.get_num_threads() != TRAIN_THREADS:
                torch.set_num_threads(TRAIN_THREADS)
            steps = math.ceil(min(self.cfg.subset or len(data.train_y), len(data.train_y)) / self.cfg.batch_size)
            total = max(1, steps * self.cfg.epochs)
            every = max(1, min(EVENT_EVERY.get(self.cfg.model, 5), total // MIN_EVENTS))
            # No test pass at each epoch end: the live curve is the probe's estimate; the one
            # test accuracy of the run is measured on all test digits when it ends.
            self.trainer = MnistTrainer(self.cfg, data, every=every, eval_every_epoch=False)
            w0 = first_layer(self.trainer.model).detach().float().numpy()
            self._snapshot(0.0, w0)
            self._probe(0.0, probe)
            self.first.set()
            self._record(self.trainer.run(), probe, total, every)
        except NnplayError as e:
            self.status, self.message = "error", str(e)
        except Exception as e:  # a bug: say so on the page rather than hang the poller
            self.status, self.message = "error", f"training failed: {e}"
        if self.status == "error":
            self.seconds = time.perf_counter() - self.clicked

    def _record(self, events, probe, total: int, every: int) -> None:
        """Record each event; quick runs are paced to last QUICK_MIN_SECONDS or more."""
        started = last_snap = last_probe = time.perf_counter()
        stride = max(1, total // every // 25)  # at least ~25 test points, even for a fast run
        pace = QUICK_MIN_SECONDS / total if self.paced else 0.0  # seconds per step, at least
        for k, ev in enumerate(events, 1):
            now = time.perf_counter()
            with self.lock:
                self.curve["epoch"].append(ev.epoch)
                self.curve["train_loss"].append(ev.train_loss)
                self.curve["train_acc"].append(ev.train_acc)
                self.progress = min(1.0, ev.step / total)
                self.examples = self.trainer.examples_seen
                self.examples_per_sec = self.examples / max(1e-9, now - self.clicked)
                self.lr, self.train_seconds = ev.lr, ev.seconds
            if ev.done or k % stride == 0 or now - last_snap >= SNAPSHOT_EVERY:
                self._snapshot(ev.epoch, ev.first_layer)
                last_snap = now
            if ev.done or k % stride == 0 or now - last_probe >= PROBE_EVERY:
                self._probe(ev.epoch, probe)
                last_probe = time.perf_counter()
            if ev.done:
                self.test_accuracy = ev.test_acc  # all test digits, once
                self.seconds = time.perf_counter() - self.clicked
                self.examples_per_sec = self.examples / max(1e-9, self.seconds)
                self.status = "stopped" if ev.stopped else "done"
            elif pace:
                time.sleep(max(0.0, started + ev.step * pace - time.perf_counter()))

    def stop(self) -> None:
        if self.running:
            self.message = "stopping"
        if self.trainer is not None:
            self.trainer.stop()
        elif self.status == "waiting":
            self.status = "stopped"

    def set_lr(self, lr: float) -> None:
        if not self.running:
            return
        if self.remote_key is not None:  # training as a Ray task: sent to it (app/mnist/ray_run.py)
            ray_run.send_lr(self.remote_key, checked_lr(lr))
        elif self.trainer is not None:
            self.trainer.set_lr(lr)


class Session:
    """Every run of one browser session. Lives in gr.State, whose initial value Gradio
    deep-copies once for each new session: so a deep copy is a fresh, empty Session
    (runs hold threads and locks, which cannot be copied anyway)."""

    def __init__(self):
        self.runs: list[Run] = []

    def __deepcopy__(self, memo):
        return Session()

    @property
    def current(self) -> Run | None:
        return self.runs[-1] if self.runs else None

    def run(self, name: str) -> Run | None:
        return next((r for r in self.runs if r.name == name or f"run:{r.number}" == name), None)

    def start(self, cfg: MnistConfig, quick: bool, paced: bool = False) -> Run:
        """Start a run in its own thread (after stopping this session's previous one).
        `paced`: a quick run lasts at least QUICK_MIN_SECONDS, to be watched (the page's Train)."""
        if self.current is not None and self.current.running:
            self.current.stop()
        data = load_mnist()
        probe = (data.test_x[:PROBE_N], data.test_y[:PROBE_N])
        run = Run(number=len(self.runs) + 1, cfg=cfg, quick=quick, paced=paced and quick)
        self.runs.append(run)
        threading.Thread(target=run.train, args=(data, probe), daemon=True,
                         name=f"mnist-run-{next(_ids)}").start()
        class_hooks.mnist_started(run)  # class mode: recorded once finished (no-op otherwise)
        return run

    def stop_all(self) -> None:
        for r in self.runs:
            if r.running:
                r.stop()


def close_session(session) -> None:
    """gr.State delete_callback: stop the session's trainings when the tab is gone."""
    if isinstance(session, Session):
        session.stop_all()
