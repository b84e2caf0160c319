"""Export a trained gate network as a zip: weights (safetensors + JSON), config, and a
standalone PyTorch script that rebuilds the model, loads the weights and prints the
truth table. The script needs only torch and safetensors, not nnplay."""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path

from nnplay.engine.gates import GateTrainer, gate_label

SCRIPT = '''"""Rebuild the nnplay logic-gate network {arch} for {label} and print its truth table.

Needs only PyTorch and safetensors:  python predict_gate.py
Files beside this script: model.safetensors (the weights), config.json (the settings).
"""
import itertools
import json
import math
from pathlib import Path

import torch
from safetensors.torch import load_file

HERE = Path(__file__).resolve().parent
CONFIG = json.loads((HERE / "config.json").read_text())

# The input features the network sees, as functions of the raw inputs x (N, n_inputs).
FEATURES = {{
    "x1": lambda x: x[:, 0], "x2": lambda x: x[:, 1], "x3": lambda x: x[:, 2],
    "x1^2": lambda x: x[:, 0] ** 2, "x2^2": lambda x: x[:, 1] ** 2, "x1*x2": lambda x: x[:, 0] * x[:, 1],
    "sin(x1)": lambda x: torch.sin(x[:, 0]), "sin(x2)": lambda x: torch.sin(x[:, 1]),
}}
ACTIVATIONS = {{
    "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "linear": torch.nn.Identity,
    "leaky_relu": lambda: torch.nn.LeakyReLU(0.01), "gelu": torch.nn.GELU,
}}
FEATURE_NAMES = {features}
TABLE = "{table}"  # the gate's outputs for rows 00, 01, 10, 11 (x1 is the high bit)


class GateMLP(torch.nn.Module):
    """features -> [Linear -> activation] per hidden layer -> Linear -> one logit."""

    def __init__(self, n_features, hidden, activation):
        super().__init__()
        sizes = [n_features, *hidden, 1]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.act = ACTIVATIONS[activation]()

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        return self.layers[-1](x).squeeze(-1)


def main():
    model = GateMLP(len(FEATURE_NAMES), CONFIG["hidden"], CONFIG["activation"])
    model.load_state_dict(load_file(str(HERE / "model.safetensors")))
    model.eval()
    n_inputs = int(math.log2(len(TABLE)))
    rows = torch.tensor(list(itertools.product((0.0, 1.0), repeat=n_inputs)))
    feats = torch.stack([FEATURES[name](rows) for name in FEATURE_NAMES], dim=1)
    with torch.no_grad():
        probs = torch.sigmoid(model(feats))
    print("{label}: " + " ".join(f"x{{i + 1}}" for i in range(n_inputs)) + "  target  p(1)    answer")
    right = 0
    for row, target, p in zip(rows.tolist(), TABLE, probs.tolist()):
        answer = int(p >= 0.5)
        right += answer == int(target)
        mark = "ok" if answer == int(target) else "WRONG"
        print("   " + "   ".join(str(int(v)) for v in row) + f"    {{target}}     {{p:.4f}}  {{answer}}  {{mark}}")
    print(f"{{right}}/{{len(TABLE)}} rows right")


if __name__ == "__main__":
    main()
'''


def script_text(trainer: GateTrainer) -> str:
    from nnplay.engine.gates import describe

    return SCRIPT.format(arch=describe(len(trainer.feature_names), trainer.cfg.hidden),
                         label=gate_label(trainer.cfg.gate), features=repr(list(trainer.feature_names)),
                         table="".join(map(str, trainer.table)))


def weights_json(trainer: GateTrainer) -> dict:
    return {name: t.tolist() for name, t in trainer.state_dict().items()}


def export_zip(trainer: GateTrainer, folder: str | Path | None = None) -> Path:
    """Write gate_model.zip (in a fresh temporary folder by default) and return its path."""
    folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="nnplay-gates-"))
    work = folder / "files"
    trainer.save(work / "model.safetensors")  # model.safetensors + model.json (config, metrics)
    (work / "config.json").write_text(json.dumps(trainer.cfg.to_dict(), indent=2) + "\n")
    (work / "weights.json").write_text(json.dumps({
        "architecture": {"features": list(trainer.feature_names), "hidden": list(trainer.cfg.hidden),
                         "activation": trainer.cfg.activation, "output": "sigmoid(logit)"},
        "layout": "layers.{i}.weight is (out, in): y = x @ W.T + b", "tensors": weights_json(trainer),
        "epoch": trainer.epoch, "truth_table": trainer.truth_table()}, indent=2) + "\n")
    (work / "predict_gate.py").write_text(script_text(trainer))
    (work / "README.txt").write_text(
        f"nnplay logic-gate model: {gate_label(trainer.cfg.gate)}, epoch {trainer.epoch}.\n"
        "predict_gate.py rebuilds the network with PyTorch, loads model.safetensors and prints the truth table.\n"
        "weights.json holds the same weights as plain lists; config.json the settings; model.json the metrics.\n"
        f"Open the same settings in nnplay: ?{trainer.cfg.to_query()}\n")
    out = folder / "gate_model.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(work.iterdir()):
            z.write(f, f.name)
    return out
