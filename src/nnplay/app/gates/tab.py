"""The "Logic gates" tab: a TensorFlow-Playground-style lab for small gate networks.

Layout in app/gates/layout.py, handlers in app/gates/handlers.py and controls.py, the live
views in frames.py (what a frame holds), stream.py (the WebSocket) and live.js (the page's
renderer). Each browser session keeps its own trainer in a gr.State.
"""

from __future__ import annotations

import functools

import gradio as gr

from nnplay.app import gradio_compat
from nnplay.app.experiments import gates_experiments
from nnplay.app.gates import api, compare
from nnplay.app.gates import controls as c
from nnplay.app.gates import handlers as h
from nnplay.app.gates.layout import build_layout
from nnplay.app.gates.texts import CSS

__all__ = ["build", "CSS"]

LINK_JS = "(q) => location.origin + location.pathname + (q ? '?' + q : '')"
TO_LAB_JS = "() => document.getElementById('gates-root').scrollIntoView({block: 'start'})"
COPY_JS = """(link) => { try { navigator.clipboard.writeText(link); } catch (e) {} ;
  try { history.replaceState(null, '', link); } catch (e) {} ; return link; }"""


def _on_click(session, evt: gr.EventData):
    return h.on_select(session, gradio_compat.event_payload(evt).get("target", ""))


def named(fn, components: dict):
    """A handler returning {name: value} -> Gradio's {component: value} (no list positions)."""
    @functools.wraps(fn)
    def run(*args, **kw):
        return {components[k]: v for k, v in fn(*args, **kw).items()}
    return run


QUIET = dict(show_progress="hidden", api_visibility="private")


def build() -> gr.Blocks:
    with gr.Blocks() as tab:
        with gr.Column(elem_id="gates-root"):
            state = gr.State(None)
            ui = build_layout()
            with gr.Accordion("Compare runs: pin a run, change settings, pin again", open=False,
                              elem_id="gates-compare"):
                compare_ui = compare.build()
            with gr.Accordion("Experiments: sweeps, seed ensembles and classic lessons", open=False):
                experiments = gates_experiments(state)
        ui.try_x3, ui.try_bit3 = ui.try_sliders[2], ui.try_switches[2]
        by_name = {"state": state, "node": ui.node, "edge": ui.edge, "weight": ui.weight, "live": ui.live,
                   "query": ui.query}
        _wire_config(tab, ui, state, experiments.try_its)
        _wire_live(ui, state, by_name)
        _wire_selection_and_try(ui, state, by_name)
        ui.query.change(None, ui.query, ui.link, js=LINK_JS, api_visibility="private")
        ui.copy.click(None, ui.link, ui.link, js=COPY_JS, api_visibility="private")
        ui.export.click(h.on_export, state, ui.export_file, **QUIET)
        compare.wire(compare_ui, state)
        api.register(state)
    return tab


def _wire_config(tab, ui, state, try_its) -> None:
    """Every control that changes the config answers with the whole synced control set."""
    cfg_inputs = c.components(ui, c.CONFIG_KEYS)
    full_out = [state, *c.components(ui, c.SYNC_KEYS), ui.live]
    tab.load(c.on_load, None, full_out, **QUIET)
    config_triggers = [comp.input for comp in (ui.gate, ui.sampling, ui.features, ui.activation, ui.optimizer,
                                               ui.lr, ui.batch_size, ui.regularization, ui.reg_rate)]
    config_triggers += [comp.release for comp in (ui.n_points, ui.noise, ui.train_ratio)]
    gr.on([*config_triggers, ui.seed.submit, ui.seed.blur], c.on_config, [state, *cfg_inputs], full_out, **QUIET)
    for btn, lesson, label in try_its:
        btn.click(lambda s, lesson=lesson, label=label: c.on_try_lesson(s, lesson, label), state, full_out,
                  **QUIET).then(None, js=TO_LAB_JS)
    ui.layer_plus.click(lambda s: c.on_layers(s, +1), state, full_out, **QUIET)
    ui.layer_minus.click(lambda s: c.on_layers(s, -1), state, full_out, **QUIET)
    for i in range(len(ui.neuron_plus)):
        ui.neuron_plus[i].click(lambda s, i=i: c.on_neurons(s, i, +1), state, full_out, **QUIET)
        ui.neuron_minus[i].click(lambda s, i=i: c.on_neurons(s, i, -1), state, full_out, **QUIET)
    for i, btn in enumerate(ui.bit_buttons):
        btn.click(lambda s, i=i: c.on_flip(s, i), state, full_out, **QUIET)


def _wire_live(ui, state, by_name: dict) -> None:
    """Play and Replay only switch the session's stream on; the stream sends the frames.
    The timeline is drawn by the page and scrubs over the stream (app/gates/stream.py)."""
    live = [ui.live]  # every frame goes to the hub, which draws all live views (app/gates/live.js)
    ui.play.click(h.on_play, state, live, **QUIET)
    ui.pause.click(h.on_pause, state, live, **QUIET)
    # every click is a step: Gradio's default ("once") drops clicks made while a step is in flight
    ui.step.click(h.on_step, state, live, show_progress="hidden", api_name="gates_step",
                  api_visibility="undocumented", trigger_mode="multiple")
    ui.reset.click(h.on_reset, state, live, **QUIET)
    ui.replay.click(h.on_replay, state, live, **QUIET)
    ui.speed.change(named(h.on_speed, by_name), [state, ui.speed], [state, ui.query], **QUIET)
    for comp in (ui.discretize, ui.show_test):
        comp.input(h.on_view_option, [state, ui.discretize, ui.show_test], live, **QUIET)


def _wire_selection_and_try(ui, state, by_name: dict) -> None:
    """Picking a node or an edge (dropdowns or a click on the diagram), editing a weight,
    and the "try an input" controls."""
    live = [ui.live]
    select_out = [state, ui.node, ui.edge, ui.weight, ui.live]
    ui.node.input(named(h.on_select, by_name), [state, ui.node], select_out, **QUIET)
    ui.edge.input(named(h.on_select, by_name), [state, ui.edge], select_out, **QUIET)
    ui.network.click(named(_on_click, by_name), state, select_out, **QUIET)
    ui.set_weight.click(h.on_set_weight, [state, ui.weight], live, **QUIET)
    ui.weight.submit(h.on_set_weight, [state, ui.weight], live, **QUIET)
    try_in = [state, ui.try_mode, *ui.try_sliders, *ui.try_switches]
    for comp in (*ui.try_sliders, *ui.try_switches):
        comp.input(h.on_try, try_in, live, trigger_mode="always_last", **QUIET)
    ui.try_mode.input(h.on_try_mode, ui.try_mode, [ui.try_slider_row, ui.try_switch_row], **QUIET).then(
        h.on_try, try_in, live, **QUIET)
