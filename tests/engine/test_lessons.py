"""The lesson presets train for real and their measured results show the classic lessons."""

import numpy as np
import pytest

from nnplay.engine import lessons


def test_xor_lesson_no_hidden_layer_capped_at_75_percent_two_units_solve():
    les = lessons.xor_lesson(seeds=4, epochs=200)
    none, two = les.table
    assert none["hidden"] == "none" and none["best_train_acc"] <= 0.75 and none["n_solved"] == 0
    assert two["n_solved"] >= 1 and les.expected
    assert f"{two['n_solved']}/4" in les.explanation  # the text carries the measured number
    assert les.data["grids"]["2"]["grid"].shape == (32, 32)


def test_lr_lesson_classifies_each_rate_from_its_loss_curve():
    les = lessons.lr_lesson(epochs=150)
    outcome = {r["expected"]: r["outcome"] for r in les.table}
    assert outcome == {"too high": "diverged", "in between": "converges", "too low": "barely moves"}
    high = next(r for r in les.table if r["expected"] == "too high")
    assert high["end loss"] > high["start loss"]
    # The too-high run stops once its loss has stayed high for 50 epochs (engine/gates/divergence.py).
    lengths = {label: len(c["train_loss"]) for label, c in les.data["curves"].items()}
    assert lengths["in between"] == lengths["too low"] == 151 and 51 <= lengths["too high"] < 151


def test_classify_loss_rules():
    assert lessons.classify_loss([0.7, float("nan")], None) == "diverged"
    assert lessons.classify_loss([0.7, 0.69], None) == "barely moves"
    assert lessons.classify_loss([0.7, 0.01], None) == "converges"
    assert lessons.classify_loss([0.7, 0.9], None) == "diverged"


def test_weights_lesson_logistic_rows_are_digit_templates():
    les = lessons.weights_lesson(subset=3000, epochs=1)
    assert les.data["logistic"].shape == (10, 784) and les.data["mlp"].shape == (64, 784)
    corr = les.data["corr_logistic"]
    assert (corr.argmax(1) == np.arange(10)).sum() >= 8  # each row looks most like its own digit
    log_row, mlp_row = les.table
    assert mlp_row["mean best correlation with a digit average"] < log_row["mean best correlation with a digit average"]


def test_width_lesson_architectures_match_lecun_and_get_measured():
    axis, cells = lessons.width_cells("full")
    assert [c.cfg.model for c in cells] == ["logistic", "mlp", "mlp", "mlp", "mlp", "lenet5"]
    assert [c.cfg.hidden for c in cells[1:5]] == [(300,), (1000,), (300, 100), (500, 150)]
    assert all(c.cfg.subset == 0 for c in cells)
    les = lessons.width_lesson("quick", workers=1, subset=300, epochs=1)  # tiny: structure, not accuracy
    assert [r["LeCun 1998 error %"] for r in les.table] == [12.0, 4.7, 4.5, 3.05, 2.95, 0.95]
    assert all(0 < r["nnplay error %"] < 100 for r in les.table)
    assert les.table[0]["parameters"] == 7850  # 784*10 + 10
