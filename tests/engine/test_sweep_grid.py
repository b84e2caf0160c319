"""Sweep grid: the value syntax, the expansion order, the errors a user can cause."""

import pytest

from nnplay.engine.errors import ConfigError
from nnplay.engine.gates import GateConfig
from nnplay.engine.mnist import MnistConfig
from nnplay.engine.sweeps import expand, format_value, make_axis, parse_axis, parse_value, solved_share_curve
from nnplay.engine.sweeps.grid import cell_id, median
from nnplay.engine.sweeps.runner import KINDS


def test_hidden_syntax_none_single_and_multi_layer():
    ax = parse_axis(GateConfig, "hidden=none,2,4-4,8x8,0")
    assert ax.values == ((), (2,), (4, 4), (8, 8))  # "0" is "none" again: deduplicated
    assert ax.labels == ["none", "2", "4-4", "8-8"]
    assert parse_value(MnistConfig, "hidden", "300-100") == (300, 100)


def test_other_types_parse_from_text():
    assert parse_axis(GateConfig, "lr=0.001,1e-2").values == (0.001, 0.01)
    assert parse_axis(GateConfig, "activation=tanh,relu").values == ("tanh", "relu")
    assert parse_axis(GateConfig, "features=x1+x2,x1+x2+x1*x2").values == (("x1", "x2"), ("x1", "x2", "x1*x2"))
    assert format_value(("x1", "sin(x1)")) == "x1+sin(x1)"
    assert parse_axis(MnistConfig, "batch-size=32,64").field == "batch_size"


def test_grid_is_row_major_with_the_first_axis_slowest():
    axes = [parse_axis(GateConfig, "lr=0.01,0.1"), parse_axis(GateConfig, "hidden=none,2,4-4")]
    cells = expand(GateConfig(gate="AND"), axes)
    assert len(cells) == 6
    assert [c.index for c in cells] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert cells[4].key == "lr=0.1, hidden=2"
    assert cells[4].cfg.lr == 0.1 and cells[4].cfg.hidden == (2,) and cells[4].cfg.gate == "AND"
    assert len({c.key for c in cells}) == 6


@pytest.mark.parametrize("text, words", [
    ("lr", "field=value"),
    ("speed=1,2", "unknown setting"),
    ("lr=", "at least one value"),
    ("lr=0,0.1", "learning rate"),
    ("hidden=4-99", "1 to 16 neurons"),
])
def test_bad_axes_raise_config_errors(text, words):
    with pytest.raises(ConfigError, match=words):
        expand(GateConfig(), [parse_axis(GateConfig, text)])


def test_at_most_two_axes_and_no_seed_axis_for_gates():
    three = [make_axis(GateConfig, f, v) for f, v in (("lr", ["0.1"]), ("hidden", ["2"]), ("activation", ["relu"]))]
    with pytest.raises(ConfigError, match="at most 2"):
        expand(GateConfig(), three)
    with pytest.raises(ConfigError, match="--seeds"):
        expand(GateConfig(), [make_axis(GateConfig, "seed", ["1", "2"])], KINDS["gates"].forbidden)


def test_cell_id_changes_with_what_determines_the_result():
    a = cell_id("lr=0.1", {"config": {"lr": 0.1}, "options": {"seeds": 5}})
    assert a == cell_id("lr=0.1", {"options": {"seeds": 5}, "config": {"lr": 0.1}})
    assert a != cell_id("lr=0.1", {"config": {"lr": 0.1}, "options": {"seeds": 6}})
    assert "/" not in cell_id("hidden=4-4, features=x1+x2", {})


def test_solved_share_curve_and_median():
    x, y = solved_share_curve([10, None, 30, 10], 100)
    assert y[0] == 0 and y[-1] == pytest.approx(0.75) and x[-1] == 100
    assert float(y[x.tolist().index(30) + 1]) == pytest.approx(0.75)  # the third seed counts from epoch 30 on
    assert median([3, None, 1, 2]) == 2 and median([1, 2]) == 1.5 and median([None]) is None
