"""The MNIST lab's trainings as Ray tasks (`nnplay app --ray`), seen by the page as local runs.

    train(run, data, probe, pool)     # in the run's own server thread, after it got its slot

The task trains a `Run` of its own in the Ray worker (the same `Run._train` as a local
run, so the same numbers for the same seed) and streams what changed every STREAM_EVERY
seconds: curves, progress, new first-layer snapshots. Here those are copied into the
page's `Run`, so the timer, the curves, the weight tiles and the queue position work as
for a local run; the web server only copies numbers. At the end the trained weights come
back and become this run's model (draw, inspect, compare). Stop cancels the task: a
stopped Ray run keeps its curves but has no model. A learning rate changed during a Ray
training is not sent to it.
"""

from __future__ import annotations

import threading
import time

import numpy as np

STREAM_EVERY = 0.3  # seconds between two updates sent by the task
FIELDS = ("status", "message", "progress", "examples_per_sec", "lr", "seconds", "train_seconds", "examples",
          "test_accuracy")


def remote_run(cfg_dict: dict, quick: bool, every: float = STREAM_EVERY, paced: bool = False):
    """The Ray task (a generator): train a Run here, yield its changes, then its weights."""
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
    while True:
        worker.join(every)
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
    import ray

    run.status = "running"
    gen = pool.stream(remote_run, run.cfg.to_dict(), run.quick, STREAM_EVERY, run.paced)
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
