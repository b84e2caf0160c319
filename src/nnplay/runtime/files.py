"""Atomic file writes: readers see the old file or the new one, never half of either.

    atomic_write_text("out/REPORT.md", text)
    atomic_write_bytes("out/model.safetensors", data)

The data goes to a temporary file in the same folder, is flushed and fsync'd, and the
temporary file is then renamed over the target. A rename within one filesystem is
atomic, so a crash mid-write leaves the old file whole (and at worst a stray
`.NAME.*.tmp` beside it).

The temporary file is created with mode 0666 through `os.open`, so the kernel applies
the user's umask exactly as a plain `open(path, "w")` would (0644 under the usual
umask 022). `tempfile.mkstemp` would make it 0600, and reading the umask to correct
that means setting it, which changes it for every thread of the process for a moment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

FILE_MODE = 0o666  # before the umask, as open() uses
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows only


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside `path`: (file descriptor, its path)."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, _FLAGS, FILE_MODE), tmp
        except FileExistsError:  # 1 in 4 billion per try: pick another name
            continue
    raise FileExistsError(f"could not create a temporary file beside {path}")


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """`atomic_write_bytes` of `text` in UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"))
