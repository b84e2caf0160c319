"""The MNIST lab's trainings as Ray tasks (`nnplay app --ray`), seen by the page as local runs.

    train(run, data, probe, pool)     # in the run's own server thread, after it got its slot

The task trains a `Run` of its own in the Ray worker (the same `Run._train` as a local
run, so the same numbers for the same seed) and streams what changed every STREAM_EVERY
seconds: curves, progress, new first-layer snapshots. Here those are copied into the
page's `Run`, so the timer, the curves, the weight tiles and the queue position work as
for a local run; the web server only copies numbers. At the end the trained weights come
back and become this run's model (draw, inspect, compare). Stop cancels the task: a
stopped Ray run keeps its curves but has no model. A learning rate changed during a Ray
training goes through a small mailbox actor (one for the server, started on the first
change, no CPU reserved): the task reads its run's entry with each update it sends.
"""

from __future__ import annotations

import functools
import threading
import time
import uuid

import numpy as np

STREAM_EVERY = 0.3  # seconds between two updates sent by the task
FIELDS = ("status", "message", "progress", "examples_per_sec", "lr", "seconds", "train_seconds", "examples",
          "test_accuracy")


MAILBOX = "nnplay-lr-mailbox"  # named Ray actor: {run key: the learning rate its user set last}


class LrMailbox:
    def __init__(self):
        self.lrs: dict[str, float] = {}

    def put(self, key: str, lr: float) -> None:
        self.lrs[key] = lr

    def get(self, key: str) -> float | None:
        return self.lrs.get(key)

    def drop(self, key: str) -> None:
        self.lrs.pop(key, None)


@functools.lru_cache(maxsize=1)
def _mailbox_class():
    import ray

    return ray.remote(num_cpus=0)(LrMailbox)


_SERVER_BOX: list = []  # the server's handle, once a learning rate was changed


def _mailbox():
    """In a task: the mailbox actor, or None if no learning rate was ever changed."""
    import ray

    try:
        return ray.get_actor(MAILBOX)
    except ValueError:
        return None


def send_lr(key: str, lr: float) -> None:
    """From the server: the task training run `key` uses `lr` from its next update on."""
    for _ in range(2):  # a handle from an earlier Ray session fails once, then is made again
        if not _SERVER_BOX:
            _SERVER_BOX.append(_mailbox_class().options(name=MAILBOX, get_if_exists=True).remote())
        try:
            _SERVER_BOX[0].put.remote(key, float(lr))
            return
        except Exception:  # noqa: BLE001
            _SERVER_BOX.clear()


def _drop(key: str) -> None:
    """Forget a finished run's entry (nothing to do, and no Ray call, if no rate was ever sent)."""
    import ray

    if _SERVER_BOX and ray.is_initialized():
        try:
            _SERVER_BOX[0].drop.remote(key)
        except Exception:  # noqa: BLE001 - Ray shutting down: the mailbox goes with it
            pass


class _LrInbox:
    """In the task: the mailbox's entry for this run, applied to the trainer when it changes."""

    def __init__(self, key: str | None):
        self.key, self.box, self.applied = key, None, None

    def apply(self, run) -> None:
        if self.key is None or run.trainer is None:
            return
        import ray

        try:
            self.box = self.box or _mailbox()
            lr = ray.get(self.box.get.remote(self.key), timeout=10) if self.box is not None else None
            if lr is not None and lr != self.applied:
                run.trainer.set_lr(lr)
                self.applied = lr
        except Exception:  # noqa: BLE001 - a missed reading is retried with the next update; training goes on
            self.box = None


def remote_run(cfg_dict: dict, quick: bool, every: float = STREAM_EVERY, paced: bool = False,
               key: str | None = None):
    """The Ray task (a generator): train a Run here, yield its changes, then its weights.
    key: this run's entry in the learning-rate mailbox."""
    from nnplay.engine.mnist import MnistConfig, load_mnist

    from .runs import PROBE_N, Run

    data = load_mnist()
    probe = (data.test_x[:PROBE_N], data.test_y[:PROBE_N])
    run = Run(number=0, cfg=MnistConfig.from_dict(cfg_dict), quick=quick, paced=paced)
    outbox: list = []
    record = run._snapshot

    def tap(epoch, w, force=False):  # every snapshot also goes out, before the run thins its own list
        outbox.append((float(epoch), np.array(w[:64], dtype=np.float32)))
        record(epoch, w, force)

    run._snapshot = tap
    worker = threading.Thread(target=run._train, args=(data, probe), daemon=True)
    worker.start()
    inbox = _LrInbox(key)
    while True:
        worker.join(every)
        inbox.apply(run)
        finished = not worker.is_alive()  # read before the update: the last one sent is then final
        with run.lock:
            new, outbox[:] = list(outbox), []
            curve = {k: list(v) for k, v in run.curve.items()}
        yield {"curve": curve, "snapshots": new, **{f: getattr(run, f) for f in FIELDS}}
        if finished:
            break
    model = run.trainer.model if run.trainer is not None else None
    yield {"state": {k: v.detach().cpu() for k, v in model.state_dict().items()} if model is not None else None}


def train(run, data, probe, pool) -> None:
    """Train `run` as a Ray task, mirroring its progress into `run` (the page polls it)."""
    run.status = "running"
    run.remote_key = uuid.uuid4().hex
    gen = pool.stream(remote_run, run.cfg.to_dict(), run.quick, STREAM_EVERY, run.paced, run.remote_key)
    try:
        _follow(run, data, gen)
    finally:
        key, run.remote_key = run.remote_key, None
        _drop(key)


def _follow(run, data, gen) -> None:
    import ray

    final, last = {}, {"status": "error", "message": "the Ray task ended without a result"}
    try:
        for ref in gen:
            if run.message == "stopping":  # Run.stop() while the trainer is remote
                ray.cancel(gen)
                run.status, run.message = "stopped", ""
                return
            update = ray.get(ref)
            if "state" in update:
                final = update
                break
            _mirror(run, update)
            last = update
    except Exception as e:  # noqa: BLE001 - a lost worker or cluster: say so on the page
        run.status, run.message = "error", f"training on Ray failed: {str(e).splitlines()[0][:200]}"
        return
    if final.get("state") is not None:
        _adopt(run, data, final["state"])
    if last["status"] in ("waiting", "running"):  # never leave a run "running" once its task is over
        last = {"status": "error", "message": "the Ray task ended before its training did"}
    run.message = last["message"]
    run.seconds = time.perf_counter() - run.clicked  # what the user waited: click to finished, here
    run.examples_per_sec = run.examples / max(1e-9, run.seconds)
    run.status = last["status"]  # last: the page (and class mode) see a finished run with its model


def _mirror(run, update: dict) -> None:
    for epoch, w in update["snapshots"]:
        run._snapshot(epoch, w)
    with run.lock:
        run.curve = update["curve"]
        for f in FIELDS:
            if f not in ("status", "message"):
                setattr(run, f, update[f])
    if run.snapshots and run.curve["test_epoch"]:
        run.first.set()  # the step-0 point and tiles have arrived (the Train answer waits for them)


def _adopt(run, data, state: dict) -> None:
    """The trained weights become this run's model (a local trainer that holds them)."""
    from nnplay.engine.mnist import MnistTrainer

    trainer = MnistTrainer(run.cfg, data)
    trainer.model.load_state_dict(state)
    run.trainer = trainer
