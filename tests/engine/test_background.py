"""The background pool (runtime/pool.py) and gate training in it (engine/gates/background.py).

Oracles: a network trained in a worker process is identical, weight for weight and
entry for entry of its history, to the same config trained in this process; the worker
really is another process at a lower priority; a pool whose worker dies still answers
(in the calling thread) and starts afresh for the next call."""

from __future__ import annotations

import os

import pytest
import torch

from nnplay.runtime.pool import BackgroundPool
from nnplay.engine.gates import GateConfig
from nnplay.engine.gates.background import fit_in_background, fit_new

PARENT = os.getpid()


def whoami() -> tuple[int, int]:
    return os.getpid(), os.getpriority(os.PRIO_PROCESS, 0)


def die_in_a_worker(parent: int) -> str:
    if os.getpid() != parent:
        os._exit(3)  # a worker killed mid-call (out of memory, kill -9...)
    return "ran in the caller"


@pytest.fixture(scope="module")
def pool():
    p = BackgroundPool(workers=1, niceness=7)
    yield p
    p.shutdown()


def test_work_runs_in_another_process_at_lower_priority(pool):
    pid, prio = pool.run(whoami)
    assert pid != PARENT
    assert prio == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 7)
    assert pool.fallbacks == 0


def test_a_dead_worker_falls_back_then_the_pool_recovers(pool):
    assert pool.run(die_in_a_worker, PARENT) == "ran in the caller"
    assert pool.fallbacks == 1
    pid, _ = pool.run(whoami)  # a new pool with a new worker
    assert pid != PARENT and pool.fallbacks == 1


def test_errors_in_the_worker_are_raised_in_the_caller(pool):
    with pytest.raises(ZeroDivisionError):
        pool.run(divmod, 1, 0)


@pytest.mark.parametrize("cfg", [GateConfig(gate="XOR", hidden=(4, 4), seed=5),
                                 GateConfig(gate="MAJORITY", hidden=(3,), sampling="noisy", optimizer="sgd",
                                            batch_size=8, regularization="l2", reg_rate=0.001, seed=2)])
def test_a_gate_trained_in_the_background_is_the_one_trained_here(cfg):
    here, there = fit_new(cfg, 150), fit_in_background(cfg, 150)
    assert there.epoch == here.epoch == 150
    for a, b in zip(here.model.parameters(), there.model.parameters(), strict=True):
        assert torch.equal(a, b)
    assert [s.epoch for s in here.history] == [s.epoch for s in there.history]
    assert here.truth_table() == there.truth_table()
    # and it trains on from where it stopped, as a local one does
    here.step(10), there.step(10)
    for a, b in zip(here.model.parameters(), there.model.parameters(), strict=True):
        assert torch.equal(a, b)


OWNER = """
import os, sys, time
from nnplay.runtime.pool import BackgroundPool
pool = BackgroundPool(workers=1)
print(pool.run(os.getpid), flush=True)
time.sleep(600)
"""


def test_workers_exit_when_the_program_that_started_them_is_killed():
    """kill -9 of the owner runs no clean-up: the worker must notice and exit by itself."""
    import subprocess
    import sys
    import time

    from nnplay.runtime.pool import _alive

    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True)
    worker = int(owner.stdout.readline())
    assert _alive(worker)
    owner.kill()
    owner.wait()
    deadline = time.monotonic() + 60
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker), "an orphaned worker is still running"


LOADED = "sorted(m for m in __import__('sys').modules if m.startswith(('torch', 'nnplay')))"


def test_every_pool_forks_from_one_server_with_one_preload_list(pool):
    """The gate pool and the sweep runner share the program's one fork server: whichever
    starts it, a worker already holds every module of runtime.pool.PRELOAD before its
    first task imports anything (the task here is the builtin eval: it imports nothing)."""
    from nnplay.engine.gates.background import POOL
    from nnplay.engine.sweeps import runner
    from nnplay.runtime.pool import PRELOAD

    for loaded in (pool.run(eval, LOADED), POOL.run(eval, LOADED)):
        assert set(PRELOAD) <= set(loaded)
    ctx = runner._context()
    with ctx.Pool(1) as p:
        assert set(PRELOAD) <= set(p.apply(eval, (LOADED,)))
