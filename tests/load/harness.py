"""A load test of the served app, driven by gradio_client over HTTP on 127.0.0.1.

The server runs in its own process (`python -m nnplay app`), so its memory (RSS, read
from /proc) and its latency are measured as a user would meet them. The scenario:

  warm-up     every prediction client predicts a few times, then one whole round of
              the mix below (the MNIST data cache and torch's kernels load here);
              its training sessions close and are released; RSS is read
  measured    at the same time:
                P prediction clients, each predicting R digits (upload or sketch) and
                  checking the answer against the engine run in this process;
                G gate sessions, each training a *different* gate and then asking its
                  own session's model for the truth table (isolation: another
                  session's network would answer another table);
                1 MNIST training (blocking /train call).
              The training sessions close and are released, RSS is read again (the
              same state as after the warm-up); prediction latency is split by
              whether a training was running at that moment.
  cleanup     every client closes; after the heartbeat and the grace period the
              server must hold no session state and run no training (checked with
              the app's /server_stats endpoint). One more session starts a long MNIST
              training and closes mid-way: that training must stop.

`run(Scenario(...))` returns a `Report`; tests/load/test_load_quick.py asserts on a
small one, `python -m tests.load.full` prints the full one (docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from nnplay.runtime.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
HTTPX = {"timeout": 120}  # a slow answer is measured as latency, not counted as a client-side error
# Every client: plain HTTP on loopback, so there is no TLS and nothing to verify. With the
# default ssl_verify=True, gradio_client builds a fresh httpx client per request and loads
# the CA bundle each time: ~50 ms of CPU per prediction in this process, on the same two
# cores as the server, which the test would then report as server latency (measured:
# client CPU 54 -> 4 ms per prediction; server CPU 15 ms either way).
CLIENT_KW = {"verbose": False, "httpx_kwargs": HTTPX, "ssl_verify": False}

# Each gate session trains a different truth table (rows 00, 01, 10, 11).
GATES = {"XOR": (0, 1, 1, 0), "XNOR": (1, 0, 0, 1), "AND": (0, 0, 0, 1), "NOR": (1, 0, 0, 0),
         "OR": (0, 1, 1, 1), "NAND": (1, 1, 1, 0)}


@dataclass
class Scenario:
    predict_clients: int = 20
    predictions_each: int = 25          # 20 x 25 = 500 measured prediction requests
    warmup_predictions: int = 3
    gate_sessions: int = 4
    gate_rounds: int = 3                # train + check, per session
    gate_epochs: int = 300
    think: float = 1.0                  # mean pause between one client's predictions (a student drawing)
    mnist: dict = field(default_factory=lambda: {"model": "cnn", "quick": True, "epochs": 2, "seed": 3})
    long_mnist: dict = field(default_factory=lambda: {"model": "cnn", "quick": False, "epochs": 3})
    max_trainings: int = 1
    warmup_rounds: int = 1              # rounds of the whole mix before the first RSS reading
    grace: float = 1.0                  # NNPLAY_SESSION_GRACE for the server
    heartbeat: float = 1.0              # GRADIO_HEARTBEAT_INTERVAL for the server
    cleanup_timeout: float = 30.0


@dataclass
class Report:
    errors: list = field(default_factory=list)
    predictions: int = 0
    latencies_training: list = field(default_factory=list)   # seconds, while a training ran
    latencies_idle: list = field(default_factory=list)
    isolation_checks: int = 0
    mnist_runs: int = 0
    client_retries: int = 0   # calls gradio_client cancelled on its side and `call` retried
    isolation_failures: list = field(default_factory=list)
    mnist_result: dict | None = None
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    requests_between_rss: int = 0
    sessions_before_close: dict | None = None
    sessions_after_close: dict | None = None
    closed_training_stopped: bool | None = None
    seconds: float = 0.0

    @property
    def p95_training(self) -> float:
        return float(np.percentile(self.latencies_training, 95)) if self.latencies_training else float("nan")

    @property
    def p95_idle(self) -> float:
        return float(np.percentile(self.latencies_idle, 95)) if self.latencies_idle else float("nan")

    @property
    def rss_growth(self) -> float:
        return (self.rss_after_mb - self.rss_before_mb) / self.rss_before_mb if self.rss_before_mb else float("nan")

    def summary(self) -> dict:
        return {
            "errors": len(self.errors), "error_samples": [str(e)[:400] for e in self.errors[:5]],
            "predictions": self.predictions,
            "predictions_during_training": len(self.latencies_training),
            "p95_during_training_s": round(self.p95_training, 3),
            "p50_during_training_s": round(float(np.median(self.latencies_training)), 3)
            if self.latencies_training else None,
            "p95_idle_s": round(self.p95_idle, 3) if self.latencies_idle else None,
            "client_retries": self.client_retries,
            "isolation_checks": self.isolation_checks, "isolation_failures": len(self.isolation_failures),
            "mnist_training": self.mnist_result,
            "rss_before_mb": round(self.rss_before_mb, 1), "rss_after_mb": round(self.rss_after_mb, 1),
            "rss_growth_pct": round(100 * self.rss_growth, 2), "requests_between_rss": self.requests_between_rss,
            "sessions_before_close": self.sessions_before_close, "sessions_after_close": self.sessions_after_close,
            "closed_session_training_stopped": self.closed_training_stopped,
            "seconds": round(self.seconds, 1),
        }


# ---------------------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------------------
class Server:
    """`python -m nnplay app` on a free loopback port, in its own process."""

    def __init__(self, sc: Scenario):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "NNPLAY_SESSION_GRACE": str(sc.grace),
               "GRADIO_HEARTBEAT_INTERVAL": str(sc.heartbeat), "PYTHONUNBUFFERED": "1"}
        self.log = tempfile.NamedTemporaryFile(prefix="nnplay-load-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nnplay", "app", "--port", str(self.port), "--max-trainings", str(sc.max_trainings)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "config", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("the server did not start in time")

    def rss_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def tracebacks(self) -> int:
        return Path(self.log.name).read_text(errors="replace").count("Traceback")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        if self.tracebacks() == 0:  # a log with a traceback stays in the temp folder, for reading
            Path(self.log.name).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------
# inputs and their expected answers (the engine, in this process, is the oracle)
# ---------------------------------------------------------------------------------------
def make_digits(folder: Path, n: int = 10) -> list[tuple[str, str, str]]:
    """(upload png, sketch-layer png, expected digit) for n real MNIST test digits."""
    from nnplay.engine.mnist import load_mnist, load_pretrained, predict_probs
    from nnplay.engine.mnist.preprocess import to_mnist

    data = load_mnist()
    model = load_pretrained()[0]
    out = []
    for i in range(n):
        x = data.test_x[i, 0].numpy()
        paper = Image.fromarray(((1 - x) * 255).astype(np.uint8)).resize((140, 140), Image.Resampling.BILINEAR)
        up = folder / f"digit{i}.png"
        paper.save(up)
        alpha = np.asarray(Image.fromarray((x * 255).astype(np.uint8)).resize((280, 280), Image.Resampling.BILINEAR))
        layer = np.zeros((280, 280, 4), np.uint8)
        layer[..., 3] = alpha
        sk = folder / f"layer{i}.png"
        Image.fromarray(layer, "RGBA").save(sk)
        expected = str(int(predict_probs(model, to_mnist(str(up))).argmax()))
        out.append((str(up), str(sk), expected))
    blank = folder / "blank.png"
    Image.new("RGBA", (280, 280), (0, 0, 0, 0)).save(blank)
    return out


def top_label(label) -> str | None:
    if not label or not label.get("confidences"):
        return None
    return str(max(label["confidences"], key=lambda c: c["confidence"])["label"])


class Activity:
    """Counts running trainings, so each prediction knows if it overlapped one."""

    def __init__(self):
        self.lock = threading.Lock()
        self.active = 0

    def __enter__(self):
        with self.lock:
            self.active += 1

    def __exit__(self, *exc):
        with self.lock:
            self.active -= 1

    def busy(self) -> bool:
        return self.active > 0


# ---------------------------------------------------------------------------------------
# workers
# ---------------------------------------------------------------------------------------
def predict_once(client, digit, k: int, folder: Path) -> tuple[str | None, str]:
    from gradio_client import handle_file

    up, layer, _ = digit
    if k % 2 == 0:
        out = client.predict(handle_file(up), "bundled", "auto", True, True, api_name="/predict_image")
    else:
        bg = str(folder / "blank.png")
        value = {"background": handle_file(bg), "layers": [handle_file(layer)], "composite": handle_file(layer),
                 "id": None}
        out = client.predict(value, "bundled", "auto", True, True, api_name="/predict_sketch")
    return top_label(out[3]), str(out[4])


def predictor(url, digits, n, start, folder, activity, rep: Report, lock, barrier=None, think=0.0):
    """A new client (its own session) that predicts n digits; returns the open client."""
    from gradio_client import Client

    client = Client(url, **CLIENT_KW)
    if barrier is not None:
        barrier.wait()
    predictions(client, digits, n, start, folder, activity, rep, lock, think)
    return client


def predictions(client, digits, n, start, folder, activity, rep, lock, think=0.0):
    rng = random.Random(start)
    for k in range(n):
        if think:
            time.sleep(rng.uniform(0.5, 1.5) * think)
        digit = digits[(start + k) % len(digits)]
        during = activity.busy()
        t0 = time.perf_counter()
        try:
            got, message = predict_once(client, digit, start + k, folder)
            dt = time.perf_counter() - t0
            during = during or activity.busy()
            with lock:
                rep.predictions += 1
                (rep.latencies_training if during else rep.latencies_idle).append(dt)
                if got != digit[2]:
                    text = re.sub(r"<[^>]+>", "", message)
                    rep.errors.append(f"prediction {got} != expected {digit[2]}: {text[:300]}")
        except Exception as e:  # noqa: BLE001 - every failure is counted
            with lock:
                rep.errors.append(f"predict: {type(e).__name__}: {e}")


def keep_going(r: int, minimum: int, until) -> bool:
    """At least `minimum` rounds, then more until `until` (a threading.Event) is set."""
    return r < minimum or (until is not None and not until.is_set())


def call(client, rep: Report, lock, *args, api_name: str):
    """client.predict, retried once if gradio_client cancels the call on its own side: when
    a call follows the previous one's answer closely, the client can drop the new call
    together with the old event stream it is closing (a race inside gradio_client; the
    server never saw a problem). Each retry is counted and reported, not hidden."""
    from concurrent.futures import CancelledError

    try:
        return client.predict(*args, api_name=api_name)
    except CancelledError:
        with lock:
            rep.client_retries += 1
        time.sleep(0.2)
        return client.predict(*args, api_name=api_name)


def gate_session(url, gate, sc: Scenario, activity, rep: Report, lock, clients, until=None):
    """Train `gate` in this client's session, then ask the session's own model for the table;
    sc.gate_rounds times, then again and again until `until` is set."""
    from gradio_client import Client

    client = Client(url, **CLIENT_KW)
    clients.append(client)
    table = GATES[gate]
    rows = [[0, 0], [0, 1], [1, 0], [1, 1]]
    r = 0
    while keep_going(r, sc.gate_rounds, until):
        seed = r % sc.gate_rounds  # the same few seeds again: every one of them solves its gate
        r += 1
        try:
            with activity:
                out = call(client, rep, lock, json.dumps({"gate": gate, "seed": seed}), sc.gate_epochs,
                           api_name="/gates_train")
            targets = tuple(row["target"] for row in out["truth_table"])
            time.sleep(0.1)  # a script's pause between two calls (and see `call`)
            pred = call(client, rep, lock, json.dumps(rows), "", 0, api_name="/gates_predict")  # the session's model
            with lock:
                rep.isolation_checks += 1
                if targets != table:
                    rep.isolation_failures.append(f"{gate}: trained table {targets}")
                elif out["solved"] and tuple(pred["answers"]) != table:
                    rep.isolation_failures.append(f"{gate}: session model answered {pred['answers']}")
                elif not out["solved"]:
                    rep.errors.append(f"{gate} not solved in {sc.gate_epochs} epochs (seed {seed})")
        except Exception as e:  # noqa: BLE001
            with lock:
                rep.errors.append(f"gates {gate}: {type(e).__name__}: {e}")


def mnist_training(url, settings, activity, rep: Report, lock, clients, until=None):
    """One MNIST training through the blocking /train endpoint, then more until `until` is set."""
    from gradio_client import Client

    client = Client(url, **CLIENT_KW)
    clients.append(client)
    r = 0
    while keep_going(r, 1, until):
        r += 1
        try:
            with activity:
                out = call(client, rep, lock, settings, api_name="/train")
            with lock:
                rep.mnist_runs += 1
                rep.mnist_result = {"status": out["status"], "test_accuracy": out["test_accuracy"],
                                    "seconds": out["seconds"], "model": out["config"]["model"], "runs": rep.mnist_runs}
                if out["status"] != "done":
                    rep.errors.append(f"mnist training ended {out['status']}")
        except Exception as e:  # noqa: BLE001
            with lock:
                rep.errors.append(f"mnist: {type(e).__name__}: {e}")


def stats(client) -> dict:
    return client.predict(api_name="/server_stats")


# ---------------------------------------------------------------------------------------
# the scenario
# ---------------------------------------------------------------------------------------
def run(sc: Scenario, log=print) -> Report:
    from gradio_client import Client

    rep, lock, activity = Report(), threading.Lock(), Activity()
    t_start = time.perf_counter()
    server = Server(sc)
    folder = Path(tempfile.mkdtemp(prefix="nnplay-load-"))
    try:
        digits = make_digits(folder)
        server.wait_ready()
        log(f"server up on {server.url} (pid {server.proc.pid}), {server.rss_mb():.0f} MB")
        watcher = Client(server.url, **CLIENT_KW)

        # warm-up: every client predicts, then one whole round of the mix (trainings
        # included) whose training sessions are then closed and released
        warm = Report()
        with ThreadPoolExecutor(sc.predict_clients) as pool:
            barrier = threading.Barrier(sc.predict_clients)
            futures = [pool.submit(predictor, server.url, digits, sc.warmup_predictions, i, folder, Activity(), warm,
                                   lock, barrier) for i in range(sc.predict_clients)]
            predict_clients = [f.result() for f in futures]
        for _ in range(sc.warmup_rounds):
            _mix(server.url, sc, sc.warmup_predictions, predict_clients, digits, folder, Activity(), warm, lock,
                 watcher)
        rep.errors += warm.errors
        rep.rss_before_mb = server.rss_mb()
        log(f"warm-up done: {warm.predictions} predictions, RSS {rep.rss_before_mb:.0f} MB")

        # measured: the same mix, then RSS in the same state (training sessions released)
        _mix(server.url, sc, sc.predictions_each, predict_clients, digits, folder, activity, rep, lock, watcher)
        rep.requests_between_rss = rep.predictions + 2 * rep.isolation_checks + rep.mnist_runs
        rep.rss_after_mb = server.rss_mb()
        log(f"measured: {rep.predictions} predictions, RSS {rep.rss_after_mb:.0f} MB")

        # cleanup: close every client, then the server must drop their sessions
        rep.sessions_before_close = stats(watcher)
        for c in predict_clients:
            c.close()
        rep.sessions_after_close = _wait_for(lambda: stats(watcher),
                                             lambda s: s["sessions_with_state"] == 0 and s["sessions"] <= 1,
                                             sc.cleanup_timeout)
        rep.closed_training_stopped = _closed_session_stops_training(server.url, watcher, sc)
        rep.sessions_after_close["tracebacks_in_server_log"] = server.tracebacks()
        watcher.close()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        rep.seconds = time.perf_counter() - t_start
    return rep


def _mix(url, sc: Scenario, n_each, predict_clients, digits, folder, activity, rep, lock, watcher) -> None:
    """MNIST training and the gate sessions, running all the time that the prediction clients
    make their n_each predictions each (trainings start first and go on, round after round,
    until the last prediction is answered); then the training clients close and the server
    releases their sessions."""
    clients: list = []
    until = threading.Event()
    with ThreadPoolExecutor(len(predict_clients) + sc.gate_sessions + 1) as pool:
        trainings = [pool.submit(mnist_training, url, sc.mnist, activity, rep, lock, clients, until)]
        trainings += [pool.submit(gate_session, url, gate, sc, activity, rep, lock, clients, until)
                      for gate in list(GATES)[:sc.gate_sessions]]
        time.sleep(0.5)  # let the trainings start first
        jobs = [pool.submit(predictions, pc, digits, n_each, i, folder, activity, rep, lock, sc.think)
                for i, pc in enumerate(predict_clients)]
        for j in jobs:
            j.result()
        until.set()
        for j in trainings:
            j.result()
    for c in clients:
        c.close()
    _wait_for(lambda: stats(watcher), lambda st: st["sessions_with_state"] <= len(predict_clients),
              sc.cleanup_timeout)
    time.sleep(0.5)


def _wait_for(get, ok, timeout):
    deadline = time.monotonic() + timeout
    value = get()
    while not ok(value) and time.monotonic() < deadline:
        time.sleep(0.5)
        value = get()
    return value


def _closed_session_stops_training(url, watcher, sc: Scenario) -> bool:
    """A session starts a long MNIST training and closes mid-way: the server must stop it."""
    from gradio_client import Client

    client = Client(url, **CLIENT_KW)
    job = client.submit(sc.long_mnist, api_name="/train")
    started = _wait_for(lambda: stats(watcher), lambda s: s["trainings"]["running"] >= 1, 60)
    if started["trainings"]["running"] < 1:
        return False
    time.sleep(1.0)
    client.close()
    after = _wait_for(lambda: stats(watcher), lambda s: s["trainings"]["running"] == 0, sc.cleanup_timeout)
    del job
    return after["trainings"]["running"] == 0
