"""`nnplay bench`: measure nnplay against the pytorch/examples MNIST reference.

Modules:
    reference.py   row (a): a faithful re-implementation of pytorch/examples mnist/main.py
    mnist_rows.py  rows (a)-(d), (g): MNIST training speed, best accuracy, prediction latency
    gates_rows.py  rows (e), (f): XOR seeds 0-99, one live frame of the gate lab
    app_row.py     row (h): app cold start and memory
    ddp.py         2 ranks x 1 thread vs 1 rank x 2 threads (torchrun, DDP over gloo)
    runner.py      runs the rows, prints the table, writes the JSON
    machine.py     the machine's description and timing helpers

The code lives inside the package so the `nnplay bench` console command works from
an installed copy; the repository's `benchmarks/` folder holds thin runnable scripts,
the README and the committed results.
"""
