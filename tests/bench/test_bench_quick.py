"""`nnplay bench --quick` runs and reports every row (no timing is asserted: speed is
measured by the full `nnplay bench`, not by tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from nnplay.bench.runner import ROWS, markdown_table, plain_table


def test_quick_bench_reports_every_row(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "nnplay", "bench", "--quick", "--json", "--out", str(out)],
                          capture_output=True, text=True, timeout=900,  # a hang guard: busy machines are slow
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert done.returncode == 0, done.stderr[-3000:]
    printed = json.loads(done.stdout)               # --json: exactly one JSON object on stdout
    saved = json.loads(out.read_text())
    assert printed["rows"] == saved["rows"] and saved["quick"] is True
    rows = saved["rows"]
    assert list(rows) == list(ROWS)
    for key, row in rows.items():
        assert "error" not in row, f"row {key} failed: {row.get('result')}\n{row.get('error')}"
        assert row["row"] == key and row["result"] and row["title"]
        assert row["met"] in (True, False, None)

    m = saved["machine"]
    assert m["nproc"] >= 1 and m["cpu_model"] and m["torch"] and m["avx512_bf16"] in (True, False)
    assert all(len(r["load_average_after"]) == 3 for r in rows.values())
    # Values that must hold whatever the speed.
    assert 0.1 < rows["reference_epoch"]["test_accuracy"] <= 1.0 and rows["reference_epoch"]["train_examples"] == 1000
    assert rows["cnn_to_99"]["curve"] and rows["cnn_to_99"]["best_test_accuracy"] > 0.1
    for key in ("cnn_to_99", "mlp_to_98"):  # the command as a user runs it, timed exec to exit
        w = rows[key]["whole_process"]
        assert w["seeds"] == 1 and w["runs"][0]["wall_seconds"] > w["runs"][0]["train_seconds"] > 0
        assert 0.1 < w["worst_test_accuracy"] <= 1 and "whole process" in rows[key]["result"]
    assert rows["mlp_to_98"]["config"]["model"] == "mlp"
    assert rows["best_in_budget"]["config"]["augment"] is True and 0 < rows["best_in_budget"]["best_test_accuracy"] <= 1
    assert 0 < rows["best_in_budget"]["final_test_accuracy"] <= rows["best_in_budget"]["best_test_accuracy"]
    assert rows["gates_xor_seeds"]["seeds"] == 20 and 0 <= rows["gates_xor_seeds"]["solved"] <= 20
    assert 0 < rows["gates_frame_cpu"]["p50_ms"] and rows["gates_frame_cpu"]["p50_ms"] <= rows["gates_frame_cpu"]["p95_ms"]
    assert rows["gates_frame_cpu"]["large"]["network"] == "2-[16,16,16,16,16,16]-1"
    for key, pages in (("gates_browser_fps", 1), ("gates_four_pages", 4)):  # Chromium drew frames in every page
        if rows[key]["met"] is not None:
            assert len(rows[key]["pages"]) == pages and rows[key]["min_frames_per_s"] > 0
    assert rows["predict_drawing"]["predicted"] == rows["predict_drawing"]["label"]  # the bundled model reads the drawn digit
    assert rows["app_cold_start"]["rss_mb_after_mnist"] >= rows["app_cold_start"]["rss_mb_at_start"] > 0
    ddp = rows["ddp_ranks_vs_threads"]
    assert ddp["two_ranks_one_thread"]["world_size"] == 2 and ddp["one_rank_two_threads"]["world_size"] == 1
    assert ddp["one_rank_two_threads"]["threads_per_rank"] == 2 and ddp["two_ranks_one_thread"]["threads_per_rank"] == 1
    assert ddp["two_ranks_one_thread"]["max_rank_weight_diff"] == 0.0
    assert ddp["winner"] in ("2 ranks x 1 thread", "1 rank x 2 threads")

    assert len(rows["cnn_levers"]["variants"]) == 5 and rows["cnn_levers"]["variants"][0]["lever"].startswith("default")
    assert all(v["train_seconds"] > 0 for v in rows["cnn_levers"]["variants"])
    if rows["mnist_click"]["met"] is not None:  # Chromium drew the first point and tiles of a quick run
        assert len(rows["mnist_click"]["clicks"]) == 1 and 0 < rows["mnist_click"]["worst_ms"] < 60_000
    omp = rows["omp_wait"]["variants"]  # 3 waiting policies, as is and beside 2 busy processes
    assert len(omp) == 6 and {v["busy_neighbours"] for v in omp} == {0, 2}
    assert all(v["wall_seconds"] > v["train_seconds"] > 0 for v in omp)

    # The table renderers list every row.
    text, md = plain_table(saved), markdown_table(saved)
    for key in ROWS:
        assert f"\n{key} " in text and f"| {key} |" in md
