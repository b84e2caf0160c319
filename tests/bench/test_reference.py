"""The yardstick runs as a user's plain PyTorch script would: its own process, torch's settings."""

from __future__ import annotations

import os

import pytest

import nnplay
from nnplay.bench.reference import run_reference, run_reference_process
from nnplay.engine.mnist import load_mnist


def test_the_reference_process_trains_the_same_net_without_our_openmp_setting():
    """Oracle: the same seed, data and threads in this process give the same accuracy; the
    child saw no GOMP_SPINCOUNT of ours (libgomp's default), while this process has it."""
    r = run_reference_process(os.environ.get("NNPLAY_DATA_DIR"), epochs=1, threads=1, quick=True)
    assert r["train_examples"] == 1000 and r["threads"] == 1
    if nnplay.OUR_OMP_SETTING:
        assert os.environ["GOMP_SPINCOUNT"] == "3000" and r["gomp_spincount"] is None
    here = run_reference(load_mnist().subset(1000, 500), epochs=1, threads=1)
    assert r["test_accuracy"] == pytest.approx(here["test_accuracy"], abs=0.004)  # 2 of 500 digits
    assert r["epoch_seconds"] > 0
