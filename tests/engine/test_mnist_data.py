"""Where MNIST is looked for, the per-process cache, and the download path (no network)."""

from __future__ import annotations

import gzip
import io
import os
import shutil
from pathlib import Path

import pytest
import torch

from nnplay.engine.errors import DataError
from nnplay.engine.mnist import data as mdata
from nnplay.engine.mnist.idx import FILES, write_idx

MNIST = Path(os.environ["NNPLAY_DATA_DIR"])


@pytest.fixture()
def isolated(monkeypatch, tmp_path):
    """No env dir, no repo copy, an empty cache, and a network that refuses."""
    monkeypatch.delenv("NNPLAY_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(mdata, "REPO_DATA", tmp_path / "no-repo-data")

    def offline(url, timeout=20):
        raise OSError("network unreachable (test)")

    monkeypatch.setattr(mdata, "_urlopen", offline)
    return tmp_path


def _copy_mnist(dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        src = MNIST / f"{name}.gz"
        src = src if src.exists() else MNIST / name
        shutil.copy(src, dst / src.name)
    return dst


def test_explicit_dir_beats_env_beats_repo_beats_cache(isolated, monkeypatch):
    a, b = _copy_mnist(isolated / "a"), _copy_mnist(isolated / "b")
    repo, cache = _copy_mnist(isolated / "repo"), _copy_mnist(isolated / "cache" / "nnplay" / "mnist")
    monkeypatch.setattr(mdata, "REPO_DATA", repo)
    monkeypatch.setenv("NNPLAY_DATA_DIR", str(b))
    assert mdata.locate(a) == a
    assert mdata.locate() == b
    monkeypatch.delenv("NNPLAY_DATA_DIR")
    assert mdata.locate() == repo
    monkeypatch.setattr(mdata, "REPO_DATA", isolated / "gone")
    assert mdata.locate() == cache


def test_nothing_anywhere_says_where_to_put_files(isolated):
    with pytest.raises(DataError) as e:
        mdata.locate()
    msg = str(e.value)
    assert "network unreachable" in msg and str(mdata.cache_dir()) in msg and "train-images-idx3-ubyte.gz" in msg
    with pytest.raises(DataError, match="--data-dir"):
        mdata.locate(isolated / "empty", allow_download=False)


def test_explicit_folder_is_not_a_fallback(isolated, monkeypatch):
    """A folder the user names must hold the files; the error lists the missing ones."""
    partial = isolated / "partial"
    partial.mkdir()
    shutil.copy(MNIST / "t10k-labels-idx1-ubyte.gz", partial)
    _copy_mnist(isolated / "cache" / "nnplay" / "mnist")  # a good cache must not be used instead
    with pytest.raises(DataError) as e:
        mdata.locate(partial)
    assert "train-images-idx3-ubyte" in str(e.value) and "--data-dir" in str(e.value)
    assert "t10k-labels-idx1-ubyte," not in str(e.value).split("lacks")[1].split(";")[0]
    monkeypatch.setenv("NNPLAY_DATA_DIR", str(isolated / "nowhere"))
    with pytest.raises(DataError, match="NNPLAY_DATA_DIR"):
        mdata.locate()
    assert not (isolated / "nowhere").exists()  # nothing created


def test_download_writes_verified_files_into_cache(isolated, monkeypatch):
    """A fake mirror serving the real bytes: files land in the cache and load."""
    served = []

    class Resp(io.BytesIO):
        headers = {}

        def __enter__(self):
            return self

    def fake(url, timeout=20):
        name = url.rsplit("/", 1)[1]
        served.append(url)
        src = MNIST / name
        data = src.read_bytes() if src.exists() else gzip.compress((MNIST / name[:-3]).read_bytes())
        return Resp(data)

    monkeypatch.setattr(mdata, "_urlopen", fake)
    folder = mdata.locate()
    assert folder == mdata.cache_dir() and mdata.has_mnist(folder)
    assert len(served) == 4 and all(u.startswith(mdata.MIRRORS[0]) for u in served)


def test_download_with_wrong_checksum_is_refused(isolated, monkeypatch):
    class Resp(io.BytesIO):
        headers = {}

        def __enter__(self):
            return self

    monkeypatch.setattr(mdata, "_urlopen", lambda url, timeout=20: Resp(gzip.compress(b"not mnist")))
    with pytest.raises(DataError, match="MD5"):
        mdata.locate()
    assert not any(mdata.cache_dir().glob("*.gz"))  # nothing half-written left behind


def test_load_is_cached_and_subsets_are_views(tmp_path):
    full = mdata.load_mnist()
    again = mdata.load_mnist()
    assert again is full  # converted once per process
    assert full.train_x.shape == (60000, 1, 28, 28) and full.train_x.dtype == torch.float32
    assert full.test_y.dtype == torch.int64 and float(full.train_x.max()) == 1.0
    small = mdata.load_mnist(subset=100, test_subset=50)
    assert small.train_x.shape[0] == 100 and small.test_x.shape[0] == 50
    assert small.train_x.data_ptr() == full.train_x.data_ptr()  # a view, no copy


def test_hand_made_folder_with_raw_files(tmp_path):
    """A folder with uncompressed but altered files is refused by MD5, naming the file."""
    import numpy as np

    folder = tmp_path / "m"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte", np.zeros((60000, 28, 28), np.uint8))
    for name in ("train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        _copy_one = MNIST / f"{name}.gz"
        shutil.copy(_copy_one, folder / _copy_one.name)
    with pytest.raises(DataError, match="train-images-idx3-ubyte"):
        mdata.load_mnist(folder)
