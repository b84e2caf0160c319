"""Event handlers of the gate lab. Each returns (or yields) values for the output lists
the tab wires: SYNC (controls that mirror the config) and FRAME (figures and panels)."""

from __future__ import annotations

import functools
import time

import gradio as gr

from nnplay.engine.errors import NnplayError
from nnplay.engine.gates import GateConfig
from nnplay.engine.gates.config import MAX_LAYERS, MAX_NEURONS
from nnplay.engine.gates.truth import input_rows

from .frames import FRAME_KEYS, frame
from .layout import bit_label
from .session import CONFIG_FIELDS, LR_CHOICES, REG_RATES, Session, config_from_controls, node_names, picker_value

FPS = 15  # replay frames per second
TICK = 0.04  # live-update timer period: at most 25 updates/s; a tick waits for the previous one
HEAVY_EVERY = 3  # while playing, the curves and the enlarged neuron are redrawn every 3rd update,
NETWORK_EVERY = 2  # the network diagram every 2nd (the costliest to draw: 11.5 vs 10.1 updates/s)
REPLAY_SECONDS = 6.0


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
    return session if session is not None else Session.new()


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
        cfg.to_query(),
    ]


def full(session: Session) -> tuple:
    return (session, *sync(session), *frame(session))


# ------------------------------------------------------------------ load and config
def on_load(request: gr.Request):
    params = dict(request.query_params) if request is not None else {}
    speed = params.pop("speed", None)
    unknown = unknown_link_keys(params)
    params = {k: v for k, v in params.items() if k not in unknown and not k.startswith("__")}
    try:
        session = Session.new(GateConfig.from_query(params))
        if params:
            session.notify("Settings from the link applied (see the link box below).", "ok")
    except NnplayError as e:
        session = Session.new()
        session.notify(f"The link's settings could not be used ({e}); showing the defaults instead.", "bad")
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        session.notify(f"{session.message + ' ' if params else ''}Ignored {names} in the link: not a setting "
                       "of this lab.", "warn" if session.level != "bad" else "bad")
    if speed is not None and str(speed).isdigit():
        session.speed = min(max(int(speed), 1), 50)
    return full(session)


def unknown_link_keys(params: dict) -> list[str]:
    """Query keys that are neither config fields nor the lab's own (speed); Gradio's
    double-underscore keys (__theme) are not ours to judge."""
    known = {*CONFIG_FIELDS, "epochs", "speed"}
    return sorted(k for k in params if k not in known and not k.startswith("__"))


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
