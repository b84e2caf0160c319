"""The MNIST models, from a single linear layer up to a small fast CNN.

Every model takes images as float32 (N, 1, 28, 28) in [0, 1] (1 = ink) and returns
logits (N, 10): raw scores, one per digit, which softmax turns into probabilities.
Each model standardises its input itself,

    x' = (x - 0.1307) / 0.3081          (the mean and std of all MNIST training pixels)

so callers (trainer, app, CLI, preprocessing) never have to remember to do it, and a
saved model cannot be fed the wrong scale. Centred, unit-scale inputs keep the first
layer's pre-activations in a sensible range, which makes training faster and steadier.

MODELS maps a name to a `ModelSpec`: its factory `f(hidden=(...), dropout=0.0) -> nn.Module`
(factories ignore the options that do not apply to them) and what the trainer needs to
know about it (`convolutional`: worth the channels_last memory layout). `build_model`
initialises the weights from a `torch.Generator` when given one, so concurrent
trainings in one process never share (or disturb) torch's global random state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from ..errors import ConfigError

MEAN, STD = 0.1307, 0.3081


class Dropout(nn.Module):
    """Dropout (zero each value with probability p in training, scale the rest by 1/(1-p))
    that draws its mask from `self.generator` when the trainer sets one, instead of
    torch's global random state. No parameters: checkpoints are unchanged."""

    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = float(p)
        self.generator: torch.Generator | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        keep = torch.empty_like(x).bernoulli_(1 - self.p, generator=self.generator)
        return x * keep * (1.0 / (1 - self.p))


class Normalize(nn.Module):
    """(x - mean) / std with MNIST's constants; no parameters, so nothing to save."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - MEAN) * (1.0 / STD)


def logistic(**_) -> nn.Module:
    """Multinomial logistic regression: logits = W x + b, W is (10, 784).
    Each row of W is a 28x28 "template" for one digit; ~92% test accuracy."""
    return nn.Sequential(Normalize(), nn.Flatten(), nn.Linear(784, 10))


def mlp(hidden: tuple[int, ...] = (300, 100), dropout: float = 0.0, **_) -> nn.Module:
    """Fully connected: 784 -> hidden[0] -> ... -> 10 with ReLU (and dropout) between.
    It sees the image as a flat vector of 784 numbers, so it does not know that
    neighbouring pixels are related; still ~98% with one or two hidden layers."""
    hidden = tuple(hidden) or (300,)
    if any(h < 1 for h in hidden):
        raise ConfigError(f"every hidden layer needs at least 1 unit, got {','.join(map(str, hidden))}")
    layers: list[nn.Module] = [Normalize(), nn.Flatten()]
    width = 784
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        if dropout > 0:
            layers.append(Dropout(dropout))
        width = h
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def _conv_block(c_in: int, c_out: int, bn_after_pool: bool = True) -> list[nn.Module]:
    # 3x3 convolution (padding 1 keeps H, W) -> 2x2 max pool (halves H, W) -> batch norm -> ReLU.
    # Batch norm standardises each channel over the batch, so a large learning rate
    # (and hence few epochs) stays stable; the conv needs no bias since BN adds one.
    #
    # Why this order: on a CPU, the element-wise passes over the (B, C, H, W) maps - batch
    # norm forward and backward, pooling, ReLU - cost more than the small convolutions
    # (torch.profiler, (16, 32, 64) channels: batch norm ~28% of a training step, pooling
    # ~18%, the convs ~26%). Normalising after the pool touches a quarter of the values:
    # a step takes ~0.7x the time, and one epoch reaches 99.17-99.27% on seeds 0-4 against
    # 99.09-99.19% for conv -> BN -> pool (docs/benchmarks.md). Keller Jordan's airbench
    # (CIFAR-10 speed records) uses the same conv -> pool -> norm -> activation order.
    # It is not the same function: BN's batch statistics are taken over the pooled maxima
    # instead of every position. Pooling before the ReLU, though, changes nothing: ReLU is
    # monotone, so max(relu(a), relu(b), ...) = relu(max(a, b, ...)), with the gradient
    # flowing to the same winning input, and the ReLU touches a quarter of the values.
    #
    # bn_after_pool=False is the classic conv -> BN -> pool -> ReLU, the layout of every
    # checkpoint saved before the switch (BN at index 1 of each block; now at 2).
    conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
    if bn_after_pool:
        return [conv, nn.MaxPool2d(2), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]
    return [conv, nn.BatchNorm2d(c_out), nn.MaxPool2d(2), nn.ReLU(inplace=True)]


class FastCNN(nn.Module):
    """The default: a small CNN built for speed on a laptop CPU.

        (N,1,28,28) -> conv3x3 c1, pool, BN, ReLU -> (N,c1,14,14)
                    -> conv3x3 c2, pool, BN, ReLU -> (N,c2,7,7)
                    -> conv3x3 c3, pool, BN, ReLU -> (N,c3,3,3)
                    -> flatten (c3*9) -> dropout -> linear -> (N,10)
                       (head > 0: -> linear (head) -> ReLU -> linear -> (N,10))

    Pooling early keeps the expensive layers on small maps: conv2 runs on 14x14 and
    conv3 on 7x7, so a forward pass costs ~2 million multiply-adds per image (the
    pytorch/examples net costs ~12 million) while still reaching >99% test accuracy.

    `head`: a hidden fully connected layer of that many units before the output. It adds
    capacity where it is cheapest on a CPU: (c3*9) x head multiply-adds per image (576 x 256
    = 0.15 million), a single matrix product on the batch, while wider conv blocks pay for
    their element-wise passes over big maps (batch norm, pooling, ReLU: most of a step).
    """

    def __init__(self, channels: tuple[int, int, int] = (16, 32, 64), dropout: float = 0.0, head: int = 0,
                 bn_after_pool: bool = True):
        super().__init__()
        c1, c2, c3 = channels
        self.norm = Normalize()
        self.features = nn.Sequential(*_conv_block(1, c1, bn_after_pool), *_conv_block(c1, c2, bn_after_pool),
                                      *_conv_block(c2, c3, bn_after_pool))
        self.drop = Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc = (nn.Sequential(nn.Linear(c3 * 9, head), nn.ReLU(inplace=True), nn.Linear(head, 10)) if head
                   else nn.Linear(c3 * 9, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.features(self.norm(x))          # (N, c3, 3, 3)
        return self.fc(self.drop(z.flatten(1)))  # (N, 10)


def cnn(dropout: float = 0.0, width: int = 16, head: int = 0, bn_after_pool: bool = True, **_) -> nn.Module:
    # width: the first block's channels, doubled in each later block (16 -> 16, 32, 64).
    # Twice as wide costs ~2x the time per image and learns a little more per image.
    return FastCNN(channels=(width, 2 * width, 4 * width), dropout=dropout, head=head, bn_after_pool=bn_after_pool)


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al., 1998), in its common modern form (ReLU, max pooling):

        (N,1,28,28) -> conv5x5 6 (pad 2) -> ReLU -> pool -> (N,6,14,14)
                    -> conv5x5 16        -> ReLU -> pool -> (N,16,5,5)
                    -> 400 -> 120 -> 84 -> 10
    """

    def __init__(self, dropout: float = 0.0):
        super().__init__()
        self.norm = Normalize()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool = nn.MaxPool2d(2)
        self.act = nn.ReLU()
        self.drop = Dropout(dropout) if dropout > 0 else nn.Identity()
        self.fc = nn.Sequential(nn.Linear(400, 120), nn.ReLU(), self.drop, nn.Linear(120, 84), nn.ReLU(),
                                nn.Linear(84, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.pool(self.act(self.conv1(self.norm(x))))  # (N, 6, 14, 14)
        z = self.pool(self.act(self.conv2(z)))              # (N, 16, 5, 5)
        return self.fc(z.flatten(1))


def lenet5(dropout: float = 0.0, **_) -> nn.Module:
    return LeNet5(dropout=dropout)


@dataclass(frozen=True)
class ModelSpec:
    factory: Callable[..., nn.Module]
    convolutional: bool  # conv layers first: the trainer stores images and weights channels_last

    def __call__(self, **options) -> nn.Module:
        """MODELS[name](hidden=..., dropout=...) builds one, as the factory does."""
        return self.factory(**options)


MODELS: dict[str, ModelSpec] = {
    "cnn": ModelSpec(cnn, convolutional=True),
    "mlp": ModelSpec(mlp, convolutional=False),
    "logistic": ModelSpec(logistic, convolutional=False),
    "lenet5": ModelSpec(lenet5, convolutional=True),
}


def is_convolutional(name: str) -> bool:
    return MODELS[name].convolutional


@torch.no_grad()
def init_weights(model: nn.Module, generator: torch.Generator) -> nn.Module:
    """PyTorch's default initialisation, drawn from `generator`:

        Linear, Conv2d: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))
                        (what kaiming_uniform_(a=sqrt(5)) gives; fan_in = inputs per unit)
        BatchNorm:      weight 1, bias 0, running mean 0, running variance 1
    """
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            fan_in = m.weight[0].numel()
            bound = 1.0 / math.sqrt(fan_in)
            m.weight.uniform_(-bound, bound, generator=generator)
            if m.bias is not None:
                m.bias.uniform_(-bound, bound, generator=generator)
        elif isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_parameters()
        elif any(True for _ in m.parameters(recurse=False)):
            raise TypeError(f"init_weights does not know how to initialise {type(m).__name__}")
    return model


def _materialise(model: nn.Module) -> None:
    """Give every meta-device parameter and buffer real, uninitialised CPU memory.
    (nn.Module.to_empty does the same, but goes through torch's symbolic-shape
    machinery, whose first use imports sympy: seconds of start-up for nothing.)"""
    for m in model.modules():
        for name, p in m._parameters.items():
            if p is not None:
                m._parameters[name] = nn.Parameter(torch.empty(p.shape, dtype=p.dtype), requires_grad=p.requires_grad)
        for name, b in m._buffers.items():
            if b is not None:
                m._buffers[name] = torch.empty(b.shape, dtype=b.dtype)


def build_model(name: str, hidden: tuple[int, ...] = (300, 100), dropout: float = 0.0,
                generator: torch.Generator | None = None, width: int = 16, head: int = 0,
                bn_after_pool: bool = True) -> nn.Module:
    """A fresh model by name (ConfigError for an unknown name). With `generator`, the
    layers are built on the meta device (no memory, no random numbers drawn) and then
    initialised from `generator` alone; without it, from torch's global generator."""
    key = str(name).strip().lower()
    if key not in MODELS:
        raise ConfigError(f"unknown model {name!r}; choose one of: {', '.join(MODELS)}")
    factory = MODELS[key].factory
    options = dict(hidden=tuple(hidden), dropout=float(dropout), width=int(width), head=int(head),
                   bn_after_pool=bool(bn_after_pool))
    if generator is None:
        return factory(**options)
    with torch.device("meta"):
        model = factory(**options)
    _materialise(model)
    for m in model.modules():
        if isinstance(m, Dropout):
            m.generator = generator
    return init_weights(model, generator)


def first_layer(model: nn.Module) -> torch.Tensor:
    """The first layer's weight, the thing worth watching while a model learns:
    logistic/mlp -> (units, 784) (reshape a row to 28x28 to see a template);
    cnn/lenet5 -> conv1's kernels (C, 1, k, k)."""
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            return m.weight
    raise ValueError("model has no linear or conv layer")


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
