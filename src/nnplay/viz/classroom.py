"""Figures of the class view (inputs: nnplay.classroom's plain dicts).

    crowd_heatmap(summary)   the class's gate runs as a sweep heatmap (viz.sweeps.heatmap_figure)
    class_scatter(board)     MNIST runs: test accuracy vs training seconds, one colour per model;
                             each point's customdata is its run id, for "click a point to open it"
"""

from __future__ import annotations

import plotly.graph_objects as go

from .sweeps import PALETTE, _layout, heatmap_figure

MODEL_COLORS = {"logistic": PALETTE[0], "mlp": PALETTE[1], "cnn": PALETTE[2], "lenet5": PALETTE[3]}


def crowd_heatmap(summary: dict, *, height: int = 360) -> go.Figure:
    """Success rate per (learning rate, hidden layers) cell over every student's run;
    blank where nobody has run that cell yet. Hover names the students."""
    fig = heatmap_figure(summary, "success_rate", height=height)
    gate = summary.get("gate") or "no gate runs yet"
    act = f", {summary['activation']}" if summary.get("activation") else ""
    runs = summary.get("runs", 0)
    fig.update_layout(title=dict(text=f"{gate}{act}: share of the class's runs solved ({runs} runs)"))
    counts = [["" for _ in summary["axes"][0]["values"]] for _ in summary["axes"][1]["values"]]
    for cell in summary["cells"]:
        i, j = cell["index"]
        r = cell["result"]
        counts[j][i] = f"{r['n_solved']} of {r['seeds']} solved: {', '.join(r.get('students', []))[:120]}"
    fig.data[0].customdata = counts
    fig.data[0].hovertemplate = "lr=%{x}<br>hidden=%{y}<br>%{customdata}<extra></extra>"
    return fig


def class_scatter(board: list[dict], *, height: int = 360) -> go.Figure:
    """One marker per MNIST run; x = seconds of training, y = test accuracy."""
    fig = go.Figure(layout=_layout(height, showlegend=True, legend=dict(orientation="h", y=-0.2),
                                   margin=dict(l=60, r=16, t=36, b=60)))
    models = sorted({b["model"] for b in board}, key=lambda m: list(MODEL_COLORS).index(m)
                    if m in MODEL_COLORS else 99)
    for model in models:
        rows = [b for b in board if b["model"] == model and b["test_accuracy"] is not None]
        fig.add_trace(go.Scatter(
            x=[b["seconds"] for b in rows], y=[b["test_accuracy"] for b in rows], mode="markers", name=model,
            customdata=[str(b["id"]) for b in rows], text=[b["nickname"] for b in rows],
            marker=dict(size=11, color=MODEL_COLORS.get(model, PALETTE[5]), line=dict(color="white", width=1)),
            hovertemplate="%{text}: %{y:.2%} in %{x:.1f} s<br>click to open its curves<extra>" + model + "</extra>"))
    fig.update_layout(title=dict(text="MNIST runs: test accuracy vs training seconds", x=0.01, font=dict(size=14)),
                      xaxis=dict(title=dict(text="seconds"), rangemode="tozero", showgrid=True, gridcolor="#eef2f7"),
                      yaxis=dict(title=dict(text="test accuracy"), tickformat=".0%", showgrid=True,
                                 gridcolor="#eef2f7", autorangeoptions=dict(maxallowed=1.005)))
    return fig
