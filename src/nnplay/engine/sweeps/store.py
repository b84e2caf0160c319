"""A sweep's folder (`--out DIR`): one JSON file per finished cell, so sweeps resume.

    DIR/sweep.json            what was asked: kind, base config, axes, options
    DIR/cells/<id>.json       one finished cell: key, values, config, result
    DIR/results.json, .csv    the table of every cell, written at the end

Every file is written with `atomic_write_text` (a temporary file renamed over the
target), so Ctrl-C or a crash can never leave half a cell behind: a cell file
either exists whole or not at all. Rerunning the same command reads the finished
cells back and trains only the others. The cell id contains a hash of the cell's
config and options (see grid.cell_id), so changing e.g. --epochs or --seeds means
those cells are trained again instead of wrongly reused.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from nnplay.runtime.files import atomic_write_text
from ..errors import ConfigError

FORMAT = "nnplay-sweep"
VERSION = 1


def _clean(obj):
    """JSON-safe copy: NaN/inf -> None (strict JSON has no NaN), tuples -> lists."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        return _clean(obj.item())
    return obj


def dumps(obj) -> str:
    return json.dumps(_clean(obj), indent=1, sort_keys=True, allow_nan=False) + "\n"


class SweepStore:
    """Reads and writes one sweep folder. `folder=None` keeps nothing (the app's case)."""

    def __init__(self, folder: str | Path | None):
        self.folder = Path(folder) if folder else None
        if self.folder is not None:
            if self.folder.exists() and not self.folder.is_dir():
                raise ConfigError(f"--out {self.folder} is a file; give a folder for the sweep's results")
            self.cells_dir.mkdir(parents=True, exist_ok=True)

    @property
    def cells_dir(self) -> Path:
        return self.folder / "cells"

    def write_spec(self, spec: dict) -> None:
        if self.folder is not None:
            atomic_write_text(self.folder / "sweep.json", dumps({"format": FORMAT, "version": VERSION, **spec}))

    def load(self, cid: str) -> dict | None:
        """The stored record of a finished cell, or None (missing or unreadable: a
        file that is not valid JSON is ignored and that cell is simply trained again)."""
        if self.folder is None:
            return None
        path = self.cells_dir / f"{cid}.json"
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
        return record if isinstance(record, dict) and "result" in record else None

    def save(self, cid: str, record: dict) -> None:
        if self.folder is not None:
            atomic_write_text(self.cells_dir / f"{cid}.json", dumps(record))

    def write_results(self, rows: list[dict], columns: list[str], summary: dict) -> dict[str, Path]:
        """results.json (the summary and every cell, curves included) and results.csv
        (one line per cell, the columns only). Returns the paths written."""
        if self.folder is None:
            return {}
        paths = {"json": self.folder / "results.json", "csv": self.folder / "results.csv"}
        atomic_write_text(paths["json"], dumps(summary))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: _csv_value(row.get(c)) for c in columns})
        atomic_write_text(paths["csv"], buf.getvalue())
        return paths


def _csv_value(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}" if math.isfinite(v) else ""
    if isinstance(v, (list, tuple)):
        return "-".join(str(x) for x in v) if v else "none"
    return v
