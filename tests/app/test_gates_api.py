"""The gate lab's named endpoints, driven headless through gradio_client; and its export."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from nnplay.app.gates.export import export_zip
from nnplay.engine.gates import GateConfig, GateTrainer


def test_endpoints_are_named(client):
    names = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {"/gates_train", "/gates_predict", "/gates_export"} <= set(names)


def test_xor_via_api_gets_the_whole_truth_table_right(client):
    out = client.predict('{"gate": "XOR", "hidden": [4, 4], "lr": 0.03}', 300, api_name="/gates_train")
    assert out["solved"] is True and out["diverged"] is None
    table = out["truth_table"]
    assert [r["inputs"] for r in table] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert [r["target"] for r in table] == [0, 1, 1, 0]
    assert all((r["probability"] >= 0.5) == bool(r["target"]) for r in table)
    assert out["metrics"]["epoch"] == 300 and out["metrics"]["train_acc"] == 1.0
    # The trained model stays in this client's session: predict without a config.
    pred = client.predict([[0, 1], [1, 1]], "", 0, api_name="/gates_predict")
    assert pred["answers"] == [1, 0] and pred["epoch"] == 300


def test_query_text_config_and_no_hidden_layer(client):
    # AND is linearly separable: no hidden layer is enough. Query text is accepted as config.
    out = client.predict("gate=AND&hidden=none&lr=0.1", 300, api_name="/gates_train")
    assert out["config"]["hidden"] == [] and out["solved"] is True
    assert out["query"].startswith("gate=AND")


def test_predict_with_config_trains_first(client):
    pred = client.predict([[0, 0, 1], [1, 1, 0]], "gate=MAJORITY&hidden=4", 300, api_name="/gates_predict")
    assert pred["answers"] == [0, 1]


@pytest.mark.parametrize("config, epochs, words", [
    ('{"gate": "XYZ"}', 10, "unknown gate"),
    ("gate=XOR&lr=50", 10, "learning rate"),
    ("gate=XOR&hidden=4,99", 10, "neurons"),
    ('{"gate": ', 10, "not valid JSON"),
    ("gate=XOR&colour=red", 10, "unknown setting"),
    ("gate=XOR", -5, "epochs"),
])
def test_bad_inputs_give_a_message(client, config, epochs, words):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as err:
        client.predict(config, epochs, api_name="/gates_train")
    assert words in str(err.value)
    # The app still works afterwards.
    assert client.predict("gate=OR&hidden=2", 5, api_name="/gates_train")["metrics"]["epoch"] == 5


def test_bad_predict_inputs_give_a_message(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as err:
        client.predict([[0, 1, 1]], "gate=XOR", 1, api_name="/gates_predict")
    assert "2 inputs" in str(err.value)


def test_export_zip_script_prints_the_truth_table(tmp_path):
    tr = GateTrainer(GateConfig(gate="XOR", hidden=(4,), features=("x1", "x2", "x1*x2")))
    tr.step(300)
    assert tr.solved
    path = export_zip(tr, tmp_path)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        assert {"model.safetensors", "weights.json", "config.json", "predict_gate.py", "model.json"} <= names
        z.extractall(tmp_path / "out")
    run = subprocess.run([sys.executable, str(tmp_path / "out" / "predict_gate.py")], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = [l.split() for l in run.stdout.splitlines() if l.strip().startswith(("0", "1"))]
    expected = tr.truth_table()
    assert len(lines) == 4
    for words, row in zip(lines, expected):
        assert [int(v) for v in words[:2]] == row["inputs"] and int(words[2]) == row["target"]
        assert float(words[3]) == pytest.approx(row["probability"], abs=1e-4)
        assert words[-1] == "ok"
    assert "4/4 rows right" in run.stdout


def test_export_endpoint_returns_a_zip(client):
    path = client.predict("gate=NAND&hidden=2", 50, api_name="/gates_export")
    with zipfile.ZipFile(path) as z:
        assert "predict_gate.py" in z.namelist()
