"""A small version of the load test (tests/load/harness.py) in the suite: 4 prediction
clients, 4 gate sessions each on its own gate, 1 MNIST training, then cleanup.
The full one (20 clients, 500 measured predictions) is `python -m tests.load.full`."""

from __future__ import annotations

import pytest

from .harness import Scenario, run

QUICK = Scenario(predict_clients=4, predictions_each=4, warmup_predictions=1, think=0.3, gate_sessions=4,
                 gate_rounds=1, gate_epochs=150, mnist={"model": "logistic", "quick": True, "epochs": 1, "seed": 3},
                 long_mnist={"model": "cnn", "quick": False, "epochs": 3})


@pytest.fixture(scope="module")
def report():
    rep = run(QUICK, log=lambda *a: None)
    print("\nquick load test:", rep.summary())  # the figures, with `pytest -s`
    return rep


def test_no_errors_and_every_answer_right(report):
    assert report.errors == [], report.summary()
    assert report.predictions == QUICK.predict_clients * QUICK.predictions_each
    assert report.mnist_result and report.mnist_result["status"] == "done"
    assert report.sessions_after_close["tracebacks_in_server_log"] == 0


def test_sessions_are_isolated(report):
    assert report.isolation_checks >= QUICK.gate_sessions * QUICK.gate_rounds
    assert report.isolation_failures == []


def test_predictions_were_served_while_trainings_ran(report):
    # Latency is measured, not asserted here (no timed assertions in the suite; the
    # machine may be busy): `python -m tests.load.full` checks p95 <= 1 s. That a
    # prediction never waits for a training is proven by ordering in
    # test_queue_and_faults.py.
    assert len(report.latencies_training) >= 4, report.summary()


def test_memory_does_not_grow(report):
    assert report.rss_growth <= 0.10, report.summary()


def test_closed_sessions_are_released(report):
    before, after = report.sessions_before_close, report.sessions_after_close
    assert before["sessions_with_state"] >= QUICK.predict_clients  # the oracle: they were there
    assert after["sessions_with_state"] == 0 and after["sessions"] <= 1, after
    assert report.closed_training_stopped is True
