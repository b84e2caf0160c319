"""MNIST checkpoints, evaluation, probabilities and saliency."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch

from nnplay.engine.checkpoint import meta_path
from nnplay.engine.errors import CheckpointError
from nnplay.engine.mnist import (build_model, evaluate, load_mnist, load_model, load_pretrained, predict_probs,
                                 pretrained_path, recommended, saliency, save_model)


@pytest.fixture(scope="module")
def test_set():
    d = load_mnist(test_subset=500)
    return d.test_x, d.test_y


def _model(name="cnn", seed=0):
    torch.manual_seed(seed)
    m = build_model(name)
    m.eval()
    return m


def test_round_trip_same_predictions(tmp_path, test_set):
    x, _ = test_set
    cfg = recommended("mlp", hidden=(64, 32))
    torch.manual_seed(1)
    model = build_model("mlp", (64, 32)).eval()
    path = save_model(tmp_path / "m.safetensors", model, cfg, {"test_accuracy": 0.5})
    loaded, cfg2, meta = load_model(path)
    assert cfg2 == cfg.resolved() and meta["metrics"]["test_accuracy"] == 0.5 and meta["kind"] == "mnist"
    torch.testing.assert_close(loaded(x[:50]), model(x[:50]))
    assert not list(tmp_path.glob("*.tmp"))  # atomic write leaves no temporary files


def test_cnn_round_trip_keeps_batchnorm_statistics(tmp_path, test_set):
    x, _ = test_set
    model = _model("cnn")
    model.train()
    with torch.no_grad():
        model(x[:64])  # update running mean/var
    model.eval()
    path = save_model(tmp_path / "c.safetensors", model, recommended("cnn"))
    loaded = load_model(path)[0]
    torch.testing.assert_close(loaded(x[:20]), model(x[:20]))


def test_corrupt_mismatched_pickle_newer(tmp_path):
    good = save_model(tmp_path / "g.safetensors", _model("logistic"), recommended("logistic"))
    # truncated weights
    bad = tmp_path / "t.safetensors"
    bad.write_bytes(good.read_bytes()[:50])
    meta_path(bad).write_text(meta_path(good).read_text())
    with pytest.raises(CheckpointError, match="t.safetensors"):
        load_model(bad)
    # a pickle renamed to .safetensors
    pk = tmp_path / "p.safetensors"
    pk.write_bytes(pickle.dumps({"w": [1, 2, 3]}))
    meta_path(pk).write_text(meta_path(good).read_text())
    with pytest.raises(CheckpointError, match="pickle"):
        load_model(pk)
    # weights of one architecture with the config of another
    meta = json.loads(meta_path(good).read_text())
    meta["config"]["model"] = "cnn"
    meta_path(good).write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="do not fit"):
        load_model(good)
    # a newer format version
    meta["config"]["model"] = "logistic"
    meta["version"] = 99
    meta_path(good).write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="newer"):
        load_model(good)
    # a gates checkpoint is not an MNIST model
    meta["version"], meta["kind"] = 1, "gates"
    meta_path(good).write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="not an MNIST"):
        load_model(good)
    with pytest.raises(CheckpointError, match="not found"):
        load_model(tmp_path / "missing.safetensors")


def test_evaluate_against_numpy_oracle(test_set):
    x, y = test_set
    model = _model("cnn", seed=3)
    res = evaluate(model, x, y)
    with torch.no_grad():
        logits = model(x).numpy()
    pred = logits.argmax(1)
    yn = y.numpy()
    assert res.test_accuracy == pytest.approx((pred == yn).mean())
    np.testing.assert_array_equal(res.predictions, pred)
    assert res.confusion.sum() == len(yn) and np.trace(res.confusion) == (pred == yn).sum()
    for t in range(10):
        for p in range(10):
            assert res.confusion[t, p] == np.sum((yn == t) & (pred == p))
    np.testing.assert_allclose(res.probabilities.sum(1), 1.0, atol=1e-5)
    conf = res.probabilities[res.mistakes, res.predictions[res.mistakes]]
    assert np.all(np.diff(conf) <= 1e-7) and np.all(res.predictions[res.mistakes] != yn[res.mistakes])
    d = res.to_dict()
    assert len(d["per_class_accuracy"]) == 10 and np.array(d["confusion_matrix"]).shape == (10, 10)


def test_pretrained_predicts_and_saliency(test_set):
    x, y = test_set
    assert pretrained_path().name == "mnist_cnn.safetensors" and pretrained_path().stat().st_size < 2_000_000
    model, cfg, meta = load_pretrained()
    assert load_pretrained()[0] is model  # cached
    assert cfg.model == "cnn" and meta["metrics"]["test_accuracy"] >= 0.99
    p1 = predict_probs(model, x[0, 0].numpy())
    assert p1.shape == (10,) and p1.sum() == pytest.approx(1.0, abs=1e-5) and p1.argmax() == int(y[0])
    pn = predict_probs(model, x[:8, 0].numpy())
    assert pn.shape == (8, 10)
    np.testing.assert_allclose(pn[0], p1, atol=1e-5)
    sal = saliency(model, x[0, 0].numpy(), int(y[0]))
    assert sal.shape == (28, 28) and sal.dtype == np.float32
    assert np.all(sal[x[0, 0].numpy() == 0] == 0)  # gradient x input is 0 where there is no ink
    assert np.abs(sal).sum() > 0
    assert not model.training
