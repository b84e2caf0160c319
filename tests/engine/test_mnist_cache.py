"""The decoded-data cache: same arrays as the files, memory-mapped later, and never a way
around the checks (a damaged source file or a damaged cache file is caught)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from nnplay.engine.errors import DataError
from nnplay.engine.mnist import cache, data as mdata
from nnplay.engine.mnist.idx import FILES, read_idx

MNIST = Path(os.environ["NNPLAY_DATA_DIR"])


@pytest.fixture()
def fresh(monkeypatch, tmp_path):
    """A copy of the MNIST files and an empty user cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    src = tmp_path / "mnist"
    src.mkdir()
    for name in FILES:
        f = MNIST / f"{name}.gz"
        shutil.copy(f if f.exists() else MNIST / name, src)
    return src


def _reads(monkeypatch):
    """Count full decodes (read_idx calls) from now on."""
    calls = []
    real = mdata.read_idx
    monkeypatch.setattr(mdata, "read_idx", lambda p, **kw: calls.append(Path(p).name) or real(p, **kw))
    return calls


def test_first_load_writes_the_cache_later_loads_map_it(fresh, monkeypatch):
    calls = _reads(monkeypatch)
    first = mdata.read_arrays(fresh)
    assert len(calls) == 4  # decoded and verified once
    where = cache.folder()
    assert sorted(p.name for p in where.glob("*.npy")) == sorted(f"{n}.npy" for n in FILES)
    again = mdata.read_arrays(fresh)
    assert len(calls) == 4  # no second decode
    for name in FILES:
        assert isinstance(again[name], np.memmap)
        assert np.array_equal(again[name], first[name])
        assert np.array_equal(again[name], read_idx(fresh / f"{name}.gz"))  # the files' own content


def test_a_source_file_damaged_after_caching_is_still_refused(fresh):
    mdata.read_arrays(fresh)
    f = fresh / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(f.read_bytes())
    raw[-12] ^= 0xFF  # a flipped byte inside the gzip stream
    f.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte"):
        mdata.read_arrays(fresh)


def test_a_damaged_cache_file_is_ignored_and_rebuilt(fresh, monkeypatch):
    mdata.read_arrays(fresh)
    npy = cache.folder() / "train-labels-idx1-ubyte.npy"
    raw = bytearray(npy.read_bytes())
    raw[-5] = (raw[-5] + 1) % 10  # a label changed: same size, same shape, wrong content
    npy.write_bytes(bytes(raw))
    assert cache.load_arrays() is None  # the CRC-32 catches it
    calls = _reads(monkeypatch)
    arrays = mdata.read_arrays(fresh)
    assert len(calls) == 4  # decoded from the verified files again
    assert np.array_equal(arrays["train-labels-idx1-ubyte"], read_idx(fresh / "train-labels-idx1-ubyte.gz"))
    assert cache.load_arrays() is not None  # and the cache rewritten
    npy.write_bytes(npy.read_bytes()[:200])  # truncated: refused too
    assert cache.load_arrays() is None


def test_another_folder_with_the_same_files_is_verified_once(fresh, tmp_path, monkeypatch):
    mdata.read_arrays(fresh)
    other = tmp_path / "other"
    shutil.copytree(fresh, other)
    calls = _reads(monkeypatch)
    mdata.read_arrays(other)
    assert len(calls) == 4  # new files: their MD5s are checked before the cache is trusted for them
    mdata.read_arrays(other)
    assert len(calls) == 4
    manifest = json.loads((cache.folder() / "manifest.json").read_text())
    assert {str((other / f"{n}.gz").resolve()) for n in FILES} <= set(manifest["sources"])


def test_an_unwritable_cache_just_means_decoding(fresh, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    calls = _reads(monkeypatch)
    a = mdata.read_arrays(fresh)
    b = mdata.read_arrays(fresh)
    assert len(calls) == 8 and np.array_equal(a["t10k-images-idx3-ubyte"], b["t10k-images-idx3-ubyte"])
