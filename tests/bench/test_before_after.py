"""The before/after table: ratios to each round's reference epoch, in the report when the JSON exists."""

from __future__ import annotations

import json

from nnplay.bench.before_after import markdown
from nnplay.report import studies

ROUNDS = {"format": "nnplay-before-after", "rounds": [
    {"seed": 0, "load_average": [3.0, 2.0, 1.0], "reference_epoch_seconds": 30.0,
     "cnn_before": {"wall_seconds": 12.0, "test_accuracy": 0.9905, "train_seconds": 9.0},
     "cnn_after": {"wall_seconds": 6.0, "test_accuracy": 0.9911, "train_seconds": 4.0}},
    {"seed": 1, "load_average": [1.0, 1.0, 1.0],
     "cnn_after": {"wall_seconds": 6.3, "test_accuracy": 0.9902, "train_seconds": 4.1}}],
    "machine": {"cpu_model": "Test CPU", "nproc": 2, "torch": "2.x", "date_utc": "today",
                "load_average_at_start": [3.0, 2.0, 1.0], "load_average_at_end": [1.0, 1.0, 1.0]}}


def test_markdown_gives_ratios_to_the_rounds_reference():
    md = markdown(ROUNDS)
    lines = md.splitlines()
    assert lines[0] == "| seed | load (1 min) | reference epoch | cnn before | cnn after |"
    assert lines[2] == "| 0 | 3.0 | 30.0 s | 12.0 s, 0.40x, 99.05% | 6.0 s, 0.20x, 99.11% |"
    assert lines[3] == "| 1 | 1.0 | - | - | 6.3 s, 99.02% |"


def test_the_report_includes_it_when_present(tmp_path, monkeypatch):
    monkeypatch.setattr(studies, "REPO", tmp_path)
    assert studies.render_before_after() == ""
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "before-after.json").write_text(json.dumps(ROUNDS))
    text = studies.render_before_after()
    assert markdown(ROUNDS) in text and "Test CPU" in text
