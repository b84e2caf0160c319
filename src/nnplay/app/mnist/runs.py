"""Per-session training runs in background threads.

A `Session` lives in a `gr.State`, so every browser tab (and every gradio_client)
has its own. Each Train click makes a `Run`: a daemon thread drives the engine's
`MnistTrainer.run()` generator and records curves and first-layer snapshots; the
page polls `Run.view()` with a `gr.Timer`, so no request ever waits for training.
"""

from __future__ import annotations

import itertools
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

from . import ray_run

QUICK_TRAIN = 3000      # training images in "quick" mode
QUICK_TEST = 2000       # test images for the end-of-epoch accuracy in quick mode
PROBE_N = 1000          # fixed test digits measured a few times a second for the live test curve
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
    status: str = "waiting"            # waiting | running | done | stopped | error
    message: str = ""
    progress: float = 0.0              # share of the planned steps done, 0..1
    examples_per_sec: float = 0.0
    lr: float = 0.0
    seconds: float = 0.0
    test_accuracy: float | None = None
    curve: dict = field(default_factory=lambda: {k: [] for k in (
        "epoch", "train_loss", "train_acc", "test_epoch", "test_loss", "test_acc")})
    snap_epochs: list = field(default_factory=list)
    snapshots: list = field(default_factory=list)   # (<=64 units, ...) float32 first-layer copies
    trainer: MnistTrainer | None = None
    evaluation: object = None          # the engine's EvalResult on the test set, once asked for
    lock: threading.Lock = field(default_factory=threading.Lock)

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
                    "examples_per_sec": self.examples_per_sec, "lr": self.lr, "seconds": self.seconds,
                    "test_accuracy": self.test_accuracy, "position": SLOTS.position(self)}

    def summary(self) -> dict:
        v = self.view()
        return {"name": self.name, "config": self.cfg.to_dict(), "quick": self.quick,
                "test_epoch": v["curve"]["test_epoch"], "test_acc": v["curve"]["test_acc"],
                "test_accuracy": self.test_accuracy, "seconds": round(self.seconds, 2), "status": self.status}

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
            self.trainer = MnistTrainer(self.cfg, data, every=EVENT_EVERY.get(self.cfg.model, 5))
            total = max(1, self.trainer.total_steps)
            w0 = first_layer(self.trainer.model).detach().float().numpy()
            self._snapshot(0.0, w0)
            self._probe(0.0, probe)
            last_snap = last_probe = time.perf_counter()
            every = EVENT_EVERY.get(self.cfg.model, 5)
            stride = max(1, total // every // 25)  # at least ~25 test points, even for a fast run
            for k, ev in enumerate(self.trainer.run(), 1):
                now = time.perf_counter()
                with self.lock:
                    self.curve["epoch"].append(ev.epoch)
                    self.curve["train_loss"].append(ev.train_loss)
                    self.curve["train_acc"].append(ev.train_acc)
                    self.progress = min(1.0, ev.step / total)
                    self.examples_per_sec = ev.examples_per_sec
                    self.lr, self.seconds = ev.lr, ev.seconds
                if ev.done or k % stride == 0 or now - last_snap >= SNAPSHOT_EVERY:
                    self._snapshot(ev.epoch, ev.first_layer)
                    last_snap = now
                if ev.done or ev.test_acc is not None or k % stride == 0 or now - last_probe >= PROBE_EVERY:
                    self._probe(ev.epoch, probe)
                    last_probe = time.perf_counter()
                if ev.done:
                    self.test_accuracy = ev.test_acc
                    self.status = "stopped" if ev.stopped else "done"
        except NnplayError as e:
            self.status, self.message = "error", str(e)
        except Exception as e:  # a bug: say so on the page rather than hang the poller
            self.status, self.message = "error", f"training failed: {e}"

    def stop(self) -> None:
        if self.running:
            self.message = "stopping"
        if self.trainer is not None:
            self.trainer.stop()
        elif self.status == "waiting":
            self.status = "stopped"

    def set_lr(self, lr: float) -> None:
        if self.trainer is not None and self.running:
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

    def start(self, cfg: MnistConfig, quick: bool) -> Run:
        """Start a run in its own thread (after stopping this session's previous one)."""
        if self.current is not None and self.current.running:
            self.current.stop()
        data = load_mnist()
        if quick:
            data = data.subset(None, QUICK_TEST)
        probe = (data.test_x[:PROBE_N], data.test_y[:PROBE_N])
        run = Run(number=len(self.runs) + 1, cfg=cfg, quick=quick)
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
