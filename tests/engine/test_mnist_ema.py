"""Weight averaging (engine/mnist/averaging.py, MnistConfig.ema): the EMA against sums written
out by hand, the trainer's average against a replay of its own steps, and the config field
through dict, URL, CLI and checkpoints."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from nnplay.engine.checkpoint import meta_path
from nnplay.engine.errors import ConfigError
from nnplay.engine.mnist import MnistConfig, MnistTrainer, build_model, load_mnist, load_model, recommended, save_model
from nnplay.engine.mnist.averaging import WeightEma


def test_ema_of_known_tensors_matches_the_formula():
    model, shadow = nn.Linear(2, 1, bias=False), nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(1.0)
    ema = WeightEma(model, shadow, decay=0.5)
    assert torch.equal(shadow.weight, model.weight)  # starts at the weights it averages
    expected = 1.0
    for t, w in enumerate([3.0, -1.0, 7.0, 2.0]):
        with torch.no_grad():
            model.weight.fill_(w)
        d = min(0.5, (1 + t) / (10 + t))  # warm-up: 0.1, 0.18, 0.25, 0.31, then capped at 0.5
        assert ema.decay_now() == pytest.approx(d)
        ema.update()
        expected = d * expected + (1 - d) * w
        torch.testing.assert_close(shadow.weight, torch.full((1, 2), expected), rtol=0, atol=1e-6)
    assert not shadow.weight.requires_grad
    # written out: 1 -> .1*1 + .9*3 = 2.8 -> (2*2.8 - 9)/11 = -0.30909 -> .25*(-0.30909) + .75*7 = 5.17273
    # -> (4*5.17273 + 9*2)/13 = 2.97622
    assert expected == pytest.approx(2.97622, abs=1e-5)


def test_ema_averages_batch_norm_statistics_and_copies_counts():
    model, shadow = nn.BatchNorm1d(3), nn.BatchNorm1d(3)
    ema = WeightEma(model, shadow, decay=0.9)
    model.train()
    model(torch.randn(8, 3) * 4 + 2)  # moves running_mean towards 2, counts one batch
    ema.update()  # t = 0: d = 0.1
    torch.testing.assert_close(shadow.running_mean, 0.1 * torch.zeros(3) + 0.9 * model.running_mean)
    torch.testing.assert_close(shadow.running_var, 0.1 * torch.ones(3) + 0.9 * model.running_var)
    assert int(shadow.num_batches_tracked) == int(model.num_batches_tracked) == 1
    with pytest.raises(ValueError, match="decay"):
        WeightEma(model, shadow, decay=1.0)


@pytest.mark.parametrize("model", ["logistic", "cnn"])
def test_trainer_ema_is_the_average_of_its_own_steps(model):
    """Replay: record the weights (and BN buffers) after every optimizer step of an EMA run,
    average them by the formula, and compare with what the trainer kept and scored."""
    data = load_mnist(subset=256, test_subset=200)
    cfg = recommended(model, epochs=1, batch_size=32, threads=1, ema=0.9, seed=3)
    tr = MnistTrainer(cfg, data, every=10**9)
    seen = []
    step = tr.optimizer.step

    def recording_step():
        step()
        seen.append({k: v.detach().clone() for k, v in tr.model.state_dict().items()})

    tr.optimizer.step = recording_step
    start = {k: v.detach().clone() for k, v in tr.model.state_dict().items()}
    events = list(tr.run())
    assert len(seen) == tr.step_count == 8
    avg = {k: v.double() for k, v in start.items() if v.is_floating_point()}
    for t, weights in enumerate(seen):
        d = min(0.9, (1 + t) / (10 + t))
        avg = {k: d * a + (1 - d) * weights[k].double() for k, a in avg.items()}
    final = tr.model.state_dict()  # the run leaves the averaged weights in the model
    for k, a in avg.items():
        torch.testing.assert_close(final[k].double(), a, rtol=1e-5, atol=1e-6)
    assert not torch.equal(final[next(iter(avg))], seen[-1][next(iter(avg))])  # not just the last step
    from nnplay.engine.mnist.trainer import accuracy

    assert events[-1].test_acc == accuracy(tr.model, data.test_pixels, data.test_y, channels_last=tr.channels_last)


def test_ema_setting_round_trips_through_dict_url_cli_and_checkpoint(tmp_path):
    from nnplay.cli import build_parser
    from nnplay.cli.train_mnist import build_config

    cfg = recommended("cnn", ema=0.999, augment=True)
    assert MnistConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg
    assert MnistConfig.from_query(cfg.to_query()) == cfg and "ema=0.999" in cfg.to_query()
    assert MnistConfig().ema == 0.0 and "ema" not in MnistConfig().to_query()
    parsed = build_config(build_parser().parse_args(["train", "mnist", "--ema", "0.999", "--augment"]))
    assert parsed == cfg
    path = save_model(tmp_path / "m.safetensors", build_model("cnn"), cfg)
    assert json.loads(meta_path(path).read_text())["config"]["ema"] == 0.999
    assert load_model(path)[1] == cfg.resolved()
    with pytest.raises(ConfigError, match="EMA decay"):
        MnistConfig(ema=1.0).validate()


def test_an_ema_run_leaves_torch_global_random_state_alone():
    """The trainer draws only from its own generators, the EMA's shadow model included."""
    data = load_mnist().subset(256, 256)
    before = torch.random.get_rng_state()
    cfg = MnistConfig(model="cnn", epochs=1, batch_size=64, ema=0.99, threads=1)
    for _ in MnistTrainer(cfg, data, every=2, eval_every_epoch=False, final_eval=False).run():
        pass
    assert torch.equal(torch.random.get_rng_state(), before)
