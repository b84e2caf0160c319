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

# torch's CPU threads (GNU OpenMP) wait for each other at the end of every kernel. By
# default a waiting thread spins for a long while (GOMP_SPINCOUNT=300,000 pause loops,
# milliseconds) before it sleeps: on a quiet machine that is fastest, but on a busy 2-core
# laptop the spinning thread takes the core from the very thread it waits for, and a
# 2-thread MNIST epoch was measured 10x slower than a 1-thread one. Never spinning
# (OMP_WAIT_POLICY=PASSIVE, our earlier setting) removes that collapse but costs ~35% on a
# quiet machine, since every one of the thousands of small kernels per second then pays a
# sleep and a wake-up. A short spin sits between: measured side by side on the 2-core Xeon
# (docs/benchmarks.md, row omp_wait), 3,000 loops trains 1.22x faster than PASSIVE on a quiet
# machine (the default is 15% faster still) and 1.57x faster than the default beside two busy
# processes. It must be set before torch is first imported, hence here; a user's own
# OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.
# OUR_OMP_SETTING: True when the setting is ours (not the user's), so the benchmark can run
# its plain-PyTorch yardstick without it (bench/reference.py).
OUR_OMP_SETTING = "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ
if OUR_OMP_SETTING:
    os.environ["GOMP_SPINCOUNT"] = "3000"

__version__ = "0.1.0"
