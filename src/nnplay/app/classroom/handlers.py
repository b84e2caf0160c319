"""Handlers of the class view and of the nickname bar (layout and wiring in tab.py)."""

from __future__ import annotations

import hmac
import tempfile
from pathlib import Path

import gradio as gr

from nnplay.app import gradio_compat
from nnplay.classroom import crowd_sweep, gate_filters, leaderboard, to_csv
from nnplay.engine.errors import NnplayError
from nnplay.viz.classroom import class_scatter, crowd_heatmap
from nnplay.viz.mnist.inspect import training_curves

from . import context as cx

ALL = "all activations"
BOARD_COLUMNS = ["#", "nickname", "model", "test accuracy", "seconds", "epochs", "run id"]


def _store():
    if cx.CLASS is None:
        raise gr.Error("class mode is off: start the app with nnplay app --class NAME")
    return cx.CLASS.store


# ------------------------------------------------------------------ nickname
def who_text(nick: str | None) -> str:
    name = cx.CLASS.store.class_name if cx.CLASS else ""
    if not nick:
        return f"**Class {name}:** choose a nickname so your runs appear in the class view."
    return f"You are **{nick}** in class **{name}**. Your finished runs go to the *Class* tab."


def on_load(stored: dict | None):
    """Page load: rejoin with the nickname this browser chose before, if any."""
    stored = dict(stored or {})
    if not stored.get("nickname"):
        return gr.skip(), who_text(None), gr.skip()
    try:
        nick, owner = cx.join(stored["nickname"], stored.get("owner"))
    except NnplayError:
        return gr.skip(), who_text(None), gr.skip()
    return nick, who_text(nick), {"nickname": nick, "owner": owner}


def on_join(nickname: str, stored: dict | None):
    try:
        nick, owner = cx.join(nickname, (stored or {}).get("owner"))
    except NnplayError as e:
        raise gr.Error(str(e)) from None
    return who_text(nick), {"nickname": nick, "owner": owner}


def api_join(nickname: str, owner: str | None = None) -> dict:
    """gradio_client: join this client's session to the class; returns {nickname, owner, class}."""
    nick, owner = on_join(nickname, {"owner": owner})[1].values()
    return {"nickname": nick, "owner": owner, "class": _store().class_name}


# ------------------------------------------------------------------ teacher
def on_teacher_login(user: str, password: str):
    teacher = cx.CLASS.teacher if cx.CLASS else None
    ok = teacher is not None and hmac.compare_digest(f"{user}:{password}", f"{teacher[0]}:{teacher[1]}")
    msg = "Signed in as the teacher." if ok else "Wrong user name or password."
    return ok, gr.Column(visible=ok), gr.Column(visible=ok), msg, None


def can_see(teacher_ok: bool) -> bool:
    return cx.CLASS is not None and (cx.CLASS.teacher is None or bool(teacher_ok))


# ------------------------------------------------------------------ the view
def refresh(seen, gate: str | None, activation: str | None, teacher_ok: bool, force: bool = False):
    """Timer tick: redraw only when runs were added or deleted since `seen` (or when forced)."""
    keys = ("seen", "gate", "heat", "board", "scatter", "mine")
    if not can_see(teacher_ok):
        return (gr.skip(),) * len(keys)
    store = _store()
    version = list(store.version())
    if not force and seen == version:
        return (gr.skip(),) * len(keys)
    runs = store.list_runs()
    gates, _ = gate_filters(runs)
    gate = gate if gate in gates else (gates[0] if gates else None)
    summary = crowd_sweep(runs, gate, None if activation in (None, ALL) else activation)
    board = leaderboard(runs)
    rows = [[b["rank"], b["nickname"], b["model"], f"{100 * (b['test_accuracy'] or 0):.2f}%",
             round(b["seconds"] or 0, 1), b["epochs"], b["id"]] for b in board]
    return (version, gr.Dropdown(choices=gates, value=gate), crowd_heatmap(summary), rows,
            class_scatter(board).to_json(), my_runs(runs))


def on_filter(gate, activation, teacher_ok):
    return refresh(None, gate, activation, teacher_ok, force=True)


def my_runs(runs: list[dict]):
    who = cx.identity()
    owner = who[1] if who else None
    mine = [r for r in runs if owner and r["owner"] == owner]
    choices = [(_label(r), str(r["id"])) for r in reversed(mine)]
    return gr.Dropdown(choices=choices, value=choices[0][1] if choices else None)


def _label(r: dict) -> str:
    if r["kind"] == "gates":
        verdict = f"solved at epoch {r['solved_epoch']}" if r["solved"] else "not solved"
        return f"#{r['id']} {r['gate']} hidden {r['hidden']}, lr {r['lr']:g}: {verdict}"
    acc = f"{100 * r['test_accuracy']:.2f}%" if r.get("test_accuracy") is not None else "-"
    return f"#{r['id']} MNIST {r['model']}: {acc} in {r['seconds']:.1f} s"


def open_run(run_id, teacher_ok: bool):
    """A run's curves (MNIST) under a title naming who made it."""
    if not can_see(teacher_ok) or not run_id:
        return gr.skip(), gr.skip()
    run = _store().get_run(int(run_id))
    if run is None:
        return "That run was deleted.", gr.skip()
    title = f"**{run['nickname']}**: {_label(run)}"
    if run["kind"] != "mnist" or not run.get("curve"):
        return title + " (no curves stored)", gr.skip()
    return title, gr.Plot(training_curves(run["curve"], height=300), visible=True)


def on_scatter_click(teacher_ok: bool, evt: gr.EventData):
    return open_run(gradio_compat.event_payload(evt).get("target"), teacher_ok)


def on_board_select(rows, teacher_ok: bool, evt: gr.SelectData):
    try:
        row = rows.values.tolist()[evt.index[0]] if hasattr(rows, "values") else rows[evt.index[0]]
        return open_run(row[-1], teacher_ok)
    except (IndexError, TypeError, ValueError):
        return gr.skip(), gr.skip()


def on_delete(run_id):
    who = cx.identity()
    if not run_id or who is None:
        raise gr.Error("pick one of your runs first")
    ok = _store().delete_run(int(run_id), who[1])
    return "Deleted." if ok else "Not deleted: only the browser that made a run can delete it."


def on_export(teacher_ok: bool):
    if not can_see(teacher_ok):
        raise gr.Error("the class view is the teacher's")
    store = _store()
    safe = "".join(c if c.isalnum() else "-" for c in store.class_name)
    path = Path(tempfile.mkdtemp(prefix="nnplay-class-")) / f"class-{safe}.csv"
    path.write_text(to_csv(store.list_runs()), encoding="utf-8")
    return gr.File(value=str(path), visible=True)


def on_reset(confirm: bool, teacher_ok: bool):
    if cx.CLASS is None or cx.CLASS.teacher is None or not teacher_ok:
        raise gr.Error("only the teacher can reset the class (start the app with --teacher-auth user:pass)")
    if not confirm:
        return "Tick the box to confirm: every run of this class will be deleted.", False
    n = _store().reset()
    return f"Class reset: {n} runs deleted.", False
