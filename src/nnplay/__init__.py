"""nnplay: a neural-network playground with a logic-gate lab and an MNIST lab.

Layers, imports pointing one way (DEVELOPERS.md has a paragraph on each):
    runtime/    process pools, atomic files, ports, browsers (no lab, no UI)
    engine/     torch + numpy only (models, data, trainers, checkpoints, preprocessing)
    viz/        pure functions from arrays/state to plotly figures
    app/        Gradio wiring
    cli/        the same engine behind a command line
    report/     REPORT.md from real runs;  bench/  the benchmark rows;  classroom/  class mode
"""

import os

# torch's CPU threads (GNU OpenMP) spin while they wait for each other. On a busy
# 2-core laptop that spinning starves the other thread, and a 2-thread MNIST epoch
# was measured 10x slower than a 1-thread one; "passive" waiting removes that
# collapse. It must be set before torch is first imported, hence here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
