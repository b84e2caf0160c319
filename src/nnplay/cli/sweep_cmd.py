"""`nnplay sweep`: train a grid of configurations and compare them.

    nnplay sweep gates --gate XOR --lr 0.001,0.01,0.1,1 --hidden 1,2,4,8 --seeds 20
    nnplay sweep mnist --model mlp --lr 0.001,0.003 --hidden 100,300-100 --epochs 1 --subset 10000
    nnplay sweep gates --vary activation=tanh,relu --vary hidden=none,2,4-4
    nnplay sweep lesson width --full

Any config field given several comma-separated values becomes a sweep axis (at most
two). A hidden value joins its layers with '-' or 'x' (4-4), 'none' = no hidden layer.
Results go to --out (default nnplay-sweeps/<kind>-<fields>): one JSON file per finished
cell, results.json/.csv, heatmap.html and heatmap.png (when Chromium is found). Rerun
the same command to resume an interrupted sweep.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from nnplay.engine.gates.config import GateConfig
from nnplay.engine.mnist.config import MnistConfig

CONFIGS = {"gates": GateConfig, "mnist": MnistConfig}
NOT_FLAGS = {"gates": {"epochs", "seed"}, "mnist": {"threads"}}  # handled separately


class _Ordered(argparse.Action):
    """Record (field, text) in the order given, so the first varied field is the x axis."""

    def __call__(self, parser, ns, values, option_string=None):
        given = list(getattr(ns, "given", None) or [])
        if self.dest == "vary":
            field, sep, rest = values.partition("=")
            if not sep:
                parser.error(f"--vary needs field=value,value (e.g. lr=0.01,0.1), got {values!r}")
            given.append((field.strip().replace("-", "_"), rest, True))
        else:
            given.append((self.dest, values, False))
        ns.given = given


def register(sub) -> None:
    p = sub.add_parser("sweep", help="train a grid of settings (e.g. learning rate x hidden units) and compare",
                       description="\n\n".join(__doc__.split("\n\n")[1:3]),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    labs = p.add_subparsers(dest="kind", metavar="LAB", parser_class=type(p))
    labs.required = True
    for kind, cls in CONFIGS.items():
        lp = labs.add_parser(kind, help=f"sweep the {kind} lab's settings",
                             description=f"Sweep {cls.__name__} fields. Give a field several comma-separated "
                                         "values to vary it; hidden layers join with '-' (4-4), 'none' = none.")
        for f in dataclasses.fields(cls):
            if f.name in NOT_FLAGS[kind]:
                continue
            lp.add_argument("--" + f.name.replace("_", "-"), dest=f.name, action=_Ordered, metavar="V[,V...]",
                            help=_help(kind, f.name))
        lp.add_argument("--vary", action=_Ordered, metavar="FIELD=V,V", help="vary any config field (twice at most)")
        if kind == "gates":
            lp.add_argument("--seeds", type=int, default=20, help="seeds per cell (default 20)")
            lp.add_argument("--epochs", type=int, default=None,
                            help="epoch budget per seed (default 1000); a run stops once solved")
            lp.add_argument("--seed", type=int, default=0, help="first seed (cells use seed .. seed+N-1)")
        lp.add_argument("--workers", type=int, default=None,
                        help="parallel worker processes, one torch thread each (default: the CPU count)")
        lp.add_argument("--ray", metavar="local|ADDRESS",
                        help="train the cells as Ray tasks: 'local' starts Ray on this machine, HOST:PORT joins "
                             "a running cluster (pip install 'nnplay[cluster]'); resumes like a local sweep")
        _common(lp)
        lp.set_defaults(func=run, given=[])
    les = labs.add_parser("lesson", help="run a classic-lesson preset and print its measured result")
    les.add_argument("name", choices=["xor", "lr", "width", "weights"])
    les.add_argument("--full", action="store_true", help="width: all 60,000 images (slow); default the quick subset")
    les.add_argument("--workers", type=int, default=None, help="width: parallel worker processes")
    _common(les)
    les.set_defaults(func=run_lesson)


def _help(kind: str, name: str) -> str:
    extra = {"hidden": "; in a sweep commas separate alternatives: 1,2,4-4 = one layer of 1, of 2, two of 4; "
                       "none = no hidden layer",
             "features": "; commas separate alternatives, + joins one set: x1+x2,x1+x2+x1*x2"}.get(name, "")
    if kind == "gates":
        from nnplay.engine.gates.config import HELP
        text = HELP.get(name, name).split(", e.g.")[0].split("; 'none'")[0]
    else:
        text = name.replace("_", " ")
    return (f"{text}{extra}; several comma-separated values make it a sweep axis").replace("%", "%%")


def _common(p) -> None:
    p.add_argument("--out", metavar="DIR", help="results folder (resumes when it holds finished cells)")
    p.add_argument("--no-png", action="store_true", help="do not render heatmap.png")
    p.add_argument("--json", action="store_true", help="print one JSON object with every cell")


def build_sweep(args):
    """(base config, axes, options) from the parsed flags; ConfigError if invalid."""
    from nnplay.engine.sweeps import make_axis, parse_value

    cls = CONFIGS[args.kind]
    base, axes = {}, []
    for field, text, is_vary in args.given:
        parts = [t for t in str(text).split(",") if t.strip()]
        if is_vary or len(parts) > 1:  # several values (or --vary): an axis of the grid
            axes.append(make_axis(cls, field, parts))
        else:                          # one value: a fixed setting of every cell
            base[field] = parse_value(cls, field, parts[0] if parts else "")
    options = {}
    if args.kind == "gates":
        from nnplay.engine.errors import ConfigError

        if not 1 <= args.seeds <= 1000:
            raise ConfigError(f"--seeds must be from 1 to 1000, got {args.seeds}")
        base["seed"] = args.seed
        if args.epochs is not None:
            base["epochs"] = args.epochs
        options = {"seeds": args.seeds}
    else:
        base.setdefault("model", "mlp")
        if "epochs" not in base and all(a.field != "epochs" for a in axes):
            base["epochs"] = 1  # sweeps compare settings: one epoch each unless asked
    if args.kind == "mnist":
        from nnplay.engine.mnist import recommended

        cfg = recommended(base.pop("model"), **{k: list(v) if isinstance(v, tuple) else v for k, v in base.items()})
    else:
        cfg = cls.from_dict({k: list(v) if isinstance(v, tuple) else v for k, v in base.items()})
    if args.kind == "gates":
        options["epochs"] = cfg.epochs
    return cfg, axes, options


def default_out(kind: str, axes) -> Path:
    return Path("nnplay-sweeps") / "-".join([kind] + [a.field for a in axes])


def run(args) -> int:
    from tqdm import tqdm

    from nnplay.cli import emit_json
    from nnplay.engine.sweeps import default_workers, expand, run_sweep
    from nnplay.engine.sweeps.runner import KINDS

    cfg, axes, options = build_sweep(args)
    n_cells = len(expand(cfg, axes, KINDS[args.kind].forbidden))
    workers = args.workers if args.workers is not None else default_workers(n_cells)
    if workers < 1:
        from nnplay.engine.errors import ConfigError
        raise ConfigError(f"--workers must be 1 or more, got {workers}")
    if workers == 1:
        import torch
        torch.set_num_threads(1 if args.kind == "gates" else (os.cpu_count() or 1))
    out = Path(args.out) if args.out else default_out(args.kind, axes)
    bar = tqdm(total=n_cells, desc=f"sweep {args.kind}", unit="cell", file=sys.stderr, dynamic_ncols=True,
               disable=None)

    def progress(rec, done, total):
        bar.update(done - bar.n)
        bar.set_postfix_str(rec["key"][:40], refresh=False)

    backend = None
    if args.ray:
        from nnplay.runtime import ray_backend

        backend = ray_backend.use(args.ray)
    try:
        result = run_sweep(args.kind, cfg, axes, options, out=out, workers=workers, progress=progress,
                           backend=backend)
    finally:
        bar.close()
    summary = result.summary()
    files = {"json": str(out / "results.json"), "csv": str(out / "results.csv"), **write_figures(summary, out,
                                                                                                 not args.no_png)}
    summary["files"] = files
    if args.json:
        emit_json(summary)
    else:
        print(format_table(result.rows(), result.columns()))
        print(f"\n{result.done} of {result.total} cells ({result.reused} read back from {out})")
        for name, path in files.items():
            print(f"{name:5s} {path}")
    if result.interrupted:
        print(f"interrupted: {result.done} finished cells are kept in {out}; run the same command again "
              "to resume", file=sys.stderr)
        return 130
    return 0


def write_figures(summary: dict, out: Path, png: bool = True) -> dict:
    """heatmap.html always; heatmap.png when kaleido finds a browser. Returns the paths."""
    from nnplay.runtime.browser import find_chromium
    from nnplay.runtime.files import atomic_write_text
    from nnplay.viz.sweeps import curves_figure, heatmap_figure

    files = {}
    fig = heatmap_figure(summary)
    html = fig.to_html(include_plotlyjs="cdn", full_html=True)
    curves = curves_figure(summary).to_html(include_plotlyjs=False, full_html=False)
    atomic_write_text(out / "heatmap.html", html.replace("</body>", curves + "</body>"))
    files["html"] = str(out / "heatmap.html")
    browser = find_chromium() if png else None
    if browser:
        os.environ.setdefault("BROWSER_PATH", browser)
        try:
            fig.write_image(str(out / "heatmap.png"), width=900, height=fig.layout.height or 360, scale=1)
            files["png"] = str(out / "heatmap.png")
        except Exception as e:  # noqa: BLE001 - a missing/broken browser only costs the PNG
            print(f"warning: heatmap.png not written ({str(e).splitlines()[0][:120]})", file=sys.stderr)
    return files


def _cell_text(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def format_table(rows: list[dict], columns: list[str]) -> str:
    """An aligned text table; rates and accuracies as percentages."""
    pct = {"success_rate", "test_accuracy", "test_error", "mean_train_acc"}
    cols = [c for c in columns if any(r.get(c) is not None for r in rows)] or columns
    body = [[(f"{100 * r[c]:.1f}%" if c in pct and isinstance(r.get(c), (int, float)) else _cell_text(r.get(c)))
             for c in cols] for r in rows]
    widths = [max(len(c), *(len(b[i]) for b in body)) if body else len(c) for i, c in enumerate(cols)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(cols, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.rjust(w) for v, w in zip(b, widths)) for b in body]
    return "\n".join(lines)


def run_lesson(args) -> int:
    from nnplay.cli import emit_json
    from nnplay.engine import lessons
    from nnplay.runtime.files import atomic_write_text

    if args.name == "width":
        workers = args.workers or min(os.cpu_count() or 1, 6)
        lesson = lessons.width_lesson("full" if args.full else "quick", workers=workers, out=args.out)
    else:
        import torch
        torch.set_num_threads(1)
        lesson = lessons.LESSONS[args.name]()
    if args.out:
        atomic_write_text(Path(args.out) / f"lesson-{args.name}.json", json.dumps(lesson.to_dict(), indent=1) + "\n")
    if args.json:
        emit_json(lesson.to_dict())
        return 0
    print(f"# {lesson.title}\n")
    print(format_table(lesson.table, list(lesson.table[0])))
    print()
    print(lesson.explanation.replace("**", ""))
    print(f"\n({'classic result reproduced' if lesson.expected else 'classic result NOT reproduced'}; "
          f"{lesson.seconds:.0f} s)")
    return 0
