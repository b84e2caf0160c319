"""A decoded copy of MNIST in the user cache, so a second run starts in milliseconds.

Reading the four `.gz` files means gunzipping 55 MB and hashing it (MD5) before a
single step can run. The first load does that once and also writes each array as a
`.npy` file (raw uint8 plus a small header); later loads memory-map those files:
the OS hands us pages that are usually still in its file cache, no decoding at all.

    ~/.cache/nnplay/decoded/<key>/
        train-images-idx3-ubyte.npy   (60000, 28, 28) uint8
        train-labels-idx1-ubyte.npy   (60000,) uint8
        t10k-images-idx3-ubyte.npy    (10000, 28, 28) uint8
        t10k-labels-idx1-ubyte.npy    (10000,) uint8
        manifest.json

`<key>` is made from the MD5s of the four decoded files (the ones idx.FILES expects),
so the cache holds exactly the verified content and nothing else.

Why this still refuses a damaged source file without re-hashing 55 MB every run:
`manifest.json` remembers each source file it has verified by its path, size and
modification time (nanoseconds). A file that was replaced, truncated or rewritten
gets a new size or mtime, so it no longer matches and is verified by MD5 again (and
refused, naming the file, if it is damaged). A file that matches was verified earlier
and has not been written to since.

And the cache's own files: each `.npy` must have the expected shape, dtype and a
CRC-32 of its bytes equal to the one stored when it was written (CRC-32 runs at
several GB/s, ~20 ms for all of MNIST, against ~250 ms for MD5 after gunzip). A
mismatch means the cache is ignored and rebuilt from the verified source files.

Nothing here is required: an unwritable cache folder just means every load decodes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from pathlib import Path

import numpy as np

from .idx import FILES

VERSION = 1
MANIFEST = "manifest.json"


def cache_root() -> Path:
    """$XDG_CACHE_HOME/nnplay/decoded (default ~/.cache/nnplay/decoded)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nnplay" / "decoded"


def content_key() -> str:
    """A short name for the verified content: the MD5 of the four expected MD5s."""
    joined = ",".join(FILES[name][2] for name in sorted(FILES))
    return hashlib.md5(joined.encode()).hexdigest()[:16]


def folder() -> Path:
    return cache_root() / content_key()


def stamp(path: Path) -> dict:
    """What identifies one version of a source file without reading it."""
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _read_manifest(where: Path) -> dict | None:
    try:
        m = json.loads((where / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return m if isinstance(m, dict) and m.get("version") == VERSION else None


def verified_before(sources: dict[str, Path]) -> bool:
    """True when every source file matches a (path, size, mtime) the cache verified."""
    m = _read_manifest(folder())
    if m is None:
        return False
    known = m.get("sources", {})
    try:
        return all(known.get(str(p.resolve())) == stamp(p) for p in sources.values())
    except OSError:
        return False


def load_arrays() -> dict[str, np.ndarray] | None:
    """The four uint8 arrays, memory-mapped and checked (shape, dtype, CRC-32), or None
    when the cache is missing, stale or damaged."""
    where = folder()
    m = _read_manifest(where)
    if m is None:
        return None
    out = {}
    for name, (dims, _, _) in FILES.items():
        info = m.get("arrays", {}).get(name)
        try:
            arr = np.load(where / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError):
            return None
        if (info is None or arr.dtype != np.uint8 or tuple(arr.shape) != tuple(dims)
                or zlib.crc32(arr) != info.get("crc32")):
            return None
        out[name] = arr
    return out


def _atomic_save(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remember(sources: dict[str, Path], arrays: dict[str, np.ndarray] | None = None) -> None:
    """Record verified source files (and write the arrays, when given). Best effort:
    a cache that cannot be written is skipped silently, the next load decodes again."""
    where = folder()
    try:
        where.mkdir(parents=True, exist_ok=True)
        m = _read_manifest(where) or {"version": VERSION, "sources": {}, "arrays": {}}
        if arrays is not None:
            for name, arr in arrays.items():
                arr = np.ascontiguousarray(arr, dtype=np.uint8)
                _atomic_save(where / f"{name}.npy", lambda f, a=arr: np.save(f, a, allow_pickle=False))
                m["arrays"][name] = {"crc32": zlib.crc32(arr), "shape": list(arr.shape)}
        for p in sources.values():
            m["sources"][str(p.resolve())] = stamp(p)
        text = json.dumps(m, indent=1, sort_keys=True).encode()
        _atomic_save(where / MANIFEST, lambda f: f.write(text))
    except OSError:
        pass
