"""`nnplay train mnist`: train an MNIST model with a progress bar and save a checkpoint."""

from __future__ import annotations

import argparse
import sys

from nnplay.engine.choices import OPTIMIZERS
from nnplay.engine.config import parse_int_list
from nnplay.engine.errors import ConfigError
from nnplay.engine.mnist.config import SCHEDULES, recommended
from nnplay.engine.mnist.models import MODELS

# CLI flag -> MnistConfig field; unset flags take the model's recommended recipe.
FLAGS = {"hidden": "hidden", "dropout": "dropout", "optimizer": "optimizer", "lr": "lr",
         "batch_size": "batch_size", "epochs": "epochs", "weight_decay": "weight_decay",
         "schedule": "schedule", "augment": "augment", "seed": "seed", "subset": "subset",
         "label_smoothing": "label_smoothing", "width": "width", "head": "head", "ema": "ema",
         "bn_after_pool": "bn_after_pool", "threads": "threads"}


def hidden_sizes(text: str):
    try:
        return parse_int_list(text)
    except ValueError:
        raise ConfigError(f"--hidden must be comma-separated sizes like 300,100, got {text!r}") from None


def register(labs) -> None:
    p = labs.add_parser("mnist", help="train an MNIST digit classifier",
                        description="Train an MNIST model (defaults: the fast CNN recipe, ~99.1% after one "
                                    "epoch) and save it as a checkpoint.")
    p.add_argument("--model", default="cnn", choices=list(MODELS), help="architecture (default cnn)")
    p.add_argument("--hidden", type=hidden_sizes, help="mlp hidden sizes, e.g. 300 or 300,100 (default 300,100)")
    p.add_argument("--epochs", type=int, help="passes over the training set")
    p.add_argument("--batch-size", type=int, help="examples per step")
    p.add_argument("--lr", type=float, help="learning rate (the peak, with one-cycle)")
    p.add_argument("--optimizer", choices=list(OPTIMIZERS), help="optimizer (default adam)")
    p.add_argument("--schedule", choices=list(SCHEDULES), help="learning-rate schedule (default onecycle)")
    p.add_argument("--augment", action="store_true", default=None, help="random shifts of up to 2 px")
    p.add_argument("--weight-decay", type=float,
                   help="weight decay (default: the optimizer's own, 0.01 for adamw, 0 for the others)")
    p.add_argument("--dropout", type=float, help="dropout probability (default 0)")
    p.add_argument("--width", type=int, help="cnn only: channels of the first conv block, doubled in each "
                                             "later one (default 16)")
    p.add_argument("--head", type=int, help="cnn only: units of a hidden fully connected layer before the "
                                            "output (default 0 = none)")
    p.add_argument("--bn-after-pool", action=argparse.BooleanOptionalAction, default=None,
                   help="cnn only: batch norm after each 2x2 max pool (default; ~0.7x the step time) or, "
                        "with --no-bn-after-pool, the classic conv -> BN -> pool order")
    p.add_argument("--label-smoothing", type=float, help="share of each target spread over all classes (default 0)")
    p.add_argument("--ema", type=float, help="keep and evaluate an exponential moving average of the weights "
                                           "with this decay, e.g. 0.999 (default 0 = off)")
    p.add_argument("--seed", type=int, help="random seed (default 0)")
    p.add_argument("--subset", type=int, help="train on the first N images only (default: all 60,000)")
    p.add_argument("--threads", type=int, help="CPU threads for torch (default 2; 0 = torch's choice)")
    p.add_argument("--data-dir", help="folder with the MNIST files (default: NNPLAY_DATA_DIR, data/mnist, "
                                      "~/.cache/nnplay/mnist, else download)")
    p.add_argument("--out", help="checkpoint path (default runs/mnist-<model>.safetensors)")
    p.add_argument("--json", action="store_true", help="print one JSON object with the results")
    p.add_argument("--distributed", action="store_true",
                   help="data-parallel over several processes (DDP, gloo); start it with "
                        "`torchrun --nproc_per_node=2 -m nnplay train mnist --distributed ...`")
    p.set_defaults(func=run, quick_exit=True)  # see nnplay.cli.quick_exit


def build_config(args):
    overrides = {field: getattr(args, flag) for flag, field in FLAGS.items() if getattr(args, flag, None) is not None}
    return recommended(args.model, **overrides)


def run(args) -> int:
    cfg = build_config(args)
    out = args.out or f"runs/mnist-{cfg.model}.safetensors"
    if args.distributed:  # one process per torchrun rank; see engine/mnist/distributed.py
        return run_distributed(args, cfg, out)
    import torch
    from tqdm import tqdm

    from nnplay.cli import emit_json
    from nnplay.engine.mnist.data import load_mnist
    from nnplay.engine.mnist.io import save_model
    from nnplay.engine.mnist.trainer import MnistTrainer
    from nnplay.runtime.memory import keep_freed_memory

    if cfg.threads:
        torch.set_num_threads(cfg.threads)  # process-wide: the program's choice, not the trainer's
    keep_freed_memory()  # process-wide too: ~0.8x the training time (runtime/memory.py)
    data = load_mnist(args.data_dir, subset=cfg.subset or None)
    trainer = MnistTrainer(cfg, data, every=10)
    say = sys.stderr if args.json else sys.stdout
    bar = tqdm(total=trainer.total_steps, desc=f"train {cfg.model}", unit="step", file=sys.stderr,
               dynamic_ncols=True, leave=False)
    done = 0
    try:
        for ev in trainer.run():
            bar.update(ev.step - done)
            done = ev.step
            bar.set_postfix(loss=f"{ev.train_loss:.3f}", acc=f"{ev.train_acc:.3f}",
                            ex_s=f"{ev.examples_per_sec:,.0f}", refresh=False)
            if ev.test_acc is not None and not ev.done:
                bar.clear()
                print(f"epoch {ev.epoch:g}/{cfg.epochs}: test accuracy {ev.test_acc:.2%}  "
                      f"(train {ev.train_acc:.2%}, loss {ev.train_loss:.4f}, {trainer.seconds:.1f} s)",
                      file=say, flush=True)
    except KeyboardInterrupt:
        trainer.stop()
        raise
    finally:
        bar.close()
    metrics = trainer.metrics()
    path = save_model(out, trainer.model, cfg, metrics)
    result = {
        "test_accuracy": metrics["test_accuracy"],
        "train_accuracy": metrics["train_accuracy"],
        "epochs": metrics["epochs"],
        "seconds": metrics["seconds"],
        "bf16": trainer.bf16,
        "checkpoint": str(path),
        "model": cfg.model,
        "config": cfg.resolved().to_dict(),
    }
    if args.json:
        emit_json(result)
    else:
        print(f"test accuracy {metrics['test_accuracy']:.2%} after {metrics['epochs']:g} epochs "
              f"in {metrics['seconds']:.1f} s; saved {path}")
    return 0


def run_distributed(args, cfg, out) -> int:
    args.quick_exit = False  # torch.distributed tears its process group down at exit
    from nnplay.cli import emit_json
    from nnplay.engine.mnist.distributed import is_main, train_distributed

    say = sys.stderr if args.json else sys.stdout

    def show(e):
        print(f"epoch {e['epoch']}/{cfg.epochs}: test accuracy {e['test_accuracy']:.2%} ({e['seconds']:.1f} s)",
              file=say, flush=True)

    m = train_distributed(cfg, out=out, data_dir=args.data_dir, callback=show)
    if is_main():
        result = {k: m[k] for k in ("test_accuracy", "train_accuracy", "epochs", "seconds", "checkpoint")}
        result.update(model=cfg.model, config=cfg.resolved().to_dict(), world_size=m["world_size"])
        if args.json:
            emit_json(result)
        else:
            print(f"test accuracy {m['test_accuracy']:.2%} after {m['epochs']:g} epochs in {m['seconds']:.1f} s "
                  f"on {m['world_size']} processes; saved {m['checkpoint']}")
    return 0
