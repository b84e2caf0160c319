"""Finding MNIST on disk (or fetching it once) and holding it in memory as tensors.

Where the four files are looked for, in order:

1. an explicit folder: the `data_dir` argument (CLI `--data-dir`) or `NNPLAY_DATA_DIR`
   (used as given: when the files are not there, that is an error, not a fallback);
2. the repository's committed copy, `data/mnist/` (only when running from a clone);
3. the user cache, `~/.cache/nnplay/mnist` (or `$XDG_CACHE_HOME/nnplay/mnist`);
4. a download from a public mirror into that cache, checked by MD5;
5. otherwise a DataError saying where to put the files.

Why tensors and no DataLoader: the whole training set is 60,000 x 784 floats =
188 MB, which fits in memory easily. Converting it once to one float32 tensor and
slicing mini-batches with a random permutation (`x[perm[i:i+B]]`) costs one gather
per step, while a DataLoader would build 60,000 little Python tuples per epoch and
collate them again - on a 2-core CPU that overhead is a large share of an epoch.

The first load of a folder decodes and verifies the files and keeps a decoded copy in
the user cache; later loads memory-map it (cache.py), in well under 0.1 s.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import torch

from ..errors import DataError
from .idx import FILES, read_idx

TRAIN_IMAGES, TRAIN_LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"

# Standard public mirrors of the original files (the yann.lecun.com site is often down).
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

REPO_DATA = Path(__file__).resolve().parents[4] / "data" / "mnist"  # src/nnplay/engine/mnist -> repo root


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nnplay" / "mnist"


def as_float(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 pixels 0-255 -> float32 in [0, 1] (pixel / 255; 1 = ink); float input as it is."""
    if pixels.dtype == torch.uint8:
        return pixels.to(torch.float32).div_(255.0)
    return pixels


@dataclass(frozen=True)
class MnistData:
    """The whole dataset in memory.

    train_pixels: (N, 1, 28, 28) uint8 0-255 as stored in the files (or float32 in [0, 1])
    train_y: int64 (N,) digit labels 0-9
    test_pixels, test_y: the same for the 10,000 test images
    source: the folder the files were read from

    train_x / test_x: float32 (N, 1, 28, 28) in [0, 1], converted on first use and kept.
    The trainer never asks for them: it converts each batch it gathers (`batch`), so a
    training run never builds the 188 MB float copy of the training set.
    """

    train_pixels: torch.Tensor
    train_y: torch.Tensor
    test_pixels: torch.Tensor
    test_y: torch.Tensor
    source: Path

    @cached_property
    def train_x(self) -> torch.Tensor:
        return as_float(self.train_pixels)

    @cached_property
    def test_x(self) -> torch.Tensor:
        return as_float(self.test_pixels)

    def batch(self, idx: torch.Tensor) -> torch.Tensor:
        """Training images `idx` as float32 (B, 1, 28, 28): one gather, then one conversion."""
        if "train_x" in self.__dict__:
            return self.train_x[idx]
        return as_float(self.train_pixels[idx])

    def subset(self, n: int | None = None, test_n: int | None = None) -> "MnistData":
        """The first `n` training (and `test_n` test) examples, as views (no copy).
        MNIST's order is already shuffled, so a prefix has every digit in roughly
        equal measure."""
        n = n or len(self.train_y)
        test_n = test_n or len(self.test_y)
        out = MnistData(self.train_pixels[:n], self.train_y[:n], self.test_pixels[:test_n], self.test_y[:test_n],
                        self.source)
        for name, k in (("train_x", n), ("test_x", test_n)):  # float copies made already: share them
            if name in self.__dict__:
                out.__dict__[name] = self.__dict__[name][:k]
        return out


def _find(folder: Path, name: str) -> Path | None:
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    return None


def has_mnist(folder: Path) -> bool:
    """True when all four files (gzipped or raw) are in `folder`."""
    return folder.is_dir() and all(_find(folder, n) is not None for n in FILES)


def _urlopen(url: str, timeout: float = 20):  # a seam the tests replace so they never touch the network
    import socket
    import threading
    import urllib.request
    from urllib.parse import urlparse

    # An offline machine can spend minutes in DNS lookups, which urlopen's timeout does
    # not cover; resolve the host in a helper thread and give up after a few seconds.
    host, found = urlparse(url).hostname, []

    def resolve():
        try:
            found.append(socket.getaddrinfo(host, 443))
        except OSError:
            pass

    t = threading.Thread(target=resolve, daemon=True)
    t.start()
    t.join(5.0)
    if not found:
        raise OSError(f"cannot reach {host} (no network?)")
    return urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 - fixed https mirrors


def download(folder: Path) -> Path:
    """Fetch the four .gz files into `folder` with a progress bar, checking each MD5.

    Each file goes to a temporary name first and is renamed only once it verifies,
    so an interrupted download never leaves a half file that looks complete.
    """
    from tqdm.auto import tqdm  # a progress bar is the one thing from outside torch/numpy here

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataError(f"cannot create {folder} ({e.strerror or e})") from None
    for name in FILES:
        target = folder / f"{name}.gz"
        if target.exists():
            continue
        errors = []
        for mirror in MIRRORS:
            tmp = target.with_suffix(".gz.part")
            try:
                with _urlopen(mirror + f"{name}.gz") as resp, open(tmp, "wb") as out:
                    total = int(resp.headers.get("Content-Length") or 0) or None
                    with tqdm(total=total, unit="B", unit_scale=True, desc=f"{name}.gz", leave=False) as bar:
                        while chunk := resp.read(1 << 16):
                            out.write(chunk)
                            bar.update(len(chunk))
                _verify_md5(tmp, name)
                os.replace(tmp, target)
                break
            except (OSError, DataError, ValueError) as e:
                tmp.unlink(missing_ok=True)
                errors.append(f"{mirror}: {e}")
        else:
            raise DataError("could not download MNIST (" + "; ".join(errors)[:300] + ")")
    return folder


def _verify_md5(path: Path, name: str) -> None:
    import gzip
    import hashlib

    md5 = FILES[name][2]
    try:
        digest = hashlib.md5(gzip.decompress(path.read_bytes())).hexdigest()
    except (OSError, EOFError) as e:
        raise DataError(f"{path.name}: not a complete gzip file ({e})") from None
    if digest != md5:
        raise DataError(f"{path.name}: MD5 {digest} is not the expected {md5}")


def where_to_put() -> str:
    return (f"put the four MNIST files ({', '.join(f'{n}.gz' for n in FILES)}) in {cache_dir()} "
            f"or in a folder named by --data-dir / NNPLAY_DATA_DIR (raw or .gz; mirrors: {', '.join(MIRRORS)})")


def locate(data_dir: str | os.PathLike | None = None, *, allow_download: bool | None = None) -> Path:
    """The folder holding MNIST, following the order in this module's docstring."""
    if allow_download is None:
        allow_download = os.environ.get("NNPLAY_OFFLINE", "") not in ("1", "true", "yes")
    explicit = data_dir if data_dir not in (None, "") else os.environ.get("NNPLAY_DATA_DIR") or None
    if explicit is not None:
        # A folder the user named is used as it is: no silent fallback, no download into it.
        folder = Path(explicit).expanduser()
        if has_mnist(folder):
            return folder
        missing = [n for n in FILES if _find(folder, n) is None] if folder.is_dir() else []
        what = f"lacks {', '.join(missing)}" if missing else "does not exist"
        raise DataError(f"MNIST not found: {folder} (from {'--data-dir' if data_dir else 'NNPLAY_DATA_DIR'}) "
                        f"{what}; {where_to_put()}")
    for folder in (REPO_DATA, cache_dir()):
        if has_mnist(folder):
            return folder
    where = ", ".join(str(f) for f in (REPO_DATA, cache_dir()) if f == cache_dir() or REPO_DATA.parent.exists())
    if allow_download:
        try:
            return download(cache_dir())
        except DataError as e:
            raise DataError(f"MNIST not found in {where} and {e}; {where_to_put()}") from None
    raise DataError(f"MNIST not found in {where}; {where_to_put()}")


_CACHE: dict[Path, MnistData] = {}
_LOCK = threading.Lock()


def _to_tensor(images: np.ndarray) -> torch.Tensor:
    # uint8 (N, 28, 28) -> uint8 tensor (N, 1, 28, 28): the channel axis is what conv
    # layers expect. A copy into process memory (55 MB, ~20 ms), so nothing later
    # depends on the cache file staying as it is; torch also refuses read-only maps.
    return torch.from_numpy(np.array(images, dtype=np.uint8)).unsqueeze(1)


def read_arrays(folder: Path) -> dict[str, np.ndarray]:
    """The four uint8 arrays of the MNIST files in `folder`, each verified (size,
    dimensions, MD5) unless the decoded cache already verified this very file
    (same path, size and modification time: see cache.py), in which case they come
    memory-mapped from the cache in milliseconds."""
    from . import cache

    sources = {name: _find(folder, name) for name in FILES}
    if cache.verified_before(sources):
        arrays = cache.load_arrays()
        if arrays is not None:
            return arrays
    arrays = {name: read_idx(path) for name, path in sources.items()}  # DataError on any damage
    cache.remember(sources, None if cache.load_arrays() is not None else arrays)
    return arrays


def load_mnist(data_dir: str | os.PathLike | None = None, subset: int | None = None,
               test_subset: int | None = None) -> MnistData:
    """Load (once per process and folder) and return MNIST as tensors.

    `subset`: keep the first N training images (0/None = all 60,000);
    `test_subset`: likewise for the test set (default: all 10,000).
    """
    folder = locate(data_dir).resolve()
    with _LOCK:  # two UI sessions asking at once convert it only once
        data = _CACHE.get(folder)
        if data is None:
            a = read_arrays(folder)
            data = MnistData(
                train_pixels=_to_tensor(a[TRAIN_IMAGES]),
                train_y=torch.from_numpy(a[TRAIN_LABELS].astype(np.int64)),
                test_pixels=_to_tensor(a[TEST_IMAGES]),
                test_y=torch.from_numpy(a[TEST_LABELS].astype(np.int64)),
                source=folder,
            )
            _CACHE[folder] = data
    if subset or test_subset:
        if subset is not None and subset < 0:
            raise DataError(f"subset must be 0 (all) or a positive number, got {subset}")
        return data.subset(subset, test_subset)
    return data
