"""Trainings and sweeps as Ray tasks on a local Ray instance: the same numbers as local runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from nnplay.engine.gates import GateConfig
from nnplay.engine.gates.background import fit_new
from nnplay.engine.mnist import MnistConfig
from nnplay.engine.sweeps import Axis, run_sweep
from nnplay.engine.sweeps.mnist import run_mnist_cell

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'nnplay[cluster]'")
SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture(scope="module")
def pool():
    from nnplay.runtime.ray_backend import RayPool

    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    p = RayPool("local", num_cpus=2)
    p.connect()
    yield p
    p.shutdown()


def _no_time(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "seconds"}


def test_quick_mnist_training_equals_the_local_one(pool):
    cfg = MnistConfig(model="mlp", hidden=(32,), epochs=1, subset=2000, batch_size=64, threads=1, seed=3).to_dict()
    options = {"test_subset": 1000, "points": 10}
    remote = pool.run(run_mnist_cell, cfg, options, None)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # what every Ray task and every local worker process uses
    try:
        local = run_mnist_cell(cfg, options, None)
    finally:
        torch.set_num_threads(threads)
    assert remote["test_accuracy"] > 0.5
    assert _no_time(remote) == _no_time(local)


def test_a_2x2_gate_sweep_equals_the_local_one(pool, tmp_path):
    axes = [Axis("lr", (0.03, 0.3)), Axis("hidden", ((2,), (4, 4)))]
    options = {"seeds": 2, "epochs": 200}
    base = GateConfig(gate="XOR")
    local = run_sweep("gates", base, axes, options, out=tmp_path / "local", workers=2)
    remote = run_sweep("gates", base, axes, options, out=tmp_path / "ray", backend=pool)
    assert remote.done == local.done == 4 and not remote.interrupted
    assert [_no_time(r["result"]) for r in remote.records] == [_no_time(r["result"]) for r in local.records]
    assert any(r["result"]["success_rate"] > 0 for r in remote.records)
    again = run_sweep("gates", base, axes, options, out=tmp_path / "ray", backend=pool)  # resumes: nothing to train
    assert again.reused == 4


def test_gate_api_training_goes_to_ray_when_chosen(pool):
    from nnplay.engine.gates.background import fit_in_background
    from nnplay.runtime import ray_backend

    cfg = GateConfig(gate="XOR", hidden=(4,), lr=0.1, seed=5)
    ray_backend._ACTIVE = pool
    try:
        remote = fit_in_background(cfg, 120)
    finally:
        ray_backend._ACTIVE = None
    local = fit_new(cfg, 120)
    assert remote.metrics == local.metrics and remote.epoch == 120
    for a, b in zip(remote.state_dict().values(), local.state_dict().values()):
        assert torch.equal(a, b)


def test_missing_ray_is_one_line_naming_the_extra(tmp_path):
    code = ("import sys; sys.modules['ray'] = None\n"  # as if Ray were not installed
            "from nnplay.cli import main\n"
            f"sys.exit(main(['sweep', 'gates', '--lr', '0.1,1', '--seeds', '1', '--out', r'{tmp_path}', "
            "'--ray', 'local']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": SRC})
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == ["error: --ray needs Ray, which is not installed: "
                                               "pip install 'nnplay[cluster]'"]


def _wait(run, timeout=120.0):
    import time

    t0 = time.monotonic()
    while run.running and time.monotonic() - t0 < timeout:
        time.sleep(0.05)


def test_the_app_s_mnist_run_on_ray_equals_a_local_run(pool):
    from nnplay.app.mnist.runs import Session
    from nnplay.runtime import ray_backend

    cfg = MnistConfig(model="logistic", epochs=1, subset=3000, batch_size=64, lr=0.01, threads=1, seed=2)
    ray_backend._ACTIVE = pool
    try:
        remote = Session().start(cfg, quick=True)
        _wait(remote)
    finally:
        ray_backend._ACTIVE = None
    local = Session().start(cfg, quick=True)
    _wait(local)
    assert remote.status == local.status == "done", remote.message
    assert remote.test_accuracy == local.test_accuracy
    assert remote.curve["train_loss"] == local.curve["train_loss"] and len(remote.curve["train_loss"]) > 5
    assert remote.snapshots and remote.snapshots[-1].shape == local.snapshots[-1].shape
    for a, b in zip(remote.model.state_dict().values(), local.model.state_dict().values()):
        assert torch.equal(a, b)


def test_stop_reaches_a_ray_training(pool):
    from nnplay.app.mnist.runs import Session
    from nnplay.runtime import ray_backend

    cfg = MnistConfig(model="mlp", epochs=20, subset=0, threads=1)  # minutes if not stopped
    ray_backend._ACTIVE = pool
    try:
        run = Session().start(cfg, quick=False)
        import time

        t0 = time.monotonic()
        while not run.curve["train_loss"] and time.monotonic() - t0 < 120:
            time.sleep(0.1)
        assert run.curve["train_loss"], "no progress came back from the Ray task"
        run.stop()
        _wait(run, timeout=30)
    finally:
        ray_backend._ACTIVE = None
    assert run.status == "stopped" and run.progress < 0.5


def test_a_learning_rate_change_reaches_a_ray_training(pool):
    from nnplay.app.mnist.runs import Session
    from nnplay.engine.errors import ConfigError
    from nnplay.runtime import ray_backend

    cfg = MnistConfig(model="mlp", epochs=20, subset=0, threads=1, lr=0.01, schedule="constant")  # minutes
    ray_backend._ACTIVE = pool
    try:
        run = Session().start(cfg, quick=False)
        import time

        def until(cond, timeout=120):
            t0 = time.monotonic()
            while not cond() and time.monotonic() - t0 < timeout:
                time.sleep(0.1)
            return cond()

        assert until(lambda: run.curve["train_loss"] and run.lr == 0.01), (run.status, run.message, run.lr)
        with pytest.raises(ConfigError, match="positive"):
            run.set_lr(-1)
        run.set_lr(0.0234)
        assert until(lambda: run.lr == 0.0234), f"the task still reports lr {run.lr}"  # the trainer's own event
        assert run.running
        run.stop()
        _wait(run, timeout=30)
    finally:
        ray_backend._ACTIVE = None
    assert run.status == "stopped"
