"""Event handlers of the gate lab's training, selection and export. Each answers with one
frame for the hub component (app/gates/frames.py), which draws every live view. The config
controls' handlers are in controls.py; the frames while playing come from stream.py."""

from __future__ import annotations

import gradio as gr

from nnplay.app.classroom import context as class_hooks
from nnplay.engine.errors import NnplayError

from . import stream
from .frames import frame
from .session import MAX_SPEED, Session, ensure, link_query, locked

REPLAY_SECONDS = 6.0


# ------------------------------------------------------------------ training
# Play does not train here: it marks the session as playing and wakes its live stream
# (app/gates/stream.py), which trains `speed` epochs per frame and pushes the frames.
# Every handler below answers with one frame for the hub (frames.frame_json); frames carry
# the session's frame number, so the page never draws a training frame over a Pause.
@locked
def on_play(session):
    session = ensure(session)
    session.view = None
    if session.trainer.diverged:
        session.playing = False
        session.notify(f"{session.trainer.diverged}. Lower the learning rate to go on, or press Reset.", "bad")
        return frame(session)
    session.playing = True
    session.replay = []
    session.notify("Training… press Pause to stop.", "info")
    stream.poke(session)
    return frame(session)


def stop(session: Session) -> None:
    session.playing = False
    session.replay = []


@locked
def on_pause(session):
    session = ensure(session)
    stop(session)
    session.view = None
    class_hooks.gate_finished(session.trainer)  # class mode: record this run (no-op otherwise)
    session.notify(f"Paused at epoch {session.trainer.epoch}. Drag the timeline to look back; Play resumes.", "info")
    return frame(session)


@locked
def on_step(session):
    session = ensure(session)
    stop(session)
    session.view = None
    snap = session.trainer.step(1)
    if snap.diverged:
        session.notify(f"Training stopped: {snap.diverged}.", "bad")
    else:
        session.notify(f"One epoch trained: epoch {snap.epoch}.", "info")
    return frame(session, snap)


@locked
def on_reset(session):
    session = ensure(session)
    stop(session)
    session.reset()
    session.notify("Reset: fresh random weights from the same seed, epoch 0.", "info")
    return frame(session)


def on_speed(session, speed):
    """Epochs per frame; it goes into the link too."""
    session = ensure(session)
    session.speed = min(max(int(speed or 1), 1), MAX_SPEED)
    return {"state": session, "query": link_query(session)}


@locked
def on_view_option(session, discretize: bool, show_test: bool):
    session = ensure(session)
    session.discretize, session.show_test = bool(discretize), bool(show_test)
    return frame(session)


@locked
def on_replay(session):
    """Queue the recorded history (at most REPLAY_SECONDS at the stream's frame rate) for the stream."""
    session = ensure(session)
    session.playing = False
    n = len(session.trainer.history)
    count = max(2, min(n, int(REPLAY_SECONDS * stream.MAX_FPS)))
    session.replay = sorted({round(k * (n - 1) / (count - 1)) for k in range(count)})
    first = session.replay.pop(0)  # shown by this answer; the stream sends the rest
    session.view = None if first >= n - 1 else first
    session.notify(f"Replaying {n} recorded updates…", "info")
    stream.poke(session)
    return frame(session)


# ------------------------------------------------------------------ selection and edits
def _parse_target(text: str):
    parts = str(text or "").split("|")[0].split(":")
    try:
        nums = [int(p) for p in parts[1:]]
    except ValueError:
        return None, None
    if parts[0] == "n" and len(nums) == 2:
        return "n", tuple(nums)
    if parts[0] == "e" and len(nums) == 3:
        return "e", tuple(nums)
    return None, None


def current_weight(session: Session) -> float | None:
    if session.edge is None:
        return None
    li, o, j = session.edge
    return round(float(session.trainer.model.layers[li].weight.detach()[o, j]), 4)


@locked
def on_select(session, target: str):
    """A node/edge chosen in a dropdown or clicked in the diagram ('n:c:k' or 'e:l:o:i')."""
    session = ensure(session)
    kind, value = _parse_target(target)
    if kind == "n":
        session.node = value
    elif kind == "e":
        session.edge = value
        session.notify("Type a new value for this weight and press Set.", "info")
    session.fix_selection()
    node_val = f"n:{session.node[0]}:{session.node[1]}" if session.node else None
    edge_val = "e:" + ":".join(map(str, session.edge)) if session.edge else None
    return {"state": session, "node": gr.update(value=node_val), "edge": gr.update(value=edge_val),
            "weight": current_weight(session), "live": frame(session)}


@locked
def on_set_weight(session, value):
    session = ensure(session)
    if session.edge is None:
        session.notify("Choose an edge first (click one in the diagram or pick it in the list).", "warn")
    elif value is None:
        session.notify("Type a number for the new weight.", "warn")
    else:
        stop(session)
        try:
            session.trainer.set_weight(*session.edge, float(value))
            session.view = None
            session.notify(f"Weight set to {float(value):g}. Play to see how training reacts.", "ok")
        except NnplayError as e:
            session.notify(str(e), "bad")
    return frame(session)


@locked
def on_try(session, mode: str, x1, x2, x3, s1, s2, s3):
    session = ensure(session)
    if mode == "sliders":
        session.try_x = (float(x1), float(x2), float(x3))
    else:
        session.try_x = (float(bool(s1)), float(bool(s2)), float(bool(s3)))
    session.trainer.grid_x3 = session.try_x[2]  # 3-input gates: the boundary is the slice at this x3
    return frame(session)


def on_try_mode(mode: str):
    sliders = mode == "sliders"
    return gr.Row(visible=sliders), gr.Row(visible=not sliders)


@locked
def on_export(session):
    from .export import export_zip

    session = ensure(session)
    return gr.File(value=str(export_zip(session.trainer)), visible=True)
