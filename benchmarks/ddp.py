"""2 ranks x 1 thread vs 1 rank x 2 threads (DDP over gloo, launched with torchrun):

    python benchmarks/ddp.py [--quick]

The same as the `ddp` row of `nnplay bench`; the code is `nnplay.bench.ddp`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from nnplay.bench.ddp import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
