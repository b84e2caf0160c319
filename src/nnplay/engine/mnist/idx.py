"""Reading the IDX files MNIST is distributed in, checking every byte.

IDX layout (all big-endian):

    bytes 0-1   0x00 0x00
    byte  2     element type: 0x08 = unsigned byte
    byte  3     number of dimensions d (1 for labels, 3 for images)
    4*d bytes   the size of each dimension, as unsigned 32-bit ints
    rest        the elements, row-major (C order)

So the "magic number" read as one big-endian int is 0x00000801 for a label file
(ubyte, 1 dimension) and 0x00000803 for an image file (ubyte, 3 dimensions).

We accept the gzip-compressed files (`*.gz`) or the raw ones, and we check the
MD5 of the *uncompressed* bytes against the table below (from the dataset's README),
so a truncated download or a flipped bit is caught before it quietly trains a
worse model.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError

# name (without .gz) -> (expected dims, uncompressed size in bytes, MD5 of the uncompressed bytes)
FILES: dict[str, tuple[tuple[int, ...], int, str]] = {
    "train-images-idx3-ubyte": ((60000, 28, 28), 47_040_016, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": ((60000,), 60_008, "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": ((10000, 28, 28), 7_840_016, "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": ((10000,), 10_008, "27ae3e4e09519cfbb04c329615203637"),
}

MAGIC_UBYTE = 0x08  # element type byte for unsigned 8-bit data


def read_bytes(path: str | Path) -> bytes:
    """The uncompressed content of `path` (gunzipped when it ends in .gz)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot read it ({e.strerror or e})") from None
    if path.suffix == ".gz":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise DataError(f"{path}: not a complete gzip file ({e}); it is truncated or corrupt, "
                            "delete it and fetch it again") from None
    return raw


def parse_idx(data: bytes, name: str = "IDX data") -> np.ndarray:
    """Parse IDX bytes into a uint8 array of the dimensions the header states.

    Checks the magic number, that the header is complete and that the payload is
    exactly prod(dims) bytes (no more, no less).
    """
    if len(data) < 4:
        raise DataError(f"{name}: only {len(data)} bytes, too short for an IDX header; the file is truncated")
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != MAGIC_UBYTE or not 1 <= ndim <= 4:
        magic = int.from_bytes(data[:4], "big")
        raise DataError(f"{name}: bad magic number 0x{magic:08x} (expected 0x00000801 for labels or "
                        "0x00000803 for images); this is not an MNIST IDX file")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{name}: the header is cut short; the file is truncated")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    expected = int(np.prod(dims, dtype=np.int64))
    got = len(data) - header
    if got != expected:
        what = "truncated" if got < expected else "longer than its header says"
        raise DataError(f"{name}: header promises {expected:,} values {dims} but the file holds {got:,}; "
                        f"the file is {what}")
    # frombuffer shares memory with `data` (no copy); reshape to (N,) or (N, rows, cols).
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def read_idx(path: str | Path, *, verify: bool = True) -> np.ndarray:
    """Read one MNIST IDX file (.gz or raw). With `verify`, the file must be one of
    the four known MNIST files and match its size, dimensions and MD5."""
    path = Path(path)
    key = path.name[:-3] if path.name.endswith(".gz") else path.name
    known = FILES.get(key)
    try:
        data = read_bytes(path)
    except DataError as e:
        if known is None:
            raise
        # say which file was expected, so the user can check a fresh download against it
        raise DataError(f"{e} (expected MD5 of the uncompressed {key}: {known[2]})") from None
    if verify and known is not None:
        dims, size, md5 = known
        if len(data) != size:
            raise DataError(f"{path}: {len(data):,} bytes after decompression, expected {size:,}; "
                            f"the file is truncated or altered (expected MD5 {md5})")
        digest = hashlib.md5(data).hexdigest()
        if digest != md5:
            raise DataError(f"{path}: MD5 {digest} does not match the expected {md5}; the file is "
                            "altered or corrupt, delete it and fetch it again")
    arr = parse_idx(data, str(path))
    if verify and known is not None and tuple(arr.shape) != known[0]:
        raise DataError(f"{path}: dimensions {arr.shape} are not the expected {known[0]}")
    return arr


def write_idx(path: str | Path, array: np.ndarray) -> Path:
    """Write a uint8 array as an IDX file (gzip-compressed when `path` ends in .gz).
    Used by the tests to hand-make small files; handy for exporting subsets too."""
    path = Path(path)
    arr = np.ascontiguousarray(array, dtype=np.uint8)
    head = struct.pack(">HBB", 0, MAGIC_UBYTE, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    blob = head + arr.tobytes()
    path.write_bytes(gzip.compress(blob) if path.suffix == ".gz" else blob)
    return path
