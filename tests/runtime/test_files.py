"""Atomic writes (runtime/files.py): a crash mid-write leaves the old file whole.

A child process overwrites a checkpoint (or a report) that already exists, through
a deliberately slow disk (its file writes go out 1 MB at a time with a short pause),
and we SIGKILL it once the temporary file is partly written. The target must still
hold the old bytes and load; a plain `open(path, "wb")` would leave it truncated.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from nnplay.engine.checkpoint import load_checkpoint, save_checkpoint
from nnplay.runtime.files import atomic_write_text

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

# The child: a slow file object (1 MB per write, 20 ms apart) under os.fdopen, then the
# real function writing ~64 MB.
CHILD = textwrap.dedent("""
    import os, sys, time
    import torch
    from nnplay.engine import checkpoint as ck
    from nnplay.runtime import files

    real_fdopen = os.fdopen

    class Slow:
        def __init__(self, f): self.f = f
        def __enter__(self): return self
        def __exit__(self, *exc): self.f.close()
        def write(self, data):
            view = memoryview(data)
            for i in range(0, len(view), 1 << 20):
                self.f.write(view[i:i + (1 << 20)]); self.f.flush(); time.sleep(0.02)
        def __getattr__(self, name): return getattr(self.f, name)

    os.fdopen = lambda *a, **k: Slow(real_fdopen(*a, **k))
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "checkpoint":
        ck.save_checkpoint(path, {"w": torch.full((16_000_000,), 2.0)}, kind="test", config={"new": True})
    else:
        files.atomic_write_text(path, "new report line\\n" * 4_000_000)
    print("FINISHED", flush=True)
""")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kill_mid_write(kind: str, target: Path) -> list[Path]:
    """Start the slow writer, SIGKILL it while its temp file is partly written; return the temp files."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, kind, str(target)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pattern = f".{target.name}.*.tmp"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            tmps = list(target.parent.glob(pattern))
            if tmps and tmps[0].stat().st_size >= 4 << 20:  # at least 4 MB of ~64 MB written
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.01)
        else:
            pytest.fail("the writer never started writing")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert b"FINISHED" not in proc.stdout.read()
    return list(target.parent.glob(pattern))


def test_killed_checkpoint_write_keeps_the_old_checkpoint(tmp_path):
    target = save_checkpoint(tmp_path / "model.safetensors", {"w": torch.arange(10.0)}, kind="test",
                             config={"old": True})
    before, meta_before = digest(target), digest(target.with_suffix(".json"))
    leftovers = kill_mid_write("checkpoint", target)
    assert leftovers and leftovers[0].stat().st_size < 64_000_000  # it really died half way
    assert digest(target) == before and digest(target.with_suffix(".json")) == meta_before
    tensors, meta = load_checkpoint(target)
    assert torch.equal(tensors["w"], torch.arange(10.0)) and meta["config"] == {"old": True}


def test_killed_report_write_keeps_the_old_report(tmp_path):
    target = tmp_path / "report.md"
    atomic_write_text(target, "# the old report\n")
    leftovers = kill_mid_write("text", target)
    assert leftovers and leftovers[0].stat().st_size < 64_000_000
    assert target.read_text() == "# the old report\n"


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_atomic_write_gives_the_mode_open_would(tmp_path, umask):
    """mkstemp's 0600 must not leak into checkpoints and reports: the file gets what a plain
    open() would make under the user's umask (others may read it under the usual 022)."""
    import stat

    target, plain = tmp_path / "REPORT.md", tmp_path / "plain.md"
    old = os.umask(umask)  # this test sets the umask itself, and puts it back
    try:
        atomic_write_text(target, "hello\n")
        plain.write_text("hello\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == 0o666 & ~umask


UMASK_PROBE = textwrap.dedent("""
    import os
    calls = []
    real = os.umask
    os.umask = lambda mask: calls.append(mask) or real(mask)
    import nnplay.engine.checkpoint, nnplay.runtime.files, nnplay.report.common, nnplay.engine.sweeps.store
    nnplay.runtime.files.atomic_write_text(os.path.join(os.environ["OUT"], "x.txt"), "x")
    print(calls)
""")


def test_nothing_changes_the_umask(tmp_path):
    """Neither importing the writers nor writing touches the process umask (which is one
    setting for every thread: changing it even for a moment races with their file creation)."""
    out = subprocess.run([sys.executable, "-c", UMASK_PROBE], capture_output=True, text=True, check=True,
                         env={**os.environ, "OUT": str(tmp_path)})
    assert out.stdout.strip() == "[]"
    assert (tmp_path / "x.txt").read_text() == "x" and not list(tmp_path.glob("*.tmp"))
