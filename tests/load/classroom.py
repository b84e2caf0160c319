"""Load test of class mode: simulated students against one server run with --class and --ray local.

    python -m tests.load.classroom [--students 30] [--json]      (figures for docs/reliability.md)

The server is `python -m nnplay app --class LOAD --db <tmp>/class.db --ray local` in its
own process group. Two phases:

  class     every student (its own gradio_client session) joins with a nickname, starts
            one quick MNIST training (/train, submitted without waiting), does its gate
            trainings (/gates_train, XOR with a random hidden layout and learning rate)
            and its predictions (/predict_image on real MNIST test digits, checked against
            the engine in this process), then waits for its MNIST answer. A watcher reads
            /server_stats every 0.25 s: how many trainings wait for a slot (each waiting
            run's page shows "waiting: number k in the queue").
            Checks: no errors, every training finished, queue seen, prediction p95, and
            the database holds exactly every answered run under the right nickname.
  crash     on the same server, a few more students keep training; after `kill_after`
            more answered runs the server gets SIGKILL (no clean-up code runs), a new one
            starts on the same database, and every run answered before the kill (both
            phases) must be in it.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnplay.runtime.ports import free_port

from .harness import CLIENT_KW, ROOT, Server, call, make_digits, predict_once

HIDDEN = [[], [2], [4], [4, 4]]
LRS = [0.01, 0.03, 0.1, 0.3]
MODELS = ["logistic", "mlp", "logistic", "mlp", "cnn"]  # one student in five trains the CNN


@dataclass
class ClassScenario:
    students: int = 30
    gate_trainings: int = 5
    predictions: int = 20
    gate_epochs: int = 300
    max_trainings: int = 2          # MNIST trainings at once (Ray gets num_cpus = the CPU count)
    crash_students: int = 6
    kill_after: int = 12            # answered runs in the crash phase before the SIGKILL
    think: float = 1.0              # mean pause between one student's calls (a student drawing; as harness.Scenario)


@dataclass
class ClassReport:
    errors: list = field(default_factory=list)
    latencies: list = field(default_factory=list)
    answered: Counter = field(default_factory=Counter)   # (nickname, kind) -> answered runs
    mnist_done: int = 0
    gates_done: int = 0
    max_waiting: int = 0
    max_running: int = 0
    db_counts: dict = field(default_factory=dict)
    db_matches: bool = False
    crash: dict = field(default_factory=dict)
    client_retries: int = 0   # calls gradio_client cancelled on its side, retried once (harness.call)
    seconds: float = 0.0

    def summary(self) -> dict:
        lat = np.asarray(self.latencies) if self.latencies else np.asarray([np.nan])
        return {"errors": len(self.errors), "error_samples": [str(e)[:300] for e in self.errors[:5]],
                "predictions": len(self.latencies), "p50_s": round(float(np.median(lat)), 3),
                "p95_s": round(float(np.percentile(lat, 95)), 3), "max_s": round(float(np.max(lat)), 3),
                "mnist_trainings_done": self.mnist_done, "gate_trainings_done": self.gates_done,
                "max_waiting_for_a_slot": self.max_waiting, "max_running": self.max_running,
                "client_retries": self.client_retries, "db_counts": self.db_counts, "db_matches_answers": self.db_matches, "crash": self.crash,
                "seconds": round(self.seconds, 1)}


class ClassServer(Server):
    """harness.Server with class mode and Ray, in its own process group (Ray's processes too)."""

    def __init__(self, sc: ClassScenario, db: Path, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1",
               "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0"}
        self.log = tempfile.NamedTemporaryFile(prefix="nnplay-class-load-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nnplay", "app", "--port", str(self.port), "--max-trainings",
             str(sc.max_trainings), "--class", "LOAD", "--db", str(db), "--ray", "local"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL the server process alone (as a crash would), then whatever it started."""
        family = descendants(self.proc.pid)
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        time.sleep(1.0)
        _kill_all(family)  # Ray's processes (each in its own process group) that outlived it

    def stop(self) -> None:
        family = descendants(self.proc.pid) if self.proc.poll() is None else []
        super().stop()
        time.sleep(0.5)
        _kill_all(family)


def descendants(pid: int) -> list[int]:
    """Every process started by `pid`, directly or not (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _kill_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _client(url):
    from gradio_client import Client

    return Client(url, **CLIENT_KW)


def gate_config(rng: random.Random) -> str:
    return json.dumps({"gate": "XOR", "hidden": rng.choice(HIDDEN), "lr": rng.choice(LRS), "seed": rng.randrange(5)})


def student(url, k, sc, digits, folder, rep, lock) -> None:
    rng = random.Random(k)
    nick = f"student{k:02d}"
    try:
        client = _client(url)
        owner = client.predict(nick, "", api_name="/class_join")["owner"]
        # the MNIST training in a second tab of the same student (same nickname and owner), a
        # blocking call in its own thread: one gradio_client must not have a call open while it
        # makes others, and a call that follows another closely is retried once (harness.call)
        mnist_tab = _client(url)
        mnist_tab.predict(nick, owner, api_name="/class_join")
        time.sleep(0.2)
        settings = {"model": MODELS[k % len(MODELS)], "epochs": 1, "seed": k}
        with ThreadPoolExecutor(1) as one:
            job = one.submit(call, mnist_tab, rep, lock, settings, api_name="/train")
            _student_steps(client, nick, k, rng, sc, digits, folder, rep, lock)
            out = job.result(timeout=900)
        with lock:
            if out["status"] == "done":
                rep.mnist_done += 1
                rep.answered[(nick, "mnist")] += 1
            else:
                rep.errors.append(f"{nick}: MNIST training ended {out['status']}")
        client.close()
        mnist_tab.close()
    except Exception as e:  # noqa: BLE001 - every failure is counted
        with lock:
            rep.errors.append(f"{nick}: {type(e).__name__}: {e}")


def _student_steps(client, nick, k, rng, sc, digits, folder, rep, lock) -> None:
    """The student's gate trainings and predictions, in a random order."""
    steps = ["gate"] * sc.gate_trainings + ["predict"] * sc.predictions
    rng.shuffle(steps)
    for i, step in enumerate(steps):
        time.sleep(rng.uniform(0.5, 1.5) * sc.think)
        if step == "gate":
            call(client, rep, lock, gate_config(rng), sc.gate_epochs, api_name="/gates_train")
            with lock:
                rep.gates_done += 1
                rep.answered[(nick, "gates")] += 1
            continue
        digit = digits[(k + i) % len(digits)]
        t0 = time.perf_counter()
        got, message = predict_once(client, digit, k + i, folder)
        with lock:
            rep.latencies.append(time.perf_counter() - t0)
            if got != digit[2]:
                rep.errors.append(f"{nick}: prediction {got} != {digit[2]}")


def watch(url, rep: ClassReport, stop: threading.Event) -> None:
    client = _client(url)
    while not stop.is_set():
        try:
            t = client.predict(api_name="/server_stats")["trainings"]
            rep.max_waiting = max(rep.max_waiting, t["waiting"])
            rep.max_running = max(rep.max_running, t["running"])
        except Exception:  # noqa: BLE001 - the watcher only observes
            pass
        stop.wait(0.25)
    client.close()


def db_counts(db: Path) -> Counter:
    from nnplay.classroom import ClassStore

    store = ClassStore.open(db, "LOAD")
    try:
        return Counter((r["nickname"], r["kind"]) for r in store.list_runs())
    finally:
        store.close()


def class_phase(sc: ClassScenario, server: ClassServer, db: Path, rep: ClassReport, log) -> None:
    folder = Path(tempfile.mkdtemp(prefix="nnplay-class-load-"))
    lock, stop = threading.Lock(), threading.Event()
    try:
        digits = make_digits(folder)
        server.wait_ready()
        log(f"class server up on {server.url}")
        watcher = threading.Thread(target=watch, args=(server.url, rep, stop), daemon=True)
        watcher.start()
        with ThreadPoolExecutor(sc.students) as pool:
            for f in [pool.submit(student, server.url, k, sc, digits, folder, rep, lock) for k in range(sc.students)]:
                f.result()
        stop.set()
        watcher.join(10)
        counts = db_counts(db)
        rep.db_counts = {"gates": sum(v for (_, kind), v in counts.items() if kind == "gates"),
                         "mnist": sum(v for (_, kind), v in counts.items() if kind == "mnist")}
        rep.db_matches = counts == rep.answered
        rep.crash["tracebacks_before_kill"] = server.tracebacks()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def trainer_loop(url, k, sc, answered: Counter, lock, stop: threading.Event, rep: ClassReport) -> None:
    """A student who trains again and again (gates, and an MNIST run every fourth time) until the kill."""
    rng = random.Random(1000 + k)
    nick = f"crash{k:02d}"
    try:
        client = _client(url)
        client.predict(nick, "", api_name="/class_join")
        i = 0
        while not stop.is_set():
            i += 1
            time.sleep(0.1)  # a script's pause between two calls (see harness.call)
            if i % 4 == 0:
                out = call(client, rep, lock, {"model": "logistic", "epochs": 1, "seed": i}, api_name="/train")
                kind = "mnist" if out["status"] == "done" else None
            else:
                call(client, rep, lock, gate_config(rng), sc.gate_epochs, api_name="/gates_train")
                kind = "gates"
            if kind:
                with lock:
                    answered[(nick, kind)] += 1
    except Exception:  # noqa: BLE001 - the kill cuts the calls in flight: expected here
        pass


def crash_phase(sc: ClassScenario, server: ClassServer, db: Path, rep: ClassReport, log) -> None:
    """On the class phase's server: its students' runs are in the database too, and must stay."""
    answered, lock, stop = Counter(rep.answered), threading.Lock(), threading.Event()
    threads = [threading.Thread(target=trainer_loop, args=(server.url, k, sc, answered, lock, stop, rep), daemon=True)
               for k in range(sc.crash_students)]
    for t in threads:
        t.start()
    base = sum(answered.values())
    deadline = time.monotonic() + 600
    while sum(answered.values()) < base + sc.kill_after and server.proc.poll() is None:
        if time.monotonic() > deadline:
            rep.errors.append(f"crash phase: only {sum(answered.values()) - base} runs answered in 600 s")
            break
        time.sleep(0.05)
    with lock:
        acked = Counter(answered)  # answered before the kill: these must survive it
    server.kill()
    stop.set()
    log(f"SIGKILL after {sum(acked.values()) - base} answered runs in the crash phase ({base} before)")
    restarted = ClassServer(sc, db)  # same database, fresh port
    try:
        restarted.wait_ready()
        counts = db_counts(db)
        missing = {f"{n}/{k}": v - counts[(n, k)] for (n, k), v in acked.items() if counts[(n, k)] < v}
        client = _client(restarted.url)
        client.predict("after-restart", "", api_name="/class_join")
        client.predict(gate_config(random.Random(0)), 50, api_name="/gates_train")
        client.close()
        after = db_counts(db)
        rep.crash.update({"answered_before_kill": sum(acked.values()), "crash_phase_answers": sum(acked.values()) - base,
                          "in_db_after_restart": sum(counts.values()),
                          "missing": missing, "recorded_after_restart": after[("after-restart", "gates")] == 1})
    finally:
        restarted.stop()
        for t in threads:
            t.join(5)


def run(sc: ClassScenario, log=print) -> ClassReport:
    rep = ClassReport()
    t0 = time.perf_counter()
    db = Path(tempfile.mkdtemp(prefix="nnplay-class-db-")) / "class.db"
    server = ClassServer(sc, db)
    try:
        class_phase(sc, server, db, rep, log)
        crash_phase(sc, server, db, rep, log)
    finally:
        server.stop()
        shutil.rmtree(db.parent, ignore_errors=True)
    rep.seconds = time.perf_counter() - t0
    return rep


def checks(rep: ClassReport, sc: ClassScenario) -> dict:
    s = rep.summary()
    return {"errors == 0": s["errors"] == 0,
            "every training finished": s["mnist_trainings_done"] == sc.students
            and s["gate_trainings_done"] == sc.students * sc.gate_trainings,
            "queue positions seen": s["max_waiting_for_a_slot"] >= 1,
            "prediction p95 <= 1 s": s["p95_s"] <= 1.0,
            "database holds every answered run": s["db_matches_answers"],
            "no answered run missing after SIGKILL + restart": rep.crash.get("missing") == {}
            and rep.crash.get("crash_phase_answers", 0) >= sc.kill_after,
            "restarted server records again": rep.crash.get("recorded_after_restart") is True}


def main(argv=None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m tests.load.classroom", description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    from .full import _data_dir, print_report

    os.environ.setdefault("NNPLAY_DATA_DIR", str(_data_dir()))
    sc = ClassScenario(students=args.students)
    rep = run(sc, log=lambda *a: print(*a, file=sys.stderr, flush=True))
    return print_report(rep.summary(), checks(rep, sc), as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
