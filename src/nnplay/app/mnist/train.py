"""Train: model + hyperparameters, Train/Stop, live progress, curves and first-layer weights."""

from __future__ import annotations

import logging
import threading

import gradio as gr

from nnplay.engine.choices import OPTIMIZERS, default_weight_decay
from nnplay.engine.errors import NnplayError
from nnplay.engine.mnist.config import RECOMMENDED, SCHEDULES, MnistConfig
from nnplay.engine.mnist.models import is_convolutional
from nnplay.viz.mnist import inspect as vi

from . import compare, weights
from .common import model_choices, note, progress_html
from .runs import QUICK_TRAIN, Run, Session
from .runs import TRAIN_THREADS as UI_THREADS

log = logging.getLogger(__name__)

MODELS = [("Logistic regression", "logistic"), ("MLP (fully connected)", "mlp"),
          ("Small CNN (batch norm)", "cnn"), ("LeNet-5", "lenet5")]
DEFAULT_MODEL = "logistic"  # 10 tiles that turn into digit templates: the clearest first demo
BATCHES = [16, 32, 64, 128, 256, 512]
POLL_SECONDS = 0.3
FIRST_WAIT_S = 0.5  # Train waits this long at most for the run's step-0 point, to draw it in the same answer
CURVES_H = 300
# Starting points for the UI (quick, watchable); the engine's RECOMMENDED recipes fill the rest.
UI_DEFAULTS = {"logistic": dict(lr=0.01, epochs=3, batch_size=64),
               "mlp": dict(lr=0.002, epochs=3, batch_size=64, hidden=(64,)),
               "cnn": dict(lr=0.005, epochs=2, batch_size=64),
               "lenet5": dict(lr=0.005, epochs=3, batch_size=64)}


def recipe(model: str) -> dict:
    base = MnistConfig().to_dict()
    return {**base, **RECOMMENDED.get(model, {}), **UI_DEFAULTS.get(model, {})}


def warm_up() -> None:
    """Two steps of a logistic and a CNN training and the figures of a first tick, so the first
    Train click pays no first-time costs (imports, oneDNN kernels, Plotly's validators)."""
    from nnplay.engine.mnist import MnistTrainer, load_mnist
    from nnplay.engine.mnist.models import first_layer

    try:
        data = load_mnist().subset(256, 256)
        for model in ("logistic", "cnn"):
            cfg = MnistConfig.from_dict({**recipe(model), "subset": 256})
            run = Run(number=0, cfg=cfg, quick=True)
            run.trainer = MnistTrainer(cfg, data, every=1, eval_every_epoch=False, max_steps=2, final_eval=False)
            for _ in run.trainer.run():
                pass
            run._snapshot(0.0, first_layer(run.trainer.model).detach().float().numpy())
            view = run.view()
            vi.training_curves(view["curve"], height=CURVES_H)
            weights.figures(run, view, None, False)
    except Exception:  # only a warm-up: the real click reports its own errors
        log.exception("MNIST tab: warm-up failed")


def start_warm_up() -> threading.Thread:
    """warm_up in the background while the server starts (app/main.py: launch, which also makes an
    exit wait for it: a process that exits while this thread is inside torch aborts)."""
    t = threading.Thread(target=warm_up, daemon=True, name="mnist-warm-up")
    t.start()
    return t


def build(ui) -> None:
    r = recipe(DEFAULT_MODEL)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=290, elem_id="mnist-train-controls"):
            ui.model = gr.Dropdown(MODELS, value=DEFAULT_MODEL, label="Model", elem_id="mnist-model")
            ui.hidden = gr.Textbox(",".join(map(str, recipe("mlp")["hidden"])), label="Hidden layer sizes",
                                   info="comma-separated, e.g. 128,64", visible=DEFAULT_MODEL == "mlp")
            with gr.Row():
                ui.lr = gr.Number(r["lr"], label="Learning rate", minimum=1e-6, maximum=10, step=0.0005,
                                  info="change it while training", min_width=120, elem_id="mnist-lr")
                ui.optimizer = gr.Dropdown(list(OPTIMIZERS), value=r["optimizer"], label="Optimizer", min_width=120)
            with gr.Row():
                ui.epochs = gr.Slider(1, 20, value=r["epochs"], step=1, label="Epochs", min_width=120)
                ui.batch = gr.Dropdown(BATCHES, value=r["batch_size"], label="Batch size", min_width=100)
            ui.quick = gr.Checkbox(True, label=f"Quick: train on {QUICK_TRAIN:,} images (seconds, for a demo)")
            with gr.Accordion("More settings", open=False):
                ui.schedule = gr.Radio(list(SCHEDULES), value=r["schedule"], label="Learning-rate schedule")
                ui.weight_decay = gr.Number(default_weight_decay(r["optimizer"]), label="Weight decay", minimum=0,
                                            maximum=1, elem_id="mnist-weight-decay")
                ui.dropout = gr.Slider(0, 0.9, value=r["dropout"], step=0.05, label="Dropout")
                ui.augment = gr.Checkbox(r["augment"], label="Augment: random shifts of up to 2 pixels")
                ui.seed = gr.Number(r["seed"], label="Seed", precision=0, minimum=0)
            with gr.Row():
                ui.train_btn = gr.Button("Train", variant="primary", elem_id="mnist-train")
                ui.stop_btn = gr.Button("Stop", variant="stop", elem_id="mnist-stop")
        with gr.Column(scale=4, min_width=360, elem_id="mnist-train-main"):
            ui.status = gr.HTML(progress_html(None), elem_id="mnist-status")
            ui.curves = gr.Plot(vi.training_curves({}, height=CURVES_H), label="Loss and accuracy",
                                show_label=False, elem_id="mnist-curves")
            weights.build(ui)
    ui.timer = gr.Timer(POLL_SECONDS, active=False)


def on_model(model: str):
    r = recipe(model)
    return (gr.Textbox(visible=model == "mlp"), r["lr"], r["epochs"], r["batch_size"], r["schedule"])


def on_optimizer(optimizer: str, weight_decay):
    """Show the new optimizer's own weight decay, unless the box holds a value the user chose."""
    if weight_decay is None or weight_decay in {default_weight_decay(o) for o in OPTIMIZERS}:
        return default_weight_decay(optimizer)
    return gr.skip()


def make_config(model, hidden, lr, optimizer, batch, epochs, weight_decay, dropout, schedule, augment, seed,
                quick) -> MnistConfig:
    """The UI's values -> a validated MnistConfig (ConfigError says what is wrong)."""
    return MnistConfig.from_dict(dict(
        model=model, hidden=hidden if model == "mlp" else recipe(model)["hidden"], lr=lr, optimizer=optimizer,
        batch_size=batch, epochs=epochs, weight_decay=chosen_decay(weight_decay, optimizer), dropout=dropout,
        schedule=schedule, augment=augment, seed=int(seed or 0), subset=QUICK_TRAIN if quick else 0,
        threads=UI_THREADS))


def chosen_decay(weight_decay, optimizer: str):
    """None when the box shows the optimizer's own decay: the run keeps "the optimizer's default", so a
    sweep over optimizers from it gives AdamW its decay. Else the number typed."""
    return None if weight_decay is None or weight_decay == default_weight_decay(optimizer) else weight_decay


def on_train(session: Session, *values):
    """Train click: start a background run; the timer then polls it. The answer already
    carries the untrained model's point and weight tiles when they are ready within
    FIRST_WAIT_S (a free slot), so the page draws them without waiting for a timer tick."""
    try:
        cfg = make_config(*values)
    except NnplayError as e:
        return note(str(e), "error"), gr.Timer(active=False), gr.Row(visible=False), *(gr.skip(),) * 3
    run = session.start(cfg, quick=bool(values[-1]), paced=True)  # quick runs last long enough to watch
    ready = run.first.wait(FIRST_WAIT_S)
    view = run.view()
    first = (gr.skip(),) * 3
    if ready:
        first = (vi.training_curves(view["curve"], height=CURVES_H), *weights.figures(run, view, None, False))
    return (progress_html(view, run.name, cfg.epochs), gr.Timer(active=True),
            gr.Row(visible=is_convolutional(cfg.model)), *first)


def on_stop(session: Session):
    if session.current is not None:
        session.current.stop()


def change_lr(session: Session, lr):
    run = session.current
    try:
        if run is not None and run.running and lr:
            run.set_lr(float(lr))
    except NnplayError as e:
        gr.Warning(str(e))


def poll(session: Session, diff: bool, digit: float, px: float = 0):
    """Timer tick: progress, curves, weights, timeline; on the last tick also everything that lists runs."""
    run = session.current
    rest = 7
    if run is None:
        return (gr.skip(),) * 5 + (gr.Timer(active=False),) + (gr.skip(),) * (rest - 1)
    view = run.view()
    mosaic, stats = weights.figures(run, view, None, diff, px)
    n = len(view["snapshots"])
    timeline = gr.Slider(minimum=1, maximum=max(2, n), value=max(1, n)) if n else gr.skip()
    out = (progress_html(view, run.name, run.cfg.epochs), vi.training_curves(view["curve"], height=CURVES_H),
           mosaic, stats, timeline)
    # Decide from the same snapshot the page is drawn from: asking `run.running` here, after the
    # figures were built, could see a run that finished meanwhile and stop the timer while the
    # page still shows "training" (the page then waited forever; seen about once in 40 runs).
    if view["status"] in ("waiting", "running"):
        return out + (gr.skip(),) * rest
    try:
        choices = model_choices(session)
        latest = choices[-1][1]
        extras = (gr.Dropdown(choices=choices, value=latest), gr.Dropdown(choices=choices, value=latest),
                  *compare.refresh(session), *weights.feature_maps(session, digit))
    except Exception:  # never leave the timer ticking on a failed last tick
        log.exception("MNIST tab: updating the page after run %s failed", run.name)
        extras = (gr.skip(),) * (rest - 1)
    return out + (gr.Timer(active=False), *extras)


def wire(ui) -> None:
    controls = [ui.model, ui.hidden, ui.lr, ui.optimizer, ui.batch, ui.epochs, ui.weight_decay, ui.dropout,
                ui.schedule, ui.augment, ui.seed, ui.quick]
    ui.model.change(on_model, ui.model, [ui.hidden, ui.lr, ui.epochs, ui.batch, ui.schedule],
                    api_visibility="private")
    ui.optimizer.change(on_optimizer, [ui.optimizer, ui.weight_decay], ui.weight_decay, api_visibility="private")
    ui.train_btn.click(on_train, [ui.session, *controls], [ui.status, ui.timer, ui.act_row, ui.curves, ui.mosaic,
                                                           ui.stats],
                       api_visibility="private", show_progress="hidden")
    ui.stop_btn.click(on_stop, ui.session, None, api_visibility="private", show_progress="hidden",
                      trigger_mode="multiple")
    ui.lr.change(change_lr, [ui.session, ui.lr], None, api_visibility="private", show_progress="hidden")
    ui.timer.tick(poll, [ui.session, ui.diff, ui.act_digit, ui.mosaic_px],
                  [ui.status, ui.curves, ui.mosaic, ui.stats, ui.timeline, ui.timer, ui.draw_model,
                   ui.inspect_model, ui.compare_plot, ui.compare_table, ui.act_image, ui.act_plot],
                  show_progress="hidden", api_visibility="private", js=weights.WIDTH_JS)
