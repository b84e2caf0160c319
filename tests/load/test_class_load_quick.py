"""A small version of the class-mode load test (tests/load/classroom.py) in the suite: 4 students
with --class and --ray local, then a SIGKILL of the server mid-run and a restart on the same database.
The full one (30 students) is `python -m tests.load.classroom`."""

from __future__ import annotations

import pytest

pytest.importorskip("ray", reason="the class load test runs the server with --ray local (nnplay[cluster])")

from .classroom import ClassScenario, checks, run  # noqa: E402

QUICK = ClassScenario(students=4, gate_trainings=2, predictions=4, gate_epochs=150, max_trainings=1,
                      crash_students=2, kill_after=4, think=0.2)


@pytest.fixture(scope="module")
def report():
    rep = run(QUICK, log=lambda *a: None)
    print("\nquick class load test:", rep.summary())  # the figures, with `pytest -s`
    return rep


def test_every_training_finished_without_errors(report):
    ok = checks(report, QUICK)
    assert report.errors == [], report.summary()
    assert ok["every training finished"], report.summary()
    assert report.crash["tracebacks_before_kill"] == 0


def test_the_database_holds_every_answered_run(report):
    assert report.db_counts == {"gates": QUICK.students * QUICK.gate_trainings, "mnist": QUICK.students}
    assert report.db_matches is True


def test_no_answered_run_is_lost_to_a_sigkill(report):
    assert report.crash["crash_phase_answers"] >= QUICK.kill_after
    assert report.crash["missing"] == {}, report.crash
    assert report.crash["recorded_after_restart"] is True
