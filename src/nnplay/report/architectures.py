"""Section "Architectures": every model's layers, parameter count and multiply-adds per input.

The numbers are measured from the modules themselves, not written down: the models are
built by the engine's own factories (GateMLP, MnistConfig.build_model), the parameters are
counted from `model.parameters()`, and the multiply-adds come from one forward pass of a
single input with a forward hook on every Linear and Conv2d layer:

    Linear  (in -> out)                 in * out multiply-adds per input
    Conv2d  (C_in -> C_out, k x k)      H_out * W_out * C_out * (C_in / groups) * k * k

Batch norm, activations, pooling and the bias additions are left out (they are additions
or comparisons, a small share of the work), as is usual when quoting "MACs".
"""

from __future__ import annotations

import torch
from torch import nn

from nnplay.engine.gates import GateConfig, GateMLP, feature_names
from nnplay.engine.mnist import recommended

from .common import table


def count_macs(model: nn.Module, example: torch.Tensor) -> int:
    """Multiply-adds of one forward pass of `example` (a batch of one), via forward hooks."""
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Linear):
            total += module.in_features * module.out_features
        elif isinstance(module, nn.Conv2d):
            per_output = (module.in_channels // module.groups) * module.kernel_size[0] * module.kernel_size[1]
            total += output[0].numel() * per_output  # output[0]: (C_out, H_out, W_out)

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(example)
    finally:
        for h in handles:
            h.remove()
        model.train(was)
    return total


def layer_summary(model: nn.Module) -> str:
    """'Conv2d 1→16 3×3, BatchNorm2d, ReLU, MaxPool2d, ...' from the leaf modules."""
    parts = []
    for m in model.modules():
        if list(m.children()):
            continue
        name = type(m).__name__
        if isinstance(m, nn.Linear):
            parts.append(f"Linear {m.in_features}→{m.out_features}")
        elif isinstance(m, nn.Conv2d):
            k = "×".join(map(str, m.kernel_size))
            parts.append(f"Conv2d {m.in_channels}→{m.out_channels} {k}")
        elif name in ("Normalize", "Flatten", "Identity"):
            continue
        else:
            parts.append(name)
    # squeeze runs: "ReLU, ReLU" never happens in these nets, but keep the text short anyway
    return ", ".join(parts)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def gate_row(cfg: GateConfig, label: str) -> dict:
    names = feature_names(cfg.features, cfg.n_inputs)
    model = GateMLP(len(names), cfg.hidden, cfg.activation, torch.Generator().manual_seed(0))
    sizes = [len(names), *cfg.hidden, 1]
    act = f"{cfg.activation} hidden, " if cfg.hidden else ""
    layers = " → ".join(str(s) for s in sizes) + f" ({act}sigmoid output)"
    return {"model": label, "layers": layers, "parameters": n_params(model),
            "macs": count_macs(model, torch.zeros(1, len(names)))}


def mnist_row(name: str) -> dict:
    cfg = recommended(name)
    model = cfg.build_model()
    label = {"logistic": "MNIST logistic regression", "mlp": f"MNIST MLP {','.join(map(str, cfg.hidden))}",
             "cnn": "MNIST fast CNN (default)", "lenet5": "MNIST LeNet-5"}[name]
    return {"model": label, "key": name, "layers": layer_summary(model), "parameters": n_params(model),
            "macs": count_macs(model, torch.zeros(1, 1, 28, 28))}


def gate_models() -> list[tuple[str, GateConfig]]:
    """The gate networks the report trains (the lab's default and the 3-input variant)."""
    base = GateConfig()
    return [("gate MLP, 2 inputs (default)", base),
            ("gate MLP, 3 inputs (XOR3, MAJORITY)", base.replace(gate="XOR3")),
            ("gate net, no hidden layer (XOR lesson)", base.replace(hidden=())),
            ("gate MLP, 2 hidden units (XOR lesson)", base.replace(hidden=(2,)))]


def run(ctx) -> dict:
    rows = [gate_row(cfg, label) for label, cfg in gate_models()]
    rows += [mnist_row(name) for name in ("logistic", "mlp", "cnn", "lenet5")]
    return {"rows": rows}


def render(data: dict) -> str:
    body = table(["model", "layers", "parameters", "multiply-adds per input"],
                 [[r["model"], r["layers"], r["parameters"], r["macs"]] for r in data["rows"]], align="llrr")
    return (
        "## 1. Architectures\n\n"
        "Every model below is built by the engine's own factories; parameters are counted from the module "
        "and multiply-adds (MACs) measured with a forward hook on every Linear and Conv2d layer during one "
        "forward pass of a single input (batch norm, activations, pooling and bias additions not counted). "
        "All MNIST models take a (1, 28, 28) image in [0, 1] and standardise it inside "
        "((x − 0.1307) / 0.3081); all gate networks output one logit whose sigmoid is P(output = 1).\n\n"
        + body + "\n")
