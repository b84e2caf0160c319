"""`nnplay train gates`: train a small network on a logic gate and print its truth table.

The flags are built from GateConfig's fields (one flag per field, `--n-points` for
`n_points`), with argparse `choices` from the engine's tables and help from
`gates.config.HELP`, so a new field or activation shows up here by itself.
"""

from __future__ import annotations

import dataclasses
import sys

from nnplay.engine.gates.config import CHOICES, HELP, GateConfig

DEFAULTS = GateConfig()
LIST_FIELDS = ("features", "hidden")  # comma-separated; validated by GateConfig


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _default_text(name: str) -> str:
    value = getattr(DEFAULTS, name)
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) or "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


def register(labs) -> None:
    p = labs.add_parser(
        "gates", help="train a network on a logic gate (XOR, AND, a truth table, ...)",
        description="Train a small MLP on a boolean function and print its truth table with the "
                    "network's probability for each row. Example: nnplay train gates --gate XOR --hidden 4,4")
    for field in dataclasses.fields(GateConfig):
        name = field.name
        kw = {"metavar": name.upper().replace("_", "-"),
              "help": f"{HELP.get(name, name)} (default {_default_text(name)})".replace("%", "%%")}
        if name in CHOICES and name not in LIST_FIELDS:
            kw.update(choices=list(CHOICES[name]), type=str.lower, metavar=None)
        p.add_argument(_flag(name), dest=name, default=None, **kw)
    p.add_argument("--until-solved", action="store_true",
                   help="stop as soon as the training accuracy reaches 100%% (default: train all epochs)")
    p.add_argument("--threads", type=int, default=1,
                   help="CPU threads for torch (default 1: these networks are too small to gain from more)")
    p.add_argument("--out", metavar="PATH", help="save the trained network as a checkpoint (.safetensors + .json)")
    p.add_argument("--json", action="store_true", help="print one JSON object with the results")
    p.set_defaults(func=run, quick_exit=True)  # see nnplay.cli.quick_exit


def build_config(args) -> GateConfig:
    """GateConfig from the given flags (unset flags keep the defaults); ConfigError if invalid."""
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(GateConfig)
             if getattr(args, f.name, None) is not None}
    return GateConfig.from_dict(given)


def run(args) -> int:
    import torch

    from nnplay.engine.errors import ConfigError

    cfg = build_config(args)
    if args.threads < 0:
        raise ConfigError(f"--threads must be 0 (torch's choice) or more, got {args.threads}")
    before = torch.get_num_threads()
    if args.threads:
        torch.set_num_threads(args.threads)  # a program-wide choice, made by the program
    try:
        return _train_and_print(args, cfg)
    finally:
        torch.set_num_threads(before)  # restored, for callers that run main() in-process


def _train_and_print(args, cfg) -> int:
    import time

    from tqdm import tqdm

    from nnplay.cli import emit_json
    from nnplay.engine.gates import GateTrainer, describe, gate_label

    t0 = time.perf_counter()
    trainer = GateTrainer(cfg)
    bar = tqdm(total=cfg.epochs, desc=f"train {cfg.gate}", unit="epoch", file=sys.stderr,
               dynamic_ncols=True, leave=False, disable=None)

    def progress(tr, done):
        bar.update(done - bar.n)
        bar.set_postfix(loss=f"{tr.metrics['train_loss']:.4f}", acc=f"{tr.metrics['train_acc']:.0%}", refresh=False)

    try:
        result = trainer.fit(until_solved=args.until_solved, callback=progress)
    finally:
        bar.close()
    result["seconds"] = time.perf_counter() - t0
    if args.out:
        result["checkpoint"] = str(trainer.save(args.out))
    result["config"] = cfg.to_dict()
    if trainer.diverged:
        print(f"warning: {trainer.diverged}; the results are from the last epoch before it", file=sys.stderr)

    if args.json:
        emit_json(result)
        return 0
    net = describe(len(trainer.feature_names), cfg.hidden)
    print(f"{gate_label(cfg.gate)}: network {net} ({cfg.activation}), {cfg.optimizer} lr {cfg.lr:g}, "
          f"{cfg.sampling} data ({len(trainer.data.y_train)} train / {len(trainer.data.y_test)} test)")
    solved = (f"solved (100% train accuracy) at epoch {result['solved_epoch']}" if result["solved_epoch"] is not None
              else "not solved")
    stopped = f"; stopped early: {trainer.diverged.split(':')[0]}" if trainer.diverged else ""
    print(f"trained {result['epochs']} epochs in {result['seconds']:.2f} s; {solved}{stopped}")
    print(f"loss {result['loss']:.4g}   train accuracy {result['train_accuracy']:.1%}   "
          f"test accuracy {result['test_accuracy']:.1%}")
    print()
    print(format_table(result["truth_table"]))
    if args.out:
        print(f"\nsaved {result['checkpoint']}")
    return 0


def format_table(rows: list[dict]) -> str:
    """An aligned truth table: inputs, target, probability, the 0/1 answer and ok/WRONG."""
    n = len(rows[0]["inputs"])
    head = "  ".join(f"x{i + 1}" for i in range(n)) + "  target  probability  output"
    lines = [head, "-" * (len(head) + 7)]
    for r in rows:
        out = int(r["probability"] > 0.5)
        mark = "ok" if out == r["target"] else "WRONG"
        ins = "  ".join(f"{v:>2d}" for v in r["inputs"])
        lines.append(f"{ins}  {r['target']:>6d}  {r['probability']:>11.4f}  {out:>6d}  {mark}")
    return "\n".join(lines)
