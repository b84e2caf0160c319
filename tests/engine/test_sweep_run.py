"""Running sweeps for real: a small XOR grid, resume from the folder, stop, MNIST cells."""

import json
import threading

import pytest

from nnplay.engine.gates import GateConfig
from nnplay.engine.mnist import MnistConfig, recommended
from nnplay.engine.sweeps import parse_axis, run_sweep

XOR_AXES = [parse_axis(GateConfig, "lr=0.03,0.3"), parse_axis(GateConfig, "hidden=none,4")]
OPTS = {"seeds": 5, "epochs": 200}


@pytest.fixture(scope="module")
def xor_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("xor")
    return out, run_sweep("gates", GateConfig(gate="XOR"), XOR_AXES, OPTS, out=out)


def test_xor_without_hidden_layer_fails_and_with_one_succeeds(xor_sweep):
    _, res = xor_sweep
    assert res.done == res.total == 4 and not res.interrupted
    by = {r["key"]: r["result"] for r in res.records}
    for lr in ("0.03", "0.3"):
        none = by[f"lr={lr}, hidden=none"]
        assert none["success_rate"] == 0 and none["best_train_acc"] <= 0.75  # a line cannot do XOR
        assert none["median_epochs"] is None and none["solved_epochs"] == [None] * 5
    hid = by["lr=0.3, hidden=4"]
    assert hid["success_rate"] >= 0.6 and hid["median_epochs"] is not None and hid["median_epochs"] < 200
    assert sorted(e for e in hid["solved_epochs"] if e is not None)[0] >= 1


def test_folder_holds_one_file_per_cell_and_the_tables(xor_sweep):
    out, res = xor_sweep
    assert len(list((out / "cells").glob("*.json"))) == 4
    summary = json.loads((out / "results.json").read_text())
    assert summary["cells_done"] == 4 and summary["main_metric"] == "success_rate"
    lines = (out / "results.csv").read_text().splitlines()
    assert lines[0].startswith("cell,lr,hidden,success_rate") and len(lines) == 5


def test_resume_reads_finished_cells_back_and_trains_only_the_missing(xor_sweep, tmp_path):
    out, first = xor_sweep
    dst = tmp_path / "copy"
    (dst / "cells").mkdir(parents=True)
    files = sorted((out / "cells").glob("*.json"))
    for f in files[1:]:  # keep 3 of 4 cells, as if interrupted
        (dst / "cells" / f.name).write_text(f.read_text())
    (dst / "cells" / "broken.json").write_text("{not json")  # ignored, not fatal
    seen = []
    res = run_sweep("gates", GateConfig(gate="XOR"), XOR_AXES, OPTS, out=dst,
                    progress=lambda rec, d, n: seen.append(rec["reused"]))
    assert res.reused == 3 and seen.count(False) == 1 and res.done == 4
    # Deterministic per seed: the retrained cell equals the original one.
    a = {r["key"]: r["result"]["solved_epochs"] for r in first.records}
    b = {r["key"]: r["result"]["solved_epochs"] for r in res.records}
    assert a == b
    # Other options (more seeds) do not reuse the stored cells.
    res2 = run_sweep("gates", GateConfig(gate="XOR"), XOR_AXES[:1], {"seeds": 1, "epochs": 50}, out=dst)
    assert res2.reused == 0


def test_stop_keeps_the_finished_cells(tmp_path):
    stop = threading.Event()
    res = run_sweep("gates", GateConfig(gate="XOR"), XOR_AXES, {"seeds": 2, "epochs": 100}, out=tmp_path,
                    progress=lambda rec, d, n: stop.set(), stop=stop)
    assert res.interrupted and res.done == 1
    assert len(list((tmp_path / "cells").glob("*.json"))) == 1


def test_mnist_cells_in_parallel_workers_match_one_process():
    base = recommended("logistic", subset=600, epochs=1, batch_size=50)
    axes = [parse_axis(MnistConfig, "lr=0.01,0.0001")]
    par = run_sweep("mnist", base, axes, {"test_subset": 2000}, workers=2)
    one = run_sweep("mnist", base, axes, {"test_subset": 2000}, workers=1)
    assert par.done == one.done == 2
    for p, o in zip(par.records, one.records):
        assert p["config"]["threads"] == 1  # one torch thread per worker process
        assert abs(p["result"]["test_accuracy"] - o["result"]["test_accuracy"]) < 0.02
        curve = p["result"]["curve"]
        assert len(curve["epoch"]) == len(curve["train_loss"]) >= 5 and curve["epoch"][-1] == pytest.approx(1.0)
    good, slow = (r["result"]["test_accuracy"] for r in one.records)
    assert good > 0.6 and good > slow  # lr 0.01 learns in 12 steps, lr 0.0001 barely moves
