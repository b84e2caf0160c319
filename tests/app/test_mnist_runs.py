"""The MNIST lab's runs: one test accuracy per run, settings that differ and apply, honest
times, and quick runs slow enough to watch (issue 17, items 3 and 4)."""

from __future__ import annotations

import time

import pytest

from nnplay.app.mnist import compare, runs
from nnplay.app.mnist.common import progress_html
from nnplay.engine.mnist import MnistConfig, evaluate, load_mnist


def _wait(run, timeout=300):
    t_end = time.time() + timeout
    while run.running and time.time() < t_end:
        time.sleep(0.05)
    assert run.status == "done", run.message


@pytest.fixture(scope="module")
def quick_run():
    session = runs.Session()
    cfg = MnistConfig(model="logistic", epochs=2, batch_size=64, lr=0.01, subset=runs.QUICK_TRAIN, threads=1)
    run = session.start(cfg, quick=True, paced=True)  # as the page's Train button starts it
    seen = []
    while run.running:
        seen.append(progress_html(run.view(), run.name, cfg.epochs))
        time.sleep(0.1)
    _wait(run)
    return session, run, seen


def test_the_run_has_one_test_accuracy_on_all_test_digits(quick_run):
    session, run, seen = quick_run
    data = load_mnist()
    full = evaluate(run.model, data.test_x, data.test_y).test_accuracy  # all 10,000 digits
    assert run.test_accuracy == pytest.approx(full, abs=1e-9)
    done = progress_html(run.view(), run.name, 2)
    assert f"{full:.2%}" in done and "10,000 test digits" in done
    assert compare.table(session)[0][14] == f"{full:.2%}"  # the Compare table shows the same number
    live = [h for h in seen if "live estimate" in h]
    assert live and all("1,000 test digits" in h for h in live)  # the subset estimate says what it is


def test_times_are_click_to_finished(quick_run):
    _, run, _ = quick_run
    v = run.view()
    assert v["seconds"] >= v["train_seconds"] > 0
    assert run.examples == 2 * runs.QUICK_TRAIN
    assert run.examples_per_sec == pytest.approx(run.examples / run.seconds, rel=1e-6)
    assert f"{v['examples_per_sec']:,.0f} examples/s" in progress_html(v, run.name, 2)
    assert "from Train to finished" in progress_html(v, run.name, 2)


def test_a_quick_run_lasts_long_enough_to_watch(quick_run):
    _, run, seen = quick_run
    assert run.seconds >= runs.QUICK_MIN_SECONDS * 0.95  # paced, not a 0.2 s blink
    assert len(run.view()["snapshots"]) >= 20
    assert len(seen) >= 20  # the page polls and sees it move


def test_what_differed_lists_only_fields_that_apply():
    session = runs.Session()
    for i, cfg in enumerate([MnistConfig(model="logistic"), MnistConfig(model="mlp", hidden=(64,)),
                             MnistConfig(model="cnn"), MnistConfig(model="mlp", hidden=(300, 100), threads=1)]):
        r = runs.Run(number=i + 1, cfg=cfg, quick=False, status="done")
        session.runs.append(r)
    labels = [row[3] for row in compare.table(session)]
    assert labels[0] == "model=logistic" and labels[2] == "model=cnn"  # no hidden=300,100, no threads
    assert labels[1] == "model=mlp, hidden=64" and labels[3] == "model=mlp, hidden=300,100"


def test_the_weight_decay_box_shows_what_each_optimizer_uses():
    """Issue 17.6: the UI's AdamW used to train with an explicit 0, i.e. as Adam."""
    from nnplay.app.mnist import train

    assert train.on_optimizer("adamw", 0.0) == 0.01 and train.on_optimizer("adam", 0.01) == 0.0
    assert train.on_optimizer("adamw", None) == 0.01
    assert train.on_optimizer("sgd", 0.003) == {"__type__": "update"}  # a value the user typed stays
    r = train.recipe("logistic")
    values = dict(model="logistic", hidden="", lr=r["lr"], optimizer="adamw", batch=64, epochs=1,
                  weight_decay=train.on_optimizer("adamw", 0.0), dropout=0.0, schedule=r["schedule"],
                  augment=False, seed=0, quick=True)
    cfg = train.make_config(*values.values())
    assert cfg.weight_decay is None and cfg.weight_decay_used == 0.01  # "AdamW's own", kept through sweeps
    assert cfg.replace(optimizer="adam").weight_decay_used == 0.0
    off = train.make_config(*{**values, "weight_decay": 0.0}.values())
    assert off.weight_decay_used == 0.0
    session = runs.Session()
    session.runs += [runs.Run(number=1, cfg=cfg.replace(optimizer="adam"), quick=True, status="done"),
                     runs.Run(number=2, cfg=cfg, quick=True, status="done")]
    rows = compare.table(session)
    assert [row[9] for row in rows] == [0.0, 0.01]  # the Compare table's weight decay column: what was used
    assert rows[1][3] == "optimizer=adamw, weight_decay=0.01"


def test_the_train_answer_already_draws_the_first_point_and_tiles():
    """Issue 14.5: the Train click's own answer carries the untrained model's probe point
    (epoch 0) and its weight tiles, so the page need not wait for the first timer tick."""
    from nnplay.app.mnist import train

    r = train.recipe("logistic")
    session = runs.Session()
    out = train.on_train(session, "logistic", "300,100", r["lr"], r["optimizer"], r["batch_size"], r["epochs"],
                         None, 0.0, r["schedule"], False, 0, True)
    try:
        status, timer, _row, curves, mosaic, stats = out
        assert session.current.first.is_set()
        test_traces = [t for t in curves.data if t.x is not None and len(t.x) and 0.0 in list(t.x)]
        assert test_traces, [t.name for t in curves.data]
        assert any(t.type == "heatmap" for t in mosaic.data) and "snapshot" in mosaic.layout.title.text
    finally:
        session.stop_all()
        _wait_stopped = time.time() + 60
        while session.current.running and time.time() < _wait_stopped:
            time.sleep(0.05)


def test_the_timer_stops_only_on_a_view_that_says_finished():
    """A run that ends while a timer tick builds its figures: the tick drew "training", so it must
    keep the timer on (the next tick draws "finished"). Stopping it there left the page showing
    "training" forever (the intermittent "quick run never finishes" of CI and the bench)."""
    from nnplay.app.mnist import train

    class FinishesDuringTheTick(runs.Run):
        def view(self):
            v = super().view()      # the snapshot the page is drawn from: still running
            self.status = "done"    # ... and the training thread finishes right after
            return v

    session = runs.Session()
    run = FinishesDuringTheTick(number=1, cfg=MnistConfig(model="logistic"), quick=True, status="running")
    session.runs.append(run)
    status, _curves, _mosaic, _stats, _timeline, timer, *_ = train.poll(session, False, 0)
    assert "training" in status
    assert getattr(timer, "active", None) is not False  # a skip: the timer keeps ticking
    out = train.poll(session, False, 0)
    assert "finished" in out[0] and out[5].active is False
