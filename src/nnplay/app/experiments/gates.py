"""The logic-gate lab's Experiments section: sweeps, the seed ensemble, two lessons."""

from __future__ import annotations

import gradio as gr

from nnplay.engine import lessons
from nnplay.engine.errors import ConfigError
from nnplay.engine.gates import GateConfig
from nnplay.engine.sweeps import expand, seed_ensemble
from nnplay.engine.sweeps.runner import KINDS
from nnplay.viz.sweeps import boundaries_figure, ensemble_figure, lr_curves_figure

from .common import (Control, build_axes, empty_table, lab_config, lesson_table, on_cancel, section, stream,
                     stream_lesson, stream_sweep, sweep_panel)

FIELDS = ["lr", "hidden", "activation", "optimizer", "batch_size", "regularization", "reg_rate", "features",
          "gate", "noise"]
MAX_CELLS = 16
MAX_SEEDS = 20
BUDGET = 60_000  # cells x seeds x epoch budget: about a minute on a 2-core laptop in the worst case
SHOWN = ["success_rate", "n_solved", "seeds", "median_epochs", "final_loss", "mean_train_acc", "seconds"]

INTRO = ("### Experiments\nVary one or two settings of the current network and train every combination "
         "from several seeds. A cell is *solved* when a run reaches 100% training accuracy; runs stop once "
         "solved. Hidden layers: `none`, `2`, `4-4` (two layers of 4), values separated by commas.")


def _base(state) -> GateConfig:
    return lab_config(state, GateConfig, GateConfig())


def plan(state, f1, v1, f2, v2, seeds, epochs):
    """(base, axes, options) for the section's inputs, within the classroom cap."""
    base = _base(state).replace(epochs=int(epochs))
    axes = build_axes(GateConfig, [(f1, v1), (f2, v2)])
    cells = expand(base, axes, KINDS["gates"].forbidden)
    seeds = int(seeds)
    if len(cells) > MAX_CELLS:
        raise ConfigError(f"{len(cells)} cells is more than the classroom cap of {MAX_CELLS}; use fewer values")
    if not 1 <= seeds <= MAX_SEEDS:
        raise ConfigError(f"use 1 to {MAX_SEEDS} seeds per cell")
    cost = len(cells) * seeds * int(epochs)
    if cost > BUDGET:
        raise ConfigError(f"this grid could need {cost:,} training epochs (cells x seeds x epochs); the cap is "
                          f"{BUDGET:,}, about a minute: use fewer values, seeds or epochs")
    return base, axes, {"seeds": seeds, "epochs": int(epochs)}


def run_gates_sweep(control, state, f1, v1, f2, v2, seeds, epochs):
    """Named endpoint `gates_sweep`: yields (heatmap, curves, table, status) after each cell."""
    try:
        base, axes, options = plan(state, f1, v1, f2, v2, seeds, epochs)
    except ConfigError as e:
        raise gr.Error(str(e)) from None
    total = len(expand(base, axes, KINDS["gates"].forbidden))
    yield from stream_sweep(control, "gates", base, axes, options, workers=1, total=total, main="success_rate",
                            shown=SHOWN, starting=f"Training {total} cells x {options['seeds']} seeds ...",
                            best_note=_best_note)


def _best_note(records: list) -> str:
    best = max(records, key=lambda r: (r["result"]["success_rate"], -(r["result"]["median_epochs"] or 1e9)),
               default=None)
    return f" Best: **{best['key']}** ({best['result']['success_rate']:.0%} solved)." if best else ""


def run_ensemble(control, state, n, epochs):
    """Named endpoint `gates_ensemble`: the current config from n seeds, one boundary each."""
    if not isinstance(control, Control):
        control = Control()
    cfg, n = _base(state), int(n)

    def work(stop, push):
        def cb(i, run):
            if (i + 1) % 4 == 0 or i + 1 == n:
                push(None)
        ens = seed_ensemble(cfg, n, int(epochs), grid_size=32, stop=stop, callback=cb)
        push(ens)

    for item in stream(work, control):
        if item is None:
            continue
        s = item["summary"]
        med = "" if s["median_epochs"] is None else f", median {s['median_epochs']:.0f} epochs"
        text = (f"**{item['n_solved']} of {len(item['runs'])}** seeds solved {cfg.gate} with this network "
                f"({cfg.activation}, hidden {'-'.join(map(str, cfg.hidden)) or 'none'}, lr {cfg.lr:g}{med}). "
                "Same network, different random start: ✓ solved, ✗ stuck.")
        yield ensemble_figure(item), text


def run_lesson(control, name: str):
    """A lesson preset: (markdown, figure, table)."""
    for lesson in stream_lesson(control, lambda stop: lessons.LESSONS[name](stop=stop)):
        if name == "xor":
            g = lesson.data["grids"]
            fig = boundaries_figure([(f"no hidden layer: {g['none']['train_acc']:.0%}", g["none"]["grid"]),
                                     (f"2 hidden units: {g['2']['train_acc']:.0%}", g["2"]["grid"])],
                                    g["2"]["axis"], [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0], cols=2,
                                    panel_px=220)
        else:
            fig = lr_curves_figure(lesson.data["curves"])
        yield f"#### {lesson.title}\n{lesson.explanation}", fig, lesson_table(lesson.table)


def xor_lesson(control):
    yield from run_lesson(control, "xor")


def lr_lesson(control):
    yield from run_lesson(control, "lr")


def try_it_buttons() -> list[tuple[gr.Button, str, str]]:
    """One "Try it" button per gate-lesson setup: [(button, lesson, label)]. The lab's tab
    wires them (controls.on_try_lesson) since they change the lab's own controls."""
    out = []
    for lesson, setups in lessons.GATE_SETUPS.items():
        with gr.Row(elem_classes="gates-try-its"):
            for label in setups:
                slug = "".join(ch if ch.isalnum() else "-" for ch in label.lower()).strip("-")
                btn = gr.Button(f"Try it: {'XOR, ' if lesson == 'xor' else 'SGD, '}{label}", size="sm",
                                elem_id=f"gates-try-{lesson}-{slug}")
                out.append((btn, lesson, label))
    return out


def gates_experiments(state=None):
    """Build the section in the current Blocks (or in a new gr.Blocks, returned, when called
    outside one). `state`: the lab's gr.State holding its Session (anything with `.cfg`),
    a GateConfig or a config dict; None = the default GateConfig."""
    return section(_build, state)


def _build(state, control):
    with gr.Column(elem_id="gates-experiments") as col:
        sweep = sweep_panel("gates", INTRO, FIELDS, ("lr", "0.003,0.03,0.3"), ("hidden", "none,2,4-4"),
                            [dict(minimum=1, maximum=MAX_SEEDS, value=8, step=1, label="seeds per cell"),
                             dict(minimum=50, maximum=2000, value=300, step=50, label="epoch budget per seed")],
                            SHOWN)
        gr.Markdown("#### Seed ensemble\nTrain the lab's current network from N different seeds.")
        with gr.Row():
            n_seeds = gr.Slider(4, 16, value=12, step=1, label="seeds")
            ens_epochs = gr.Slider(50, 2000, value=500, step=50, label="epoch budget")
            ens_btn = gr.Button("Run seed ensemble", elem_id="gates-ensemble-run")
        ens_text = gr.Markdown("")
        ens_plot = gr.Plot(label="one decision boundary per seed", elem_id="gates-ensemble-plot")
        gr.Markdown("#### Classic lessons\nRun a lesson to measure it over several seeds, or press *Try it* "
                    "to open one of its setups in the lab above and watch it train.")
        with gr.Row():
            xor_btn = gr.Button("XOR needs a hidden layer", elem_id="gates-lesson-xor")
            lr_btn = gr.Button("Learning rate: too high / too low", elem_id="gates-lesson-lr")
        col.try_its = try_it_buttons()
        lesson_md = gr.Markdown("")
        lesson_plot = gr.Plot(label="lesson")
        lesson_tbl = gr.Dataframe(empty_table(["measured results appear here"]), interactive=False,
                                  label="measured")
    ev = sweep.run.click(run_gates_sweep, [control, state, *sweep.inputs], sweep.outputs, api_name="gates_sweep",
                         concurrency_limit=2)
    ens = ens_btn.click(run_ensemble, [control, state, n_seeds, ens_epochs], [ens_plot, ens_text],
                        api_name="gates_ensemble", concurrency_limit=2)
    les = [b.click(fn, control, [lesson_md, lesson_plot, lesson_tbl], api_name=name, concurrency_limit=2)
           for b, fn, name in ((xor_btn, xor_lesson, "gates_lesson_xor"), (lr_btn, lr_lesson, "gates_lesson_lr"))]
    sweep.cancel.click(on_cancel, control, sweep.outputs[-1], cancels=[ev, ens, *les], api_visibility="private")
    return col
