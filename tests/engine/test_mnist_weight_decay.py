"""Issue 17.6, MNIST side: AdamW has its own decoupled weight decay by default (it used to get
an explicit 0 and so train exactly like Adam), and every way of building a config keeps that."""

from __future__ import annotations

import json

import pytest
import torch

from nnplay.engine.checkpoint import meta_path
from nnplay.engine.choices import ADAMW_WEIGHT_DECAY
from nnplay.engine.errors import ConfigError
from nnplay.engine.mnist import MnistConfig, MnistTrainer, build_model, load_mnist, load_model, recommended, save_model


@pytest.fixture(scope="module")
def tiny():
    return load_mnist(subset=512, test_subset=200)


def _train(cfg: MnistConfig, data) -> MnistTrainer:
    tr = MnistTrainer(cfg, data, every=10**9, eval_every_epoch=False, final_eval=False)
    for _ in tr.run():
        pass
    return tr


def _weights(tr):
    return [p.detach().clone() for p in tr.model.parameters()]


def test_adamw_trains_differently_from_adam_with_the_same_seed(tiny):
    base = recommended("logistic", epochs=1, batch_size=64, threads=1, seed=5)
    adam = _train(base, tiny)
    adamw = _train(base.replace(optimizer="adamw"), tiny)
    assert adamw.optimizer.param_groups[0]["weight_decay"] == ADAMW_WEIGHT_DECAY == 0.01
    assert adam.optimizer.param_groups[0]["weight_decay"] == 0.0
    assert max((a - b).abs().max().item() for a, b in zip(_weights(adam), _weights(adamw))) > 1e-5
    assert adamw.history[-1].train_loss != adam.history[-1].train_loss
    # Oracles: the default is exactly an explicit 0.01, and with 0 AdamW is Adam again.
    explicit = _train(base.replace(optimizer="adamw", weight_decay=0.01), tiny)
    for a, b in zip(_weights(adamw), _weights(explicit)):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    off = _train(base.replace(optimizer="adamw", weight_decay=0.0), tiny)
    for a, b in zip(_weights(adam), _weights(off)):
        torch.testing.assert_close(a, b)


def test_none_means_the_optimizer_default_through_every_round_trip():
    cfg = MnistConfig(optimizer="adamw")
    assert cfg.weight_decay is None and cfg.weight_decay_used == 0.01
    assert cfg.resolved().weight_decay == 0.01 and MnistConfig().weight_decay_used == 0.0
    assert MnistConfig().replace(optimizer="adamw").weight_decay_used == 0.01  # a sweep over optimizers
    assert recommended("cnn", optimizer="adamw").weight_decay_used == 0.01      # the CLI's path
    assert MnistConfig(optimizer="adamw", weight_decay=0.0).weight_decay_used == 0.0  # off, when asked
    for c in (cfg, cfg.resolved(), MnistConfig(optimizer="sgd", weight_decay=0.001)):
        assert MnistConfig.from_dict(json.loads(json.dumps(c.to_dict()))) == c
        assert MnistConfig.from_query(c.to_query()) == c
        assert MnistConfig.from_query(c.to_query(only_changed=False)) == c
    assert "weight_decay" not in cfg.to_query()
    assert MnistConfig.from_query("optimizer=adamw&weight_decay=none").weight_decay is None
    assert MnistConfig.from_query("optimizer=adamw&weight_decay=").weight_decay is None
    with pytest.raises(ConfigError, match="weight decay"):
        MnistConfig(weight_decay=-0.1).validate()
    with pytest.raises(ConfigError, match="weight_decay must be a number"):
        MnistConfig.from_query("weight_decay=lots")


def test_checkpoints_keep_the_decay_used_and_old_files_still_load(tmp_path):
    cfg = recommended("logistic", optimizer="adamw")
    path = save_model(tmp_path / "m.safetensors", build_model("logistic"), cfg)
    saved = json.loads(meta_path(path).read_text())["config"]
    assert saved["weight_decay"] == 0.01
    _, loaded, _ = load_model(path)
    assert loaded == cfg.resolved() and loaded.weight_decay_used == 0.01
    # an older file: AdamW written with its explicit 0 (what it really trained with), or no field at all
    for old, used in ((0.0, 0.0), ("missing", 0.01)):
        meta = json.loads(meta_path(path).read_text())
        if old == "missing":
            del meta["config"]["weight_decay"]
        else:
            meta["config"]["weight_decay"] = old
        meta_path(path).write_text(json.dumps(meta))
        _, loaded, _ = load_model(path)
        assert loaded.weight_decay_used == used
