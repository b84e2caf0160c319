"""The gate lab's config controls: what they show (`sync`) and what changing them does.

Outputs are named, never matched by position alone: `SYNC_KEYS` names every control that
mirrors the config, `sync()` returns a {key: value} dict, and both the tab's output list
(`components`) and the returned tuple (`values`) are built from that one key tuple.
Keys in `GROUPS` stand for a list of components (the bit buttons, the layer columns).
"""

from __future__ import annotations

import gradio as gr

from nnplay.engine import lessons
from nnplay.engine.errors import NnplayError
from nnplay.engine.gates import GateConfig
from nnplay.engine.gates.config import MAX_LAYERS, MAX_NEURONS
from nnplay.engine.gates.truth import input_rows

from .frames import frame
from .layout import bit_label
from .session import CONFIG_FIELDS, LR_CHOICES, MAX_SPEED, REG_RATES, Session, config_from_controls, ensure
from .session import link_query, locked, node_names, picker_value

# The controls a config change updates, in the order of the tab's output list.
SYNC_KEYS = ("gate", "bits", "sampling", "n_points", "noise", "train_ratio", "show_test", "features", "hidden",
             "activation", "optimizer", "lr", "batch_size", "regularization", "reg_rate", "seed", "speed",
             "bit_buttons", "neuron_groups", "neuron_labels", "layer_label", "node", "edge", "try_x3",
             "try_bit3", "query")
GROUPS = {"bit_buttons": 8, "neuron_groups": MAX_LAYERS, "neuron_labels": MAX_LAYERS}
# The controls whose values build the config (config_from_controls' parameters, in order).
CONFIG_KEYS = ("gate", "bits", "sampling", "n_points", "noise", "train_ratio", "features", "hidden",
               "activation", "optimizer", "lr", "batch_size", "regularization", "reg_rate", "seed")


def components(ui, keys) -> list:
    """The tab's components for `keys` (groups flattened): the output list of a handler."""
    out = []
    for k in keys:
        comp = getattr(ui, k)
        out.extend(comp) if k in GROUPS else out.append(comp)
    return out


def values(named: dict, keys) -> tuple:
    """A {key: value} dict -> the tuple for `components(ui, keys)` (groups flattened)."""
    if set(named) != set(keys):
        raise KeyError(f"values for {sorted(set(keys) ^ set(named))} missing or unexpected")
    out = []
    for k in keys:
        if k in GROUPS:
            if len(named[k]) != GROUPS[k]:
                raise ValueError(f"{k}: {len(named[k])} values for {GROUPS[k]} components")
            out.extend(named[k])
        else:
            out.append(named[k])
    return tuple(out)


def _bit_buttons(cfg: GateConfig) -> list:
    bits = picker_value(cfg.gate)[1]
    rows = input_rows(cfg.n_inputs)
    return [gr.Button(bit_label(rows[i], bits[i]), visible=True,
                      elem_classes=["gates-bit"] + (["gates-bit-on"] if bits[i] == "1" else []))
            if i < len(rows) else gr.Button(visible=False) for i in range(GROUPS["bit_buttons"])]


def _selection(session: Session) -> dict:
    names = node_names(session)
    nodes = [(names[c][k], f"n:{c}:{k}") for c in range(len(names)) for k in range(len(names[c]))]
    edges = [(f"{names[li][j]} → {names[li + 1][o]}", f"e:{li}:{o}:{j}")
             for li in range(len(names) - 1) for o in range(len(names[li + 1])) for j in range(len(names[li]))]
    node_val = f"n:{session.node[0]}:{session.node[1]}" if session.node else None
    edge_val = "e:" + ":".join(map(str, session.edge)) if session.edge else None
    return {"node": gr.update(choices=nodes, value=node_val), "edge": gr.update(choices=edges, value=edge_val)}


def _layers(cfg: GateConfig) -> dict:
    n = len(cfg.hidden)
    sizes = list(cfg.hidden) + [0] * (MAX_LAYERS - n)
    return {
        "neuron_groups": [gr.Column(visible=i < n) for i in range(MAX_LAYERS)],
        "neuron_labels": [f"<div class='gates-layer-n'>layer {i + 1}: <b>{k}</b></div>" if i < n else ""
                          for i, k in enumerate(sizes)],
        "layer_label": f"<div class='gates-layers'><b>{n}</b> hidden layer{'' if n == 1 else 's'}</div>",
    }


def sync(session: Session) -> dict:
    """{SYNC_KEYS key: update}: every control that shows the config."""
    cfg = session.cfg
    choice, bits = picker_value(cfg.gate)
    noisy = cfg.sampling == "noisy"
    return {
        "gate": gr.update(value=choice), "bits": bits, "sampling": gr.Radio(value=cfg.sampling),
        "n_points": gr.Slider(value=cfg.n_points, visible=noisy), "noise": gr.Slider(value=cfg.noise, visible=noisy),
        "train_ratio": gr.Slider(value=cfg.train_ratio, visible=noisy),
        "show_test": gr.Checkbox(value=session.show_test, visible=noisy),
        "features": gr.CheckboxGroup(value=list(cfg.features)), "hidden": ",".join(map(str, cfg.hidden)),
        "activation": gr.update(value=cfg.activation), "optimizer": gr.update(value=cfg.optimizer),
        "lr": gr.update(choices=sorted(set(LR_CHOICES) | {cfg.lr}), value=cfg.lr),
        "batch_size": gr.update(value=cfg.batch_size), "regularization": gr.update(value=cfg.regularization),
        "reg_rate": gr.update(choices=sorted(set(REG_RATES) | {cfg.reg_rate}), value=cfg.reg_rate),
        "seed": gr.Number(value=cfg.seed), "speed": gr.Slider(value=session.speed),
        "bit_buttons": _bit_buttons(cfg), **_layers(cfg), **_selection(session),
        "try_x3": gr.Slider(visible=cfg.n_inputs == 3), "try_bit3": gr.Checkbox(visible=cfg.n_inputs == 3),
        "query": link_query(session),
    }


def full(session: Session) -> tuple:
    """Values for [state, *components(ui, SYNC_KEYS), hub] (the tab's `full_out`)."""
    return (session, *values(sync(session), SYNC_KEYS), frame(session))


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
        session.speed = min(max(int(speed), 1), MAX_SPEED)
    return full(session)


def unknown_link_keys(params: dict) -> list[str]:
    """Query keys that are neither config fields nor the lab's own (speed); Gradio's
    double-underscore keys (__theme) are not ours to judge."""
    known = {*CONFIG_FIELDS, "epochs", "speed"}
    return sorted(k for k in params if k not in known and not k.startswith("__"))


@locked
def on_config(session, *control_values):
    session = ensure(session)
    try:
        session.apply(config_from_controls(*control_values))
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


@locked
def on_try_lesson(session, lesson: str, label: str):
    """A lesson's "Try it": load that setup into the lab (fresh weights, as any reset) and
    say what to watch for; the page then scrolls up to the lab (tab.py)."""
    session = ensure(session)
    session.playing, session.replay = False, []
    try:
        session.reset(lessons.lesson_setup(lesson, label))  # the lesson's exact setup, fresh weights
    except NnplayError as e:
        session.notify(str(e), "bad")
        return full(session)
    session.notify(f"Lesson setup loaded: {label}. Press Play and watch the loss and the boundary.", "ok")
    return full(session)
