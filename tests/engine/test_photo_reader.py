"""The photo reader (photo_reader.py): shipped with its provenance, at least as good as the
bundled CNN on MNIST's test digits, and better on test digits given the photo pipeline's
looks (augment() of digits it never trained on). Oracles: MNIST's own labels."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnplay.engine.mnist import load_mnist, load_pretrained, predict_probs
from nnplay.engine.mnist import photo_reader
from nnplay.engine.mnist.reading import default_reader


@pytest.fixture(scope="module")
def test_digits():
    d = load_mnist(test_subset=2000)
    return d.test_x[:, 0].numpy(), d.test_y.numpy()


def test_it_ships_with_the_command_that_made_it_and_is_the_default_for_pictures():
    meta = json.loads(photo_reader.weights_path().with_suffix(".json").read_text())
    assert meta["kind"] == "mnist" and meta["config"]["model"] == "cnn"
    assert "python -m nnplay.engine.mnist.photo_reader" in meta["metrics"]["made_by"]
    assert "train" in meta["metrics"]["trained_on"]
    assert default_reader() is photo_reader.photo_reader()
    assert photo_reader.photo_reader() is not load_pretrained()[0]  # the bundled CNN stays as it was


def test_augment_gives_mnist_shaped_inputs():
    x = load_mnist(subset=50).train_x[:, 0].numpy()
    rng = np.random.default_rng(0)
    out = np.stack([photo_reader.augment(a, rng) for a in x])
    assert out.shape == (50, 28, 28) and out.dtype == np.float32
    assert out.min() >= 0 and out.max() <= 1
    # MNIST's convention: the ink's centre of mass near the middle, a 20 px box
    for a in out:
        ys, xs = np.nonzero(a > 0.05)
        cy, cx = (np.arange(28) * a.sum(1)).sum() / a.sum(), (np.arange(28) * a.sum(0)).sum() / a.sum()
        assert abs(cy - 13.5) <= 1.5 and abs(cx - 13.5) <= 1.5
        assert max(np.ptp(ys), np.ptp(xs)) <= 22
    assert not np.allclose(out, x)  # it did change them


def test_it_reads_mnist_and_photo_looking_test_digits(test_digits):
    xs, ys = test_digits
    reader, bundled = photo_reader.photo_reader(), load_pretrained()[0]
    assert (predict_probs(reader, xs).argmax(1) == ys).mean() >= 0.99
    rng = np.random.default_rng(123)
    looks = np.stack([photo_reader.augment(a, rng) for a in xs[:600]])
    mine = (predict_probs(reader, looks).argmax(1) == ys[:600]).mean()
    theirs = (predict_probs(bundled, looks).argmax(1) == ys[:600]).mean()
    assert mine >= theirs and mine >= 0.95
