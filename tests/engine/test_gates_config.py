"""GateConfig: defaults, normalisation, round trips (dict, URL query) and every validation error."""

import math

import pytest

from nnplay.engine.errors import ConfigError
from nnplay.engine.gates import GateConfig
from nnplay.engine.gates.config import CHOICES, HELP


def test_defaults_match_the_contract():
    c = GateConfig()
    assert (c.gate, c.sampling, c.n_points, c.noise, c.train_ratio) == ("XOR", "exact", 40, 0.15, 0.7)
    assert (c.features, c.hidden, c.activation, c.optimizer, c.lr) == (("x1", "x2"), (4, 4), "tanh", "adam", 0.03)
    assert (c.batch_size, c.epochs, c.regularization, c.reg_rate, c.seed) == (0, 1000, "none", 0.0, 0)
    assert c.validate() is c
    assert set(HELP) == {f for f in c.to_dict()}  # one help line per field


def test_spelling_is_normalised():
    c = GateConfig(gate=" xor ", activation="Tanh", optimizer="ADAM", features=["X1", "x1 * x2"], hidden=[3])
    assert (c.gate, c.activation, c.optimizer, c.features, c.hidden) == ("XOR", "tanh", "adam", ("x1", "x1*x2"), (3,))
    assert c == GateConfig(features=("x1", "x1*x2"), hidden=(3,))
    assert GateConfig(gate="0110").gate == "XOR"  # a table with a name is that name (one link, one label)
    assert GateConfig(gate="0010").gate == "0010"  # unnamed tables stay tables


ODD = GateConfig(gate="10010110", sampling="noisy", n_points=7, noise=0.1 + 0.2, train_ratio=1 / 3,
                 features=("x1", "sin(x2)", "x1*x2"), hidden=(), activation="gelu", optimizer="rmsprop",
                 lr=1e-5, batch_size=3, epochs=17, regularization="l1", reg_rate=0.001, seed=12345)


@pytest.mark.parametrize("cfg", [GateConfig(), ODD, GateConfig(hidden=(16, 1, 16, 1, 16, 1), lr=10.0)])
def test_round_trips(cfg):
    assert GateConfig.from_dict(cfg.to_dict()) == cfg
    assert GateConfig.from_query(cfg.to_query()) == cfg
    assert GateConfig.from_query(cfg.to_query(only_changed=False)) == cfg
    assert GateConfig.from_query("?" + cfg.to_query()) == cfg


def test_query_text():
    assert GateConfig().to_query() == ""
    assert GateConfig(gate="AND", hidden=(8, 2), lr=0.1).to_query() == "gate=AND&hidden=8,2&lr=0.1"
    q = GateConfig(hidden=()).to_query()
    assert q == "hidden=none" and GateConfig.from_query(q).hidden == ()
    assert GateConfig.from_query("hidden=&lr=0.5").hidden == ()
    assert GateConfig.from_query("gate=xor&utm_source=x").gate == "XOR"  # unknown URL keys ignored
    assert ODD.to_query().count("noise=0.30000000000000004") == 1  # floats exact


def test_derived_sizes():
    assert GateConfig().n_train() == 4 and GateConfig(gate="XOR3").n_train() == 8
    assert GateConfig(batch_size=0).effective_batch_size() == 4
    assert GateConfig(batch_size=100).effective_batch_size() == 4  # above the set = the full set
    assert GateConfig(batch_size=3).effective_batch_size() == 3
    assert GateConfig(sampling="noisy", batch_size=500).effective_batch_size() == 112


@pytest.mark.parametrize("changes, words", [
    ({"gate": "FOO"}, "unknown gate 'FOO'"),
    ({"gate": "01x0"}, "only the digits 0 and 1"),
    ({"gate": "011"}, "needs 4"),
    ({"lr": 0}, "learning rate must be a positive number"),
    ({"lr": -1}, "learning rate must be a positive number"),
    ({"lr": math.nan}, "learning rate must be a positive number"),
    ({"lr": math.inf}, "learning rate must be a positive number"),
    ({"lr": 20}, "learning rate must be between 1e-05 and 10"),
    ({"lr": 1e-6}, "learning rate must be between 1e-05 and 10"),
    ({"lr": "abc"}, "lr must be a number"),
    ({"hidden": (0,)}, "layer 1 has 0"),
    ({"hidden": (4, 17)}, "layer 2 has 17"),
    ({"hidden": (4,) * 7}, "at most 6 hidden layers"),
    ({"hidden": (4,) * 100}, "at most 6 hidden layers are allowed, got 100"),
    ({"hidden": "4,x"}, "hidden must be a comma-separated list"),
    ({"features": ()}, "at least one input feature"),
    ({"features": ("x1", "x9")}, "unknown input feature 'x9'"),
    ({"features": ("x1", "x3")}, "x3 automatically"),
    ({"features": ("x1", "x1")}, "listed twice"),
    ({"activation": "swish"}, "unknown activation 'swish'"),
    ({"optimizer": "adadelta"}, "unknown optimizer 'adadelta'"),
    ({"sampling": "random"}, "unknown sampling"),
    ({"regularization": "l3"}, "unknown regularization"),
    ({"batch_size": -1}, "batch_size must be 0"),
    ({"epochs": 0}, "epochs must be a whole number"),
    ({"n_points": 0}, "n_points must be a whole number"),
    ({"noise": -0.1}, "noise must be between"),
    ({"train_ratio": 1.0}, "train_ratio must be between"),
    ({"reg_rate": -1}, "reg_rate must be between"),
    ({"seed": -1}, "seed must be a whole number"),
    ({"bogus": 1}, "unknown setting"),
])
def test_invalid_settings_are_config_errors(changes, words):
    with pytest.raises(ConfigError, match=words):
        GateConfig.from_dict(changes)


def test_validate_catches_a_directly_built_bad_config():
    with pytest.raises(ConfigError, match="learning rate"):
        GateConfig(lr=0.0).validate()


def test_choice_tables_are_the_engine_tables():
    from nnplay.engine.choices import ACTIVATIONS, GATE_OPTIMIZERS

    assert CHOICES["activation"] == tuple(ACTIVATIONS)
    assert CHOICES["optimizer"] == GATE_OPTIMIZERS
    for name in CHOICES["activation"]:
        assert GateConfig(activation=name).validate()
