"""The bad-input table (tests/bad_inputs.py) through the command line: every bad
input gives exit status 2 and `error: ...` lines that say what is wrong, never a
traceback; awkward-but-valid images are predicted.

Most rows call `nnplay.cli.main(argv)` in-process (an exception other than the
handled ones would escape and fail the test, just as it would print a traceback);
a few run the real `python -m nnplay` to check the whole path."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from bad_inputs import cases, good_mnist_checkpoint, mnist_source, write_image
from nnplay.cli import main


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    return good_mnist_checkpoint(tmp_path_factory.mktemp("ckpt"))


def cli(argv, capsys):
    """(exit status, stdout, stderr) of `nnplay argv...` run in this process."""
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as e:  # argparse usage errors
        rc = e.code
    out = capsys.readouterr()
    return rc, out.out, out.err


def check_error(case, rc, err, words=True):
    assert rc == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert lines and all(re.match(r"(\S+: )?error: ", ln) for ln in lines), err
    assert not words or re.search(case.words, err, re.I), err


def flags(settings: dict) -> list[str]:
    out = []
    for key, value in settings.items():
        out += ["--" + key.replace("_", "-"), value]
    return out


@pytest.mark.parametrize("case", cases("image", "cli"), ids=repr)
def test_predict_images(case, tmp_path, capsys, ckpt):
    path = write_image(case, tmp_path)
    rc, out, err = cli(["predict", "--checkpoint", ckpt, "--json", path], capsys)
    if case.error is not None:
        check_error(case, rc, err, words=False)  # with --json the reason is in the JSON
        entry = json.loads(out)["predictions"][0]
        assert re.search(case.words, entry["error"], re.I)
    else:
        assert rc == 0, err
        entry = json.loads(out)["predictions"][0]
        assert entry["digit"] in range(10) and sum(entry["probabilities"]) == pytest.approx(1, abs=1e-4)


def test_one_bad_image_does_not_stop_the_others(tmp_path, capsys, ckpt):
    good = write_image(cases("image", "cli")[-1], tmp_path)  # the huge photo
    bad = write_image(cases("image", "cli")[0], tmp_path)
    rc, out, err = cli(["predict", "--checkpoint", ckpt, "--json", bad, good], capsys)
    entries = json.loads(out)["predictions"]
    assert rc == 0 and "error" in entries[0] and "digit" in entries[1]


@pytest.mark.parametrize("case", cases("gates", "cli"), ids=repr)
def test_train_gates_settings(case, capsys):
    rc, out, err = cli(["train", "gates", *flags(case.value), "--epochs", "1"] if "epochs" not in case.value
                       else ["train", "gates", *flags(case.value)], capsys)
    check_error(case, rc, err)
    assert out == ""  # nothing was trained


@pytest.mark.parametrize("case", cases("mnist", "cli"), ids=repr)
def test_train_mnist_settings(case, capsys, tmp_path):
    rc, out, err = cli(["train", "mnist", *flags(case.value), "--out", tmp_path / "m.safetensors"], capsys)
    check_error(case, rc, err)
    assert not (tmp_path / "m.safetensors").exists()


@pytest.mark.parametrize("case", cases("checkpoint", "cli"), ids=repr)
def test_checkpoints(case, tmp_path, capfd, ckpt):
    image = write_image(cases("image", "cli")[-1], tmp_path)
    path = case.value(tmp_path)
    try:
        rc = main(["predict", "--checkpoint", str(path), str(image)])
    except SystemExit as e:
        rc = e.code
    captured = capfd.readouterr()
    check_error(case, rc, captured.err)
    assert "PICKLE WAS EXECUTED" not in captured.out + captured.err


@pytest.mark.parametrize("case", cases("idx", "cli"), ids=repr)
def test_eval_with_damaged_data(case, tmp_path, capsys, ckpt):
    folder = case.value(tmp_path / case.id, mnist_source())
    rc, out, err = cli(["eval", ckpt, "--data-dir", folder], capsys)
    check_error(case, rc, err)


def test_real_process_prints_one_error_and_no_traceback(tmp_path, ckpt):
    """The installed entry point, end to end (a separate Python, as a user runs it),
    on the decompression bomb: one refused file, one summary line, exit 2."""
    bomb = write_image(next(c for c in cases("image", "cli") if c.id == "img-decompression-bomb"), tmp_path)
    out = subprocess.run([sys.executable, "-m", "nnplay", "predict", "--checkpoint", str(ckpt), str(bomb)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert re.search(r"too large to open safely", out.stderr), out.stderr
    assert len(out.stderr.strip().splitlines()) == 2, out.stderr
