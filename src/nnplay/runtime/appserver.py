"""The app as a child process, started the way a user starts it, for benchmarks and tests.

    with app_process(env={"NNPLAY_DATA_DIR": "..."}) as app:
        app.url            # http://127.0.0.1:PORT/, answering
        app.seconds        # from process start until GET /config answered
        app.proc.pid       # e.g. to read its memory

"Answering" means GET /config returns 200: that is the request a page makes first to
build itself, so a browser can render the app from then on. On leaving the block the
process gets SIGTERM, then SIGKILL if it has not exited within 10 s.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .ports import free_port

SRC = str(Path(__file__).resolve().parents[2])  # the folder holding this nnplay package


@dataclass
class AppProcess:
    url: str
    proc: subprocess.Popen
    seconds: float


def answers(url: str, timeout: float = 2.0) -> bool:
    """True if GET `url` returns 200 within `timeout` seconds."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - our own loopback server
            return r.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def app_process(args: tuple[str, ...] = (), env: dict | None = None,
                timeout_s: float = 90.0) -> Iterator[AppProcess]:
    """`python -m nnplay app --port P [args]` on a free loopback port, this nnplay first on
    the import path; yields once it answers. `env` is added to this process's environment.
    RuntimeError, with the end of its stderr, if it exits or does not answer within
    `timeout_s`. (stderr goes to a temporary file: a pipe nobody reads could fill up and
    stall the server.)"""
    port = free_port()
    full_env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})}
    full_env["PYTHONPATH"] = SRC + os.pathsep + full_env.get("PYTHONPATH", "")
    url = f"http://127.0.0.1:{port}/"
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "nnplay", "app", "--port", str(port), *args],
                                stdout=subprocess.DEVNULL, stderr=err, env=full_env)
        try:
            while not answers(url + "config"):
                if proc.poll() is not None:
                    raise RuntimeError(f"`nnplay app` exited with {proc.returncode}: {_tail(err)}")
                if time.perf_counter() - t0 > timeout_s:
                    raise RuntimeError(f"`nnplay app` did not answer within {timeout_s:g} s: {_tail(err)}")
                time.sleep(0.05)
            yield AppProcess(url, proc, time.perf_counter() - t0)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _tail(f, n: int = 400) -> str:
    f.seek(0)
    return f.read().decode(errors="replace")[-n:].strip()
