"""IDX reader: hand-made files, the real MNIST files, and every kind of damage."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from nnplay.engine.errors import DataError
from nnplay.engine.mnist.idx import FILES, parse_idx, read_idx, write_idx

MNIST = Path(os.environ["NNPLAY_DATA_DIR"])


def _real(name: str) -> Path:
    gz = MNIST / f"{name}.gz"
    return gz if gz.exists() else MNIST / name


def test_hand_made_idx_round_trip(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    # Build the bytes by hand (not with write_idx) so the parser has an independent oracle.
    raw = bytes([0, 0, 8, 3]) + struct.pack(">III", 2, 3, 4) + images.tobytes()
    (tmp_path / "x-idx3-ubyte").write_bytes(raw)
    (tmp_path / "x-idx3-ubyte.gz").write_bytes(gzip.compress(raw))
    for p in (tmp_path / "x-idx3-ubyte", tmp_path / "x-idx3-ubyte.gz"):
        got = read_idx(p)
        assert got.shape == (2, 3, 4) and got.dtype == np.uint8
        np.testing.assert_array_equal(got, images)
    labels = np.array([5, 0, 4], np.uint8)
    assert parse_idx(bytes([0, 0, 8, 1]) + struct.pack(">I", 3) + labels.tobytes()).tolist() == [5, 0, 4]
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "y.gz", labels)), labels)


def test_real_files_counts_and_known_labels():
    train_y = read_idx(_real("train-labels-idx1-ubyte"))
    test_y = read_idx(_real("t10k-labels-idx1-ubyte"))
    test_x = read_idx(_real("t10k-images-idx3-ubyte"))
    assert train_y.shape == (60000,) and test_y.shape == (10000,) and test_x.shape == (10000, 28, 28)
    assert train_y[0] == 5 and test_y[0] == 7        # the famous first digits
    assert train_y[:5].tolist() == [5, 0, 4, 1, 9]
    assert sorted(set(test_y.tolist())) == list(range(10))
    assert test_x.max() == 255 and test_x.min() == 0


@pytest.mark.parametrize("damage", ["truncate", "flip_byte", "bad_gzip", "bad_magic"])
def test_damaged_file_names_file(tmp_path, damage):
    name = "t10k-labels-idx1-ubyte"
    raw = gzip.decompress(_real(name).read_bytes()) if _real(name).suffix == ".gz" else _real(name).read_bytes()
    if damage == "truncate":
        path, data = tmp_path / name, raw[:-100]
    elif damage == "flip_byte":
        b = bytearray(raw)
        b[500] = (b[500] + 1) % 10  # still a valid label, so only the MD5 can catch it
        path, data = tmp_path / f"{name}.gz", gzip.compress(bytes(b))
    elif damage == "bad_gzip":
        path, data = tmp_path / f"{name}.gz", gzip.compress(raw)[:-50]
    else:
        path, data = tmp_path / "unknown-file", b"\x00\x00\x09\x01" + raw[4:]
    path.write_bytes(data)
    with pytest.raises(DataError) as e:
        read_idx(path)
    msg = str(e.value)
    assert str(path) in msg
    if damage in ("truncate", "flip_byte"):
        assert FILES[name][2] in msg  # the expected MD5 is named


def test_header_promises_more_than_file_holds():
    data = bytes([0, 0, 8, 3]) + struct.pack(">III", 10, 28, 28) + bytes(100)
    with pytest.raises(DataError, match="truncated"):
        parse_idx(data, "x")
    with pytest.raises(DataError, match="too short"):
        parse_idx(b"\x00\x00", "x")
