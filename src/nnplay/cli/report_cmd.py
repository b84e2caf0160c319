"""`nnplay report [--quick] [--out DIR]`: train, evaluate, write REPORT.md and its figures."""

from __future__ import annotations

import sys
from pathlib import Path


def default_out() -> Path:
    """The repository root when run from a clone (REPORT.md sits beside README.md), else here."""
    repo = Path(__file__).resolve().parents[3]
    return repo if (repo / "pyproject.toml").is_file() and (repo / "src" / "nnplay").is_dir() else Path.cwd()


def register(sub) -> None:
    p = sub.add_parser("report", help="train and evaluate every model, write REPORT.md with figures",
                       description="Train the gate networks and the MNIST models, run the sweeps and lessons, "
                                   "evaluate everything and write REPORT.md plus PNG figures in docs/report/ "
                                   "(about 10 minutes; --quick: under a minute on subsets).")
    p.add_argument("--quick", action="store_true",
                   help="small subsets, one epoch, few seeds: checks the report builds (numbers not meaningful)")
    p.add_argument("--out", metavar="DIR", help="folder for REPORT.md and docs/report/ (default: the repository root)")
    p.set_defaults(func=run)


def run(args) -> int:
    from nnplay.report import generate

    out = Path(args.out) if args.out else default_out()
    keys = generate(out, quick=args.quick, progress=lambda s: print(s, file=sys.stderr, flush=True))
    print(f"wrote {out / 'REPORT.md'} and {len(list((out / 'docs' / 'report').glob('*.png')))} figures "
          f"in {out / 'docs' / 'report'} ({keys['seconds']:.0f} s)")
    return 0
