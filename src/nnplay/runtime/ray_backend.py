"""Ray as the place trainings run, when one machine is not enough (`--ray local|ADDRESS`).

    pool = use("local")                  # or "192.168.1.10:6379": join a running cluster
    trainer = pool.run(fit_new, cfg, 300)   # like BackgroundPool.run: blocks this thread only
    interrupted = pool.map_unordered(fn, [args, ...], on_result, stop)   # sweeps

RayPool has the interface of runtime.pool.BackgroundPool, so a caller switches with one
setting: `active() or POOL`. Each call is a Ray task asking for one CPU; Ray places it on
any machine of the cluster with a free CPU and queues the rest, so W machines x C cores
run W*C trainings at once. Every task sets one torch thread (like the local workers), so
a seeded training gives the same numbers on Ray as in a local worker process.

Functions are sent by reference (module and name), so every machine of the cluster needs
the same nnplay installed: `pip install 'nnplay[cluster]'` (README: "Adding machines").
Ray is optional; without it `use()` raises one ConfigError line naming that extra.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

from nnplay.engine.errors import ConfigError

MISSING = "--ray needs Ray, which is not installed: pip install 'nnplay[cluster]'"

_ACTIVE: "RayPool | None" = None


def require_ray():
    try:
        import ray
    except ImportError:
        raise ConfigError(MISSING) from None
    return ray


NICENESS = 10  # like the local background workers: a web server on the same machine gets the CPU first


def _setup() -> None:
    """Each task: one torch thread, and a lower OS priority (set, not added: workers are reused)."""
    import os

    import torch

    torch.set_num_threads(1)
    try:
        if os.getpriority(os.PRIO_PROCESS, 0) < NICENESS:
            os.setpriority(os.PRIO_PROCESS, 0, NICENESS)
    except (AttributeError, OSError):  # not POSIX
        pass


def _call(fn: Callable, args: tuple) -> Any:
    _setup()
    return fn(*args)


def _call_stream(fn: Callable, args: tuple):
    _setup()
    yield from fn(*args)


@functools.lru_cache(maxsize=1)
def _task():
    return require_ray().remote(num_cpus=1, max_retries=1)(_call)


@functools.lru_cache(maxsize=1)
def _stream_task():
    return require_ray().remote(num_cpus=1, max_retries=0, num_returns="streaming")(_call_stream)


def _use_cluster_token() -> None:
    """Ray 2.5x clusters started with `ray start` require a token; a client joins with token
    authentication when it has one (RAY_AUTH_TOKEN, or ~/.ray/auth_token as `ray start` on this
    machine leaves it) and RAY_AUTH_MODE does not say otherwise."""
    has_token = bool(os.environ.get("RAY_AUTH_TOKEN")) or (Path.home() / ".ray" / "auth_token").exists()
    if has_token:
        os.environ.setdefault("RAY_AUTH_MODE", "token")


class RayPool:
    """Trainings as Ray tasks; connects on first use (or at `use()`)."""

    def __init__(self, address: str = "local", num_cpus: int | None = None):
        self.address, self.num_cpus = address, num_cpus
        self._lock = threading.Lock()

    def connect(self):
        if self.address != "local":
            _use_cluster_token()  # before Ray is imported: it reads its settings then
        ray = require_ray()
        with self._lock:
            if not ray.is_initialized():
                kw = dict(include_dashboard=False, log_to_driver=False, configure_logging=False)
                try:
                    if self.address == "local":
                        # "local": a new private instance, even when a `ray start` cluster runs here
                        ray.init(address="local", num_cpus=self.num_cpus, **kw)
                    else:
                        ray.init(address=self.address, **kw)
                except (ConnectionError, RuntimeError, ValueError) as e:
                    raise ConfigError(f"cannot join the Ray cluster at {self.address}: "
                                      f"{str(e).strip().splitlines()[0][:200]}") from None
        return ray

    def submit(self, fn: Callable, *args):
        self.connect()
        return _task().remote(fn, args)

    def stream(self, fn: Callable, *args):
        """A generator function fn(*args) as a Ray task: returns Ray's streaming generator
        (iterate it for object refs, ray.get each; ray.cancel(it) stops the task)."""
        self.connect()
        return _stream_task().remote(fn, args)

    def run(self, fn: Callable, *args) -> Any:
        """fn(*args) as a Ray task; wait and return its result (its exception is raised here)."""
        ray = self.connect()
        try:
            return ray.get(self.submit(fn, *args))
        except ray.exceptions.RayTaskError as e:
            raise e.as_instanceof_cause() from None

    def map_unordered(self, fn: Callable, arg_list: Iterable[tuple], on_result: Callable[[int, Any], None],
                      stop=None, poll: float = 0.2) -> bool:
        """fn(*args) for every args as tasks; on_result(i, result) as each finishes (in finishing
        order). stop.is_set() or Ctrl-C cancels the unfinished ones; returns True if so."""
        ray = self.connect()
        refs = {self.submit(fn, *args): i for i, args in enumerate(arg_list)}
        try:
            while refs:
                done, _ = ray.wait(list(refs), num_returns=1, timeout=poll)
                for ref in done:
                    i = refs.pop(ref)
                    try:
                        result = ray.get(ref)
                    except ray.exceptions.RayTaskError as e:
                        raise e.as_instanceof_cause() from None
                    on_result(i, result)
                if stop is not None and stop.is_set():
                    break
        except KeyboardInterrupt:
            pass
        if not refs:
            return False
        for ref in refs:
            ray.cancel(ref, force=True)  # a running cell is dropped and trained again on resume
        return True

    def shutdown(self) -> None:
        ray = require_ray()
        if ray.is_initialized():
            ray.shutdown()


def use(address: str | None, num_cpus: int | None = None) -> "RayPool | None":
    """Make Ray the place trainings run for this process (None: back to local processes)."""
    global _ACTIVE
    if not address:
        _ACTIVE = None
        return None
    pool = RayPool(address, num_cpus)
    pool.connect()
    _ACTIVE = pool
    return pool


def active() -> "RayPool | None":
    return _ACTIVE
