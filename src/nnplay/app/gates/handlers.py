"""Event handlers of the gate lab. Each returns (or yields) values for the output lists
the tab wires: SYNC (controls that mirror the config) and FRAME (figures and panels)."""

from __future__ import annotations

import functools

import gradio as gr

from nnplay.engine.errors import NnplayError
from nnplay.engine.gates import GateConfig
from nnplay.engine.gates.config import MAX_LAYERS, MAX_NEURONS
from nnplay.engine.gates.truth import input_rows

from . import stream
from .frames import frame_json
from .layout import bit_label
from .session import LR_CHOICES, REG_RATES, Session, config_from_controls, node_names, picker_value

REPLAY_SECONDS = 6.0
MAX_SPEED = 50       # epochs per frame
DEFAULT_SPEED = 2


def frame(session: Session, snap=None) -> str:
    """The hub's value: one full frame of what the session shows (or `snap`)."""
    return frame_json(session, snap)


def link_query(session: Session) -> str:
    """The settings' URL query, with the speed when it is not the default."""
    q = session.cfg.to_query()
    if session.speed != DEFAULT_SPEED:
        q = f"{q}&speed={session.speed}" if q else f"speed={session.speed}"
    return q


def locked(fn):
    """Run a handler holding its session's lock: a live tick and a click of the same visitor
    run in different worker threads and must not interleave on one trainer."""
    @functools.wraps(fn)
    def wrapper(session, *args, **kw):
        if session is None:
            return fn(session, *args, **kw)
        with session.lock:
            return fn(session, *args, **kw)
    return wrapper


def ensure(session: Session | None) -> Session:
    session = session if session is not None else Session.new()
    stream.issue_token(session)
    return session


def sync(session: Session) -> list:
    """Updates for SYNC_KEYS (see tab.py): every control that shows the config."""
    cfg = session.cfg
    choice, bits = picker_value(cfg.gate)
    noisy = cfg.sampling == "noisy"
    rows = input_rows(cfg.n_inputs)
    bit_updates = []
    for i in range(8):
        if i < len(rows):
            on = bits[i] == "1"
            bit_updates.append(gr.Button(bit_label(rows[i], bits[i]), visible=True,
                                         elem_classes=["gates-bit"] + (["gates-bit-on"] if on else [])))
        else:
            bit_updates.append(gr.Button(visible=False))
    n_layers = len(cfg.hidden)
    names = node_names(session)
    node_choices = [(f"{names[c][k]}", f"n:{c}:{k}") for c in range(len(names)) for k in range(len(names[c]))]
    edge_choices = [(f"{names[li][j]} → {names[li + 1][o]}", f"e:{li}:{o}:{j}")
                    for li in range(len(names) - 1) for o in range(len(names[li + 1])) for j in range(len(names[li]))]
    node_val = f"n:{session.node[0]}:{session.node[1]}" if session.node else None
    edge_val = "e:" + ":".join(map(str, session.edge)) if session.edge else None
    lr_choices = sorted(set(LR_CHOICES) | {cfg.lr})
    reg_choices = sorted(set(REG_RATES) | {cfg.reg_rate})
    return [
        gr.update(value=choice), bits, gr.Radio(value=cfg.sampling),
        gr.Slider(value=cfg.n_points, visible=noisy), gr.Slider(value=cfg.noise, visible=noisy),
        gr.Slider(value=cfg.train_ratio, visible=noisy), gr.Checkbox(value=session.show_test, visible=noisy),
        gr.CheckboxGroup(value=list(cfg.features)), ",".join(map(str, cfg.hidden)),
        gr.update(value=cfg.activation), gr.update(value=cfg.optimizer),
        gr.update(choices=lr_choices, value=cfg.lr), gr.update(value=cfg.batch_size),
        gr.update(value=cfg.regularization), gr.update(choices=reg_choices, value=cfg.reg_rate),
        gr.Number(value=cfg.seed), gr.Slider(value=session.speed),
        *bit_updates,
        *[gr.Column(visible=i < n_layers) for i in range(MAX_LAYERS)],
        *[f"<div class='gates-layer-n'>layer {i + 1}: <b>{n}</b></div>" if i < n_layers else ""
          for i, n in enumerate(list(cfg.hidden) + [0] * (MAX_LAYERS - n_layers))],
        f"<div class='gates-layers'><b>{n_layers}</b> hidden layer{'' if n_layers == 1 else 's'}</div>",
        gr.update(choices=node_choices, value=node_val), gr.update(choices=edge_choices, value=edge_val),
        gr.Slider(visible=cfg.n_inputs == 3), gr.Checkbox(visible=cfg.n_inputs == 3),
        link_query(session),
    ]


def full(session: Session) -> tuple:
    return (session, *sync(session), frame(session))


# ------------------------------------------------------------------ load and config
def on_load(request: gr.Request):
    params = dict(request.query_params) if request is not None else {}
    speed = params.pop("speed", None)
    try:
        cfg = GateConfig.from_query(params)
        session = Session.new(cfg)
        if params:
            session.notify("Settings from the link applied (see the link box below).", "ok")
    except NnplayError as e:
        session = Session.new()
        session.notify(f"The link's settings could not be used ({e}); showing the defaults instead.", "bad")
    if speed is not None and str(speed).isdigit():
        session.speed = min(max(int(speed), 1), MAX_SPEED)
    stream.issue_token(session)
    return full(session)


@locked
def on_config(session, *values):
    session = ensure(session)
    try:
        session.apply(config_from_controls(*values))
    except NnplayError as e:
        session.notify(f"{e}. The previous settings are kept.", "bad")
    return full(session)


def _apply_hidden(session: Session, hidden: tuple[int, ...]) -> tuple:
    try:
        session.apply(session.cfg.replace(hidden=hidden))
    except NnplayError as e:
        session.notify(str(e), "bad")
    return full(session)


@locked
def on_layers(session, delta: int):
    session = ensure(session)
    hidden = list(session.cfg.hidden)
    if delta > 0 and len(hidden) >= MAX_LAYERS:
        session.notify(f"At most {MAX_LAYERS} hidden layers.", "warn")
        return full(session)
    if delta < 0 and not hidden:
        session.notify("There are no hidden layers left to remove.", "warn")
        return full(session)
    hidden = hidden + [hidden[-1] if hidden else 4] if delta > 0 else hidden[:-1]
    return _apply_hidden(session, tuple(hidden))


@locked
def on_neurons(session, layer: int, delta: int):
    session = ensure(session)
    hidden = list(session.cfg.hidden)
    if layer >= len(hidden):
        return full(session)
    n = hidden[layer] + delta
    if not 1 <= n <= MAX_NEURONS:
        session.notify(f"A hidden layer holds 1 to {MAX_NEURONS} neurons.", "warn")
        return full(session)
    hidden[layer] = n
    return _apply_hidden(session, tuple(hidden))


@locked
def on_flip(session, i: int):
    session = ensure(session)
    bits = list(picker_value(session.cfg.gate)[1])
    if i >= len(bits):
        return full(session)
    bits[i] = "1" if bits[i] == "0" else "0"
    try:
        session.apply(session.cfg.replace(gate="".join(bits)))
    except NnplayError as e:
        session.notify(str(e), "bad")
    return full(session)


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
