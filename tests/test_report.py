"""`nnplay report --quick` builds a complete REPORT.md with valid figures and real numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from nnplay.cli import main
from nnplay.report import HEADINGS
from nnplay.report.architectures import count_macs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert main(["report", "--quick", "--out", str(out)]) == 0
    text = (out / "REPORT.md").read_text(encoding="utf-8")
    keys = json.loads((out / "docs" / "report" / "report.json").read_text(encoding="utf-8"))
    return out, text, keys


def test_every_section_in_order(report):
    _, text, _ = report
    positions = [text.find(h + "\n") if h + "\n" in text else text.find(h) for h in HEADINGS]
    assert all(p >= 0 for p in positions), [h for h, p in zip(HEADINGS, positions) if p < 0]
    assert positions == sorted(positions)
    for sub in ("### 2.1 Logic gates", "### 2.2 MNIST", "### 4.1 Logic gates", "### 4.2 MNIST",
                "### 4.3 First-layer weights", "### 4.4 Hyperparameter study", "### 4.5 Comparison with LeCun",
                "### 4.6 Benchmark"):
        assert sub in text
    assert "Quick run" in text  # a quick report says so


def _table(text: str, header_start: str) -> list[list[str]]:
    """The rows of the markdown table whose header line starts with `header_start`."""
    lines = text.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith(header_start))
    assert set(lines[i + 1].replace("|", "").replace(" ", "")) <= set("-:")
    rows = []
    for line in lines[i + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def test_architecture_table_counts_match_hand_computation(report):
    _, text, _ = report
    rows = {r[0]: r for r in _table(text, "| model | layers | parameters | multiply-adds")}
    # logistic: W (10, 784) + b (10); one multiply-add per weight
    assert rows["MNIST logistic regression"][2:] == ["7,850", "7,840"]
    # MLP 784-300-100-10
    assert rows["MNIST MLP 300,100"][3] == f"{784 * 300 + 300 * 100 + 100 * 10:,}"
    # fast CNN: three 3x3 convs on 28, 14, 7 px maps (16, 32, 64 channels) + linear 576 -> 10
    cnn_macs = 28 * 28 * 16 * 9 + 14 * 14 * 32 * 16 * 9 + 7 * 7 * 64 * 32 * 9 + 576 * 10
    assert rows["MNIST fast CNN (default)"][3] == f"{cnn_macs:,}"
    # default gate net 2-4-4-1: (2+1)*4 + (4+1)*4 + (4+1)*1 parameters
    assert rows["gate MLP, 2 inputs (default)"][2] == str(3 * 4 + 5 * 4 + 5)


def test_count_macs_of_a_small_conv_net():
    import torch
    from torch import nn

    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    assert count_macs(net, torch.zeros(1, 1, 6, 6)) == 4 * 4 * 2 * 9 + 32 * 3


def test_numbers_come_from_the_run(report):
    _, text, keys = report
    # MNIST: every model's accuracy in the results table is the one the run measured
    acc = {r[0]: r[1] for r in _table(text, "| model | test accuracy | train accuracy")}
    for name, label in (("logistic", "logistic regression"), ("mlp", "MLP 300-100"), ("cnn", "fast CNN"),
                        ("lenet5", "LeNet-5")):
        measured = keys["mnist"][name]["test_accuracy"]
        assert acc[label] == f"{100 * measured:.2f}%"
        assert 0.3 < measured <= 1.0  # trained, not chance (0.1), even on the quick subset
    # gates: XOR's truth table shows probabilities on the right side of 0.5
    gates = {r[0]: r for r in _table(text, "| run | network | features |")}
    probs = dict(re.findall(r"(\d\d)→([0-9.]+)", gates["XOR"][-1]))
    assert float(probs["01"]) > 0.5 and float(probs["10"]) > 0.5
    assert float(probs["00"]) < 0.5 and float(probs["11"]) < 0.5
    assert keys["gates"]["XOR"]["train_acc"] == 1.0
    # the hyperparameter study has one row per cell of the grid
    assert len(_table(text, "| lr | hidden | seeds solved")) == len(keys["sweep_gates"]) == 4
    assert len(_table(text, "| peak lr | hidden | test accuracy")) == len(keys["sweep_mnist"]) == 4
    lecun = _table(text, "| architecture | LeCun 1998 error %")
    assert [r[1] for r in lecun] == ["12", "4.7", "4.5", "3.05", "2.95", "0.95"]
    assert all(re.fullmatch(r"\d+(\.\d+)?", r[2]) for r in lecun)  # nnplay's errors were measured
    assert f"{keys['machine']['nproc']} cores" in text


def test_figures_exist_and_are_images(report):
    out, text, _ = report
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) >= 15
    pngs = set()
    for link in links:
        path = out / link
        assert path.is_file(), link
        with Image.open(path) as im:
            im.verify()
        with Image.open(path) as im:
            assert im.format == "PNG" and im.width >= 300 and im.height >= 150
            # not blank: a rendered figure has many colours
            assert len(im.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 20
        pngs.add(path.name)
    assert pngs == {p.name for p in (out / "docs" / "report").glob("*.png")}  # no orphan figures
