"""`nnplay train mnist` loads only what training needs: no gradio, plotly, scipy, sympy
(torch._dynamo's) or safetensors until the checkpoint is written."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("gradio", "plotly", "scipy", "safetensors", "sympy", "torch._dynamo", "pandas", "matplotlib")

PROBE = """
import json, sys
import nnplay.engine.mnist.io as io
from nnplay.cli import main

seen = {}
real_save = io.save_model

def save_model(*a, **kw):  # what is loaded when training is over, just before the checkpoint
    seen.update({m: m in sys.modules for m in HEAVY})
    return real_save(*a, **kw)

io.save_model = save_model
code = main(["train", "mnist", "--model", "cnn", "--subset", "256", "--epochs", "1", "--batch-size", "64",
             "--out", sys.argv[1], "--json"])
print(json.dumps({"code": code, "before_save": seen}))
"""


def test_training_imports_nothing_heavy(tmp_path):
    code = f"HEAVY = {HEAVY!r}\n" + PROBE
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "m")], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [json.loads(ln) for ln in out.stdout.splitlines() if ln.startswith("{")]
    result = lines[-1]
    assert result["code"] == 0 and result["before_save"], out.stdout
    loaded = [m for m, yes in result["before_save"].items() if yes]
    assert loaded == [], f"imported before the checkpoint was written: {loaded}"
    assert (tmp_path / "m.safetensors").exists()
