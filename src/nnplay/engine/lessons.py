"""Four classic lessons as one-call presets that really train and measure.

Each function sets up a configuration, trains it, and returns a `Lesson`: the
measured numbers (a table), arrays for figures, and a short explanation whose
numbers are filled in from this run. Nothing is written in beforehand: if a run
came out differently (a different machine, seed or recipe), the text says what
happened, and `lesson.expected` says whether the classic result was reproduced.

1. xor_lesson        XOR without a hidden layer stays at <= 75%; 2 hidden units solve it.
2. lr_lesson         learning rate too high diverges, too low barely moves, between converges.
3. width_lesson      MNIST test error vs architecture, beside LeCun et al. (1998).
4. weights_lesson    first-layer weights: logistic = digit templates, MLP = stroke detectors.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from .errors import ConfigError
from .gates import GateConfig
from .mnist import MnistConfig, MnistTrainer, first_layer, load_mnist, recommended
from .sweeps.gates import run_gate_cell, train_seed
from .sweeps.grid import Axis, Cell
from .sweeps.runner import run_sweep


@dataclasses.dataclass
class Lesson:
    name: str
    title: str
    explanation: str          # markdown, numbers from this run
    table: list[dict]         # one row per configuration compared
    expected: bool            # did the classic result show up?
    data: dict = dataclasses.field(default_factory=dict)  # arrays/curves for the figures
    seconds: float = 0.0

    def to_dict(self) -> dict:
        """JSON-able (arrays dropped): for the CLI and the report."""
        return {"name": self.name, "title": self.title, "explanation": self.explanation, "table": self.table,
                "expected": self.expected, "seconds": self.seconds}


# ---------------------------------------------------------------- the gate lessons' setups
# Each gate lesson compares a few configurations; these are they, by label. The lessons
# train them, and the lab's "Try it" buttons load them into the live lab (same settings).
LR_LESSON = {"too high": 10.0, "in between": 1.0, "too low": 0.001}
_LR_BASE = dict(gate="XOR", hidden=(4, 4), activation="tanh", optimizer="sgd")
GATE_SETUPS: dict[str, dict[str, dict]] = {
    "xor": {"no hidden layer": dict(gate="XOR", sampling="exact", features=("x1", "x2"), hidden=()),
            "2 hidden units": dict(gate="XOR", sampling="exact", features=("x1", "x2"), hidden=(2,))},
    "lr": {f"lr {lr:g} ({label})": dict(_LR_BASE, lr=lr) for label, lr in LR_LESSON.items()},
}


def lesson_setup(lesson: str, label: str, base: GateConfig | None = None) -> GateConfig:
    """The GateConfig a gate lesson trains under `label` (e.g. "xor", "no hidden layer")."""
    try:
        changes = GATE_SETUPS[lesson][label]
    except KeyError:
        raise ConfigError(f"no setup {label!r} in lesson {lesson!r}; there are: "
                          + "; ".join(f"{k}: {', '.join(v)}" for k, v in GATE_SETUPS.items())) from None
    return (base or GateConfig()).replace(**changes)


# ---------------------------------------------------------------- 1. XOR needs a hidden layer
def xor_lesson(seeds: int = 10, epochs: int = 400, base: GateConfig | None = None, stop=None) -> Lesson:
    """Train XOR with no hidden layer and with one hidden layer of 2 units, over `seeds` seeds.

    Why it must fail without a hidden layer: the network is then p = sigmoid(w1 x1 + w2 x2 + b),
    whose decision boundary p = 0.5 is one straight line. XOR's 1s, (0,1) and (1,0), sit on
    one diagonal and its 0s on the other; no line puts both 1s on one side and both 0s on
    the other, so at least one of the four rows is always wrong: accuracy <= 3/4."""
    t0 = time.perf_counter()
    cfgs = {"none": lesson_setup("xor", "no hidden layer", base), "2": lesson_setup("xor", "2 hidden units", base)}
    opts = {"seeds": seeds, "epochs": epochs}
    none = run_gate_cell(cfgs["none"].to_dict(), opts, stop)
    two = run_gate_cell(cfgs["2"].to_dict(), opts, stop)
    if none.get("stopped") or two.get("stopped"):
        raise KeyboardInterrupt
    grids = {name: train_seed(cfg, epochs, until_solved=False, grid_size=32) for name, cfg in cfgs.items()}
    table = [{"hidden": "none", **_gate_row(none)}, {"hidden": "2", **_gate_row(two)}]
    expected = none["best_train_acc"] <= 0.75 and two["n_solved"] > 0
    med = "never" if two["median_epochs"] is None else f"in a median of {two['median_epochs']:.0f} epochs"
    text = (
        f"**No hidden layer:** the best of {seeds} seeds reached **{none['best_train_acc']:.0%}** training "
        f"accuracy after {epochs} epochs ({none['n_solved']} solved). Its boundary is one straight line, and "
        "no line separates XOR's two 1s (0,1), (1,0) from its two 0s (0,0), (1,1): one row is always "
        "wrong, so 75% is the ceiling.\n\n"
        f"**One hidden layer of 2 units:** **{two['n_solved']}/{seeds}** seeds solved it ({med}). Two hidden "
        "units draw two lines and the output combines them into a band. Notice the seeds that fail: "
        "with so few units a bad start can get stuck (try the seed ensemble).")
    if not expected:
        text += "\n\n*This run did not show the classic result; try more epochs or seeds.*"
    return Lesson("xor", "XOR needs a hidden layer", text, table, expected,
                  {"cells": {"none": none, "2": two}, "grids": grids, "epochs": epochs},
                  time.perf_counter() - t0)


def _gate_row(res: dict) -> dict:
    return {k: res[k] for k in ("success_rate", "n_solved", "seeds", "best_train_acc", "median_epochs",
                                "final_loss")}


# ---------------------------------------------------------------- 2. the learning rate


def classify_loss(curve: list[float], diverged: str | None) -> str:
    """'diverged' (NaN/inf, or the loss ended above where it started), 'barely moves'
    (it fell by less than 10%), else 'converges'."""
    start, end = curve[0], curve[-1]
    if diverged or not math.isfinite(end) or end > start:
        return "diverged"
    if end > 0.9 * start:
        return "barely moves"
    return "converges"


def lr_lesson(rates: dict[str, float] | None = None, epochs: int = 300, seed: int = 0, stop=None) -> Lesson:
    """XOR with a 2-4-4-1 tanh network and plain SGD at three learning rates.

    Gradient descent moves each weight by -lr * dL/dw. A tiny lr makes tiny steps:
    after hundreds of epochs the loss has hardly changed. A huge lr overshoots the
    valley it is trying to descend: each step lands further up the other side, so the
    loss grows (and may become inf/NaN). Plain SGD is used because Adam rescales its
    steps and hides part of the effect."""
    t0 = time.perf_counter()
    rates = rates or LR_LESSON
    base = GateConfig(**_LR_BASE, seed=seed)  # the setups of GATE_SETUPS["lr"], at each rate
    curves, table = {}, []
    for label, lr in rates.items():
        run = train_seed(base.replace(lr=lr), epochs, until_solved=False, stop=stop, grid_size=2)
        if run is None:
            raise KeyboardInterrupt
        loss = run["curve"]["train_loss"]
        verdict = classify_loss(loss, run["diverged"])
        curves[label] = {"lr": lr, "epoch": run["curve"]["epoch"], "train_loss": loss,
                         "train_acc": run["curve"]["train_acc"]}
        table.append({"learning rate": lr, "expected": label, "start loss": loss[0], "end loss": loss[-1],
                      "highest loss": max(v for v in loss if math.isfinite(v)), "train accuracy": run["train_acc"],
                      "outcome": verdict})
    want = {"too high": "diverged", "too low": "barely moves", "in between": "converges"}
    expected = all(r["outcome"] == want.get(r["expected"], r["outcome"]) for r in table)
    lines = [f"- **lr {r['learning rate']:g}** ({r['expected']}): loss {r['start loss']:.3f} → "
             f"{r['end loss']:.3g} after {epochs} epochs, **{r['outcome']}** "
             f"(train accuracy {r['train accuracy']:.0%})" for r in table]
    text = ("Same network, same start (seed %d), only the learning rate differs:\n\n" % seed + "\n".join(lines) +
            "\n\nNotice the log-scale loss: too small a step leaves the curve flat; too large a step "
            "overshoots the minimum so the loss climbs above where it started; in between it falls "
            "by orders of magnitude.")
    if not expected:
        text += "\n\n*This run did not show all three behaviours; try another seed.*"
    return Lesson("lr", "The learning rate: too high, too low, just right", text, table, expected,
                  {"curves": curves, "epochs": epochs}, time.perf_counter() - t0)


# ---------------------------------------------------------------- 3. width vs test error (MNIST)
# Test errors reported by LeCun, Bottou, Bengio & Haffner (1998), "Gradient-based learning
# applied to document recognition", Fig. 9 / Appendix C (no distortions).
LECUN_1998 = [
    ("linear classifier", "logistic", (), 12.0),
    ("2-layer, 300 hidden units", "mlp", (300,), 4.7),
    ("2-layer, 1000 hidden units", "mlp", (1000,), 4.5),
    ("3-layer, 300+100 units", "mlp", (300, 100), 3.05),
    ("3-layer, 500+150 units", "mlp", (500, 150), 2.95),
    ("LeNet-5", "lenet5", (300, 100), 0.95),
]
WIDTH_VARIANTS = {"quick": {"subset": 10000, "epochs": 3, "batch_size": 64}, "full": {"subset": 0, "epochs": 5}}


def width_cells(variant: str = "quick", **overrides) -> tuple[Axis, list[Cell]]:
    """The six architectures as sweep cells (one axis, "architecture")."""
    v = {**WIDTH_VARIANTS[variant], **overrides}
    cells = []
    for i, (label, model, hidden, _) in enumerate(LECUN_1998):
        cfg = recommended(model, hidden=list(hidden) or [300], **v)
        cells.append(Cell((i,), {"architecture": label}, label, cfg))
    return Axis("architecture", tuple(c.key for c in cells)), cells


def width_lesson(variant: str = "quick", *, workers: int = 1, out=None, progress=None, stop=None,
                 **overrides) -> Lesson:
    """Train the architectures of LeCun et al. (1998) and set our test errors beside theirs.
    quick: the first 10,000 training images, 3 epochs, batches of 64 (the lab's button,
    about half a minute on 2 cores); full: all 60,000, 5 epochs (the report). Both test on all 10,000 test images."""
    t0 = time.perf_counter()
    axis, cells = width_cells(variant, **overrides)
    res = run_sweep("mnist", cells[0].cfg, [axis], {}, out=out, workers=workers, progress=progress, stop=stop,
                    cells=cells)
    by_key = {r["key"]: r["result"] for r in res.records}
    table = []
    for label, model, hidden, paper in LECUN_1998:
        r = by_key.get(label)
        ours = None if r is None or r.get("test_error") is None else 100.0 * r["test_error"]
        table.append({"architecture": label, "LeCun 1998 error %": paper,
                      "nnplay error %": None if ours is None else round(ours, 2),
                      "parameters": None if r is None else r.get("n_params"),
                      "seconds": None if r is None else round(r.get("seconds", 0.0), 1)})
    done = [row for row in table if row["nnplay error %"] is not None]
    v = {**WIDTH_VARIANTS[variant], **overrides}
    data_txt = f"the first {v['subset']:,} training images" if v["subset"] else "all 60,000 training images"
    expected = (len(done) == len(table) and table[0]["nnplay error %"] > max(t["nnplay error %"] for t in table[1:])
                and table[-1]["nnplay error %"] < min(t["nnplay error %"] for t in table[:-1]))
    rows = "\n".join(f"- {t['architecture']}: LeCun {t['LeCun 1998 error %']}% · nnplay "
                     f"{'—' if t['nnplay error %'] is None else str(t['nnplay error %']) + '%'}" for t in table)
    text = (f"nnplay trained each architecture on {data_txt} for {v['epochs']} epochs (Adam, one-cycle "
            f"schedule) and tested on all 10,000 test images:\n\n{rows}\n\n"
            "Notice the order more than the exact numbers: the linear classifier is clearly worst, a hidden "
            "layer cuts the error several-fold, more units and a second layer help a little, and the "
            "convolutional LeNet-5, which knows that neighbouring pixels belong together, is best.")
    beat = [t for t in done if t["nnplay error %"] < t["LeCun 1998 error %"]]
    if beat:
        text += (f" Here {len(beat)} of {len(done)} architectures beat their 1998 error"
                 + (" even with less data and training" if v["subset"] else "")
                 + ": Adam and a learning-rate schedule are stronger than 1998's plain gradient descent.")
    else:
        text += " With this little data and training none reaches its 1998 error; the full run does better."
    if not expected:
        text += "\n\n*This run did not reproduce the full ordering (see the table).* "
    if res.interrupted:
        text += "\n\n*Stopped before every architecture finished.*"
    return Lesson("width", "Width and depth vs test error on MNIST (LeCun et al. 1998)", text, table, expected,
                  {"sweep": res.summary(), "variant": variant}, time.perf_counter() - t0)


# ---------------------------------------------------------------- 4. first-layer weights
def _corr_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of every row of a (n, 784) with every row of b (m, 784) -> (n, m)."""
    a = a - a.mean(1, keepdims=True)
    b = b - b.mean(1, keepdims=True)
    a = a / (np.linalg.norm(a, axis=1, keepdims=True) + 1e-12)
    b = b / (np.linalg.norm(b, axis=1, keepdims=True) + 1e-12)
    return a @ b.T


def _train_first_layer(cfg: MnistConfig, data, stop=None) -> tuple[np.ndarray, np.ndarray, float]:
    tr = MnistTrainer(cfg, data, every=10_000)
    w0 = first_layer(tr.model).detach().numpy().copy()
    acc = None
    for ev in tr.run():
        if stop is not None and stop.is_set():
            tr.stop()
        if ev.stopped:
            raise KeyboardInterrupt
        acc = ev.test_acc if ev.test_acc is not None else acc
    return w0, first_layer(tr.model).detach().numpy().copy(), acc


def weights_lesson(subset: int = 10000, epochs: int = 2, hidden: int = 64, stop=None) -> Lesson:
    """Train logistic regression and a 1-hidden-layer MLP; compare what their first layers learned.

    The measure: correlate each learned weight image (the change W_T - W_0 from the random
    start, (units, 784)) with the ten "average digit" images (the mean training image of each
    class minus the mean of all images, (10, 784)). A logistic model has one weight image per
    digit and must score every digit with it alone, so each row becomes a template of its
    own digit: it correlates best with its own class's average. An MLP's hidden units feed
    later layers that combine them, so each can specialise on a part (a stroke, an edge)
    shared by several digits: their best correlation with any whole digit is lower."""
    t0 = time.perf_counter()
    data = load_mnist()
    x = data.train_x[:subset].reshape(-1, 784).numpy()
    y = data.train_y[:subset].numpy()
    means = np.stack([x[y == c].mean(0) for c in range(10)]) - x.mean(0)  # (10, 784)
    log_cfg = recommended("logistic", subset=subset, epochs=epochs)
    mlp_cfg = recommended("mlp", hidden=[hidden], subset=subset, epochs=epochs)
    lw0, lw, lacc = _train_first_layer(log_cfg, data, stop)
    mw0, mw, macc = _train_first_layer(mlp_cfg, data, stop)
    c_log = _corr_rows(lw - lw0, means)            # (10, 10)
    c_mlp = _corr_rows(mw - mw0, means)            # (hidden, 10)
    matches = int((c_log.argmax(1) == np.arange(10)).sum())
    own = float(np.diag(c_log).mean())
    mlp_best = float(np.abs(c_mlp).max(1).mean())
    table = [{"model": "logistic (10 weight images)", "test accuracy": lacc,
              "templates matching their own digit": f"{matches}/10",
              "mean best correlation with a digit average": float(np.abs(c_log).max(1).mean())},
             {"model": f"MLP, {hidden} hidden units", "test accuracy": macc,
              "templates matching their own digit": "—",
              "mean best correlation with a digit average": mlp_best}]
    expected = matches >= 8 and mlp_best < own
    text = (f"Both trained on {subset:,} images for {epochs} epochs. **Logistic:** {matches}/10 weight images "
            f"correlate best with the average image of their own digit (mean correlation {own:.2f}): they are "
            "digit templates, positive (red) where that digit has ink and negative (blue) where other "
            f"digits do. **MLP:** its {hidden} hidden units correlate only {mlp_best:.2f} on average with "
            "their best-matching digit: each is a local detector (a stroke, an edge, a blob) that the next "
            "layer combines. Shown is what training changed, W − W₀.")
    if not expected:
        text += "\n\n*This run did not show the contrast clearly; train longer.*"
    return Lesson("weights", "First-layer weights: templates vs stroke detectors", text, table, expected,
                  {"logistic": lw - lw0, "mlp": mw - mw0, "corr_logistic": c_log}, time.perf_counter() - t0)


LESSONS = {"xor": xor_lesson, "lr": lr_lesson, "width": width_lesson, "weights": weights_lesson}
