"""Run every benchmark row, print the table, write the JSON.

    from nnplay.bench.runner import run_all
    results = run_all(quick=True)

Rows run in the order of ROW_TABLE; a row that fails is reported with
its error (and met = False) instead of stopping the others.
"""

from __future__ import annotations

import json
import time
import traceback
from pathlib import Path

import torch

from . import machine

# One line per row: its name (what it measures), the module and function that measure it,
# and its title in the table. Rows run in this order (later rows read earlier ones' results).
ROW_TABLE = {
    "reference_epoch": ("mnist_rows", "row_reference_epoch", "reference (pytorch/examples mnist) 1 epoch"),
    "cnn_to_99": ("mnist_rows", "row_cnn_to_99", "default CNN: 99.0%, whole process"),
    "mlp_to_98": ("mnist_rows", "row_mlp_to_98", "MLP: 98.0%, whole process"),
    "best_in_budget": ("mnist_rows", "row_best_in_budget", "best accuracy in a 90 s training budget"),
    "gates_xor_seeds": ("gates_rows", "row_gates_xor_seeds", "gates: XOR seeds 0-99 with the defaults"),
    "gates_frame_cpu": ("gates_live", "row_gates_frame_cpu", "gates: server CPU per live frame"),
    "predict_drawing": ("mnist_rows", "row_predict_drawing", "bundled model: predict one 280x280 drawing"),
    "photo_12mp": ("photo_row", "row_photo_12mp", "read a 12 MP JPEG photo (4000x3000), whole call"),
    "app_cold_start": ("app_row", "row_app_cold_start", "app: cold start, RSS after loading MNIST"),
    "mnist_click": ("mnist_click", "row_mnist_click", "MNIST lab: Train click to first curve point and tiles drawn"),
    "gates_browser_fps": ("gates_live", "row_gates_browser_fps", "gates: live frames/s in headless Chromium, 2-[8,8]-1"),
    "gates_four_pages": ("gates_live", "row_gates_four_pages", "gates: 4 pages playing at once, frames/s each"),
    "ddp_ranks_vs_threads": ("ddp", "row_ddp_ranks_vs_threads", "2 ranks x 1 thread vs 1 rank x 2 threads"),
    "cnn_levers": ("mnist_rows", "row_cnn_levers", "speed levers, default CNN, 10k images each"),
    "omp_wait": ("omp_row", "row_omp_wait", "OpenMP waiting: training time against ours, quiet and busy"),
}
ROWS = tuple(ROW_TABLE)
TITLES = {key: title for key, (_, _, title) in ROW_TABLE.items()}


def row_function(key: str):
    import importlib

    module, name, _ = ROW_TABLE[key]
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


def run_all(*, quick: bool = False, rows=ROWS, data_dir: str | None = None, threads: int = 2,
            progress=None, out: str | Path | None = None) -> dict:
    """Run `rows` and return {"machine", "quick", "rows": {key: dict}, ...}.
    `progress(key, row_dict)` is called after each row (the CLI prints a line).
    With `out`, the JSON is rewritten after every row ("complete": false until the
    end), so an interrupted run keeps what it measured."""
    from .mnist_rows import BenchContext

    torch.set_num_threads(threads)
    info = machine.describe()
    ctx = BenchContext(quick=quick, data_dir=data_dir, threads=threads)
    t_start = time.perf_counter()
    for key in rows:
        t0 = time.perf_counter()
        try:
            result = row_function(key)(ctx)
        except Exception as e:  # noqa: BLE001 - one broken row must not hide the others
            result = {"row": key, "title": TITLES[key], "result": f"error: {type(e).__name__}: {e}"[:300],
                      "target": "", "met": False, "error": traceback.format_exc(limit=6)}
        result["bench_seconds"] = round(time.perf_counter() - t0, 2)
        result["load_average_after"] = machine.load_average()  # a busy machine shows here
        torch.set_num_threads(threads)  # a row may have changed it
        ctx.results[key] = result
        if progress is not None:
            progress(key, result)
        if out is not None:
            write_json(_summary(info, quick, t_start, ctx.results, complete=False), out)
    info["load_average_at_end"] = machine.load_average()
    return _summary(info, quick, t_start, ctx.results, complete=True)


def _summary(info: dict, quick: bool, t_start: float, rows: dict, complete: bool) -> dict:
    return {
        "format": "nnplay-bench", "version": 1, "quick": quick, "complete": complete, "machine": info,
        "total_seconds": round(time.perf_counter() - t_start, 1),
        "rows": rows,
    }


def _clean(obj):
    """JSON-safe: NaN/inf -> None, tuples -> lists, numpy scalars -> Python."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, float):
        return obj if obj == obj and abs(obj) != float("inf") else None
    if hasattr(obj, "item") and callable(obj.item):
        return _clean(obj.item())
    return obj


def write_json(results: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_clean(results), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path


def table_rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    out = []
    for key, r in results["rows"].items():
        met = {True: "yes", False: "NO", None: "-"}[r.get("met")]
        out.append((key, r.get("title", ""), r.get("result", ""), r.get("target", ""), met))
    return out


HEADER = ("row", "what", "result", "target", "met")


def plain_table(results: dict) -> str:
    rows = [HEADER, *table_rows(results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    line = "  ".join("-" * w for w in widths)
    text = [("  ".join(c.ljust(w) for c, w in zip(rows[0], widths))).rstrip(), line]
    text += [("  ".join(c.ljust(w) for c, w in zip(r, widths))).rstrip() for r in rows[1:]]
    return "\n".join(text)


def markdown_table(results: dict) -> str:
    lines = ["| row | what | result | target | met |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in r) + " |" for r in table_rows(results)]
    return "\n".join(lines)


def machine_line(results: dict) -> str:
    m = results["machine"]
    flags = [name for key, name in (("avx512", "AVX-512"), ("avx512_bf16", "AVX-512 BF16"), ("amx", "AMX"))
             if m.get(key)]
    return (f"{m['cpu_model']} ({', '.join(flags) or 'no AVX-512'}), {m['nproc']} cores, {m['memory_gib']} GiB, "
            f"torch {m['torch']}, "
            f"Python {m['python']}; load average {m['load_average_at_start']} at start, "
            f"{m.get('load_average_at_end')} at end; {m['date_utc']}"
            + ("; QUICK run (subsets, tiny budgets: not comparable)" if results["quick"] else ""))


def print_table(results: dict, file=None) -> None:
    """A rich table when rich is installed (it comes with gradio), else plain text."""
    import sys

    file = file or sys.stdout
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        print(plain_table(results), file=file)
        print(machine_line(results), file=file)
        return
    table = Table(title="nnplay bench" + (" (quick)" if results["quick"] else ""), caption=machine_line(results))
    for h in HEADER:
        table.add_column(h, overflow="fold")
    for r in table_rows(results):
        style = {"yes": "green", "NO": "red"}.get(r[4])
        table.add_row(*r, style=style)
    Console(file=file, width=160).print(table)
