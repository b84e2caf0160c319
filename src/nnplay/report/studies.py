"""Experiments for the report: the learning-rate x hidden-units sweeps (engine.sweeps), the
LeCun et al. (1998) comparison and the first-layer lesson (engine.lessons), and the
benchmark table read from `nnplay bench`'s results file.
"""

from __future__ import annotations

import json
from pathlib import Path

from nnplay.engine import lessons
from nnplay.engine.gates import GateConfig
from nnplay.engine.mnist import recommended
from nnplay.engine.sweeps import make_axis, run_sweep
from nnplay.viz import sweeps as vs

from .common import cell, image, pct, secs, table

REPO = Path(__file__).resolve().parents[3]  # src/nnplay/report -> the repository (when run from a clone)


def plan(quick: bool) -> dict:
    """What each study trains. quick: a 2 x 2 grid, few seeds, tiny subsets."""
    if quick:
        return {"gate_lr": ["0.03", "3"], "gate_hidden": ["1", "4"], "seeds": 3, "gate_epochs": 150,
                "mnist_lr": ["0.001", "0.01"], "mnist_hidden": ["16", "64"], "mnist_subset": 1000, "mnist_epochs": 1,
                "test_subset": 1000, "workers": 1, "width": ("quick", {"subset": 1000, "epochs": 1}),
                "weights": {"subset": 2000, "epochs": 1}}
    return {"gate_lr": ["0.003", "0.03", "0.3", "3"], "gate_hidden": ["1", "2", "4", "8"], "seeds": 10,
            "gate_epochs": 400, "mnist_lr": ["0.0003", "0.001", "0.003", "0.01", "0.03"],
            "mnist_hidden": ["16", "64", "256"], "mnist_subset": 10000, "mnist_epochs": 2, "test_subset": 0,
            "workers": 2, "width": ("full", {}), "weights": {"subset": 10000, "epochs": 2}}


def run(ctx) -> dict:
    p = plan(ctx.quick)
    out, figs = {"plan": p}, {}
    with ctx.timed("sweep: XOR, learning rate x hidden units"):
        axes = [make_axis(GateConfig, "lr", p["gate_lr"]), make_axis(GateConfig, "hidden", p["gate_hidden"])]
        res = run_sweep("gates", GateConfig(gate="XOR", epochs=p["gate_epochs"]), axes,
                        {"seeds": p["seeds"], "epochs": p["gate_epochs"]}, workers=p["workers"])
        out["gates"] = res.summary()
    with ctx.timed("sweep: MNIST MLP, learning rate x hidden units"):
        base = recommended("mlp", subset=p["mnist_subset"], epochs=p["mnist_epochs"])
        axes = [make_axis(type(base), "lr", p["mnist_lr"]), make_axis(type(base), "hidden", p["mnist_hidden"])]
        res = run_sweep("mnist", base, axes, {"test_subset": p["test_subset"]}, workers=p["workers"])
        out["mnist"] = res.summary()
        out["mnist_base"] = base
    for key in ("gates", "mnist"):
        figs[f"{key}_heatmap"] = ctx.figures.save(f"sweep-{key}-heatmap", vs.heatmap_figure(out[key]),
                                                  width=760, height=360)
        figs[f"{key}_curves"] = ctx.figures.save(f"sweep-{key}-curves", vs.curves_figure(out[key]),
                                                 width=900, height=360)
    variant, over = p["width"]
    with ctx.timed(f"lesson: LeCun et al. 1998 architectures ({variant})"):
        out["width"] = lessons.width_lesson(variant, workers=p["workers"], **over)
    figs["width"] = ctx.figures.save("lecun-1998", vs.width_figure(out["width"].table), width=900, height=380)
    with ctx.timed("lesson: first-layer weights, logistic vs MLP"):
        out["weights"] = lessons.weights_lesson(**p["weights"])
    out["bench"] = read_bench()
    out["figs"] = figs
    return out


def read_bench() -> dict | None:
    """benchmarks/results.json (written by `nnplay bench`), or None when there is none."""
    path = REPO / "benchmarks" / "results.json"
    if not path.is_file():
        return None
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
        results["_path"] = "benchmarks/results.json"
        return results
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- markdown
def _best(summary: dict, metric: str):
    cells = [c for c in summary["cells"] if c["result"].get(metric) is not None]
    return max(cells, key=lambda c: c["result"][metric]) if cells else None


def render_sweeps(d: dict) -> str:
    p, g, m = d["plan"], d["gates"], d["mnist"]
    f = d["figs"]
    grow = [[c["values"]["lr"], "-".join(map(str, c["values"]["hidden"])) or "none",
             f"{c['result']['n_solved']}/{c['result']['seeds']}", cell(c["result"]["median_epochs"]),
             f"{c['result']['final_loss']:.3g}", c["result"]["n_diverged"]] for c in g["cells"]]
    mrow = [[c["values"]["lr"], "-".join(map(str, c["values"]["hidden"])), pct(c["result"]["test_accuracy"]),
             cell(c["result"]["final_train_loss"]), secs(c["result"]["seconds"]), c["result"]["n_params"]]
            for c in m["cells"]]
    bg, bm = _best(g, "success_rate"), _best(m, "test_accuracy")
    one = [c for c in g["cells"] if list(c["values"]["hidden"]) == [1]]
    one_txt = ""
    if one:
        solved = sum(c["result"]["n_solved"] for c in one)
        runs = sum(c["result"]["seeds"] for c in one)
        one_txt = (f" With one hidden unit, {solved} of {runs} runs solved XOR at any learning rate: one unit "
                   "draws one line, like no hidden layer at all.")
    test_txt = f"the first {p['test_subset']:,}" if p["test_subset"] else "all 10,000"
    return (
        "### 4.4 Hyperparameter study: learning rate × hidden units\n\n"
        f"**XOR** (`engine.sweeps`, the `nnplay sweep gates` engine): one hidden layer of 1-8 tanh units, Adam, "
        f"each cell trained from {p['seeds']} seeds for up to {p['gate_epochs']} epochs (a run stops once solved). "
        f"Colour: share of seeds reaching 100% training accuracy; text: that share and the median epoch.\n\n"
        + table(["lr", "hidden", "seeds solved", "median epochs", "median final loss", "diverged"], grow,
                align="llrrrr") + "\n\n" + image(f["gates_heatmap"], "XOR sweep heatmap") + "\n\n"
        + image(f["gates_curves"], "share of seeds solved vs epoch") + "\n\n"
        f"Best cell: {bg['key']} ({pct(bg['result']['success_rate'], 0)} solved)." + one_txt + "\n\n"
        f"**MNIST MLP** (`nnplay sweep mnist`): one hidden layer, Adam with a one-cycle schedule, "
        f"{p['mnist_epochs']} epoch(s) on the first {p['mnist_subset']:,} training images, tested on {test_txt} "
        "test images.\n\n"
        + table(["peak lr", "hidden", "test accuracy", "final train loss", "time", "parameters"], mrow,
                align="llrrrr") + "\n\n" + image(f["mnist_heatmap"], "MNIST sweep heatmap") + "\n\n"
        + image(f["mnist_curves"], "MNIST sweep training loss") + "\n\n"
        f"Best cell: {bm['key']} ({pct(bm['result']['test_accuracy'])}).\n")


def render_lecun(d: dict) -> str:
    w, wl = d["width"], d["weights"]
    rows = [[r["architecture"], r["LeCun 1998 error %"], cell(r["nnplay error %"]), cell(r["parameters"]),
             secs(r["seconds"])] for r in w.table]
    wrows = [[r["model"], pct(r["test accuracy"]), r["templates matching their own digit"],
              f"{r['mean best correlation with a digit average']:.2f}"] for r in wl.table]
    return (
        "### 4.5 Comparison with LeCun et al. (1998)\n\n"
        "The test errors of LeCun, Bottou, Bengio & Haffner, *Gradient-based learning applied to document "
        "recognition* (1998, Fig. 9, no distortions), beside the same architectures trained by "
        f"`engine.lessons.width_lesson` in this run ({'reproduced' if w.expected else 'NOT reproduced'}: linear "
        "worst, LeNet-5 best):\n\n"
        + table(["architecture", "LeCun 1998 error %", "nnplay error %", "parameters", "training time"], rows,
                align="lrrrr") + "\n\n" + image(d["figs"]["width"], "test error by architecture") + "\n\n"
        + w.explanation + "\n\n"
        f"**First-layer lesson** (`engine.lessons.weights_lesson`; "
        f"{'reproduced' if wl.expected else 'NOT reproduced'}): the weight change W − W₀ of each unit correlated "
        "with the ten average digit images.\n\n"
        + table(["model", "test accuracy", "templates matching their own digit", "mean best correlation"], wrows,
                align="lrrr") + "\n\n" + wl.explanation + "\n")


def render_bench(d: dict) -> str:
    from nnplay.bench.runner import machine_line, markdown_table

    b = d["bench"]
    head = "### 4.6 Benchmark\n\n"
    if b is None:
        return (head + "No benchmark results were found (`benchmarks/results.json`). Run `nnplay bench` "
                "(several minutes) and then the report again to include the table here.\n")
    text = (head + f"Read from `{b['_path']}`, written by `nnplay bench` (not re-run by the report; see "
            "docs/benchmarks.md). It times nnplay against the pytorch/examples MNIST script in one run on one "
            "machine:\n\n" + markdown_table(b) + "\n\nMeasured on: " + machine_line(b) + ".\n")
    return text + render_before_after()


def render_before_after() -> str:
    """benchmarks/before-after.json (python -m nnplay.bench.before_after), when there is one."""
    path = REPO / "benchmarks" / "before-after.json"
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    from nnplay.bench.before_after import markdown

    m = d["machine"]
    return ("\nBefore and after the start-up and speed work, `nnplay train mnist` as a user runs it (a fresh "
            "process, wall clock from start to exit, default settings), the old and the new code one after "
            "the other beside a reference epoch (`benchmarks/before-after.json`, "
            "`python -m nnplay.bench.before_after`; ratios are to that round's reference epoch):\n\n"
            + markdown(d) + f"\n\nMeasured on: {m['cpu_model']}, {m['nproc']} cores, torch {m['torch']}; "
            f"{m['date_utc']}; load average {m['load_average_at_start']} at start, "
            f"{m.get('load_average_at_end')} at end." + (f" {d['note']}" if d.get("note") else "") + "\n")
