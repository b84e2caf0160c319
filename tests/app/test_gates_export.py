"""The exported gate script reproduces the app's predictions for every activation x feature
set x optimizer in the engine (issue 15.5): it is generated from the engine's own tables,
so a new activation or feature that the generator cannot express fails here."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from nnplay.app.gates.export import activation_source, export_zip
from nnplay.engine.choices import ACTIVATIONS
from nnplay.engine.gates import FEATURES, GateConfig, GateTrainer
from nnplay.engine.gates.config import CHOICES

# Each feature alone, all of them together, and a 3-input gate (which adds x3).
FEATURE_SETS = [(f,) for f in FEATURES] + [tuple(FEATURES)]
CASES = [(act, feats, opt, "XOR") for act in ACTIVATIONS for feats in FEATURE_SETS for opt in CHOICES["optimizer"]]
CASES += [(act, ("x1", "x2"), "adam", "MAJORITY") for act in ACTIVATIONS]

DRIVER = """
import json, runpy, sys
out = {}
for folder in json.loads(sys.argv[1]):
    sys.path.insert(0, folder)
    mod = runpy.run_path(folder + "/predict_gate.py", run_name="exported")
    sys.path.pop(0)
    points = json.load(open(folder + "/points.json"))
    out[folder] = mod["predict"](points)
assert not any(m == "nnplay" or m.startswith("nnplay.") for m in sys.modules), "the script imported nnplay"
print(json.dumps(out))
"""


def test_every_activation_has_a_source_form():
    assert {name: activation_source(name) for name in ACTIVATIONS}["leaky_relu"] == "LeakyReLU(negative_slope=0.01)"


def test_the_exported_script_reproduces_the_apps_predictions_for_every_engine_choice(tmp_path):
    rng = np.random.default_rng(0)
    expected, folders = {}, []
    for i, (act, feats, opt, gate) in enumerate(CASES):
        tr = GateTrainer(GateConfig(gate=gate, activation=act, features=feats, optimizer=opt, hidden=(3, 2),
                                    lr=0.1, seed=i))
        tr.train(15)
        folder = tmp_path / f"case{i}"
        with zipfile.ZipFile(export_zip(tr, folder)) as z:
            z.extractall(folder / "x")
        points = rng.uniform(-0.5, 1.5, size=(25, tr.n_inputs)).astype(np.float32)
        (folder / "x" / "points.json").write_text(json.dumps(points.tolist()))
        folders.append(str(folder / "x"))
        expected[str(folder / "x")] = tr.predict_many(points)
    run = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(folders)], capture_output=True, text=True,
                         timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout)
    assert len(got) == len(CASES) == 6 * 8 * 5 + 6
    for (act, feats, opt, gate), folder in zip(CASES, folders):
        np.testing.assert_allclose(got[folder], expected[folder], atol=1e-6,
                                   err_msg=f"{act} {feats} {opt} {gate}")
