"""Run the nnplay benchmark from a clone: `python benchmarks/run.py [--quick] [--json] [--out PATH]`.

The same as `nnplay bench`. The rows live in the package (`nnplay.bench`) so the
console command also works from an installed nnplay; this script re-exports one
function per row, each taking a context and returning a dict:

    from benchmarks.run import context, row_a
    print(row_a(context(quick=True)))
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # a clone without `pip install -e .`

from nnplay.bench.app_row import row_h  # noqa: E402
from nnplay.bench.ddp import compare as row_ddp  # noqa: E402
from nnplay.bench.gates_rows import row_e  # noqa: E402
from nnplay.bench.live_rows import row_f, row_i, row_j  # noqa: E402
from nnplay.bench.mnist_rows import BenchContext, row_a, row_b, row_c, row_d, row_g, row_levers  # noqa: E402

__all__ = ["context", "row_a", "row_b", "row_c", "row_d", "row_e", "row_f", "row_g", "row_h", "row_i", "row_j",
           "row_ddp", "row_levers"]


def context(quick: bool = False, data_dir: str | None = None, threads: int = 2) -> BenchContext:
    """What the rows share: the data (subsets when quick) and earlier rows' results
    (row b's ratio reads row a's epoch time, row d plans from row b's epoch time)."""
    return BenchContext(quick=quick, data_dir=data_dir, threads=threads)


if __name__ == "__main__":
    from nnplay.cli import main

    raise SystemExit(main(["bench", *sys.argv[1:]]))
