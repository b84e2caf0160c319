"""The Class tab's teacher-only parts: sign-in, what the view shows before it, CSV export and reset."""

from __future__ import annotations

import csv

import gradio as gr
import pytest

from nnplay.app.classroom import context as cx
from nnplay.app.classroom import handlers as h
from nnplay.classroom import ClassStore


@pytest.fixture()
def teacher_class(tmp_path):
    store = ClassStore.open(tmp_path / "c.db", "P3")
    store.record_gate("ada", "o1", {"gate": "XOR", "hidden": [4], "lr": 0.1, "activation": "tanh"},
                      solved=True, epochs=200, final_loss=0.01, solved_epoch=33)
    store.record_mnist("bob", "o2", {"model": "mlp", "lr": 0.002, "epochs": 1}, test_accuracy=0.93, seconds=3.0)
    cx.configure(store, ("teacher", "s3cret"))
    yield store
    cx.configure(None)
    store.close()


def test_the_view_waits_for_the_teacher(teacher_class):
    assert h.refresh(None, None, None, teacher_ok=False) == (gr.skip(),) * 6
    ok, view, tools, msg, _ = h.on_teacher_login("teacher", "wrong")
    assert ok is False and view.visible is False and "Wrong" in msg
    ok, view, tools, msg, _ = h.on_teacher_login("teacher", "s3cret")
    assert ok is True and view.visible is True and tools.visible is True
    seen, gate, heat, board, scatter, _ = h.refresh(None, None, None, teacher_ok=True)
    assert seen == [2, 2] and gate.value == "XOR"
    assert list(heat.data[0].x) == ["0.1"] and list(heat.data[0].y) == ["4"]
    assert board == [[1, "bob", "mlp", "93.00%", 3.0, 1, 2]]
    assert h.refresh(seen, "XOR", h.ALL, teacher_ok=True) == (gr.skip(),) * 6  # nothing new: no redraw


def test_export_and_reset(teacher_class):
    with pytest.raises(gr.Error):
        h.on_export(False)
    value = h.on_export(True).value
    path = value["path"] if isinstance(value, dict) else value  # gr.File keeps {"path": ...}
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    assert [(r["nickname"], r["kind"]) for r in rows] == [("ada", "gates"), ("bob", "mnist")]
    with pytest.raises(gr.Error, match="only the teacher"):
        h.on_reset(True, False)
    assert "Tick the box" in h.on_reset(False, True)[0] and teacher_class.count() == 2
    assert h.on_reset(True, True)[0] == "Class reset: 2 runs deleted." and teacher_class.count() == 0


def test_without_teacher_auth_the_view_is_everyone_s_and_there_is_no_reset(teacher_class):
    cx.configure(teacher_class, None)
    assert h.can_see(False) is True
    with pytest.raises(gr.Error, match="--teacher-auth"):
        h.on_reset(True, True)
