"""Shared pieces of the report: the run context, PNG figures through kaleido, markdown helpers.

Figures are the project's own Plotly figures (nnplay.viz), rendered to PNG by kaleido 1.x,
which drives a headless Chrome/Chromium. Starting the browser costs seconds, so one
kaleido server is started for the whole report and every figure goes through it
(~0.2 s each afterwards). kaleido finds the browser through the BROWSER_PATH variable.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from nnplay.engine.errors import NnplayError
from nnplay.runtime.browser import find_chromium
from nnplay.runtime.files import atomic_write_bytes

FIG_DIR = Path("docs") / "report"  # figures, relative to the report's folder


class ReportError(NnplayError):
    """The report could not be produced (e.g. no browser to render the figures)."""


class FigureWriter:
    """Writes Plotly figures as PNG files into `folder` through one kaleido server."""

    def __init__(self, folder: Path, rel: Path):
        self.folder, self.rel = Path(folder), Path(rel)
        self.written: list[Path] = []
        self._started = False

    def _start(self) -> None:
        if self._started:
            return
        browser = find_chromium()
        if browser is None:
            raise ReportError("no Chrome/Chromium found to render the figures; install chromium or set "
                              "BROWSER_PATH to a Chrome executable")
        os.environ.setdefault("BROWSER_PATH", browser)
        try:
            import kaleido
        except ImportError:
            raise ReportError("the report draws its figures with kaleido; install it with "
                              "`pip install 'kaleido>=1'` (it comes with `pip install -e .[test]`)") from None

        kaleido.start_sync_server(silence_warnings=True)
        self._started = True

    def save(self, name: str, fig, *, width: int = 900, height: int | None = None, scale: float = 1.5) -> str:
        """Render `fig` to <folder>/<name>.png; return the path to link from the markdown."""
        self._start()
        height = int(height or fig.layout.height or 400)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # kaleido: "kopts ignored when using a server"
            png = fig.to_image(format="png", width=width, height=height, scale=scale)
        path = self.folder / f"{name}.png"
        atomic_write_bytes(path, png)
        self.written.append(path)
        return (self.rel / f"{name}.png").as_posix()

    def close(self) -> None:
        if self._started:
            import kaleido

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                kaleido.stop_sync_server(silence_warnings=True)
            self._started = False


@dataclass
class Context:
    """What every section needs: where to write, how big a run, the clock."""

    out: Path
    quick: bool
    figures: FigureWriter
    progress: callable = print
    timings: dict = field(default_factory=dict)   # step name -> seconds
    started: float = field(default_factory=time.perf_counter)

    def say(self, text: str) -> None:
        if self.progress is not None:
            self.progress(text)

    def timed(self, name: str):
        ctx = self

        class _Timer:
            def __enter__(self):
                ctx.say(f"[report] {name} ...")
                self.t0 = time.perf_counter()
                return self

            def __exit__(self, *exc):
                ctx.timings[name] = time.perf_counter() - self.t0
                ctx.say(f"[report] {name}: {ctx.timings[name]:.1f} s")
                return False

        return _Timer()


# ---------------------------------------------------------------- markdown helpers
def table(header: list[str], rows: list[list], align: str | None = None) -> str:
    """A GitHub markdown table; `align` one char per column, l or r (default: numbers right)."""
    cells = [[cell(v) for v in r] for r in rows]
    if align is None:
        align = "".join("r" if rows and all(isinstance(r[i], (int, float)) and not isinstance(r[i], bool)
                                            for r in rows) else "l" for i in range(len(header)))
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in cells]
    return "\n".join(lines)


def cell(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "—"
        return f"{v:,.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v).replace("|", "/").replace("\n", " ")


def pct(v, digits: int = 2) -> str:
    return "—" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{100 * v:.{digits}f}%"


def secs(v) -> str:
    if v is None:
        return "—"
    return f"{v:.1f} s" if v < 100 else f"{v / 60:.1f} min"


def image(path: str, alt: str) -> str:
    return f"![{alt}]({path})"
