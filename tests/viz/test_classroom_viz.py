"""The class view's figures: the crowd-sourced heatmap and the accuracy-vs-seconds scatter."""

import numpy as np

from nnplay.classroom import crowd_sweep, leaderboard
from nnplay.viz.classroom import class_scatter, crowd_heatmap


def gate(nick, lr, hidden, solved, epoch=None):
    return {"kind": "gates", "nickname": nick, "gate": "XOR", "activation": "tanh", "lr": lr, "hidden": hidden,
            "solved": solved, "solved_epoch": epoch, "final_loss": 0.1}


def test_crowd_heatmap_cells_are_the_class_success_rates():
    runs = [gate("a", 0.1, "2", True, 30), gate("b", 0.1, "2", False), gate("c", 0.01, "4-4", True, 80)]
    fig = crowd_heatmap(crowd_sweep(runs))
    z = np.asarray(fig.data[0].z, dtype=float)
    assert list(fig.data[0].x) == ["0.01", "0.1"] and list(fig.data[0].y) == ["2", "4-4"]
    assert z[0, 1] == 0.5 and z[1, 0] == 1.0 and np.isnan(z[0, 0]) and np.isnan(z[1, 1])
    assert "1 of 2 solved: a, b" in fig.data[0].customdata[0][1]
    assert "3 runs" in fig.layout.title.text


def test_scatter_one_trace_per_model_with_run_ids():
    runs = [{"kind": "mnist", "id": i, "nickname": n, "model": m, "test_accuracy": a, "seconds": s, "epochs": 1,
             "lr": 0.01, "config": {}} for i, n, m, a, s in
            [(1, "a", "cnn", 0.98, 7.0), (2, "b", "logistic", 0.9, 2.0), (3, "c", "cnn", 0.97, 6.0)]]
    fig = class_scatter(leaderboard(runs))
    assert [t.name for t in fig.data] == ["logistic", "cnn"]
    cnn = fig.data[1]
    assert list(cnn.customdata) == ["1", "3"] and list(cnn.y) == [0.98, 0.97] and list(cnn.x) == [7.0, 6.0]
