"""Work that runs in other processes: the fork-server context and a low-priority pool.

Why another process at all: training these small networks is mostly Python overhead,
so it holds the global interpreter lock (GIL) for most of its time. In a web server
a training thread then makes every other request thread wait its turn for the GIL,
however the OS schedules the CPU; lowering the thread's priority does not help,
because the waiting is on the lock, not the CPU. A separate process has its own
interpreter and its own GIL, and its OS priority (`nice`) really does hand the CPU to
the server first when both want it.

    pool = BackgroundPool(workers=2, niceness=10)
    trainer = pool.run(train_fn, cfg_dict, epochs)   # blocks this thread only

`run` pickles the function's arguments to a worker and the result back, so both must
be picklable (a GateTrainer is: about 30 KB for a 2-[4,4]-1 network). If the pool
cannot be used (a worker died, no multiprocessing on this platform) `run` calls the
function in this thread instead: slower for everybody else, never a failure.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

log = logging.getLogger(__name__)


# The modules the program's fork server imports once, before it forks any worker: torch,
# and every module whose functions run in a pool (a worker must import the module of the
# function it is sent, so preloading it makes the first task start at once). There is one
# fork server per program, started by whichever pool is used first, and the preload list
# it started with is the one that counts; so there is one list, here, for every pool.
# (Names only: nothing here imports them, so this module stays cheap to import.)
PRELOAD = ("torch", "nnplay.engine.gates.background", "nnplay.engine.sweeps.runner")


def process_context():
    """"forkserver" where available (Linux, macOS): one clean server process imports
    PRELOAD once and forks each worker from it, so workers start in a fraction of a
    second. Elsewhere (Windows) "spawn", where each worker imports what it needs."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(list(PRELOAD))
        return ctx
    return mp.get_context("spawn")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: no signal sent, only "does this process exist?"
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def watch_parent(pid: int, every: float = 1.0) -> None:
    """Exit this worker soon after process `pid` (the program that started the pool) is
    gone. A server stopped with SIGTERM or kill runs no clean-up code, and a worker
    waiting for its next task would otherwise wait forever: an orphan holding a few
    hundred MB. (POSIX only; on Windows os.kill would terminate `pid` instead.)"""
    if os.name != "posix":
        return

    def loop() -> None:
        while _alive(pid):
            time.sleep(every)
        os._exit(0)

    threading.Thread(target=loop, name="watch-parent", daemon=True).start()


def init_worker(niceness: int, parent: int) -> None:
    """Runs once in each worker: ignore Ctrl-C (the parent decides), a lower OS priority,
    one torch thread (W workers x 1 thread never ask for more than W cores), and exit
    when the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent(parent)
    if niceness:
        try:
            os.nice(niceness)
        except (AttributeError, OSError):  # not POSIX: run at normal priority
            pass
    import torch

    torch.set_num_threads(1)


class BackgroundPool:
    """A lazily started pool of `workers` low-priority processes, shared by all threads.

    Nothing starts until the first `run`, so a program that never needs it pays nothing
    (each worker imports torch: ~150 MB of memory while the pool lives)."""

    def __init__(self, workers: int = 2, niceness: int = 10):
        self.workers = max(1, int(workers))
        self.niceness = int(niceness)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.fallbacks = 0  # calls that ran in the caller's thread instead (see `run`)

    def _get(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=process_context(),
                                                 initializer=init_worker,
                                                 initargs=(self.niceness, os.getpid()))
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def run(self, fn: Callable[..., Any], *args) -> Any:
        """fn(*args) in a worker process; wait for it and return its result. An exception
        raised by fn is raised here. `fn` must be a module-level function."""
        try:
            pool = self._get()
            future = pool.submit(fn, *args)
        except (OSError, RuntimeError, BrokenProcessPool) as e:  # cannot start processes here
            return self._fallback(fn, args, e)
        try:
            return future.result()
        except BrokenProcessPool as e:  # a worker died (killed, out of memory): start afresh next time
            self._discard(pool)
            return self._fallback(fn, args, e)

    def _fallback(self, fn, args, reason) -> Any:
        self.fallbacks += 1
        log.warning("background pool unavailable (%s); running %s in this thread", reason, fn.__name__)
        return fn(*args)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
