"""Benchmark rows reference_epoch, cnn_to_99, mlp_to_98, best_in_budget, predict_drawing
and cnn_levers: MNIST training speed, best accuracy, prediction latency.

Each row is a function `row_x(ctx) -> dict`. `ctx` is a `BenchContext` carrying the
data, the quick flag and the results of earlier rows (cnn_to_99's ratio needs
reference_epoch's epoch time). Every dict has: row, title, result (one line for the table), target,
met (True/False/None) and the raw numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from .machine import percentiles


@dataclass
class BenchContext:
    quick: bool = False
    data_dir: str | None = None
    threads: int = 2                       # the CLI passes the MNIST recipe's MnistConfig().threads
    budget_s: float = 90.0                 # best_in_budget's training budget
    results: dict = field(default_factory=dict)
    _data: object = None

    def data(self):
        """All of MNIST, or in quick mode 2,000 training and 1,000 test images."""
        if self._data is None:
            from nnplay.engine.mnist.data import load_mnist

            full = load_mnist(self.data_dir)
            self._data = full.subset(2000, 1000) if self.quick else full
        return self._data


def _threads(n: int) -> str:
    return f"{n} thread" + ("s" if n != 1 else "")


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.2f}%"


def row_reference_epoch(ctx: BenchContext) -> dict:
    """pytorch/examples mnist/main.py: one epoch, batch 64, Adadelta, in its own process with
    PyTorch's default settings (quick: the heaviest net on 1,000 images)."""
    from .reference import run_reference_process

    r = run_reference_process(ctx.data_dir, epochs=1, threads=ctx.threads, quick=ctx.quick)
    return {
        "row": "reference_epoch", "title": "reference (pytorch/examples mnist) 1 epoch",
        "result": f"{r['epoch_seconds']:.1f} s/epoch, test {_pct(r['test_accuracy'])}",
        "target": "yardstick", "met": None, **r,
    }


def time_to_accuracy(cfg, data, target: float, *, max_seconds: float | None = None) -> dict:
    """Train `cfg` with the engine's MnistTrainer; stop at the first epoch-end test
    accuracy >= target. Returns wall seconds (evaluations included) and training-only
    seconds at that point, the accuracy curve and whether the target was reached."""
    from nnplay.engine.mnist.trainer import MnistTrainer

    trainer = MnistTrainer(cfg, data, every=10**9)  # events only at epoch ends
    curve, reached = [], None
    t0 = time.perf_counter()
    for ev in trainer.run():
        wall = time.perf_counter() - t0
        if ev.test_acc is not None and (not curve or curve[-1]["epoch"] != round(ev.epoch, 3)):
            curve.append({"epoch": round(ev.epoch, 3), "test_accuracy": ev.test_acc,
                          "wall_seconds": round(wall, 3), "train_seconds": round(ev.seconds, 3)})
            if reached is None and ev.test_acc >= target:
                reached = curve[-1]
                trainer.stop()
        if max_seconds is not None and wall > max_seconds:
            trainer.stop()
    best = max((c["test_accuracy"] for c in curve), default=None)
    return {
        "config": cfg.to_dict(),
        "reached": reached is not None,
        "seconds_to_target": reached["wall_seconds"] if reached else None,
        "train_seconds_to_target": reached["train_seconds"] if reached else None,
        "epochs_to_target": reached["epoch"] if reached else None,
        "best_test_accuracy": best,
        "curve": curve,
        "seconds_per_epoch": trainer.seconds / max(1e-9, trainer.step_count / trainer.steps_per_epoch),
    }


def summary_to_target(r: dict, ratio: bool = False) -> str:
    """The table cell of cnn_to_99 and mlp_to_98: the accuracy reached, when, after how many epochs."""
    t = r["seconds_to_target"]
    if t is None:
        return f"not reached; best {_pct(r['best_test_accuracy'])}"
    reached = next(c["test_accuracy"] for c in r["curve"] if c["epoch"] == r["epochs_to_target"])
    text = f"{_pct(reached)} at {t:.1f} s (epoch {r['epochs_to_target']:g})"
    if ratio and r.get("ratio_to_reference_epoch") is not None:
        text += f", {r['ratio_to_reference_epoch']:.3f}x ref epoch"
    return text


def summary_budget(r: dict) -> str:
    """The table cell of best_in_budget."""
    cfg, curve = r["config"], r["curve"]
    last = curve[-1]["epoch"] if curve else 0
    stopped = f", stopped at epoch {last:.2f}" if last < cfg["epochs"] else ""
    ema = f", EMA {cfg['ema']:g}" if cfg.get("ema") else ""
    head = f" + {cfg['head']}-unit head" if cfg.get("head") else ""
    return (f"{_pct(r.get('final_test_accuracy'))} at the end, best epoch-end {_pct(r['best_test_accuracy'])} "
            f"({cfg['model']} width {cfg['width']}{head}, shifts, label smoothing "
            f"{cfg['label_smoothing']:g}{ema}, one-cycle over {cfg['epochs']} ep{stopped})")


def _whole_process(ctx: BenchContext, model: str, target: float) -> dict:
    """The command a user runs, `nnplay train mnist --model M --seed S`, as fresh processes
    timed from exec to exit: seeds 0-4 (quick: seed 0 on 2,000 images, 1 epoch)."""
    from .whole import whole_process_seeds

    ref = ctx.results.get("reference_epoch", {}).get("epoch_seconds")
    args = ["--model", model, "--threads", str(ctx.threads)]
    seeds = range(1) if ctx.quick else range(5)
    if ctx.quick:
        args += ["--subset", "2000", "--epochs", "1"]
    return whole_process_seeds(args, seeds, target, ref, data_dir=ctx.data_dir)


def _cell(r: dict, w: dict) -> str:
    """The table cell: the whole process (worst seed) first, then the in-process figure."""
    ratio = w["worst_ratio_to_reference_epoch"]
    head = (f"whole process, worst of {w['seeds']} seed{'s' if w['seeds'] > 1 else ''}: "
            f"{w['worst_wall_seconds']:.1f} s" + (f" = {ratio:.3f}x ref epoch" if ratio else "")
            + f", {_pct(w['worst_test_accuracy'])}-{_pct(w['best_test_accuracy'])}")
    return f"{head}; in-process: {summary_to_target(r, ratio=True)}"


def _to_target_row(ctx: BenchContext, key: str, title: str, cfg, target: float, max_ratio: float) -> dict:
    r = time_to_accuracy(cfg, ctx.data(), target)
    ref = ctx.results.get("reference_epoch", {}).get("epoch_seconds")
    t = r["seconds_to_target"]
    r["ratio_to_reference_epoch"] = round(t / ref, 3) if t and ref else None
    w = _whole_process(ctx, cfg.model, target)
    met = bool(w["all_reach_target"] and (w["worst_ratio_to_reference_epoch"] or 9) <= max_ratio)
    return {"row": key, "title": title, "result": _cell(r, w),
            "target": f">= {100 * target:.1f}% on every seed, whole process <= {max_ratio}x reference epoch",
            "met": met, "whole_process": w, **r}


def row_cnn_to_99(ctx: BenchContext) -> dict:
    """The default CNN recipe: `nnplay train mnist --model cnn` as a user runs it (whole
    process, 5 seeds, the worst counting) beside the in-process time to 99.0%, both as
    ratios to the reference epoch's training seconds."""
    from nnplay.engine.mnist.config import recommended

    cfg = recommended("cnn", threads=ctx.threads)  # the default recipe (what `nnplay train mnist` runs)
    if ctx.quick:
        cfg = cfg.replace(epochs=1)
    return _to_target_row(ctx, "cnn_to_99", "default CNN: 99.0%, whole process", cfg, 0.99, 0.25)


def row_mlp_to_98(ctx: BenchContext) -> dict:
    """The MLP recipe, as row cnn_to_99 does for the CNN: 98.0%, whole process <= 0.12x."""
    from nnplay.engine.mnist.config import recommended

    cfg = recommended("mlp", threads=ctx.threads)
    if ctx.quick:
        cfg = cfg.replace(epochs=1)
    return _to_target_row(ctx, "mlp_to_98", "MLP: 98.0%, whole process", cfg, 0.98, 0.12)


# Width 32 learns more per image (99.64% after 12 epochs, seed 0) but takes ~1.9x as long per
# epoch (13.5 vs 7.2 s with shifts, quiet Xeon): 6 epochs fit in 90 s. Width 16 fit 17 (99.59%).
# The one place the budget recipe is written; `nnplay train mnist` takes the same settings as
# flags (recipe_flags), and the row plans `epochs` from a timed probe of this very recipe.
# Added after the 14:18 bench (busy machine, 1 thread, seeds at a fixed epoch count: docs/benchmarks.md):
# a 256-unit hidden layer before the output (head: +0.15 M multiply-adds per image, ~1.0x the time
# per epoch, unlike wider convs) and an EMA of the weights (0.999, the last ~2 epochs).
BEST_RECIPE = dict(model="cnn", augment=True, label_smoothing=0.1, schedule="onecycle", head=256, ema=0.999)


def recipe_flags(cfg) -> list[str]:
    """`nnplay train mnist` flags that train `cfg`'s BEST_RECIPE fields, its epochs and seed."""
    flags = []
    for key in (*BEST_RECIPE, "epochs", "seed"):
        value = getattr(cfg, key)
        if isinstance(value, bool):
            flags += [f"--{key.replace('_', '-')}"] if value else []
        else:
            flags += [f"--{key.replace('_', '-')}", f"{value:g}" if isinstance(value, float) else str(value)]
    return flags


def seconds_per_epoch(cfg, data, steps: int = 40) -> float:
    """Time `steps` training steps of `cfg` (after 5 warm-up steps) and scale to one epoch."""
    from nnplay.engine.mnist.trainer import MnistTrainer

    trainer = MnistTrainer(cfg, data, every=5, eval_every_epoch=False, final_eval=False, max_steps=steps + 5)
    warm = None
    for _ in trainer.run():
        if warm is None:  # the first event comes after 5 steps: kernels and buffers are made by then
            warm = trainer.seconds
    return (trainer.seconds - warm) / max(1, trainer.step_count - 5) * trainer.steps_per_epoch


def best_in_budget_config(ctx: BenchContext, budget_s: float):
    """The recipe for best_in_budget: the default CNN with random-shift augmentation, label
    smoothing, an EMA of the weights and a one-cycle schedule stretched over as many epochs as
    fit the budget (one-cycle must know its length in advance, so we plan from a short timed
    probe of this very recipe, the EMA's update included)."""
    from nnplay.engine.mnist.config import MnistConfig

    cfg = MnistConfig.from_dict({**BEST_RECIPE, "epochs": 1, "threads": ctx.threads})
    per_epoch = 0.3 if ctx.quick else seconds_per_epoch(cfg, ctx.data())
    epochs = max(1, int(budget_s / (per_epoch * 1.08)))  # ~8% for the machine's ups and downs
    return cfg.replace(epochs=epochs)


def row_best_in_budget(ctx: BenchContext) -> dict:
    """The best test accuracy reached inside a training budget (90 s; quick: 2 s)."""
    from nnplay.engine.mnist.trainer import MnistTrainer

    budget = 2.0 if ctx.quick else ctx.budget_s
    cfg = best_in_budget_config(ctx, budget)
    trainer = MnistTrainer(cfg, ctx.data(), every=20, eval_every_epoch=True)  # checks the clock every 20 steps
    curve = []
    t0 = time.perf_counter()
    for ev in trainer.run():
        if ev.test_acc is not None:
            curve.append({"epoch": round(ev.epoch, 3), "test_accuracy": ev.test_acc,
                          "train_seconds": round(ev.seconds, 3)})
        if ev.seconds > budget:  # training time only: evaluations are not charged to the budget
            trainer.stop()
    wall = time.perf_counter() - t0
    inside = [c for c in curve if c["train_seconds"] <= budget * 1.02] or curve[:1]
    best = max((c["test_accuracy"] for c in inside), default=None)
    # What counts is the model the budget ends with (the one a user keeps): picking the best of
    # several epoch-end test scores would choose by the test set. The best is kept as an aside.
    final = inside[-1]["test_accuracy"] if inside else None
    r = {
        "row": "best_in_budget", "title": f"best accuracy in a {budget:g} s training budget",
        "target": ">= 99.65% at the end of the budget", "met": bool(final is not None and final >= 0.9965),
        "budget_seconds": budget, "final_test_accuracy": final, "best_test_accuracy": best,
        "train_seconds": round(trainer.seconds, 3),
        "wall_seconds": round(wall, 3), "config": cfg.to_dict(), "curve": curve,
        "command": " ".join(["nnplay", "train", "mnist", *recipe_flags(cfg)]),
    }
    return {**r, "result": summary_budget(r)}


def drawn_digit(data, index: int = 0, size: int = 280) -> tuple[dict, int]:
    """A "drawn" image like the app's Sketchpad sends: a test digit scaled up 10x as
    black ink in the alpha channel of a 280x280 RGBA canvas. Returns (value, label)."""
    img = (data.test_x[index, 0].numpy() * 255).astype(np.uint8)          # (28, 28)
    alpha = np.kron(img, np.ones((size // 28, size // 28), dtype=np.uint8))  # (280, 280)
    rgba = np.zeros((size, size, 4), dtype=np.uint8)
    rgba[..., 3] = alpha
    return {"background": None, "layers": [rgba], "composite": rgba}, int(data.test_y[index])


def _latencies(fn, repeats: int, threads: int) -> list[float]:
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        times = []
        for i in range(repeats + 5):
            t0 = time.perf_counter()
            fn()
            if i >= 5:  # the first calls warm up allocators and kernels
                times.append(time.perf_counter() - t0)
        return times
    finally:
        torch.set_num_threads(before)


def row_predict_drawing(ctx: BenchContext) -> dict:
    """Bundled model: p50/p95 latency of one drawn image, preprocessing included
    (Sketchpad dict -> to_mnist -> predict_probs), with the bench's thread count and
    with the other choice of 1 or 2 (one 28x28 image is too little work to share
    between threads; on a busy machine the second thread mostly waits)."""
    from nnplay.engine.mnist import load_pretrained, predict_probs
    from nnplay.engine.mnist.preprocess import to_mnist

    model = load_pretrained()[0]
    value, label = drawn_digit(ctx.data())
    guesses = []

    def once():
        probs = predict_probs(model, to_mnist(value))
        guesses.append(int(np.argmax(probs)))

    repeats = 30 if ctx.quick else 300
    other = 2 if ctx.threads == 1 else 1
    p50, p95 = (1000 * v for v in percentiles(_latencies(once, repeats, ctx.threads), 50, 95))
    q50, q95 = (1000 * v for v in percentiles(_latencies(once, repeats, other), 50, 95))
    return {"row": "predict_drawing", "title": "bundled model: predict one 280x280 drawing",
            "result": (f"p50 {p50:.1f} ms, p95 {p95:.1f} ms ({_threads(ctx.threads)}); "
                       f"{_threads(other)}: {q50:.1f} / {q95:.1f} ms"),
            "target": "p95 <= 30 ms", "met": bool(p95 <= 30),
            "p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "threads": ctx.threads,
            "other_threads": other, "p50_ms_other_threads": round(q50, 2), "p95_ms_other_threads": round(q95, 2),
            "repeats": repeats, "predicted": guesses[-1], "label": label}


def row_cnn_levers(ctx: BenchContext) -> dict:
    """The speed levers, each measured on the default CNN recipe for one pass over the
    first 10,000 training images (a one-cycle schedule over that pass): training
    seconds and the test accuracy after it. The default (bf16 autocast where the CPU
    has native bf16, channels_last, the bench's threads) against: the other thread
    count, plain NCHW, float32 only, and a larger batch."""
    from nnplay.engine.mnist.config import MnistConfig, recommended
    from nnplay.engine.mnist.precision import native_bf16
    from nnplay.engine.mnist.trainer import MnistTrainer

    other = 2 if ctx.threads == 1 else 1
    auto = "bf16" if native_bf16() else "fp32"
    variants = [
        (f"default ({auto}, channels_last, {_threads(ctx.threads)})", ctx.threads, {}, {}),
        (_threads(other), other, {}, {}),
        ("NCHW (no channels_last)", ctx.threads, {}, dict(channels_last=False)),
        ("fp32 (no bf16 autocast)" if auto == "bf16" else "bf16 autocast (emulated)", ctx.threads, {},
         dict(precision="fp32" if auto == "bf16" else "bf16")),
        ("batch 256, lr x2", ctx.threads, dict(batch_size=256, lr=2 * MnistConfig().lr), {}),
    ]
    # 10,000 images (a sixth of an epoch) are enough to compare speeds; quick: 500.
    data = ctx.data().subset(500 if ctx.quick else 10000)
    out = []
    for name, threads, fields, kw in variants:
        torch.set_num_threads(threads)  # the program's setting (the trainer never changes it)
        cfg = recommended("cnn", epochs=1, threads=threads, **fields)
        trainer = MnistTrainer(cfg, data, every=10**9, **kw)
        for _ in trainer.run():
            pass
        m = trainer.metrics()
        out.append({"lever": name, "train_seconds": round(trainer.seconds, 3), "test_accuracy": m["test_accuracy"],
                    "bf16": trainer.bf16, "examples_per_sec": round(len(data.train_y) / max(trainer.seconds, 1e-9), 1)})
    torch.set_num_threads(ctx.threads)
    base = out[0]["train_seconds"]
    fastest = min(out, key=lambda r: r["train_seconds"])
    return {"row": "cnn_levers", "title": "speed levers, default CNN, 10k images each",
            "result": "; ".join(f"{r['lever']} {r['train_seconds']:.1f} s/{_pct(r['test_accuracy'])}" for r in out),
            "target": "measure each", "met": None, "variants": out,
            "fastest": fastest["lever"], "speedup_of_fastest": round(base / max(fastest["train_seconds"], 1e-9), 3)}
