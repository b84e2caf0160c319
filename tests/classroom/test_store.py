"""The class database on SQLite and on a real PostgreSQL: schema versions, writes, deletes, crashes."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from nnplay.classroom import ClassStore, crowd_sweep, leaderboard, resolve_url, to_csv
from nnplay.classroom.store import MIGRATIONS, SCHEMA, SCHEMA_VERSION, make_engine, schema_version
from nnplay.engine.errors import ConfigError
from nnplay.engine.gates import GateConfig
from nnplay.engine.mnist import MnistConfig

SRC = str(Path(__file__).resolve().parents[2] / "src")


def gate_cfg(**kw) -> dict:
    return GateConfig(**kw).to_dict()


def test_fresh_database_is_at_the_current_schema(db_url):
    store = ClassStore.open(db_url, "Period 3")
    assert schema_version(store.engine) == SCHEMA_VERSION == 2
    assert store.list_runs() == [] and store.count() == 0
    ClassStore.open(db_url, "Period 3").close()  # opening again migrates nothing and keeps the version
    assert schema_version(store.engine) == SCHEMA_VERSION
    store.close()


def test_runs_round_trip(db_url):
    store = ClassStore.open(db_url, "Period 3")
    cfg = gate_cfg(gate="XOR", hidden=(4, 4), lr=0.03, activation="relu")
    g = store.record_gate("  ada   lovelace ", "owner-a", cfg, solved=True, epochs=300, final_loss=0.012,
                          solved_epoch=57)
    m_cfg = MnistConfig(model="mlp", lr=0.002, epochs=3, subset=3000).to_dict()
    curve = {"epoch": [0.5, 1.0], "train_loss": [0.9, 0.4], "test_epoch": [1.0], "test_acc": [0.91]}
    m = store.record_mnist("bob", "owner-b", m_cfg, test_accuracy=0.9105, seconds=4.25, curve=curve)
    assert m > g
    runs = store.list_runs()
    assert [r["id"] for r in runs] == [g, m]
    gate = runs[0]
    assert (gate["nickname"], gate["kind"], gate["gate"], gate["hidden"], gate["activation"]) == \
        ("ada lovelace", "gates", "XOR", "4-4", "relu")
    assert gate["solved"] is True and gate["epochs"] == 300 and gate["solved_epoch"] == 57
    assert gate["lr"] == pytest.approx(0.03) and gate["final_loss"] == pytest.approx(0.012)
    assert gate["config"] == cfg and "curve" not in gate
    full = store.get_run(m)
    assert full["curve"] == curve and full["config"] == m_cfg and full["model"] == "mlp"
    assert full["test_accuracy"] == pytest.approx(0.9105) and full["seconds"] == pytest.approx(4.25)
    assert [r["id"] for r in store.list_runs("mnist")] == [m]
    store.record_gate("ada", "owner-a", gate_cfg(), solved=False, epochs=10, final_loss=float("nan"))
    assert store.list_runs("gates")[-1]["final_loss"] is None  # NaN is stored as "no value"
    store.close()


def test_students_delete_only_their_own_runs_and_reset_clears_one_class(db_url):
    a = ClassStore.open(db_url, "Period 3")
    other = ClassStore.open(db_url, "Period 4")
    mine = a.record_gate("ada", "owner-a", gate_cfg(), solved=True, epochs=5, final_loss=0.1, solved_epoch=5)
    theirs = a.record_gate("bob", "owner-b", gate_cfg(), solved=False, epochs=5, final_loss=0.6)
    kept = other.record_gate("cy", "owner-c", gate_cfg(), solved=True, epochs=5, final_loss=0.1)
    assert a.delete_run(theirs, "owner-a") is False  # not hers
    assert other.delete_run(mine, "owner-a") is False  # not this class's run
    assert a.delete_run(mine, "owner-a") is True
    assert a.delete_run(mine, "owner-a") is False  # already gone
    assert [r["id"] for r in a.list_runs()] == [theirs]
    assert a.reset() == 1
    assert a.count() == 0 and [r["id"] for r in other.list_runs()] == [kept]
    a.close(), other.close()


def test_a_version_1_database_is_migrated_keeping_its_runs(db_url):
    engine = make_engine(db_url)
    with engine.begin() as conn:  # the database as nnplay's first class schema left it
        SCHEMA.create(conn)
        MIGRATIONS[1](conn)
        conn.execute(SCHEMA.insert().values(id=1, version=1))
        conn.exec_driver_sql(
            "INSERT INTO class_runs (class_name, nickname, owner, kind, created_at, config, gate, hidden, lr, "
            "solved, epochs) VALUES ('P3', 'ada', 'o', 'gates', CURRENT_TIMESTAMP, '{\"gate\": \"XOR\"}', 'XOR', "
            "'2', 0.1, TRUE, 40)")
        assert "curve" not in {c["name"] for c in sa.inspect(conn).get_columns("class_runs")}
    engine.dispose()
    store = ClassStore.open(db_url, "P3")
    assert schema_version(store.engine) == 2
    old = store.list_runs(with_curves=True)
    assert len(old) == 1 and old[0]["nickname"] == "ada" and old[0]["curve"] is None
    assert old[0]["config"] == {"gate": "XOR"}
    rid = store.record_mnist("bob", "o2", MnistConfig().to_dict(), test_accuracy=0.9, seconds=1.0,
                             curve={"epoch": [1]})
    assert store.get_run(rid)["curve"] == {"epoch": [1]}
    store.close()


def test_a_newer_database_is_refused(db_url):
    ClassStore.open(db_url, "P3").close()
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(SCHEMA.update().values(version=SCHEMA_VERSION + 1))
    engine.dispose()
    with pytest.raises(ConfigError, match="newer than this nnplay"):
        ClassStore.open(db_url, "P3")


def test_concurrent_writers_lose_nothing(db_url):
    store = ClassStore.open(db_url, "P3")
    ids, errors = [], []

    def student(k: int) -> None:
        try:
            for i in range(15):
                ids.append(store.record_gate(f"s{k}", f"o{k}", gate_cfg(lr=0.01 * (i + 1)), solved=i % 2 == 0,
                                             epochs=i, final_loss=0.5))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=student, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 120 and store.count() == 120
    assert sorted(r["id"] for r in store.list_runs()) == sorted(ids)
    store.close()


WRITER = """
import sys
from nnplay.classroom import ClassStore
store = ClassStore.open(sys.argv[1], "P3")
for i in range(10_000):
    rid = store.record_gate("ada", "o", {"gate": "XOR", "hidden": [2], "lr": 0.1, "activation": "tanh"},
                            solved=True, epochs=i, final_loss=0.1)
    print(rid, flush=True)   # printed only once its transaction has committed
"""


def test_a_killed_writer_loses_no_committed_run(db_url):
    ClassStore.open(db_url, "P3").close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, db_url], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": SRC})
    committed = []
    for line in proc.stdout:
        committed.append(int(line))
        if len(committed) == 40:
            proc.send_signal(signal.SIGKILL)  # mid-stream: no clean-up code runs
            break
    proc.wait(timeout=30)
    store = ClassStore.open(db_url, "P3")
    stored = {r["id"] for r in store.list_runs()}
    assert set(committed) <= stored  # every acknowledged run survived
    assert len(stored) - len(committed) <= 1  # at most the one committed but not yet printed
    store.close()


def test_urls_and_names(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'data' / 'nnplay' / 'classes.db'}"
    assert (tmp_path / "data" / "nnplay").is_dir()
    assert resolve_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert resolve_url("postgresql://u:p@h/db").startswith("postgresql+psycopg://u:p@h/db")
    assert resolve_url("sqlite:///:memory:") == "sqlite:///:memory:"
    store = ClassStore.open(tmp_path / "y.db", "P3")
    with pytest.raises(ConfigError, match="nickname"):
        store.record_gate("  ", "o", gate_cfg(), solved=True, epochs=1, final_loss=0.1)
    with pytest.raises(ConfigError, match="at most"):
        store.record_gate("x" * 41, "o", gate_cfg(), solved=True, epochs=1, final_loss=0.1)
    with pytest.raises(ConfigError, match="class name"):
        ClassStore(store.engine, " ")
    store.close()
    with pytest.raises(ConfigError, match="cannot open the class database"):
        ClassStore.open("postgresql://nobody@127.0.0.1:1/none", "P3")


def test_crowd_sweep_leaderboard_and_csv(tmp_path):
    store = ClassStore.open(tmp_path / "c.db", "P3")
    rec = store.record_gate
    rec("a", "o", gate_cfg(gate="XOR", hidden=(2,), lr=0.1), solved=True, epochs=300, final_loss=0.01, solved_epoch=40)
    rec("b", "o", gate_cfg(gate="XOR", hidden=(2,), lr=0.1), solved=False, epochs=300, final_loss=0.6)
    rec("c", "o", gate_cfg(gate="XOR", hidden=(4, 4), lr=0.1), solved=True, epochs=90, final_loss=0.02,
        solved_epoch=20)
    rec("d", "o", gate_cfg(gate="XOR", hidden=(), lr=0.01), solved=False, epochs=500, final_loss=0.69)
    rec("e", "o", gate_cfg(gate="AND", hidden=(), lr=0.01), solved=True, epochs=20, final_loss=0.2, solved_epoch=9)
    rec("f", "o", gate_cfg(gate="XOR", hidden=(2,), lr=0.1, activation="relu"), solved=True, epochs=30,
        final_loss=0.1, solved_epoch=30)
    store.record_mnist("a", "o", MnistConfig(model="cnn").to_dict(), test_accuracy=0.98, seconds=9.0)
    store.record_mnist("b", "o", MnistConfig(model="logistic").to_dict(), test_accuracy=0.98, seconds=2.0)
    store.record_mnist("c", "o", MnistConfig(model="mlp").to_dict(), test_accuracy=0.99, seconds=5.0)
    runs = store.list_runs()
    s = crowd_sweep(runs, activation="tanh")  # XOR: the most used gate
    assert s["gate"] == "XOR" and s["runs"] == 4
    assert s["axes"] == [{"field": "lr", "values": [0.01, 0.1]}, {"field": "hidden", "values": ["none", "2", "4-4"]}]
    cells = {c["key"]: c["result"] for c in s["cells"]}
    assert cells["lr=0.1, hidden=2"]["success_rate"] == 0.5 and cells["lr=0.1, hidden=2"]["median_epochs"] == 40
    assert cells["lr=0.1, hidden=4-4"]["success_rate"] == 1.0 and cells["lr=0.01, hidden=none"]["success_rate"] == 0
    assert "lr=0.01, hidden=2" not in cells  # nobody ran it: a blank cell
    assert crowd_sweep(runs)["cells"][1]["result"]["seeds"] == 3  # all activations: f joins (0.1, 2)
    assert crowd_sweep(runs, gate="AND")["runs"] == 1
    board = leaderboard(runs)
    assert [(b["nickname"], b["rank"]) for b in board] == [("c", 1), ("b", 2), ("a", 3)]  # tie: faster first
    rows = list(csv.DictReader(io.StringIO(to_csv(runs))))
    assert len(rows) == 9 and rows[0]["nickname"] == "a" and rows[0]["solved"] == "True"
    assert rows[-1]["model"] == "mlp" and float(rows[-1]["test_accuracy"]) == 0.99
    assert '"gate":"XOR"' in rows[0]["config"]
    store.close()
