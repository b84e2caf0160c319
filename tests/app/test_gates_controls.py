"""Issue 17.6, the gate lab's controls: the picker names named tables, the link says the
name, unknown link keys are reported by name, the picker offers the engine's names."""

from __future__ import annotations

import html
import json
import re

import pytest

from nnplay.app.gates import controls as c
from nnplay.app.gates.session import PICKER_GATES, Session, config_from_controls, picker_value
from nnplay.engine.gates import GATES, GateConfig


class FakeRequest:
    def __init__(self, query: dict):
        self.query_params = query


FRAME_KEYS = ("live",)  # one frame output: the hub, whose value is the frame (app/gates/frames.py)


def status_of(out) -> str:
    return html.unescape(json.loads(out[-1])["status"])


def test_the_picker_offers_the_engines_names_and_nothing_else():
    assert PICKER_GATES == [*GATES, "custom"]


@pytest.mark.parametrize("table, name", [("0110", "XOR"), ("0111", "OR"), ("1001", "XNOR"),
                                         ("01101001", "XOR3"), ("00010111", "MAJORITY"), ("0010", "custom")])
def test_a_table_shows_its_name_in_the_picker(table, name):
    assert picker_value(table) == (name, table)


def test_flipping_bits_into_a_named_table_shows_the_name_and_links_it():
    s = Session.new(GateConfig(gate="XOR"))
    c.on_flip(s, 3)  # row 11: 0 -> 1, XOR becomes OR
    assert s.cfg.gate == "OR" and picker_value(s.cfg.gate) == ("OR", "0111") and s.cfg.to_query() == "gate=OR"
    c.on_flip(s, 1)  # row 01: 1 -> 0: 0011 is "x1", no name in the picker
    assert s.cfg.gate == "0011" and picker_value(s.cfg.gate)[0] == "custom" and "gate=0011" in s.cfg.to_query()


def test_custom_bits_that_spell_a_named_gate_become_that_gate():
    values = dict(gate="custom", bits="1110", sampling="exact", n_points=40, noise=0.15, train_ratio=0.7,
                  features=["x1", "x2"], hidden="4,4", activation="tanh", optimizer="adam", lr=0.03,
                  batch_size=0, regularization="none", reg_rate=0.0, seed=0)
    assert config_from_controls(**values).gate == "NAND"


def test_unknown_link_keys_are_reported_as_ignored_by_name():
    status = status_of(c.on_load(FakeRequest({"bogus": "1"})))
    assert "Ignored 'bogus' in the link" in status and "applied" not in status
    status = status_of(c.on_load(FakeRequest({"gate": "OR", "colour": "red", "__theme": "dark"})))
    assert "Settings from the link applied" in status and "Ignored 'colour'" in status and "__theme" not in status
    assert c.on_load(FakeRequest({"gate": "OR", "colour": "red"}))[0].cfg.gate == "OR"
    status = status_of(c.on_load(FakeRequest({"gate": "banana", "zzz": "1"})))
    assert "could not be used" in status and "Ignored 'zzz'" in status


def test_a_plain_link_says_nothing_about_ignored_keys():
    assert "Ignored" not in status_of(c.on_load(FakeRequest({"gate": "NOR", "speed": "5", "epochs": "10"})))


# ---------------------------------------------------------------- named outputs (issue 15.2)
ELEM_IDS = {"gate": "gates-gate", "bits": "gates-bits", "sampling": "gates-sampling", "features": "gates-features",
            "hidden": "gates-hidden", "activation": "gates-activation", "optimizer": "gates-optimizer",
            "lr": "gates-lr", "batch_size": "gates-batch", "seed": "gates-seed", "speed": "gates-speed",
            "node": "gates-node", "edge": "gates-edge", "try_x3": "gates-try-x3", "query": "gates-query"}


def _position(key: str) -> int:
    """Index of `key`'s (first) component in the wired outputs [state, *sync, *frame]."""
    pos = 1
    for k in c.SYNC_KEYS:
        if k == key:
            return pos
        pos += c.GROUPS.get(k, 1)
    raise KeyError(key)


def _fits(component, value) -> bool:
    import gradio as gr

    if isinstance(value, dict):  # gr.update(...)
        return value.get("__type__") == "update" and ("choices" not in value or isinstance(component, gr.Dropdown))
    if isinstance(value, str):
        return isinstance(component, (gr.Textbox, gr.HTML))
    if value is None or isinstance(value, Session):
        return not hasattr(component, "elem_id") or isinstance(component, gr.State)
    return type(value) is type(component)


def test_every_config_handler_returns_one_value_per_wired_output_of_the_right_kind():
    from nnplay.app.gates import tab as gates_tab

    blocks = gates_tab.build()
    by_name: dict[str, list] = {}
    for bf in blocks.fns.values():
        by_name.setdefault(getattr(bf.fn, "__name__", ""), []).append(bf)
    (config,) = by_name["on_config"]
    (load,) = by_name["on_load"]
    assert [o._id for o in load.outputs] == [o._id for o in config.outputs]
    outputs = config.outputs
    assert len(outputs) == 1 + sum(c.GROUPS.get(k, 1) for k in c.SYNC_KEYS) + len(FRAME_KEYS)
    for key, elem_id in ELEM_IDS.items():
        assert outputs[_position(key)].elem_id == elem_id, key
    assert [i.elem_id for i in config.inputs[1:3]] == ["gates-gate", "gates-bits"]
    for out in (c.on_config(None, *[_default(i) for i in config.inputs[1:]]), c.on_load(FakeRequest({})),
                c.on_flip(Session.new(GateConfig(gate="MAJORITY")), 7)):
        assert len(out) == len(outputs)
        sync_part = list(zip(outputs, out))[: -len(FRAME_KEYS)]
        bad = [(i, type(o).__name__, repr(v)[:60]) for i, (o, v) in enumerate(sync_part) if not _fits(o, v)]
        assert not bad


def _default(component):
    return component.value if not isinstance(component.value, dict) else component.value.get("value")


def test_values_refuses_a_missing_or_extra_key():
    named = c.sync(Session.new())
    with pytest.raises(KeyError):
        c.values({k: v for k, v in named.items() if k != "seed"}, c.SYNC_KEYS)
    with pytest.raises(ValueError):
        c.values({**named, "bit_buttons": named["bit_buttons"][:4]}, c.SYNC_KEYS)


# ---------------------------------------------------------------- lessons' "Try it" (issue 17.9)
def test_try_it_loads_each_lesson_setup_with_fresh_weights():
    from nnplay.engine import lessons

    s = Session.new(GateConfig(gate="AND", sampling="noisy", seed=7))
    s.trainer.train(30)
    for lesson, setups in lessons.GATE_SETUPS.items():
        for label in setups:
            out = c.on_try_lesson(s, lesson, label)
            assert out[0] is s and s.cfg == lessons.lesson_setup(lesson, label) and s.trainer.epoch == 0
            assert f"Lesson setup loaded: {label}" in status_of(out)
    assert lessons.lesson_setup("xor", "no hidden layer").hidden == ()
    assert lessons.lesson_setup("lr", "lr 10 (too high)").to_query() == "optimizer=sgd&lr=10.0"


def test_the_tab_wires_one_try_it_button_per_setup():
    from nnplay.app.gates import tab as gates_tab
    from nnplay.engine import lessons

    blocks = gates_tab.build()
    buttons = {b._id: b.elem_id for b in blocks.blocks.values()
               if re.fullmatch(r"gates-try-(xor|lr)-.+", str(getattr(b, "elem_id", "")))}
    assert len(buttons) == sum(len(v) for v in lessons.GATE_SETUPS.values()) == 5
    clicked = {t[0] for bf in blocks.fns.values() for t in bf.targets if t[1] == "click"}
    assert set(buttons) <= clicked


# ---------------------------------------------------------------- run comparison (issue 17.9)
def test_pinning_runs_labels_what_differs_and_keeps_at_most_four():
    from nnplay.app.gates import compare

    s = Session.new()
    s.trainer.train(30)
    _, fig, table = compare.on_pin(s)
    assert s.pinned[0]["label"] == "#1 XOR, hidden 4,4, adam lr 0.03" and s.pinned[0]["epoch"] == 30
    c.on_config(s, "XOR", "0110", "exact", 40, 0.15, 0.7, ["x1", "x2"], "4,4", "tanh", "adam", 0.3, 0, "none", 0.0, 0)
    s.trainer.train(20)
    assert s.trainer.epoch == 50  # the lr applies live: the same network trains on
    s.view = 1  # the timeline shows an earlier epoch (30): that is what gets pinned
    _, fig, table = compare.on_pin(s)
    assert s.pinned[1]["label"] == "#2 lr=0.3" and s.pinned[1]["epoch"] == 30
    assert len(s.pinned[1]["curve"]["epoch"]) == 31
    assert "| #2 lr=0.3 |" in table and len([t for t in fig.data if t.type == "heatmap"]) == 2
    for _ in range(3):
        compare.on_pin(s)
    assert [r["k"] for r in s.pinned] == [2, 3, 4, 5] and s.pinned[0]["label"].startswith("#2 XOR")
    s.trainer.train(2000)
    s.view = None
    compare.on_pin(s)
    curve = s.pinned[-1]["curve"]
    assert len(curve["epoch"]) == compare.MAX_CURVE_POINTS and curve["epoch"][0] == 0
    assert curve["epoch"][-1] == s.trainer.epoch == 2050
    _, fig, table = compare.on_clear(s)
    assert s.pinned == [] and table == "" and len(fig.data) == 0


def test_every_click_on_step_is_a_step():
    """Two quick clicks on Step +1 advance two epochs: Gradio's default trigger mode ("once")
    drops a click made while the previous step is still in flight (seen on a busy machine:
    two clicks, then Play at 7 epochs per frame, ended at epoch 57 = 1 + 8 x 7)."""
    from nnplay.app.gates import handlers
    from nnplay.app.gates import tab as gates_tab

    blocks = gates_tab.build()
    (step,) = [bf for bf in blocks.fns.values() if bf.fn is handlers.on_step]
    assert step.trigger_mode == "multiple"
