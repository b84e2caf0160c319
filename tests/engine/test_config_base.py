"""ConfigBase round trips (dict, URL) and coercion, on a small config of every field type."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from nnplay.engine.config import ConfigBase, check_range, parse_int_list
from nnplay.engine.errors import ConfigError


@dataclass(frozen=True)
class Demo(ConfigBase):
    name: str = "XOR"              # a text field
    hidden: tuple[int, ...] = (4, 4)  # a list field; () means none
    lr: float = 0.03               # a float that must round-trip exactly
    epochs: int = 100              # a whole number
    noisy: bool = False            # a switch
    tags: tuple[str, ...] = ()     # a list of words

    def validate(self):
        check_range("lr", self.lr, 1e-5, 10)
        check_range("epochs", self.epochs, 1, 10_000)
        return self


def test_dict_round_trip_is_exact():
    cfg = Demo(name="AND", hidden=(), lr=0.1 + 0.2, epochs=7, noisy=True, tags=("a", "b"))
    d = cfg.to_dict()
    assert d["hidden"] == [] and d["tags"] == ["a", "b"]
    assert Demo.from_dict(d) == cfg


def test_query_round_trip_only_changed_fields():
    cfg = Demo(hidden=(8,), lr=0.001)
    q = cfg.to_query()
    assert q == "hidden=8&lr=0.001"
    assert Demo.from_query("?" + q) == cfg
    assert Demo.from_query(Demo(hidden=()).to_query()).hidden == ()


def test_query_coerces_text_and_ignores_foreign_params():
    cfg = Demo.from_query("hidden=2,3&epochs=1e2&noisy=yes&utm_source=x")
    assert cfg.hidden == (2, 3) and cfg.epochs == 100 and cfg.noisy is True


@pytest.mark.parametrize("query, words", [
    ("lr=abc", "lr must be a number"),
    ("lr=nan", "lr must be a finite number"),
    ("lr=0", "lr must be between"),
    ("lr=-1", "lr must be between"),
    ("epochs=2.5", "epochs must be a whole number"),
    ("noisy=maybe", "noisy must be true or false"),
    ("hidden=4,x", "hidden must be a comma-separated list"),
])
def test_bad_text_gives_a_sentence(query, words):
    with pytest.raises(ConfigError, match=words):
        Demo.from_query(query)


def test_unknown_keys_are_refused_in_strict_dicts():
    with pytest.raises(ConfigError, match="unknown setting"):
        Demo.from_dict({"learning_rate": 1})


def test_replace_validates():
    assert Demo().replace(lr="0.5").lr == 0.5
    with pytest.raises(ConfigError):
        Demo().replace(lr=math.inf)


def test_parse_int_list_forms():
    assert parse_int_list("none") == () and parse_int_list("[4, 4]") == (4, 4) and parse_int_list([1, 2]) == (1, 2)
