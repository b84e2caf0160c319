"""`nnplay eval [CHECKPOINT]`: test accuracy, per-digit accuracy and the confusion matrix."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("eval", help="score an MNIST checkpoint on the 10,000 test images",
                       description="Evaluate an MNIST checkpoint (default: the bundled CNN) on the test set.")
    p.add_argument("checkpoint", nargs="?", help="a .safetensors checkpoint (default: the bundled model)")
    p.add_argument("--data-dir", help="folder with the MNIST files")
    p.add_argument("--json", action="store_true", help="print one JSON object with the results")
    p.set_defaults(func=run, quick_exit=True)  # see nnplay.cli.quick_exit


def format_table(result) -> str:
    """A per-digit table plus the confusion matrix, for people."""
    lines = [f"test accuracy {result.test_accuracy:.2%} "
             f"({len(result.labels) - len(result.mistakes):,} of {len(result.labels):,} correct)", "",
             "digit  images  correct  accuracy  most confused with"]
    conf = result.confusion
    for d in range(10):
        row = conf[d].copy()
        row[d] = -1
        worst = int(row.argmax())
        other = f"{worst} ({row[worst]})" if row[worst] > 0 else "-"
        lines.append(f"  {d}    {conf[d].sum():6,}  {conf[d, d]:7,}   {result.per_class_accuracy[d]:7.2%}  {other}")
    lines += ["", "confusion matrix (rows: true digit, columns: predicted)",
              "      " + "".join(f"{d:>6}" for d in range(10))]
    lines += [f"  {d:>2}  " + "".join(f"{v:>6}" for v in conf[d]) for d in range(10)]
    return "\n".join(lines)


def run(args) -> int:
    from nnplay.cli import emit_json
    from nnplay.engine.mnist.data import load_mnist
    from nnplay.engine.mnist.evaluate import evaluate
    from nnplay.engine.mnist.io import load_model, pretrained_path
    from nnplay.runtime.memory import keep_freed_memory

    keep_freed_memory()  # runtime/memory.py
    path = args.checkpoint or pretrained_path()
    model, cfg, meta = load_model(path)
    data = load_mnist(args.data_dir)
    result = evaluate(model, data.test_x, data.test_y)
    if args.json:
        emit_json({**result.to_dict(), "checkpoint": str(path), "model": cfg.model})
    else:
        print(f"{path} ({cfg.model})")
        print(format_table(result))
    return 0
