"""Event handlers of the gate lab's training, timeline, selection and export. Each returns
values for the FRAME outputs (figures and panels) the tab wires. The config controls'
handlers are in controls.py."""

from __future__ import annotations

import time

import gradio as gr

from nnplay.app.classroom import context as class_hooks
from nnplay.engine.errors import NnplayError

from .frames import FRAME_KEYS, frame
from .session import Session, ensure, locked

FPS = 15  # replay frames per second
TICK = 0.04  # live-update timer period: at most 25 updates/s; a tick waits for the previous one
HEAVY_EVERY = 3  # while playing, the curves and the enlarged neuron are redrawn every 3rd update,
NETWORK_EVERY = 2  # the network diagram every 2nd (the costliest to draw: 11.5 vs 10.1 updates/s)
REPLAY_SECONDS = 6.0


# ------------------------------------------------------------------ training
@locked
def on_play(session):
    """Start the timer; each tick trains `speed` epochs and redraws (see on_tick)."""
    session = ensure(session)
    session.view = None
    if session.trainer.diverged:
        session.playing = False
        session.notify(f"{session.trainer.diverged}. Lower the learning rate to go on, or press Reset.", "bad")
        return (gr.Timer(active=False), *frame(session))
    session.playing = True
    session.notify("Training… press Pause to stop.", "info")
    return (gr.Timer(active=True), *frame(session))


@locked
def on_tick(session):
    """One live update: a training step, or the next replay frame. A tick is not sent while
    the previous one is pending, so a slow browser gets fewer updates, never a backlog."""
    if session is None or not (session.playing or session.replay):
        return (gr.Timer(active=False), *[gr.skip()] * len(FRAME_KEYS))
    if session.replay:
        i = session.replay.pop(0)
        n = len(session.trainer.history)
        session.view = None if i >= n - 1 else i
        if not session.replay:
            session.notify("Replay finished.", "info")
        return (gr.skip(), *frame(session))
    snap = session.trainer.step(session.speed)
    if snap.diverged:
        session.playing = False
        session.notify(f"Training stopped: {snap.diverged}.", "bad")
        return (gr.Timer(active=False), *frame(session, snap))
    if session.trainer.solved and session.level == "info":
        session.notify(f"Solved: every training point is right at epoch {snap.epoch}. "
                       "Training goes on until you pause.", "ok")
    session.ticks += 1
    return (gr.skip(), *frame(session, snap, light=session.ticks % HEAVY_EVERY != 0,
                              network=session.ticks % NETWORK_EVERY == 0))


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
    return (gr.Timer(active=False), *frame(session))


SETTLE_WAIT = 0.2  # s; see on_settle


def on_settle(session):
    """Draw the stopped state once more, after a click that stopped training (pause, step,
    reset, a change that rebuilds the network...). A live tick that was already running
    when the click arrived can have its answer delivered after the click's, painting the
    last training frame (and its status) over the paused one. The browser sends this
    follow-up only once the click's answer is in, and it waits SETTLE_WAIT more (outside
    the lock, nothing else waits for it), so it lands after any such tick."""
    time.sleep(SETTLE_WAIT)
    return _settle(session)


@locked
def _settle(session):
    if session is None or session.playing or session.replay:
        return tuple(gr.skip() for _ in FRAME_KEYS)
    return frame(session)


@locked
def on_step(session):
    session = ensure(session)
    stop(session)
    session.view = None
    snap = session.trainer.step(1)
    if snap.diverged:
        session.notify(f"Training stopped: {snap.diverged}.", "bad")
    return frame(session, snap)


@locked
def on_reset(session):
    session = ensure(session)
    stop(session)
    session.reset()
    session.notify("Reset: fresh random weights from the same seed, epoch 0.", "info")
    return frame(session)


def on_speed(session, speed):
    session = ensure(session)
    session.speed = int(speed or 1)
    return session


@locked
def on_view_option(session, discretize: bool, show_test: bool):
    session = ensure(session)
    session.discretize, session.show_test = bool(discretize), bool(show_test)
    return frame(session, timeline=False)


# ------------------------------------------------------------------ timeline
@locked
def on_timeline(session, index):
    session = ensure(session)
    stop(session)
    n = len(session.trainer.history)
    i = min(max(int(index or 0), 0), n - 1)
    session.view = None if i == n - 1 else i
    if session.view is None:
        session.notify(f"Back at the latest epoch, {session.trainer.epoch}.", "info")
    else:
        session.notify(f"Viewing history: epoch {session.trainer.history[i].epoch}. Play continues from the "
                       f"latest epoch ({session.trainer.epoch}).", "info")
    return frame(session, timeline=False)


@locked
def on_replay(session):
    """Queue the recorded history (at most REPLAY_SECONDS worth of frames) for the timer."""
    session = ensure(session)
    session.playing = False
    n = len(session.trainer.history)
    frames = max(2, min(n, int(REPLAY_SECONDS * FPS)))
    session.replay = sorted({round(k * (n - 1) / (frames - 1)) for k in range(frames)})
    session.notify(f"Replaying {n} recorded updates…", "info")
    return (gr.Timer(active=True), *frame(session, timeline=False))


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
    return (session, gr.update(value=node_val), gr.update(value=edge_val), current_weight(session),
            *frame(session, timeline=False))


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
    return frame(session, timeline=False)


def on_try_mode(mode: str):
    sliders = mode == "sliders"
    return gr.Row(visible=sliders), gr.Row(visible=not sliders)


@locked
def on_export(session):
    from .export import export_zip

    session = ensure(session)
    return gr.File(value=str(export_zip(session.trainer)), visible=True)
