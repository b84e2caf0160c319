"""How fast is one live update of the logic-gate lab? `python benchmarks/gates_frame.py [--json] [--browser]`

A thin entry point; the code is `src/nnplay/bench/gates_live.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # a clone without `pip install -e .`

if __name__ == "__main__":
    from nnplay.bench.gates_live import main

    raise SystemExit(main())
