"""viz/gates/compare.py: pinned runs' curves overlaid and their boundaries side by side."""

from __future__ import annotations

import numpy as np

from nnplay.engine.gates import GateConfig, GateTrainer
from nnplay.viz.gates.compare import RUN_COLORS, compare_figure, compare_spec


def _run(cfg: GateConfig, epochs: int, label: str) -> tuple[dict, np.ndarray]:
    tr = GateTrainer(cfg, grid_size=12)
    tr.train(epochs)
    snap = tr.snapshot()
    return dict(label=label, curve=tr.curve, grid=snap.grid, x=tr.data.x_train, y=tr.data.y_train), tr.grid_axis


def test_each_run_gets_a_loss_and_accuracy_curve_and_its_own_boundary_panel():
    (a, axis), (b, _), (c, _) = (_run(GateConfig(), 40, "#1 defaults"), _run(GateConfig(hidden=()), 25, "#2 none"),
                                 _run(GateConfig(gate="AND", lr=0.3), 10, "#3 AND"))
    spec = compare_spec([a, b, c], axis)
    fig = compare_figure([a, b, c], axis)  # plotly accepts the spec
    lines = [t for t in spec["data"] if t["type"] == "scatter" and t.get("mode") == "lines"]
    assert [(t["name"], t["yaxis"]) for t in lines] == [("#1 defaults", "y"), ("#1 defaults", "y2"),
                                                        ("#2 none", "y"), ("#2 none", "y2"),
                                                        ("#3 AND", "y"), ("#3 AND", "y2")]
    assert [t["line"]["color"] for t in lines] == [c for c in RUN_COLORS[:3] for _ in range(2)]
    loss = {t["name"]: t for t in lines if t["yaxis"] == "y"}
    np.testing.assert_allclose(loss["#2 none"]["y"], np.float32(b["curve"]["train_loss"]))
    assert list(loss["#1 defaults"]["x"]) == list(range(41)) and list(loss["#3 AND"]["x"]) == list(range(11))
    heat = [t for t in spec["data"] if t["type"] == "heatmap"]
    assert [(t["xaxis"], t["yaxis"]) for t in heat] == [("x3", "y3"), ("x4", "y4"), ("x5", "y5")]
    for t, run in zip(heat, (a, b, c)):
        np.testing.assert_array_equal(t["z"], np.float32(run["grid"]))
    points = [t for t in spec["data"] if t.get("mode") == "markers"]
    assert [len(t["x"]) for t in points] == [4, 4, 4] and {t["xaxis"] for t in points} == {"x3", "x4", "x5"}
    domains = [fig.layout[f"xaxis{3 + i}"].domain for i in range(3)]
    assert all(d0[1] < d1[0] for d0, d1 in zip(domains, domains[1:]))  # side by side, no overlap
    assert fig.layout.yaxis.type == "log"
    ticks = list(fig.layout.yaxis.tickvals)
    losses = [v for r in (a, b, c) for v in r["curve"]["train_loss"]]
    assert len(ticks) >= 3 and min(losses) * 0.9 <= ticks[0] < ticks[-1] <= max(losses) * 1.1
    assert [a["text"] for a in spec["layout"]["annotations"]] == ["<b>#1</b>", "<b>#2</b>", "<b>#3</b>"]


def test_no_runs_gives_a_hint():
    spec = compare_spec([], [0.0, 1.0])
    assert spec["data"] == [] and "Pin a run" in spec["layout"]["annotations"][0]["text"]
