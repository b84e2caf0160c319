"""The gate lab's named endpoints, driven headless through gradio_client; and its export."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import gradio as gr
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


# ---------------------------------------------------------------- handlers, without a server
# The tab's event handlers are plain functions of a Session; each answers with one frame for
# the page's renderer (JSON, see app/gates/frames.py). These check what the page would show.
import json  # noqa: E402

from nnplay.app.gates import controls as c  # noqa: E402
from nnplay.app.gates import handlers as h  # noqa: E402
from nnplay.app.gates.session import DEFAULT_SPEED, MAX_SPEED, Session  # noqa: E402


class FakeRequest:
    def __init__(self, query: dict):
        self.query_params = query


def frame_of(out) -> dict:
    """The frame in a handler's answer: the hub's value (a JSON text, last in `full`)."""
    if isinstance(out, dict):
        out = out["live"]
    return json.loads(out if isinstance(out, str) else out[-1])


def test_lr_change_keeps_training_but_architecture_change_resets():
    s = Session.new(GateConfig(hidden=(4, 4)))
    s.trainer.step(20)
    s.apply(s.cfg.replace(lr=0.1))
    assert s.trainer.epoch == 20 and s.trainer.cfg.lr == 0.1 and "without a reset" in s.message
    out = c.on_layers(s, +1)
    assert out[0].cfg.hidden == (4, 4, 4) and out[0].trainer.epoch == 0
    assert "reset" in s.message and "hidden layers" in s.message
    assert frame_of(out)["static"]["sizes"] == [2, 4, 4, 4, 1]
    c.on_neurons(s, 2, -1)
    assert s.cfg.hidden == (4, 4, 3)
    for _ in range(3):
        c.on_layers(s, -1)
    assert s.cfg.hidden == () and "no hidden layers left" in frame_of(c.on_layers(s, -1))["status"]


def test_flipping_a_bit_makes_a_custom_gate():
    s = Session.new(GateConfig(gate="XOR"))
    out = c.on_flip(s, 2)  # row 10: 1 -> 0, XOR becomes 0100 (NOT x1 AND x2), which has no picker name
    assert s.cfg.gate == "0100" and s.cfg.table == (0, 1, 0, 0)
    assert [r[-1] for r in frame_of(out)["static"]["rows"]] == [0, 1, 0, 0]
    assert out[1]["value"] == "custom" and out[2] == "0100"  # the picker shows "custom", bits kept


def test_divergence_stops_play_with_a_message():
    s = Session.new(GateConfig(lr=10, optimizer="sgd", activation="linear", hidden=(8, 8)))
    s.speed = 50
    h.on_play(s)
    for _ in range(20):  # what the stream does for each frame (app/gates/stream.py)
        snap = s.trainer.step(s.speed)
        if snap.diverged:
            s.playing = False
            s.notify(f"Training stopped: {snap.diverged}.", "bad")
            break
    assert not s.playing and s.trainer.diverged
    assert "lower the learning rate" in frame_of(h.on_play(s))["status"]  # Play refuses to go on
    assert not s.playing


def test_pause_answers_with_a_newer_frame_than_any_before():
    s = Session.new()
    played = frame_of(h.on_play(s))
    assert s.playing and "Training" in played["status"] and played["playing"] is True
    s.trainer.step(4)
    paused = frame_of(h.on_pause(s))
    assert not s.playing and paused["seq"] > played["seq"] and paused["playing"] is False
    assert paused["epoch"] == 4 and "Paused at epoch 4" in paused["status"]
    step = frame_of(h.on_step(s))
    assert step["epoch"] == 5 and step["seq"] > paused["seq"]
    reset = frame_of(h.on_reset(s))
    assert reset["epoch"] == 0 and reset["curve"]["e"] == [0]


def test_speed_is_epochs_per_frame_and_goes_into_the_link():
    s = Session.new()
    out = h.on_speed(s, 7)
    assert s.speed == 7 and out["query"].endswith("speed=7")
    assert "speed" not in h.on_speed(s, DEFAULT_SPEED)["query"]
    assert h.on_speed(s, 500)["state"].speed == MAX_SPEED


def test_link_settings_apply_and_garbage_gives_a_message():
    out = c.on_load(FakeRequest({"gate": "NOR", "hidden": "3", "activation": "relu", "speed": "5"}))
    s = out[0]
    assert (s.cfg.gate, s.cfg.hidden, s.cfg.activation, s.speed) == ("NOR", (3,), "relu", 5)
    assert "applied" in s.message and s.token and frame_of(out)["token"] == s.token
    s = c.on_load(FakeRequest({"gate": "banana", "lr": "-1"}))[0]
    assert s.cfg == GateConfig() and "could not be used" in s.message


def test_selecting_an_edge_and_setting_its_weight():
    s = Session.new(GateConfig(hidden=(3,)))
    out = h.on_select(s, "e:1:0:2")  # hidden neuron 3 -> output
    assert s.edge == (1, 0, 2) and out["weight"] == round(float(s.trainer.model.layers[1].weight[0, 2].detach()), 4)
    assert frame_of(out)["static"]["edge"] == [1, 0, 2]
    f = frame_of(h.on_set_weight(s, -2.5))
    assert float(s.trainer.model.layers[1].weight[0, 2].detach()) == -2.5
    assert f["w"][1][2] == -2.5  # the diagram's weights: layer 1, (out 0, in 2) row-major
    h.on_select(s, "n:1:2")
    assert s.node == (1, 2)


def test_replay_queues_the_history_for_the_stream():
    s = Session.new()
    for _ in range(5):
        s.trainer.step(4)
    f = frame_of(h.on_replay(s))
    assert s.replay == [1, 2, 3, 4, 5] and s.view == 0 and f["epoch"] == 0 and f["playing"] is True
