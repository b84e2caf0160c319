"""Truth tables: the 16 two-input functions and the 3-input ones against Python's own boolean logic."""

import itertools

import pytest

from nnplay.engine.errors import ConfigError
from nnplay.engine.gates import GATES, TWO_INPUT_NAMES, gate_label, input_rows, n_inputs_of, parse_truth_table

# Every boolean function of two inputs, written as a Python expression (the oracle).
EXPRESSIONS = {
    "FALSE": lambda a, b: False,
    "AND": lambda a, b: a and b,
    "x1 AND NOT x2": lambda a, b: a and not b,
    "x1": lambda a, b: a,
    "NOT x1 AND x2": lambda a, b: (not a) and b,
    "x2": lambda a, b: b,
    "XOR": lambda a, b: a != b,
    "OR": lambda a, b: a or b,
    "NOR": lambda a, b: not (a or b),
    "XNOR": lambda a, b: a == b,
    "NOT x2": lambda a, b: not b,
    "x1 OR NOT x2": lambda a, b: a or not b,
    "NOT x1": lambda a, b: not a,
    "NOT x1 OR x2": lambda a, b: (not a) or b,
    "NAND": lambda a, b: not (a and b),
    "TRUE": lambda a, b: True,
}


def table_of(fn, n):
    """The truth table of a Python predicate, rows with x1 as the high bit."""
    return tuple(int(bool(fn(*(bool(v) for v in row)))) for row in itertools.product((0, 1), repeat=n))


def test_rows_are_in_binary_order_with_x1_high():
    assert input_rows(2) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert input_rows(3) == [tuple(int(c) for c in f"{i:03b}") for i in range(8)]


def test_the_sixteen_functions_match_python_booleans():
    tables = {}
    for name, fn in EXPRESSIONS.items():
        expected = table_of(fn, 2)
        text = "".join(map(str, expected))
        assert parse_truth_table(text) == expected
        assert TWO_INPUT_NAMES[text] == name
        tables[text] = name
    assert len(tables) == 16  # all distinct: every function of two inputs is covered


@pytest.mark.parametrize("name", ["AND", "OR", "XOR", "NAND", "NOR", "XNOR"])
def test_named_gates(name):
    assert parse_truth_table(name) == table_of(EXPRESSIONS[name], 2)
    assert parse_truth_table(name.lower()) == parse_truth_table(name)
    assert n_inputs_of(name) == 2


def test_three_input_gates():
    parity = table_of(lambda a, b, c: (a + b + c) % 2 == 1, 3)
    majority = table_of(lambda a, b, c: a + b + c >= 2, 3)
    assert parse_truth_table("XOR3") == parity == parse_truth_table("parity3")
    assert parse_truth_table("MAJORITY") == majority
    assert parse_truth_table("11110000") == table_of(lambda a, b, c: not a, 3)
    assert n_inputs_of("MAJORITY") == 3
    assert GATES["XOR3"] == "01101001"


def test_labels():
    assert gate_label("xor") == "XOR (0110)"
    assert gate_label("0010") == "x1 AND NOT x2 (0010)"
    assert gate_label("00010111") == "MAJORITY (00010111)"
    assert gate_label("10000001") == "custom (10000001)"


@pytest.mark.parametrize("bad, words", [
    ("FOO", "unknown gate"), ("", "unknown gate"), ("01x0", "only the digits 0 and 1"),
    ("011", "has 3 digits"), ("01101", "has 5 digits"), ("0120", "only the digits 0 and 1"),
    ("2222", "only the digits"), ("0110 0110", "unknown gate"),
])
def test_bad_tables_are_config_errors(bad, words):
    with pytest.raises(ConfigError, match=words):
        parse_truth_table(bad)
