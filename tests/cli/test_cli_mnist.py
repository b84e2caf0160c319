"""`nnplay train mnist`, `nnplay eval`, `nnplay predict` run as real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from nnplay.cli import main
from nnplay.engine.mnist import load_mnist


def nnplay(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "nnplay", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.parametrize("cmd", [["train", "mnist"], ["eval"], ["predict"]])
def test_help(cmd, capsys):
    with pytest.raises(SystemExit) as e:
        main([*cmd, "--help"])
    assert e.value.code == 0 and "--json" in capsys.readouterr().out


def test_bundled_model_scores_99_on_full_test_set():
    out = nnplay("eval", "--json")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["test_accuracy"] >= 0.99
    assert len(res["per_class_accuracy"]) == 10 and min(res["per_class_accuracy"]) > 0.97
    cm = np.array(res["confusion_matrix"])
    assert cm.shape == (10, 10) and cm.sum() == 10000
    assert np.trace(cm) / 10000 == pytest.approx(res["test_accuracy"])


def test_train_small_then_eval_and_human_output(tmp_path, capsys):
    ckpt = tmp_path / "m.safetensors"
    out = nnplay("train", "mnist", "--model", "mlp", "--hidden", "64", "--subset", "2000", "--epochs", "2",
                 "--out", ckpt, "--json")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)  # exactly one JSON object on stdout
    assert set(res) >= {"test_accuracy", "train_accuracy", "epochs", "seconds", "checkpoint"}
    assert res["test_accuracy"] > 0.8 and res["epochs"] == 2 and ckpt.exists() and ckpt.with_suffix(".json").exists()

    capsys.readouterr()
    assert main(["eval", str(ckpt)]) == 0  # in-process: the human table
    out = capsys.readouterr().out
    assert "digit" in out and "confusion matrix" in out and f"{res['test_accuracy']:.2%}" in out
    assert main(["train", "mnist", "--model", "logistic", "--subset", "500", "--epochs", "1", "--threads", "1",
                 "--out", str(tmp_path / "l.safetensors")]) == 0
    out = capsys.readouterr().out
    assert "epoch 1/1: test accuracy" in out and "saved" in out


@pytest.mark.parametrize("args,match", [
    (["train", "mnist", "--lr", "0"], "learning rate"),
    (["train", "mnist", "--lr", "nan"], "learning rate"),
    (["train", "mnist", "--model", "mlp", "--hidden", "0"], "hidden"),
    (["train", "mnist", "--data-dir", "/nonexistent/mnist"], "MNIST not found"),
    (["eval", "/nonexistent/x.safetensors"], "not found"),
])
def test_errors_are_one_line(args, match, monkeypatch, capsys):
    monkeypatch.setenv("NNPLAY_OFFLINE", "1")  # never try the network from tests
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and match in err and err.count("\n") == 1


def test_predict_good_and_bad_files(tmp_path):
    d = load_mnist(test_subset=3)
    files = []
    for i in range(3):  # dark ink on white paper, larger than 28x28, as a user would have
        x = d.test_x[i, 0].numpy()
        img = Image.fromarray((255 * (1 - x)).astype(np.uint8)).resize((112, 112))
        path = tmp_path / f"digit{i}.png"
        img.save(path)
        files.append(path)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"this is not a png")
    blank = tmp_path / "blank.png"
    Image.new("RGB", (50, 50), "white").save(blank)
    out = nnplay("predict", files[0], bad, files[1], blank, files[2], "--json")
    assert out.returncode == 0, out.stderr
    preds = json.loads(out.stdout)["predictions"]
    assert [p["file"] for p in preds] == [str(f) for f in (files[0], bad, files[1], blank, files[2])]
    assert [p["digit"] for p in (preds[0], preds[2], preds[4])] == d.test_y[:3].tolist()
    assert all(len(p["probabilities"]) == 10 and abs(sum(p["probabilities"]) - 1) < 1e-4
               for p in (preds[0], preds[2], preds[4]))
    assert "error" in preds[1] and "digit" not in preds[1]
    assert "no ink found" in preds[3]["error"]
    human = nnplay("predict", files[0])
    assert human.returncode == 0 and human.stdout.startswith(f"{files[0]}: {int(d.test_y[0])}")
    only_bad = nnplay("predict", bad, blank, "--json")
    assert only_bad.returncode != 0 and len(json.loads(only_bad.stdout)["predictions"]) == 2
    assert only_bad.stderr.startswith("error: ")


def test_adamw_gets_its_own_weight_decay_unless_one_is_given():
    from nnplay.cli import build_parser
    from nnplay.cli.train_mnist import build_config

    def cfg(*flags):
        return build_config(build_parser().parse_args(["train", "mnist", *flags]))

    assert cfg("--optimizer", "adamw").weight_decay_used == 0.01
    assert cfg("--optimizer", "adam").weight_decay_used == 0.0 and cfg().weight_decay_used == 0.0
    assert cfg("--optimizer", "adamw", "--weight-decay", "0").weight_decay_used == 0.0
    assert cfg("--optimizer", "sgd", "--weight-decay", "1e-4").weight_decay_used == 1e-4


def test_a_quick_exit_still_flushes_the_printed_result_and_the_checkpoint(tmp_path):
    """`nnplay train` leaves through os._exit (nnplay.cli.quick_exit) to skip ~0.3 s of
    interpreter tear-down. Oracle: with stdout a pipe (block-buffered), the human lines
    still arrive, the exit status is 0, and the checkpoint loads with the printed accuracy."""
    from nnplay.engine.mnist.io import load_model
    from nnplay.engine.mnist.trainer import accuracy

    ckpt = tmp_path / "q.safetensors"
    out = nnplay("train", "mnist", "--model", "logistic", "--subset", "500", "--epochs", "1", "--out", ckpt)
    assert out.returncode == 0, out.stderr
    assert "epoch 1/1: test accuracy" in out.stdout and f"saved {ckpt}" in out.stdout
    model, _, meta = load_model(ckpt)
    data = load_mnist()
    assert accuracy(model, data.test_pixels, data.test_y) == meta["metrics"]["test_accuracy"]
    assert f"{meta['metrics']['test_accuracy']:.2%}" in out.stdout


def test_only_commands_with_nothing_to_shut_down_skip_the_teardown():
    from nnplay.cli import build_parser

    parse = build_parser().parse_args
    assert parse(["train", "mnist"]).quick_exit and parse(["train", "gates"]).quick_exit
    assert parse(["eval"]).quick_exit
    # the app's server, predict's image libraries and a sweep's Ray workers exit the normal way
    assert not getattr(parse(["app"]), "quick_exit", False)
    assert not getattr(parse(["predict", "x.png"]), "quick_exit", False)
