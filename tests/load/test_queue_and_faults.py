"""Protecting the CPU and the other users (in-process server, so trainers can be watched):

- at most SLOTS.limit MNIST trainings run at once (default 1); the others wait and
  the page shows their place in the queue;
- a prediction never waits for a training to finish;
- an exception inside one session's training thread ends that run with a message in
  that session, while another session's training finishes normally.
"""

from __future__ import annotations

import threading
import time

import pytest

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from nnplay.app.mnist import runs  # noqa: E402
from nnplay.app.mnist.common import progress_html  # noqa: E402
from nnplay.app.slots import SLOTS  # noqa: E402

QUICK = {"model": "logistic", "quick": True, "epochs": 2}


def wait_until(cond, timeout=120.0, every=0.05):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True


@pytest.fixture()
def watched(monkeypatch):
    """Count trainers running at once, record every Run started, and fail seed 13 mid-run."""
    seen = {"active": 0, "max": 0, "runs": []}
    lock = threading.Lock()
    real_trainer, real_start = runs.MnistTrainer, runs.Session.start

    class Watched(real_trainer):
        def run(self):
            with lock:
                seen["active"] += 1
                seen["max"] = max(seen["max"], seen["active"])
            try:
                for k, ev in enumerate(super().run()):
                    if self.cfg.seed == 13 and k == 2:
                        raise RuntimeError("injected fault in this session's training thread")
                    yield ev
            finally:
                with lock:
                    seen["active"] -= 1

    def start(self, cfg, quick):
        run = real_start(self, cfg, quick)
        seen["runs"].append(run)
        return run

    monkeypatch.setattr(runs, "MnistTrainer", Watched)
    monkeypatch.setattr(runs.Session, "start", start)
    return seen


def test_one_training_at_a_time_and_the_rest_see_their_place(app_url, watched):
    assert SLOTS.limit == 1  # the default
    clients = [Client(app_url, verbose=False, ssl_verify=False) for _ in range(3)]
    jobs = [c.submit({**QUICK, "seed": i}, api_name="/train") for i, c in enumerate(clients)]
    saw_queue = []

    def queue_visible():
        for r in list(watched["runs"]):
            v = r.view()
            if v["status"] == "waiting" and v["position"] >= 1:
                saw_queue.append(progress_html(v, r.name, r.cfg.epochs))
        return bool(saw_queue)

    assert wait_until(queue_visible), "no training was ever seen waiting in line"
    results = [j.result(timeout=300) for j in jobs]
    assert [r["status"] for r in results] == ["done"] * 3
    assert watched["max"] == 1
    assert "in the queue" in saw_queue[0]
    for c in clients:
        c.close()


def test_prediction_does_not_wait_for_training(app_url, tmp_path, watched):
    from PIL import Image

    from bad_inputs import digit_array

    path = tmp_path / "seven.png"
    Image.fromarray(digit_array(), "L").save(path)
    trainer_client, user = Client(app_url, verbose=False, ssl_verify=False), Client(app_url, verbose=False, ssl_verify=False)
    job = trainer_client.submit({"model": "cnn", "quick": False, "epochs": 1}, api_name="/train")
    assert wait_until(lambda: watched["active"] == 1)
    for _ in range(3):
        _, _, _, label, message, _facts = user.predict(handle_file(str(path)), "bundled", "auto", True, True,
                                                       api_name="/predict_image")
        assert max(label["confidences"], key=lambda c: c["confidence"])["label"] == "7", message
    assert watched["active"] == 1 and not job.done()  # answered while the training still ran
    trainer_client.predict(api_name="/stop")
    assert job.result(timeout=120)["status"] == "stopped"
    for c in (trainer_client, user):
        c.close()


def test_a_fault_in_one_session_leaves_the_others_running(app_url, watched):
    bad, good = Client(app_url, verbose=False, ssl_verify=False), Client(app_url, verbose=False, ssl_verify=False)
    bad_job = bad.submit({**QUICK, "seed": 13}, api_name="/train")
    good_job = good.submit({**QUICK, "seed": 1}, api_name="/train")
    with pytest.raises(AppError, match="training failed: injected fault"):
        bad_job.result(timeout=300)
    result = good_job.result(timeout=300)
    assert result["status"] == "done" and result["test_accuracy"] > 0.5
    failed = next(r for r in watched["runs"] if r.cfg.seed == 13)
    assert failed.status == "error" and "injected fault" in progress_html(failed.view(), failed.name, 2)
    assert bad.predict({**QUICK, "seed": 2}, api_name="/train")["status"] == "done"  # that session recovers
    for c in (bad, good):
        c.close()


def test_prediction_answers_while_every_train_worker_is_busy(app_url, tmp_path, watched):
    """All of /train's Gradio workers hold a call (one training, the rest waiting for a slot)
    and one more /train call waits in Gradio's own queue: predictions are in their own
    concurrency groups and still answer (the class load test's 30 students)."""
    from gradio_client.utils import Status
    from PIL import Image

    from bad_inputs import digit_array
    from nnplay.app.main import QUEUE_CONCURRENCY

    path = tmp_path / "seven.png"
    Image.fromarray(digit_array(), "L").save(path)
    trainers = [Client(app_url, verbose=False, ssl_verify=False) for _ in range(QUEUE_CONCURRENCY + 1)]
    jobs = []
    for i, c in enumerate(trainers):
        jobs.append(c.submit({"model": "cnn", "quick": False, "epochs": 1, "seed": i}, api_name="/train"))
        if i < QUEUE_CONCURRENCY:  # in order: the last one is the call left in Gradio's queue
            assert wait_until(lambda: len(watched["runs"]) == i + 1)
    assert wait_until(lambda: watched["active"] == 1)
    assert wait_until(lambda: jobs[-1].status().code == Status.IN_QUEUE)
    user = Client(app_url, verbose=False, ssl_verify=False)
    for _ in range(2):
        *_, label, message, _facts = user.predict(handle_file(str(path)), "bundled", "auto", True, True,
                                                  api_name="/predict_image")
        assert max(label["confidences"], key=lambda c: c["confidence"])["label"] == "7", message
    assert not any(j.done() for j in jobs) and len(watched["runs"]) == QUEUE_CONCURRENCY
    while not all(j.done() for j in jobs):  # stop them all (the queued call starts once a worker is free)
        for c in trainers:
            c.predict(api_name="/stop")
        time.sleep(0.2)
    assert [j.result()["status"] for j in jobs] == ["stopped"] * len(jobs)
    for c in (*trainers, user):
        c.close()
