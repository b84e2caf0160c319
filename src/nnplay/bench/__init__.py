"""`nnplay bench`: measure nnplay against the pytorch/examples MNIST reference.

Modules:
    reference.py   row reference_epoch: a faithful re-implementation of pytorch/examples mnist/main.py
    mnist_rows.py  reference_epoch, cnn_to_99, mlp_to_98, best_in_budget, predict_drawing, cnn_levers
    gates_rows.py  gates_xor_seeds: XOR seeds 0-99
    gates_live.py  gates_frame_cpu, gates_browser_fps, gates_four_pages: the gate lab's live view as
                   served and drawn (`python benchmarks/gates_frame.py`)
    app_row.py     app_cold_start: app cold start and memory
    omp_row.py     omp_wait: how torch's OpenMP threads wait (short spin, default, passive), quiet and busy
    ddp.py         ddp_ranks_vs_threads: 2 ranks x 1 thread vs 1 rank x 2 threads (torchrun, DDP over gloo)
    runner.py      ROW_TABLE (name -> function, title); runs the rows, prints the table, writes the JSON
    machine.py     the machine's description and timing helpers

The code lives inside the package so the `nnplay bench` console command works from
an installed copy; the repository's `benchmarks/` folder holds thin runnable scripts,
the README and the committed results.
"""
