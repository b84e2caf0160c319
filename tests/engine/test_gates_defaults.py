"""The promises about what trains: the defaults solve XOR for seeds 0-99, every 2-input
function is learnable, and 3-input parity and majority are solved."""

import itertools

import pytest

from nnplay.engine.gates import GateConfig, GateTrainer, train_gate


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/engine/conftest.py


def test_default_config_solves_xor_for_every_seed_0_to_99():
    unsolved = []
    for seed in range(100):
        r = train_gate(GateConfig(seed=seed), until_solved=True)  # stops as soon as it is solved
        ok = r["solved"] and r["solved_epoch"] <= 1000 and r["train_accuracy"] == 1.0
        answers = [int(row["probability"] > 0.5) for row in r["truth_table"]]
        if not ok or answers != [0, 1, 1, 0]:
            unsolved.append(seed)
    assert unsolved == []


@pytest.mark.parametrize("table", ["".join(bits) for bits in itertools.product("01", repeat=4)])
def test_every_two_input_function_is_learned(table):
    tr = GateTrainer(GateConfig(gate=table))
    tr.train(1000, until_solved=True)
    answers = "".join(str(int(row["probability"] > 0.5)) for row in tr.truth_table())
    assert answers == table


@pytest.mark.parametrize("gate", ["XOR3", "MAJORITY"])
def test_three_input_gates_are_solved(gate):
    for seed in range(3):
        r = train_gate(GateConfig(gate=gate, seed=seed), until_solved=True)
        assert r["solved"], (gate, seed)
        parity = [(a + b + c) % 2 for a, b, c in (row["inputs"] for row in r["truth_table"])]
        majority = [int(a + b + c >= 2) for a, b, c in (row["inputs"] for row in r["truth_table"])]
        answers = [int(row["probability"] > 0.5) for row in r["truth_table"]]
        assert answers == (parity if gate == "XOR3" else majority)


def test_train_gate_trains_the_requested_epochs_unless_asked_to_stop():
    r = train_gate(GateConfig(epochs=120))
    assert r["epochs"] == 120 and r["solved"] and r["solved_epoch"] < 120
    s = train_gate(GateConfig(epochs=120), until_solved=True)
    assert s["epochs"] == s["solved_epoch"] == r["solved_epoch"]  # same seed, same path
    assert set(r) >= {"train_accuracy", "test_accuracy", "loss", "epochs", "seconds", "truth_table"}


def test_noisy_xor_generalises():
    r = train_gate(GateConfig(sampling="noisy", noise=0.15, batch_size=16, epochs=150))
    assert r["test_accuracy"] >= 0.9 and r["train_accuracy"] >= 0.9
