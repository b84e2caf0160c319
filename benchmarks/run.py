"""`python benchmarks/run.py [--quick] [--json] [--rows NAME,...]`: the same as `nnplay bench`.

A thin entry point for a clone without `pip install -e .`. The rows are measured by
`src/nnplay/bench/` (`runner.ROW_TABLE` names each row and the function that measures it).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # a clone without `pip install -e .`

if __name__ == "__main__":
    from nnplay.cli import main

    raise SystemExit(main(["bench", *sys.argv[1:]]))
