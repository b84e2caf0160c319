"""`nnplay bench`: time nnplay against the pytorch/examples MNIST reference, in one run.

The code lives in `nnplay.bench` (so the command works from an installed package);
`benchmarks/` in the repository holds the runnable scripts, README and results.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nnplay.engine.errors import ConfigError

from . import emit_json


def register(sub) -> None:
    from nnplay.bench.runner import ROWS

    p = sub.add_parser("bench", help="benchmark training, prediction and the app on this machine",
                       description="Run the benchmark rows (MNIST against the pytorch/examples reference, the gate "
                                   "lab, prediction, the app, DDP), print a table "
                                   "and write JSON. The full run takes several minutes; --quick well under one.")
    p.add_argument("--quick", action="store_true",
                   help="subsets and tiny budgets: checks every row runs (its numbers are not comparable)")
    p.add_argument("--json", action="store_true", help="print the results as one JSON object on stdout")
    p.add_argument("--out", metavar="PATH",
                   help="where to write the JSON (default benchmarks/results.json, or results-quick.json "
                        "with --quick; ./nnplay-bench.json outside a clone)")
    p.add_argument("--markdown", metavar="PATH", help="also write the table and machine as Markdown")
    p.add_argument("--rows", default=",".join(ROWS),
                   help=f"comma-separated rows to run (default all: {','.join(ROWS)})")
    p.add_argument("--threads", type=int, default=None,
                   help="torch threads for the in-process rows, reference included (default: the MNIST "
                        "recipe's, MnistConfig().threads; the cnn_levers row compares 1 and 2)")
    p.add_argument("--data-dir", help="folder holding the MNIST files (default: the usual search)")
    p.set_defaults(func=run)


def default_out(quick: bool) -> Path:
    name = "results-quick.json" if quick else "results.json"
    return Path("benchmarks") / name if Path("benchmarks").is_dir() else Path("nnplay-bench.json")


def run(args) -> int:
    from nnplay.bench import runner
    from nnplay.runtime.memory import keep_freed_memory

    keep_freed_memory()  # the in-process rows train as `nnplay train` does (the reference runs apart)
    rows = [r.strip().lower() for r in args.rows.split(",") if r.strip()]
    unknown = [r for r in rows if r not in runner.ROWS]
    if unknown or not rows:
        raise ConfigError(f"unknown row(s) {', '.join(unknown) or '(none)'}; choose from {','.join(runner.ROWS)}")
    if args.threads is None:
        from nnplay.engine.mnist.config import MnistConfig

        args.threads = MnistConfig().threads or 2
    if not 1 <= args.threads <= 256:
        raise ConfigError(f"--threads must be between 1 and 256, got {args.threads}")

    def progress(key, r):
        print(f"[{key}] {r.get('result', '')}  ({r.get('bench_seconds', 0):.1f} s)", file=sys.stderr, flush=True)

    out = Path(args.out or default_out(args.quick))
    results = runner.run_all(quick=args.quick, rows=rows, data_dir=args.data_dir, threads=args.threads,
                             progress=progress, out=out)
    runner.write_json(results, out)
    if args.markdown:
        from nnplay.runtime.files import atomic_write_text

        atomic_write_text(args.markdown, runner.markdown_table(results) + "\n\n" + runner.machine_line(results) + "\n")
    if args.json:
        emit_json(runner._clean({**results, "json_path": str(out)}))
    else:
        runner.print_table(results)
        print(f"results written to {out}")
    failed = [k for k, r in results["rows"].items() if "error" in r]
    return 1 if failed else 0
