"""MNIST training and evaluation for the report: the four models with their recommended
recipes (engine.mnist.recommended), the first layer captured at several points of
training, then accuracy, per-digit accuracy, the confusion matrix and the most
confident mistakes (engine.mnist.evaluate), drawn with the lab's figures.
"""

from __future__ import annotations

import numpy as np

from nnplay.engine.mnist import MnistTrainer, count_parameters, evaluate, first_layer, recommended
from nnplay.viz import mnist as vm
from nnplay.viz.mnist import inspect as vi
from nnplay.viz import sweeps as vs

from .common import image, pct, secs, table
from .mnist_data import image_grid

MODELS = ("logistic", "mlp", "cnn", "lenet5")
NAMES = {"logistic": "logistic regression", "mlp": "MLP 300-100", "cnn": "fast CNN", "lenet5": "LeNet-5"}
SNAP_FRACTIONS = (0.0, 0.02, 0.1, 0.35, 1.0)  # share of training steps at which the first layer is shown


def sizes(quick: bool) -> dict:
    """quick: small subsets and one epoch (numbers not comparable with a full run)."""
    return {"subset": 2000, "test": 2000, "epochs": 1} if quick else {"subset": 0, "test": 0, "epochs": None}


def train_one(name: str, data, quick: bool) -> dict:
    s = sizes(quick)
    over = {"subset": s["subset"]}
    if s["epochs"]:
        over["epochs"] = s["epochs"]
    cfg = recommended(name, **over)
    tr = MnistTrainer(cfg, data, every=max(1, _total_steps(cfg, data) // 40))
    snaps = [(0.0, 0, first_layer(tr.model).detach().float().numpy().copy())]
    curve = {"epoch": [], "train_loss": [], "train_acc": [], "test_epoch": [], "test_acc": []}
    for ev in tr.run():
        if ev.first_layer is not None:
            snaps.append((ev.epoch, ev.step, ev.first_layer))
        if ev.train_loss == ev.train_loss:  # not NaN
            curve["epoch"].append(ev.epoch)
            curve["train_loss"].append(ev.train_loss)
            curve["train_acc"].append(ev.train_acc)
        if ev.test_acc is not None and (not curve["test_epoch"] or curve["test_epoch"][-1] != ev.epoch):
            curve["test_epoch"].append(ev.epoch)
            curve["test_acc"].append(ev.test_acc)
    metrics = tr.metrics()
    total = max(1, tr.step_count)
    picked = []
    for f in SNAP_FRACTIONS:  # the snapshot nearest each wanted share of the steps
        best = min(snaps, key=lambda s: abs(s[1] / total - f))
        if not picked or picked[-1][1] != best[1]:
            picked.append(best)
    return {"name": name, "cfg": cfg, "model": tr.model, "metrics": metrics, "seconds": metrics["seconds"],
            "curve": curve, "snaps": picked, "params": count_parameters(tr.model),
            "examples_per_sec": len(tr.data.train_y) * cfg.epochs / max(1e-9, metrics["seconds"])}


def _total_steps(cfg, data) -> int:
    n = min(cfg.subset or len(data.train_y), len(data.train_y))
    return -(-n // cfg.batch_size) * cfg.epochs


def run(ctx, data) -> dict:
    s = sizes(ctx.quick)
    test = data.subset(None, s["test"]) if s["test"] else data
    runs = {}
    for name in MODELS:
        with ctx.timed(f"mnist: train {name}"):
            r = train_one(name, test, ctx.quick)
            r["eval"] = evaluate(r["model"], test.test_x, test.test_y)
            runs[name] = r
    return {"runs": runs, "test_n": len(test.test_y), "train_n": s["subset"] or len(data.train_y)}


def figures(ctx, d: dict, test_x) -> dict:
    runs, figs = d["runs"], {}
    cnn = runs["cnn"]
    res = cnn["eval"]
    figs["confusion"] = ctx.figures.save("mnist-confusion", vi.confusion_figure(
        res.confusion, title=f"fast CNN, test accuracy {res.test_accuracy:.2%}"), width=560, height=560)
    figs["per_class"] = ctx.figures.save("mnist-per-class", vi.per_class_bars(
        res.per_class_accuracy, overall=res.test_accuracy), width=800, height=300)
    idx = res.mistakes[:16]
    imgs = [test_x[i, 0].numpy() for i in idx]
    titles = [f"true {res.labels[i]} → {res.predictions[i]} ({res.probabilities[i].max():.0%})" for i in idx]
    if imgs:
        figs["mistakes"] = ctx.figures.save("mnist-mistakes", image_grid(imgs, titles, cols=8, panel_px=120),
                                            width=1000, height=(len(imgs) + 7) // 8 * 120 + 50)
    summary = {"kind": "mnist", "cells": [{"key": NAMES[n], "result": {"curve": runs[n]["curve"]}} for n in MODELS]}
    figs["curves"] = ctx.figures.save("mnist-training-loss", vs.curves_figure(summary), width=900, height=340)
    for name, cols, keep in (("logistic", 10, 10), ("mlp", 12, 12), ("cnn", 16, 16)):
        snaps = runs[name]["snaps"]
        w = np.concatenate([vm.as_tiles(s[2])[:keep] for s in snaps])
        lim = vm.symmetric_limit(*[s[2] for s in snaps])
        labels = None
        if name == "logistic":
            labels = [str(k) for k in range(10)]  # the first row only: one label per digit
        width = 900 if cols > 10 else 760
        tile = (width - 150) / cols  # px per tile: the colour bar and margins take ~150 px
        height = int(len(snaps) * tile + 70)
        fig = vm.weight_mosaic(w, zmax=lim, labels=labels, cols=cols, max_tiles=len(w), height=height)
        figs[f"weights_{name}"] = ctx.figures.save(f"mnist-weights-{name}", fig, width=width, height=height)
    return figs


def relative_change(snaps) -> float:
    """‖W_end − W_0‖ / ‖W_0‖ of the first layer: how far training moved it from its random start."""
    w0, w1 = snaps[0][2], snaps[-1][2]
    return float(np.linalg.norm(w1 - w0) / max(1e-12, np.linalg.norm(w0)))


# ---------------------------------------------------------------- markdown
def training_rows(d: dict) -> list[list]:
    rows = []
    for n in MODELS:
        c = d["runs"][n]["cfg"]
        decay = c.weight_decay_used
        rows.append([f"MNIST {NAMES[n]}", "cross-entropy (softmax)", c.optimizer,
                     f"{c.lr:g} peak, {c.schedule}" + (f", weight decay {decay:g}" if decay else ""),
                     str(c.batch_size), str(c.epochs), str(c.seed)])
    return rows


def time_rows(d: dict) -> list[list]:
    return [[f"MNIST {NAMES[n]}", f"{d['runs'][n]['params']:,} parameters, {d['train_n']:,} images",
             d["runs"][n]["cfg"].epochs,
             f"{secs(d['runs'][n]['seconds'])} ({d['runs'][n]['examples_per_sec']:,.0f} images/s)"]
            for n in MODELS]


def render_results(d: dict, figs: dict, quick: bool) -> str:
    runs = d["runs"]
    rows = [[NAMES[n], pct(runs[n]["eval"].test_accuracy), pct(runs[n]["metrics"]["train_accuracy"]),
             int(len(runs[n]["eval"].mistakes)), secs(runs[n]["seconds"])] for n in MODELS]
    per = [[NAMES[n], *[f"{100 * a:.1f}" for a in runs[n]["eval"].per_class_accuracy]] for n in MODELS]
    cnn = runs["cnn"]["eval"]
    worst = int(np.argmin(cnn.per_class_accuracy))
    off = cnn.confusion.copy()
    np.fill_diagonal(off, 0)
    t, p = np.unravel_index(int(off.argmax()), off.shape)
    snaps = {n: ", ".join(f"{s[0]:.2f}" for s in runs[n]["snaps"]) for n in ("logistic", "mlp", "cnn")}
    change = {n: relative_change(runs[n]["snaps"]) for n in ("logistic", "mlp", "cnn")}
    note = (" (quick run: a 2,000-image subset and one epoch; not comparable with the full report)" if quick else "")
    out = (
        "### 4.2 MNIST\n\n"
        f"Test accuracy on {d['test_n']:,} test images{note}. Training accuracy is measured on the training "
        "batches of the last epoch, while learning.\n\n"
        + table(["model", "test accuracy", "train accuracy", "test errors", "training time"], rows, align="lrrrr")
        + "\n\nAccuracy per true digit (%):\n\n"
        + table(["model", *[str(k) for k in range(10)]], per, align="l" + "r" * 10) + "\n\n"
        + image(figs["curves"], "training loss of the four models") + "\n\n"
        f"The fast CNN's confusion matrix (rows: true digit, columns: predicted; colour: share of the row). "
        f"Its weakest digit is **{worst}** ({pct(cnn.per_class_accuracy[worst])}); its most frequent confusion is "
        f"a true **{t}** read as **{p}** ({int(off[t, p])} times).\n\n"
        + image(figs["confusion"], "confusion matrix") + "\n\n" + image(figs["per_class"], "per-digit accuracy")
        + "\n\n")
    if "mistakes" in figs:
        i = int(cnn.mistakes[0])
        out += (f"Its most confident mistakes (true → predicted, confidence); the worst is a {cnn.labels[i]} "
                f"called a {cnn.predictions[i]} with {cnn.probabilities[i].max():.1%} confidence. Many are "
                "digits a person would hesitate over too:\n\n" + image(figs["mistakes"], "most confident mistakes")
                + "\n\n")
    out += (
        "### 4.3 First-layer weights during training\n\n"
        "Each row is one moment of training (top: the random start), on one colour scale per model "
        "(red positive, blue negative, white 0), so a weight that grows also darkens.\n\n"
        f"**Logistic regression**, the ten weight images (one per digit, labelled), at epochs {snaps['logistic']}: "
        f"the weights moved by {change['logistic']:.0%} of their initial size (‖W_end − W_0‖ / ‖W_0‖), from noise "
        "towards templates: red where that digit has ink, blue where other digits do.\n\n"
        + image(figs["weights_logistic"], "logistic weights over time") + "\n\n"
        f"**MLP**, the first 12 of its 300 hidden units, at epochs {snaps['mlp']}: the layer moved by "
        f"{change['mlp']:.0%} of its initial size; its units turn into local patterns (pieces of strokes, edges, "
        "blobs) rather than whole digits (measured in the first-layer lesson, 4.5).\n\n"
        + image(figs["weights_mlp"], "MLP first-layer weights over time") + "\n\n"
        f"**Fast CNN**, its 16 3×3 conv1 kernels, at epochs {snaps['cnn']} (moved by {change['cnn']:.0%}): "
        "small edge and blob detectors.\n\n"
        + image(figs["weights_cnn"], "CNN conv1 kernels over time") + "\n")
    return out
