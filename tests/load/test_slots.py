"""The training slots (app/slots.py) on their own: first come first served, visible
places, cancelling while waiting, and a lower OS priority for the training thread."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from nnplay.app.slots import TrainingSlots


def test_fifo_order_and_positions():
    slots, order, started = TrainingSlots(1), [], threading.Event()
    first = object()
    assert slots.acquire(first)
    owners = [object() for _ in range(3)]

    def wait(o):
        assert slots.acquire(o)
        order.append(o)
        slots.release(o)

    threads = []
    for o in owners:  # arrive one after the other
        t = threading.Thread(target=wait, args=(o,))
        t.start()
        threads.append(t)
        while slots.position(o) == 0:
            time.sleep(0.005)
    assert [slots.position(o) for o in owners] == [1, 2, 3]
    assert slots.counts() == {"running": 1, "waiting": 3, "limit": 1}
    slots.release(first)
    for t in threads:
        t.join(10)
    assert order == owners and slots.counts()["running"] == 0


def test_a_stopped_run_leaves_the_queue():
    slots, stop = TrainingSlots(1), threading.Event()
    holder, waiter, result = object(), object(), []
    slots.acquire(holder)
    t = threading.Thread(target=lambda: result.append(slots.acquire(waiter, cancelled=stop.is_set)))
    t.start()
    while slots.position(waiter) == 0:
        time.sleep(0.005)
    stop.set()
    t.join(10)
    assert result == [False] and slots.position(waiter) == 0 and slots.counts()["waiting"] == 0


def test_limit_two_runs_two():
    slots = TrainingSlots(2)
    a, b, c = object(), object(), object()
    assert slots.acquire(a) and slots.acquire(b)
    assert not slots.acquire(c, cancelled=lambda: True)  # a third would have to wait


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is a Linux feature")
def test_training_thread_gets_a_lower_priority():
    slots, seen = TrainingSlots(1), []

    def train():
        owner = object()
        slots.acquire(owner)
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        slots.release(owner)

    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    t = threading.Thread(target=train)
    t.start()
    t.join(10)
    assert seen and seen[0] > base  # niced, so request threads get the CPU first
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base  # not the caller's
