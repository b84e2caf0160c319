"""How many MNIST trainings run at once on this server, and the queue of the others.

A training keeps a CPU core busy for seconds to minutes; a class of 30 pressing Train
together must not start 30 of them. Trainings take a slot first-come, first-served;
the rest wait, and each can show its place in the queue. Predictions never take a
slot, so they never wait behind a training.

The limit comes from `nnplay app --max-trainings N` (or NNPLAY_MAX_TRAININGS), default 1.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from typing import Callable


def _default_limit() -> int:
    try:
        return max(1, int(os.environ.get("NNPLAY_MAX_TRAININGS", "1")))
    except ValueError:
        return 1


class TrainingSlots:
    """A first-come, first-served counting lock with visible queue positions."""

    def __init__(self, limit: int = 1):
        self._cond = threading.Condition()
        self._limit = max(1, int(limit))
        self._running: list[object] = []
        self._waiting: list[object] = []

    @property
    def limit(self) -> int:
        return self._limit

    def set_limit(self, limit: int) -> None:
        with self._cond:
            self._limit = max(1, int(limit))
            self._cond.notify_all()

    def acquire(self, owner: object, cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Wait for a slot in arrival order. False if `cancelled()` became true while waiting."""
        with self._cond:
            self._waiting.append(owner)
            try:
                while self._waiting[0] is not owner or len(self._running) >= self._limit:
                    if cancelled():
                        return False
                    self._cond.wait(0.2)
                self._running.append(owner)
                _lower_this_thread()
                return True
            finally:
                self._waiting.remove(owner)
                self._cond.notify_all()

    def release(self, owner: object) -> None:
        with self._cond:
            if owner in self._running:
                self._running.remove(owner)
            self._cond.notify_all()
        give_back_memory()

    def position(self, owner: object) -> int:
        """1 = next to start, 2 = second, ...; 0 when not waiting."""
        with self._cond:
            return self._waiting.index(owner) + 1 if owner in self._waiting else 0

    def counts(self) -> dict:
        with self._cond:
            return {"running": len(self._running), "waiting": len(self._waiting), "limit": self._limit}


def _lower_this_thread() -> None:
    """Run the calling (training) thread at a lower OS priority, so the operating system
    gives request threads (predictions, pages) the CPU first. Linux applies setpriority
    to a single thread when given its thread id; elsewhere this does nothing. The main
    thread is left alone (it is the server itself, not a training)."""
    if threading.current_thread() is threading.main_thread():
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


def _load_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to do
        return None


_TRIM = _load_trim()


def give_back_memory() -> None:
    """Return freed heap pages to the OS (glibc keeps them otherwise). A training frees
    a few hundred MB of batches and activations; without this the server's memory only
    ever goes up over a day of classes."""
    if _TRIM is not None:
        _TRIM(0)


SLOTS = TrainingSlots(_default_limit())
