"""LeanOptimizer: bit for bit the torch.optim class of the same name, without torch._dynamo."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from nnplay.engine.choices import OPTIMIZERS, make_optimizer
from nnplay.engine.errors import ConfigError
from nnplay.engine.mnist.models import build_model
from nnplay.engine.mnist.optim import LeanOptimizer


def _train(make, steps=6):
    model = build_model("cnn", generator=torch.Generator().manual_seed(1))
    gen = torch.Generator().manual_seed(2)
    x, y = torch.rand(32, 1, 28, 28, generator=gen), torch.randint(0, 10, (32,), generator=gen)
    opt = make(model.parameters())
    for i in range(steps):
        opt.param_groups[0]["lr"] *= 0.9  # a schedule writes the rate here between steps
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model.state_dict()


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("wd", [0.0, 0.01])
def test_same_weights_as_the_torch_optim_class(name, wd):
    lr = 1.0 if name == "adadelta" else 0.01
    ours = _train(lambda p: LeanOptimizer(name, p, lr, wd))
    theirs = _train(lambda p: make_optimizer(name, p, lr, wd))
    for k in theirs:
        assert torch.equal(ours[k], theirs[k]), (name, k)


def test_unknown_name_is_a_config_error():
    with pytest.raises(ConfigError, match="adam"):
        LeanOptimizer("adamx", [torch.zeros(1, requires_grad=True)], 0.1)


def test_steps_without_importing_dynamo():
    code = ("import sys, torch; from nnplay.engine.mnist.optim import LeanOptimizer\n"
            "for n in ('sgd','momentum','adam','adamw','rmsprop','adadelta'):\n"
            "    w = torch.zeros(3, requires_grad=True); o = LeanOptimizer(n, [w], 0.1)\n"
            "    (w - 1).pow(2).sum().backward(); o.step(); o.zero_grad()\n"
            "print('torch._dynamo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
