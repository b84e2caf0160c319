"""`nnplay train gates` through a real subprocess: JSON, the human table, checkpoints, bad input."""

import json
import subprocess
import sys

import pytest

from nnplay.cli import build_parser
from nnplay.engine.gates import GateConfig, GateTrainer


def nnplay(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "nnplay", "train", "gates", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_json_output_is_one_object_with_the_contract_keys():
    out = nnplay("--gate", "XOR", "--hidden", "4,4", "--activation", "tanh", "--optimizer", "adam",
                 "--lr", "0.03", "--epochs", "150", "--seed", "2", "--json")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    r = json.loads(lines[0])
    assert {"train_accuracy", "test_accuracy", "loss", "epochs", "seconds", "truth_table"} <= set(r)
    assert r["epochs"] == 150 and r["train_accuracy"] == 1.0 and r["seconds"] > 0
    assert [row["inputs"] for row in r["truth_table"]] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert [row["target"] for row in r["truth_table"]] == [0, 1, 1, 0]
    assert [int(row["probability"] > 0.5) for row in r["truth_table"]] == [0, 1, 1, 0]
    # the same run in-process gives the same probabilities (deterministic for a seed)
    tr = GateTrainer(GateConfig(seed=2))
    tr.train(150)
    for row, ref in zip(r["truth_table"], tr.truth_table()):
        assert row["probability"] == pytest.approx(ref["probability"], abs=1e-6)


def test_no_hidden_layer_cannot_solve_xor_and_the_human_table(tmp_path):
    out = nnplay("--gate", "xor", "--hidden", "none", "--epochs", "100", "--out", str(tmp_path / "g"))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "XOR (0110): network 2-[]-1" in text and "trained 100 epochs" in text and "not solved" in text
    rows = [line.split() for line in text.splitlines() if line[:2].strip() in ("0", "1")]
    assert [r[:3] for r in rows] == [["0", "0", "0"], ["0", "1", "1"], ["1", "0", "1"], ["1", "1", "0"]]
    assert "WRONG" in text
    acc = float(text.split("train accuracy ")[1].split("%")[0])
    assert acc <= 75.0
    back = GateTrainer.from_checkpoint(tmp_path / "g.safetensors")
    assert back.cfg.hidden == () and back.epoch == 100


def test_three_input_gate_and_extra_flags(capsys):
    from nnplay.cli import main

    rc = main(["train", "gates", "--gate", "00010111", "--sampling", "noisy", "--n-points", "10", "--noise", "0.1",
               "--train-ratio", "0.5", "--features", "x1,x2,x1*x2", "--batch-size", "8",
               "--regularization", "l2", "--reg-rate", "0.0001", "--epochs", "20", "--json"])
    assert rc == 0
    r = json.loads(capsys.readouterr().out)
    assert len(r["truth_table"]) == 8 and r["truth_table"][3] == {**r["truth_table"][3], "inputs": [0, 1, 1]}
    assert r["config"]["features"] == ["x1", "x2", "x1*x2"] and r["config"]["n_points"] == 10


def test_parser_flags_come_from_the_config_and_tables():
    args = build_parser().parse_args(["train", "gates", "--activation", "RELU", "--n-points", "5"])
    assert args.activation == "relu" and args.n_points == "5" and args.gate is None
    from nnplay.cli.train_gates import build_config

    cfg = build_config(args)
    assert cfg == GateConfig(activation="relu", n_points=5)


BAD = {
    "unknown gate": (["--gate", "FOO"], "unknown gate 'FOO'"),
    "bad table": (["--gate", "01x0"], "only the digits 0 and 1"),
    "lr 0": (["--lr", "0"], "learning rate"),
    "lr negative": (["--lr", "-1"], "learning rate"),
    "lr nan": (["--lr", "nan"], "learning rate"),
    "0 neurons": (["--hidden", "0"], "layer 1 has 0"),
    "100 layers": (["--hidden", ",".join(["4"] * 100)], "at most 6 hidden layers"),
}


@pytest.fixture(scope="module")
def bad_runs():
    """Start every bad-input run at once (each is mostly a torch import), then collect them."""
    procs = {k: subprocess.Popen([sys.executable, "-m", "nnplay", "train", "gates", *flags, "--epochs", "5"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k, (flags, _) in BAD.items()}
    return {k: (p, *p.communicate(timeout=180)) for k, p in procs.items()}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_error_line(bad_runs, case):
    proc, stdout, stderr = bad_runs[case]
    assert proc.returncode == 2
    assert "Traceback" not in stderr and stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and BAD[case][1] in lines[0], stderr


def test_divergence_is_reported_in_json_and_threads_are_restored(capsys):
    import torch

    from nnplay.cli import main

    before = torch.get_num_threads()
    rc = main(["train", "gates", "--lr", "10", "--optimizer", "sgd", "--activation", "linear",
               "--hidden", "8,8", "--epochs", "50", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0 and torch.get_num_threads() == before
    r = json.loads(out)
    assert r["diverged"].startswith(f"diverged at epoch {r['epochs'] + 1}: lower the learning rate")
    assert r["epochs"] < 50 and "warning: diverged" in err
