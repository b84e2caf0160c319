"""Running a sweep: cells in this process or in parallel worker processes, resumable.

    result = run_sweep("gates", GateConfig(gate="XOR"), [Axis("lr", (0.01, 0.1))],
                       {"seeds": 10}, out="runs/xor", workers=2, progress=print)

Why processes and not threads: a training step holds Python's global interpreter
lock for most of its time (these models are small, so the step is mostly Python
overhead), so threads would take turns instead of running at once. Each worker
process has its own interpreter (started by a fork server, see _context), and
each sets torch.set_num_threads(1):
W workers x 1 thread fills W cores; W workers x N threads each would ask for W*N
cores and every thread would wait on the others (oversubscription).

Stopping: a `stop` flag (threading.Event, set by a Cancel button) or Ctrl-C sets a
multiprocessing Event the workers check between training steps, so running cells
end within a step. Workers ignore SIGINT themselves (Ctrl-C reaches the whole
process group), so only this process decides what to keep: every finished cell
is already on disk, written atomically the moment it finished; interrupted cells
are dropped and trained again by the next run.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from nnplay.runtime.pool import init_worker, process_context
from ..gates import GateConfig
from ..mnist import MnistConfig
from . import gates as gates_cells
from . import mnist as mnist_cells
from .grid import Axis, Cell, _jsonable, cell_id, expand
from .store import SweepStore, _clean


@dataclasses.dataclass(frozen=True)
class Kind:
    """What differs between the two labs' sweeps."""

    name: str
    config_cls: type
    run_cell: callable
    columns: list
    metrics: dict
    main_metric: str
    forbidden: dict  # fields that cannot be varied -> why
    volatile: tuple = ()  # config fields that do not change the result (left out of the cell id)


KINDS = {
    "gates": Kind("gates", GateConfig, gates_cells.run_gate_cell, gates_cells.COLUMNS, gates_cells.METRICS,
                  "success_rate", {"seed": "seeds are not a sweep setting here: use --seeds N to run every "
                                           "cell from N seeds", "epochs": "give the epoch budget with --epochs"}),
    "mnist": Kind("mnist", MnistConfig, mnist_cells.run_mnist_cell, mnist_cells.COLUMNS, mnist_cells.METRICS,
                  "test_accuracy", {"threads": "threads are set by the sweep (one per worker process)"},
                  volatile=("threads",)),
}


@dataclasses.dataclass
class SweepResult:
    kind: str
    axes: list[Axis]
    records: list[dict]      # finished cells in grid order: key, index, values, config, result, reused
    total: int               # cells in the grid
    interrupted: bool = False
    folder: Path | None = None

    @property
    def done(self) -> int:
        return len(self.records)

    @property
    def reused(self) -> int:
        return sum(1 for r in self.records if r.get("reused"))

    def rows(self) -> list[dict]:
        """One flat dict per finished cell: the varied values (as text) then the metrics."""
        from .grid import format_value
        out = []
        for r in self.records:
            row = {a.field: format_value(r["values"][a.field]) for a in self.axes}
            row["cell"] = r["key"]
            row.update({k: v for k, v in r["result"].items() if not isinstance(v, (dict, list))})
            out.append(row)
        return out

    def columns(self) -> list[str]:
        return [a.field for a in self.axes] + KINDS[self.kind].columns

    def summary(self) -> dict:
        """The whole sweep as one JSON-able dict (the CLI's --json and results.json)."""
        return _clean({  # NaN -> None: strict JSON
            "kind": self.kind, "axes": [a.to_dict() for a in self.axes], "cells_total": self.total,
            "cells_done": self.done, "cells_reused": self.reused, "interrupted": self.interrupted,
            "main_metric": KINDS[self.kind].main_metric, "cells": self.records,
            "folder": str(self.folder) if self.folder else None})


def _identity(kind: Kind, cfg, options: dict) -> dict:
    d = {k: v for k, v in cfg.to_dict().items() if k not in kind.volatile}
    return {"kind": kind.name, "config": d, "options": options}


def _record(cell: Cell, cfg_dict: dict, options: dict, result: dict, reused: bool) -> dict:
    return {"key": cell.key, "index": list(cell.index), "values": {k: _jsonable(v) for k, v in cell.values.items()},
            "config": cfg_dict, "options": options, "result": result, "reused": reused}


# ---------------------------------------------------------------- worker processes
_WORKER_STOP = None


def _init_worker(stop_event, parent: int) -> None:
    """Runs once in each worker: runtime.pool.init_worker (ignore Ctrl-C, which the parent
    handles; one torch thread; exit if the parent dies) at normal priority, and keep the
    stop flag."""
    global _WORKER_STOP
    init_worker(0, parent)
    _WORKER_STOP = stop_event


def _worker_cell(kind_name: str, cfg_dict: dict, options: dict) -> dict:
    return KINDS[kind_name].run_cell(cfg_dict, options, _WORKER_STOP)


def _context():
    """The program's fork server (runtime/pool.py), which has torch and this module preloaded."""
    return process_context()


def default_workers(n_cells: int) -> int:
    return max(1, min(os.cpu_count() or 1, n_cells))


def run_sweep(kind: str, base, axes: list[Axis], options: dict | None = None, *, out=None, workers: int = 1,
              progress=None, stop=None, cells: list[Cell] | None = None, backend=None) -> SweepResult:
    """Train every cell of the grid not already stored in `out`.

    progress(record, done, total) is called after each cell (reused ones first).
    stop: an object with is_set() (threading.Event); when set, running cells stop
    and the result has interrupted=True. Ctrl-C does the same (no exception).
    backend: a runtime.ray_backend.RayPool to train the cells as Ray tasks instead of
    local processes (one torch thread each, as in a local worker: the same numbers).
    cells: an explicit list of cells instead of the grid of `axes` (then `axes` holds
    one Axis naming them, for tables and figures)."""
    k = KINDS[kind]
    options = dict(options or {})
    cells = list(cells) if cells is not None else expand(base, axes, k.forbidden)
    store = SweepStore(out)
    store.write_spec({"kind": kind, "base": base.to_dict(), "axes": [a.to_dict() for a in axes],
                      "options": options})
    results: dict[int, dict] = {}
    todo = []
    for pos, cell in enumerate(cells):
        parallel = workers > 1 or backend is not None
        cfg = cell.cfg.replace(threads=1) if kind == "mnist" and parallel else cell.cfg
        cid = cell_id(cell.key, _identity(k, cfg, options))
        stored = store.load(cid)
        if stored is not None:
            results[pos] = {**stored, "reused": True}
            if progress:
                progress(results[pos], len(results), len(cells))
        else:
            todo.append((pos, cell, cid, cfg.to_dict()))

    def finish(pos, cell, cid, cfg_dict, res) -> None:
        rec = _record(cell, cfg_dict, options, res, reused=False)
        store.save(cid, rec)  # atomic: the cell is on disk whole, or not at all
        results[pos] = rec
        if progress:
            progress(rec, len(results), len(cells))

    workers = max(1, min(int(workers), len(todo) or 1))
    if backend is not None:
        interrupted = backend.map_unordered(
            _worker_cell, [(k.name, cfg_dict, options) for _, _, _, cfg_dict in todo],
            lambda i, res: None if res.get("stopped") else finish(*todo[i], res), stop)
    elif workers == 1:
        interrupted = _run_inline(k, todo, options, stop, finish)
    else:
        interrupted = _run_pool(k, todo, options, stop, finish, workers)
    records = [results[p] for p in sorted(results)]
    result = SweepResult(kind, list(axes), records, len(cells), interrupted, store.folder)
    if store.folder is not None:
        store.write_results(result.rows(), ["cell"] + result.columns(), result.summary())
    return result


def _run_inline(k: Kind, todo, options, stop, finish) -> bool:
    try:
        for pos, cell, cid, cfg_dict in todo:
            if stop is not None and stop.is_set():
                return True
            res = k.run_cell(cfg_dict, options, stop)
            if res.get("stopped"):
                return True
            finish(pos, cell, cid, cfg_dict, res)
    except KeyboardInterrupt:
        return True
    return False


def _run_pool(k: Kind, todo, options, stop, finish, workers: int) -> bool:
    ctx = _context()
    mp_stop = ctx.Event()
    interrupted = False
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(mp_stop, os.getpid())) as ex:
        futures = {ex.submit(_worker_cell, k.name, cfg_dict, options): (pos, cell, cid, cfg_dict)
                   for pos, cell, cid, cfg_dict in todo}
        pending = set(futures)

        def collect(done) -> None:
            for f in done:
                res = f.result()  # re-raises a worker's error (e.g. a DataError) here
                if not res.get("stopped"):
                    finish(*futures[f], res)

        try:
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                collect(done)
                if stop is not None and stop.is_set():
                    interrupted = True
                    break
        except KeyboardInterrupt:
            interrupted = True
        if interrupted:
            mp_stop.set()  # running cells end within a step
            for f in pending:
                f.cancel()  # queued cells never start
            running = [f for f in pending if not f.cancelled()]
            try:
                done, _ = wait(running, timeout=60)
                collect(f for f in done if not f.cancelled() and f.exception() is None)
            except KeyboardInterrupt:
                pass
    return interrupted
