"""The bad-input table (tests/bad_inputs.py) through the engine: each bad input raises
the documented NnplayError subclass with a message that says what is wrong; each
awkward-but-valid image comes out as the same digit as the plain reference."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from bad_inputs import cases, good_mnist_checkpoint, mnist_source, reference_digit, write_image
from nnplay.engine.errors import ConfigError, NnplayError
from nnplay.engine.gates import GateConfig, GateTrainer
from nnplay.engine.mnist.config import MnistConfig
from nnplay.engine.mnist.data import MnistData, load_mnist
from nnplay.engine.mnist.io import load_model
from nnplay.engine.mnist.models import first_layer
from nnplay.engine.mnist.trainer import MnistTrainer
from nnplay.engine.mnist.preprocess import to_mnist


def expect(case, fn):
    """Run fn(); check it raises case.error with case.words, or returns normally."""
    if case.error is None:
        return fn()
    with pytest.raises(case.error) as info:
        fn()
    assert re.search(case.words, str(info.value), re.I), str(info.value)
    return None


def looks_like_reference(x: np.ndarray) -> None:
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0 and x.max() == pytest.approx(1.0)
    ref = to_mnist(reference_digit())
    corr = np.corrcoef(x.ravel(), ref.ravel())[0, 1]
    assert corr > 0.9, f"the digit changed in preprocessing (correlation {corr:.2f})"


@pytest.mark.parametrize("case", cases("image", "engine"), ids=repr)
def test_image_files(case, tmp_path):
    path = write_image(case, tmp_path)
    for source in (path, path.read_bytes()):
        x = expect(case, lambda: to_mnist(source))
        if case.error is None:
            looks_like_reference(x)


@pytest.mark.parametrize("case", cases("sketch", "engine"), ids=repr)
def test_sketch_pads(case):
    x = expect(case, lambda: to_mnist(case.value()))
    if case.error is None:
        looks_like_reference(x)


@pytest.mark.parametrize("case", cases("gates", "engine"), ids=repr)
def test_gate_hyperparameters(case):
    expect(case, lambda: GateConfig.from_dict(case.value))


@pytest.mark.parametrize("case", cases("mnist", "engine"), ids=repr)
def test_mnist_hyperparameters(case):
    expect(case, lambda: MnistConfig.from_dict(case.value))


@pytest.mark.parametrize("case", cases("query", "engine"), ids=repr)
def test_url_queries(case):
    cfg = expect(case, lambda: GateConfig.from_query(case.value))
    if case.error is None:
        assert cfg == GateConfig()


@pytest.mark.parametrize("case", cases("checkpoint", "engine"), ids=repr)
def test_checkpoints(case, tmp_path, capfd):
    path = case.value(tmp_path)
    expect(case, lambda: load_model(path))
    assert "PICKLE WAS EXECUTED" not in capfd.readouterr().out


def test_good_checkpoint_loads(tmp_path):
    """The oracle for the rows above: the undamaged file loads."""
    model, cfg, meta = load_model(good_mnist_checkpoint(tmp_path))
    assert cfg.model == "logistic" and meta["version"] == 1


def test_truncated_gate_checkpoint(tmp_path):
    path = GateTrainer(GateConfig()).save(tmp_path / "g.safetensors")
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(NnplayError, match="truncated|corrupt|not a readable"):
        GateTrainer.from_checkpoint(path)


@pytest.mark.parametrize("case", cases("idx", "engine"), ids=repr)
def test_idx_data(case, tmp_path):
    folder = case.value(tmp_path / case.id, mnist_source())
    expect(case, lambda: load_mnist(folder))


# ---------------------------------------------------------------------------------------
# divergence: a message with a suggestion, and the last good weights kept
# ---------------------------------------------------------------------------------------
def test_gate_training_that_goes_nan_stops_and_keeps_good_weights():
    cfg = GateConfig(lr=10.0, optimizer="momentum", activation="linear", hidden=(16,) * 6)
    tr = GateTrainer(cfg)
    snap = tr.step(200)
    assert tr.diverged and re.search(r"diverged at epoch \d+: lower the learning rate", tr.diverged)
    assert snap.diverged == tr.diverged
    assert tr.epoch < 200  # it stopped
    assert all(torch.isfinite(p).all() for p in tr.model.parameters())
    assert all(np.isfinite(w).all() for w in snap.weights) and np.isfinite(snap.grid).all()
    assert np.isfinite(tr.curve["train_loss"]).all()
    before = tr.epoch
    tr.step(10)  # stays stopped instead of training on NaN
    assert tr.epoch == before
    tr.set_lr(0.01)  # lowering the rate clears the stop, so training can go on
    assert tr.diverged is None


def test_mnist_training_that_goes_nan_stops_and_keeps_good_weights():
    data = load_mnist(subset=512, test_subset=256)
    x = data.train_x.clone()
    x[300] = float("nan")  # one poisoned image: its batch's loss is NaN
    poisoned = MnistData(x, data.train_y, data.test_x, data.test_y, data.source)
    cfg = MnistConfig(model="logistic", epochs=1, batch_size=64, schedule="constant", lr=0.01, threads=1)
    tr = MnistTrainer(cfg, poisoned, every=1)
    events = []
    with pytest.raises(ConfigError, match="diverged.*lower the learning rate"):
        for ev in tr.run():
            events.append(ev)
    assert events and all(np.isfinite(e.first_layer).all() for e in events)
    assert torch.isfinite(first_layer(tr.model)).all()
    assert all(torch.isfinite(p).all() for p in tr.model.parameters())
