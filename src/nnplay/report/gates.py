"""The logic-gate part of the report: data, training runs, truth tables, boundaries, lessons.

Everything is trained here, now, with the engine's GateTrainer and the lessons module;
the figures are the lab's own (nnplay.viz.gates, nnplay.viz.sweeps).
"""

from __future__ import annotations

import time

import plotly.graph_objects as go

from nnplay.engine import lessons
from nnplay.engine.gates import FEATURES, GATES, GateConfig, GateTrainer, describe, gate_label, input_rows
from nnplay.viz import gates as vg
from nnplay.viz import sweeps as vs

from .common import cell, image, pct, secs, table

TWO_INPUT = ["AND", "OR", "NAND", "NOR", "XOR", "XNOR"]
THREE_INPUT = ["XOR3", "MAJORITY"]


def _epochs(ctx) -> int:
    return 300 if ctx.quick else GateConfig().epochs


def _train(cfg: GateConfig, epochs: int, grid: int = 60) -> tuple[GateTrainer, float]:
    t0 = time.perf_counter()
    tr = GateTrainer(cfg, grid_size=grid)
    tr.train(epochs)
    return tr, time.perf_counter() - t0


def _run_row(name: str, tr: GateTrainer, seconds: float) -> dict:
    m = tr.metrics
    return {"name": name, "gate": gate_label(tr.cfg.gate), "net": describe(len(tr.feature_names), tr.cfg.hidden),
            "features": ", ".join(tr.feature_names), "sampling": tr.cfg.sampling, "epochs": tr.epoch,
            "train_acc": m["train_acc"], "test_acc": m["test_acc"], "loss": m["train_loss"],
            "solved_epoch": tr.solved_epoch, "seconds": seconds, "truth": tr.truth_table(),
            "n_train": len(tr.data.y_train), "n_test": len(tr.data.y_test), "cfg": tr.cfg}


def run(ctx) -> dict:
    epochs = _epochs(ctx)
    figs, runs, trainers = {}, [], {}
    with ctx.timed("gates: one network per gate"):
        for g in TWO_INPUT + THREE_INPUT:
            tr, s = _train(GateConfig(gate=g, epochs=epochs), epochs)
            runs.append(_run_row(g, tr, s))
            trainers[g] = tr
        noisy, s = _train(GateConfig(gate="XOR", sampling="noisy", epochs=epochs), epochs)
        runs.append(_run_row("XOR, noisy samples", noisy, s))
        feat, s = _train(GateConfig(gate="XOR", hidden=(), features=("x1", "x2", "x1*x2"), epochs=epochs), epochs)
        runs.append(_run_row("XOR, no hidden layer, feature x1*x2", feat, s))

    panels = [(f"{g}: {trainers[g].metrics['train_acc']:.0%}", trainers[g].snapshot().grid) for g in TWO_INPUT]
    xor = trainers["XOR"]
    fig = vs.boundaries_figure(panels, xor.grid_axis, cols=6, panel_px=150)
    for k, g in enumerate(TWO_INPUT):  # each panel its own gate's training rows
        d = trainers[g].data
        fig.add_trace(go.Scatter(x=d.x_train[:, 0], y=d.x_train[:, 1], mode="markers", hoverinfo="skip",
                                 marker=dict(size=9, color=[vg.BLUE if v else vg.ORANGE for v in d.y_train],
                                             line=dict(color="white", width=1.5))), row=1, col=k + 1)
    figs["boundaries"] = ctx.figures.save("gates-boundaries", fig, width=1000, height=240)
    snap = xor.snapshot()
    figs["network"] = ctx.figures.save("gates-xor-network", vg.network_from_snapshot(snap, xor.feature_names),
                                       width=900, height=420)
    figs["curves"] = ctx.figures.save("gates-xor-curves", vg.curves_figure(xor.curve), width=900, height=320)
    ns = noisy.snapshot()
    figs["noisy"] = ctx.figures.save("gates-xor-noisy", vg.boundary_figure(
        ns.grid, noisy.grid_axis, noisy.data.x_train, noisy.data.y_train, noisy.data.x_test, noisy.data.y_test,
        height=420), width=470, height=420)

    with ctx.timed("gates: XOR and learning-rate lessons"):
        xl = lessons.xor_lesson(seeds=3 if ctx.quick else 10, epochs=150 if ctx.quick else 400)
        ll = lessons.lr_lesson(epochs=100 if ctx.quick else 300)
    grids = xl.data["grids"]
    lesson_panels = [(f"no hidden layer: {grids['none']['train_acc']:.0%}", grids["none"]["grid"]),
                     (f"2 hidden units: {grids['2']['train_acc']:.0%}", grids["2"]["grid"])]
    figs["xor_lesson"] = ctx.figures.save("gates-xor-lesson", vs.boundaries_figure(
        lesson_panels, grids["none"]["axis"], xor.data.x_train, xor.data.y_train, cols=2, panel_px=200),
        width=520, height=270)
    figs["lr_lesson"] = ctx.figures.save("gates-lr-lesson", vs.lr_curves_figure(ll.data["curves"]),
                                         width=900, height=320)
    return {"runs": runs, "figs": figs, "xor_lesson": xl, "lr_lesson": ll, "epochs": epochs}


# ---------------------------------------------------------------- markdown
def render_data(d: dict) -> str:
    two = [[g, *GATES[g]] for g in TWO_INPUT]
    rows_txt = table(["gate", *[f"x1 x2 = {a}{b}" for a, b in input_rows(2)]], two, align="lcccc")
    three = table(["gate", "truth table (rows 000 … 111)"], [[g, GATES[g]] for g in THREE_INPUT], align="ll")
    noisy = next(r for r in d["runs"] if r["sampling"] == "noisy")
    cfg = noisy["cfg"]
    return (
        "### 2.1 Logic gates\n\n"
        "A gate is given by its truth table (x1 is the high bit, rows 00, 01, 10, 11). The six two-input "
        "gates trained here:\n\n" + rows_txt + "\n\nand two three-input gates:\n\n" + three + "\n\n"
        "**Samples.** *Exact* sampling (the default) trains on the truth-table rows themselves: 4 points "
        "(8 for three inputs), so the test set is the training set. *Noisy* sampling draws "
        f"{cfg.n_points} points around each corner with Gaussian noise σ = {cfg.noise:g} and keeps "
        f"{cfg.train_ratio:.0%} for training: the noisy XOR run below had {noisy['n_train']} training and "
        f"{noisy['n_test']} test points.\n\n"
        f"**Features.** The network sees x1, x2 by default; the lab also offers {', '.join(FEATURES)} "
        "(three-input gates add x3). With x1·x2 available XOR becomes linearly separable "
        "(XOR = x1 + x2 − 2·x1·x2 on the corners), which the run \"no hidden layer, feature x1*x2\" tests.\n")


def training_rows(d: dict) -> list[list]:
    cfg = GateConfig()
    return [[f"gates ({len(d['runs'])} runs)", "binary cross-entropy on the logit", f"{cfg.optimizer}",
             f"{cfg.lr:g}, constant", "full batch (4 or 8 rows; noisy: all training points)",
             str(d["epochs"]), f"{cfg.seed}"]]


def time_rows(d: dict) -> list[list]:
    return [[f"gate: {r['name']}", r["net"], r["epochs"], secs(r["seconds"])] for r in d["runs"]]


def _truth_cell(truth: list[dict]) -> str:
    return " ".join(f"{''.join(map(str, t['inputs']))}→{t['probability']:.3f}" for t in truth)


def render_results(d: dict) -> str:
    rows = [[r["name"], r["net"], r["features"], pct(r["train_acc"], 0), pct(r["test_acc"], 0),
             r["solved_epoch"], f"{r['loss']:.2e}", _truth_cell(r["truth"])] for r in d["runs"]]
    solved = sum(1 for r in d["runs"] if r["train_acc"] >= 1.0)
    xor = next(r for r in d["runs"] if r["name"] == "XOR")
    noisy = next(r for r in d["runs"] if r["sampling"] == "noisy")
    xl, ll = d["xor_lesson"], d["lr_lesson"]
    f = d["figs"]
    lr_rows = [[cell(r["learning rate"]), r["expected"], f"{r['start loss']:.3f}", f"{r['end loss']:.3g}",
                pct(r["train accuracy"], 0), r["outcome"]] for r in ll.table]
    xl_rows = [[r["hidden"], f"{r['n_solved']}/{r['seeds']}", pct(r["best_train_acc"], 0),
                cell(r["median_epochs"]), f"{r['final_loss']:.3g}"] for r in xl.table]
    return (
        "### 4.1 Logic gates\n\n"
        f"{solved} of {len(d['runs'])} runs reached 100% training accuracy. Each cell of the last column is "
        "*input row → P(output = 1)* after training; \"solved at\" is the first epoch with every training "
        "point on the right side of 0.5.\n\n"
        + table(["run", "network", "features", "train acc.", "test acc.", "solved at epoch", "final loss",
                 "truth table: row → probability"], rows, align="lllrrrrl")
        + "\n\nDecision boundaries of the six two-input gates (P(output = 1) over the input square "
        "[−0.5, 1.5]²; blue = 1, orange = 0; dots are the training rows):\n\n"
        + image(f["boundaries"], "decision boundaries of six gates") + "\n\n"
        f"The XOR network ({xor['net']}) at the end of training: every node drawn as its activation over the "
        "input square, edges coloured by the sign of the weight and thickened by its size, and its curves "
        f"(solved at epoch {cell(xor['solved_epoch'])}):\n\n"
        + image(f["network"], "XOR network") + "\n\n" + image(f["curves"], "XOR loss and accuracy") + "\n\n"
        f"XOR from noisy samples: {pct(noisy['train_acc'], 1)} training and **{pct(noisy['test_acc'], 1)} test** "
        "accuracy (circles train, squares test):\n\n" + image(f["noisy"], "noisy XOR boundary") + "\n\n"
        f"**Lesson: XOR needs a hidden layer** (lessons.xor_lesson, {xl.data['epochs']} epochs per seed; "
        f"classic result {'reproduced' if xl.expected else 'NOT reproduced'}):\n\n"
        + table(["hidden layer", "seeds solved", "best train acc.", "median epochs to solve", "median final loss"],
                xl_rows, align="lrrrr") + "\n\n" + image(f["xor_lesson"], "XOR with and without a hidden layer")
        + "\n\n" + xl.explanation + "\n\n"
        f"**Lesson: the learning rate** (lessons.lr_lesson, plain SGD, 2-[4,4]-1 tanh, {ll.data['epochs']} "
        f"epochs; {'reproduced' if ll.expected else 'NOT reproduced'}):\n\n"
        + table(["learning rate", "expected", "start loss", "end loss", "train acc.", "outcome"], lr_rows,
                align="rlrrrl") + "\n\n" + image(f["lr_lesson"], "loss curves at three learning rates") + "\n")
