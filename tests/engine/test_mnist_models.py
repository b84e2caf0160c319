"""MNIST models: shapes, parameter counts worked out by hand, first layers, config checks."""

from __future__ import annotations

import pytest
import torch

from nnplay.engine.errors import ConfigError
from nnplay.engine.mnist import MODELS, MnistConfig, build_model, count_parameters, first_layer, recommended
from nnplay.engine.mnist.models import Dropout

# Parameter counts from the layer sizes (weights + biases):
#   logistic: 784*10 + 10
#   mlp 300,100: 784*300+300 + 300*100+100 + 100*10+10
#   cnn: conv 1->16, 16->32, 32->64 (3x3, no bias) + BN (2 per channel) + fc 64*3*3 -> 10
#   lenet5: conv 1->6 5x5 +6, conv 6->16 5x5 +16, fc 400->120->84->10
EXPECTED = {
    "logistic": 7850,
    "mlp": 266610,
    "cnn": 16 * 9 + 32 * 16 * 9 + 64 * 32 * 9 + 2 * (16 + 32 + 64) + 576 * 10 + 10,
    "lenet5": 6 * 25 + 6 + 16 * 6 * 25 + 16 + 400 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10,
}
FIRST = {"logistic": (10, 784), "mlp": (300, 784), "cnn": (16, 1, 3, 3), "lenet5": (6, 1, 5, 5)}


@pytest.mark.parametrize("name", list(MODELS))
def test_shapes_counts_first_layer(name):
    torch.manual_seed(0)
    model = build_model(name, hidden=(300, 100))
    model.eval()
    out = model(torch.rand(3, 1, 28, 28))
    assert out.shape == (3, 10) and torch.isfinite(out).all()
    assert count_parameters(model) == EXPECTED[name]
    assert tuple(first_layer(model).shape) == FIRST[name]


def test_mlp_hidden_sizes_and_dropout():
    m = build_model("mlp", hidden=(512, 256), dropout=0.2)
    assert count_parameters(m) == 784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10
    drops = [x for x in m.modules() if isinstance(x, Dropout)]
    assert len(drops) == 2 and all(d.p == 0.2 for d in drops)
    d = Dropout(0.25)
    d.generator = torch.Generator().manual_seed(0)
    x = torch.ones(100_000)
    y = d(x)  # training mode: about a quarter zeroed, the rest scaled by 1/(1-p)
    assert abs(float((y == 0).float().mean()) - 0.25) < 0.01 and torch.allclose(y[y != 0], torch.tensor(1 / 0.75))
    d.generator = torch.Generator().manual_seed(0)
    assert torch.equal(d(x), y)  # the masks come from its generator
    assert torch.equal(d.eval()(x), x)
    assert count_parameters(build_model("mlp", hidden=(300,))) == 784 * 300 + 300 + 3010


def test_models_normalise_inside():
    """A constant image at the MNIST mean is a zero input to the first linear layer."""
    m = build_model("logistic")
    with torch.no_grad():
        out = m(torch.full((1, 1, 28, 28), 0.1307))
    torch.testing.assert_close(out[0], m[2].bias, atol=1e-5, rtol=0)


@pytest.mark.parametrize("bad", [
    {"model": "resnet"}, {"lr": 0.0}, {"lr": -1.0}, {"lr": float("nan")}, {"hidden": (0,)},
    {"hidden": (10,) * 100, "model": "mlp"}, {"optimizer": "lbfgs"}, {"schedule": "cosine"},
    {"batch_size": 0}, {"epochs": 0}, {"dropout": 1.5},
])
def test_bad_config_is_config_error(bad):
    with pytest.raises(ConfigError):
        MnistConfig.from_dict({"model": "mlp", **bad})


def test_recommended_recipes_are_valid_and_roundtrip():
    for name in MODELS:
        cfg = recommended(name)
        assert cfg.model == name
        assert MnistConfig.from_dict(cfg.to_dict()) == cfg
        assert MnistConfig.from_query(cfg.to_query()) == cfg
    assert recommended("cnn") == MnistConfig(label_smoothing=0.1)  # the defaults + label smoothing: the CNN recipe


def test_cnn_pools_before_relu_with_the_same_numbers_as_relu_then_pool():
    """The classic blocks (bn_after_pool=False, old checkpoints) run conv, BN, max-pool, ReLU
    (the ReLU then touches a quarter of the values). Oracle: the textbook order conv, BN, ReLU,
    max-pool with the same modules gives bit-identical outputs and gradients, since ReLU is monotone."""
    from torch import nn

    torch.manual_seed(0)
    model = build_model("cnn", generator=torch.Generator().manual_seed(3), bn_after_pool=False)
    kinds = [type(m) for m in model.features]
    assert kinds[:4] == [nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d, nn.ReLU]
    textbook = nn.Sequential(*[model.features[i + j] for i in range(0, len(model.features), 4) for j in (0, 1, 3, 2)])
    x = torch.rand(16, 1, 28, 28)

    def run(features):
        model.zero_grad()
        z = features(model.norm(x))
        out = model.fc(z.flatten(1))
        out.square().sum().backward()
        return out.detach(), [p.grad.clone() for p in model.parameters()]

    ours, g_ours = run(model.features)
    ref, g_ref = run(textbook)
    assert torch.equal(ours, ref)
    assert all(torch.equal(a, b) for a, b in zip(g_ours, g_ref))


def test_cnn_width_sets_the_channels_and_travels_with_the_config(tmp_path):
    """--width 32 doubles every conv block of the CNN (32, 64, 128 channels); the field
    round-trips through the config dict and a checkpoint, and applies to the CNN only."""
    from torch import nn

    from nnplay.engine.mnist.config import applies
    from nnplay.engine.mnist.io import load_model, save_model

    convs = [m for m in build_model("cnn", width=32).modules() if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [32, 64, 128]
    cfg = recommended("cnn", width=32)
    assert MnistConfig.from_dict(cfg.to_dict()) == cfg and MnistConfig().width == 16
    assert applies("cnn", "width") and not applies("mlp", "width") and not applies("lenet5", "width")
    with pytest.raises(ConfigError, match="width"):
        MnistConfig(width=1000).validate()
    model = build_model("cnn", width=32, generator=torch.Generator().manual_seed(0))
    path = save_model(tmp_path / "wide.safetensors", model, cfg, {"test_accuracy": 0.5})
    loaded, loaded_cfg, _ = load_model(path)
    assert loaded_cfg.width == 32
    assert [m.out_channels for m in loaded.modules() if isinstance(m, nn.Conv2d)] == [32, 64, 128]


def test_cnn_head_adds_a_hidden_layer_and_travels_with_the_config(tmp_path):
    """--head 256: features (64*9) -> 256 -> ReLU -> 10 instead of features -> 10; the
    parameter count grows by exactly the two layers' weights and biases; the field
    round-trips through dict, URL, CLI and a checkpoint (weights included) and is CNN-only."""
    from torch import nn

    from nnplay.cli import build_parser
    from nnplay.cli.train_mnist import build_config
    from nnplay.engine.mnist.config import applies
    from nnplay.engine.mnist.io import load_model, save_model
    from nnplay.engine.mnist.models import count_parameters

    plain, headed = build_model("cnn"), build_model("cnn", head=256, generator=torch.Generator().manual_seed(0))
    assert isinstance(plain.fc, nn.Linear)  # the default is unchanged: old checkpoints load
    assert count_parameters(headed) - count_parameters(plain) == (576 * 256 + 256 + 256 * 10 + 10) - (576 * 10 + 10)
    assert headed(torch.rand(3, 1, 28, 28)).shape == (3, 10)
    cfg = recommended("cnn", head=256)
    assert MnistConfig.from_dict(cfg.to_dict()) == cfg == MnistConfig.from_query(cfg.to_query())
    assert build_config(build_parser().parse_args(["train", "mnist", "--head", "256"])) == cfg
    assert applies("cnn", "head") and not applies("mlp", "head") and MnistConfig().head == 0
    with pytest.raises(ConfigError, match="head"):
        MnistConfig(head=-1).validate()
    path = save_model(tmp_path / "head.safetensors", headed, cfg, {"test_accuracy": 0.5})
    loaded, loaded_cfg, _ = load_model(path)
    assert loaded_cfg.head == 256
    x = torch.rand(2, 1, 28, 28)
    headed.eval()
    torch.testing.assert_close(loaded(x), headed(x))


def test_cnn_blocks_normalise_after_the_pool(tmp_path):
    """Default blocks: conv -> max-pool -> BN -> ReLU, so batch norm's statistics are those of
    the pooled maps. Oracle: after one training-mode forward, BN's running mean moved by
    momentum 0.1 towards the per-channel mean of maxpool(conv(x)) computed by hand."""
    from torch import nn
    import torch.nn.functional as F

    model = build_model("cnn", generator=torch.Generator().manual_seed(3))
    assert [type(m) for m in model.features[:4]] == [nn.Conv2d, nn.MaxPool2d, nn.BatchNorm2d, nn.ReLU]
    assert MnistConfig().bn_after_pool and recommended("cnn").bn_after_pool
    x = torch.rand(32, 1, 28, 28)
    model.train()
    with torch.no_grad():
        pooled = F.max_pool2d(model.features[0](model.norm(x)), 2)   # (32, 16, 14, 14)
        model(x)
    expected = 0.1 * pooled.mean(dim=(0, 2, 3))
    assert torch.allclose(model.features[2].running_mean, expected, atol=1e-6)


def test_checkpoints_saved_without_the_field_load_in_the_old_block_order(tmp_path):
    """A checkpoint whose config predates `bn_after_pool` (every one made before it, like the
    bundled CNN) rebuilds conv -> BN -> pool and gives the saved model's exact outputs; a new
    one keeps its field through the save."""
    import json

    from torch import nn

    from nnplay.engine.mnist.io import load_model, load_pretrained, save_model

    bundled, bundled_cfg, _ = load_pretrained()
    assert bundled_cfg.bn_after_pool is False
    assert [type(m) for m in bundled.features[:4]] == [nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d, nn.ReLU]
    old = build_model("cnn", generator=torch.Generator().manual_seed(1), bn_after_pool=False).eval()
    path = save_model(tmp_path / "old.safetensors", old, MnistConfig(bn_after_pool=False))
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    del meta["config"]["bn_after_pool"]                      # as written before the field existed
    meta_path.write_text(json.dumps(meta))
    loaded, cfg, _ = load_model(path)
    x = torch.rand(8, 1, 28, 28)
    assert cfg.bn_after_pool is False and torch.allclose(loaded(x), old(x), atol=1e-5)  # (channels_last: rounding)
    new = build_model("cnn", generator=torch.Generator().manual_seed(1)).eval()
    loaded_new, cfg_new, _ = load_model(save_model(tmp_path / "new.safetensors", new, MnistConfig()))
    assert cfg_new.bn_after_pool is True and torch.allclose(loaded_new(x), new(x), atol=1e-5)
