"""Gate datasets and input features: exact rows, noisy clouds, split sizes, reproducibility."""

import math

import numpy as np
import pytest
import torch

from nnplay.engine.gates import FEATURES, GateConfig, feature_matrix, feature_names, make_dataset, split_sizes


def test_exact_data_is_the_truth_table():
    d = make_dataset(GateConfig(gate="NAND"))
    np.testing.assert_array_equal(d.x_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(d.y_train, [1, 1, 1, 0])
    np.testing.assert_array_equal(d.x_test, d.x_train)
    np.testing.assert_array_equal(d.y_test, d.y_train)
    assert d.x_train.dtype == np.float32 and d.y_train.dtype == np.float32
    d3 = make_dataset(GateConfig(gate="MAJORITY"))
    assert d3.x_train.shape == (8, 3) and d3.y_train.tolist() == [0, 0, 0, 1, 0, 1, 1, 1]


@pytest.mark.parametrize("gate, n_points, ratio, expected", [
    ("XOR", 40, 0.7, (112, 48)),       # 4 corners * 40 = 160
    ("XOR3", 40, 0.7, (224, 96)),      # 8 corners * 40 = 320
    ("AND", 10, 0.5, (20, 20)),
    ("AND", 1, 0.1, (1, 3)),           # at least one training example
    ("AND", 1, 0.9, (3, 1)),           # at least one test example
])
def test_noisy_split_sizes(gate, n_points, ratio, expected):
    cfg = GateConfig(gate=gate, sampling="noisy", n_points=n_points, train_ratio=ratio)
    d = make_dataset(cfg)
    assert (len(d.y_train), len(d.y_test)) == expected == split_sizes(cfg)
    assert d.x_train.shape == (expected[0], cfg.n_inputs)
    # every point is used exactly once: label counts per class add up to n_points per corner
    labels = np.concatenate([d.y_train, d.y_test])
    assert labels.sum() == n_points * sum(cfg.table)


def test_noisy_labels_follow_the_nearest_corner_and_noise_has_sigma():
    cfg = GateConfig(gate="XOR", sampling="noisy", n_points=200, noise=0.1, seed=3)
    d = make_dataset(cfg)
    x = np.concatenate([d.x_train, d.x_test])
    y = np.concatenate([d.y_train, d.y_test])
    corner = np.clip(np.round(x), 0, 1).astype(int)  # sigma 0.1: essentially never past the midpoint
    assert (y == (corner[:, 0] ^ corner[:, 1])).mean() > 0.99
    offsets = x - corner
    assert abs(offsets.std() - 0.1) < 0.01 and abs(offsets.mean()) < 0.01


def test_noisy_data_is_reproducible_for_a_seed():
    a = make_dataset(GateConfig(sampling="noisy", seed=7))
    b = make_dataset(GateConfig(sampling="noisy", seed=7, hidden=(2,)))  # model settings do not move the data
    c = make_dataset(GateConfig(sampling="noisy", seed=8))
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)


def test_zero_noise_puts_points_on_the_corners():
    d = make_dataset(GateConfig(gate="OR", sampling="noisy", noise=0.0, n_points=5))
    assert set(map(tuple, d.x_train.tolist())) <= {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_feature_values():
    x = torch.tensor([[0.5, -2.0], [1.5, 3.0]])
    names = list(FEATURES)
    assert names == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    f = feature_matrix(x, names)
    for row, (a, b) in zip(f.tolist(), x.tolist()):
        expected = [a, b, a * a, b * b, a * b, math.sin(a), math.sin(b)]
        assert row == pytest.approx(expected, rel=1e-6)
    # the callables also take numpy arrays
    assert FEATURES["sin(x2)"](x.numpy()) == pytest.approx([math.sin(-2.0), math.sin(3.0)], rel=1e-6)


def test_three_input_gates_add_x3():
    assert feature_names(("x1", "x1*x2"), 3) == ["x1", "x1*x2", "x3"]
    assert feature_names(("x1", "x2"), 2) == ["x1", "x2"]
    f = feature_matrix(torch.tensor([[1.0, 0.0, 0.25]]), feature_names(("x2",), 3))
    assert f.tolist() == [[0.0, 0.25]]
