"""ONE table of bad (and awkward but valid) inputs, driven through three layers:

    tests/test_bad_inputs_engine.py      the engine functions
    tests/cli/test_bad_inputs_cli.py     `nnplay ...` (exit 2, one `error:` line, no traceback)
    tests/app/test_bad_inputs_app.py     the app's named API endpoints (a message, never a crash)

Every row is a `Case`:
    id      a readable test id
    kind    what it feeds: image (file bytes) | sketch (Sketchpad dict) | gates / mnist
            (hyperparameters as a dict) | query (URL text for the gate lab) |
            checkpoint (a file pair) | idx (an MNIST folder)
    value   the input itself, or a builder `f()` / `f(folder)` making it
    error   the engine error class expected, or None when the input must be accepted
    words   a regex (case-insensitive) the user's message must match: it has to say
            what is wrong, not just "error"
    layers  which layers the row runs through (the app has no checkpoint upload and
            reads MNIST from its own data folder, so files stay engine + CLI)

Valid-but-awkward images (`error=None`) must come out as a 28x28 in [0, 1] that
looks like the same digit drawn plainly (`reference_digit()`).
"""

from __future__ import annotations

import gzip
import io
import json
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from nnplay.engine.errors import CheckpointError, ConfigError, DataError, ImageError

ALL = frozenset({"engine", "cli", "app"})
NO_APP = frozenset({"engine", "cli"})
NO_CLI = frozenset({"engine", "app"})  # the CLI reads no URLs and no sketch pads

NO_INK = r"no ink|draw a digit"
UNREADABLE = r"not an image|cannot read|truncated|corrupt|identify"


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    value: Any
    error: type | None
    words: str = ""
    layers: frozenset = ALL
    suffix: str = ".png"
    extra: dict = field(default_factory=dict)

    def __repr__(self) -> str:  # short pytest ids
        return self.id


# ---------------------------------------------------------------------------------------
# images
# ---------------------------------------------------------------------------------------
def digit_array(size: int = 280) -> np.ndarray:
    """A plain "7": dark ink (0) on white paper (255), uint8 (size, size)."""
    a = np.full((size, size), 255, np.uint8)
    s = size / 28
    a[int(5 * s):int(8 * s), int(7 * s):int(21 * s)] = 0  # the bar
    for k in range(int(15 * s)):  # the stem, a thick diagonal from the bar's right end
        r = int(8 * s) + k
        c = int(21 * s - k * 0.55)
        a[r, max(0, c - int(3 * s)):c] = 0
    return a


def _encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def reference_digit() -> bytes:
    return _encode(Image.fromarray(digit_array(), "L"))


def png_bomb(w: int = 20000, h: int = 20000) -> bytes:
    """A valid 1-bit all-black PNG of w x h pixels that is ~50 kB on disk: the IDAT
    stream is zlib of h identical rows, which compresses ~1000:1. Opening it naively
    would allocate w*h bytes (400 MB) before anything could check the size."""
    row = b"\x00" + b"\x00" * ((w + 7) // 8)  # filter byte 0 + packed bits
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(h)) + comp.flush()

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def _sixteen_bit() -> bytes:
    a = digit_array().astype(np.uint16) * 257  # 0..65535
    return _encode(Image.frombytes("I;16", a.shape[::-1], a.astype("<u2").tobytes()))


def _palette_gif() -> bytes:
    return _encode(Image.fromarray(digit_array(), "L").convert("P"), "GIF")


def _animated_gif() -> bytes:
    first = Image.fromarray(digit_array(), "L").convert("P")
    other = Image.fromarray(np.full((280, 280), 128, np.uint8), "L").convert("P")
    return _encode(first, "GIF", save_all=True, append_images=[other, other], duration=100, loop=0)


def _cmyk_jpeg() -> bytes:
    return _encode(Image.fromarray(digit_array(), "L").convert("CMYK"), "JPEG", quality=90)


def _huge_photo() -> bytes:
    """6000x6000 RGB JPEG (36 MP, ~0.5 MB): within the pixel limit, must be scaled, not refused."""
    img = Image.fromarray(digit_array(280), "L").resize((6000, 6000), Image.Resampling.NEAREST).convert("RGB")
    return _encode(img, "JPEG", quality=60)


def _flat(mode: str, size, colour) -> bytes:
    return _encode(Image.new(mode, size, colour))


def _sketch_layer(draw: bool) -> np.ndarray:
    """RGBA (280, 280, 4): transparent, with the "7" painted black when `draw`."""
    layer = np.zeros((280, 280, 4), np.uint8)
    if draw:
        layer[digit_array() == 0] = (0, 0, 0, 255)
    return layer


IMAGE_CASES = [
    Case("img-corrupt-bytes", "image", lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, ImageError, UNREADABLE),
    Case("img-zero-bytes", "image", lambda: b"", ImageError, UNREADABLE + r"|empty"),
    Case("img-text-named-png", "image", lambda: b"this is not a picture\n" * 10, ImageError, UNREADABLE),
    Case("img-decompression-bomb", "image", png_bomb, ImageError, r"too large"),
    Case("img-1x1", "image", lambda: _flat("L", (1, 1), 0), ImageError, NO_INK),
    Case("img-all-white", "image", lambda: _flat("L", (200, 200), 255), ImageError, NO_INK),
    Case("img-all-black", "image", lambda: _flat("RGB", (200, 200), (0, 0, 0)), ImageError, NO_INK),
    Case("img-fully-transparent", "image", lambda: _flat("RGBA", (200, 200), (0, 0, 0, 0)), ImageError, NO_INK),
    Case("img-16bit-grey", "image", _sixteen_bit, None),
    Case("img-palette-gif", "image", _palette_gif, None, suffix=".gif"),
    Case("img-animated-gif", "image", _animated_gif, None, suffix=".gif"),
    Case("img-cmyk-jpeg", "image", _cmyk_jpeg, None, suffix=".jpg"),
    Case("img-huge-photo", "image", _huge_photo, None, suffix=".jpg"),
    Case("sketch-empty", "sketch", lambda: {"background": None, "layers": [], "composite": None}, ImageError,
         NO_INK, layers=NO_CLI),
    Case("sketch-blank-layer", "sketch",
         lambda: {"background": np.zeros((280, 280, 4), np.uint8), "layers": [_sketch_layer(False)],
                  "composite": np.zeros((280, 280, 4), np.uint8)}, ImageError, NO_INK,
         layers=NO_CLI),
    Case("sketch-drawn", "sketch",
         lambda: {"background": np.zeros((280, 280, 4), np.uint8), "layers": [_sketch_layer(True)],
                  "composite": _sketch_layer(True)}, None, layers=NO_CLI),
]

# ---------------------------------------------------------------------------------------
# hyperparameters (UI / API dicts, CLI flags, URL text)
# ---------------------------------------------------------------------------------------
LR = r"learning rate|\blr\b"
HYPER_CASES = [
    Case("gates-lr-nan", "gates", {"lr": "nan"}, ConfigError, LR),
    Case("gates-lr-inf", "gates", {"lr": "inf"}, ConfigError, LR),
    Case("gates-lr-negative", "gates", {"lr": "-0.1"}, ConfigError, LR),
    Case("gates-lr-zero", "gates", {"lr": "0"}, ConfigError, LR),
    Case("gates-lr-1e9", "gates", {"lr": "1e9"}, ConfigError, LR),
    Case("gates-0-neurons", "gates", {"hidden": "0"}, ConfigError, r"neurons"),
    Case("gates-1000-neurons", "gates", {"hidden": "1000"}, ConfigError, r"neurons"),
    Case("gates-minus-1-layers", "gates", {"hidden": "-1"}, ConfigError, r"neurons|layer"),
    Case("gates-100-layers", "gates", {"hidden": ",".join(["4"] * 100)}, ConfigError, r"hidden layers"),
    Case("gates-batch-negative", "gates", {"batch_size": "-1"}, ConfigError, r"batch"),
    Case("gates-epochs-negative", "gates", {"epochs": "-5"}, ConfigError, r"epochs"),
    Case("gates-epochs-huge", "gates", {"epochs": "1000000000000"}, ConfigError, r"epochs"),
    Case("gates-text-for-lr", "gates", {"lr": "fast"}, ConfigError, r"lr must be a number"),
    Case("gates-text-for-neurons", "gates", {"hidden": "four,four"}, ConfigError, r"hidden"),
    Case("gates-unknown-gate", "gates", {"gate": "XAND"}, ConfigError, r"unknown gate"),
    Case("gates-unknown-activation", "gates", {"activation": "swish"}, ConfigError, r"activation"),
    Case("gates-unknown-optimizer", "gates", {"optimizer": "lbfgs"}, ConfigError, r"optimizer"),
    Case("gates-truth-table-3-digits", "gates", {"gate": "011"}, ConfigError, r"truth table"),
    Case("gates-truth-table-not-binary", "gates", {"gate": "0120"}, ConfigError, r"truth table"),
    Case("gates-truth-table-5-digits", "gates", {"gate": "01101"}, ConfigError, r"gate|truth table"),
    Case("mnist-lr-nan", "mnist", {"lr": "nan"}, ConfigError, LR),
    Case("mnist-lr-inf", "mnist", {"lr": "inf"}, ConfigError, LR),
    Case("mnist-lr-negative", "mnist", {"lr": "-1"}, ConfigError, LR),
    Case("mnist-lr-zero", "mnist", {"lr": "0"}, ConfigError, LR),
    Case("mnist-lr-1e9", "mnist", {"lr": "1e9"}, ConfigError, LR),
    Case("mnist-0-neurons", "mnist", {"model": "mlp", "hidden": "0"}, ConfigError, r"units|hidden"),
    Case("mnist-huge-layer", "mnist", {"model": "mlp", "hidden": "100000"}, ConfigError, r"units|hidden"),
    Case("mnist-100-layers", "mnist", {"model": "mlp", "hidden": ",".join(["10"] * 100)}, ConfigError,
         r"hidden layers"),
    Case("mnist-batch-0", "mnist", {"batch_size": "0"}, ConfigError, r"batch"),
    Case("mnist-epochs-negative", "mnist", {"epochs": "-1"}, ConfigError, r"epochs"),
    Case("mnist-epochs-huge", "mnist", {"epochs": "1000000000"}, ConfigError, r"epochs"),
    Case("mnist-text-for-epochs", "mnist", {"epochs": "many"}, ConfigError, r"epochs"),
    Case("mnist-unknown-model", "mnist", {"model": "resnet"}, ConfigError, r"model"),
    Case("mnist-unknown-optimizer", "mnist", {"optimizer": "lbfgs"}, ConfigError, r"optimizer"),
]

URL_CASES = [
    Case("url-lr-nan", "query", "gate=XOR&lr=nan", ConfigError, LR, layers=NO_CLI),
    Case("url-binary-garbage", "query", "gate=%00%ff%fe&hidden=4", ConfigError, r"gate", layers=NO_CLI),
    Case("url-script-tag", "query", "hidden=%3Cscript%3Ealert(1)%3C/script%3E", ConfigError, r"hidden",
         layers=NO_CLI),
    Case("url-overflowing-number", "query", "lr=1e99999", ConfigError, LR, layers=NO_CLI),
    Case("url-huge-seed", "query", "seed=99999999999999999999999", ConfigError, r"seed", layers=NO_CLI),
    Case("url-empty-activation", "query", "activation=", ConfigError, r"activation", layers=NO_CLI),
    Case("url-only-junk-keys", "query", "utm_source=x&&&=&?%%", None, layers=NO_CLI),  # ignored: defaults
]

# ---------------------------------------------------------------------------------------
# files: checkpoints and MNIST IDX data
# ---------------------------------------------------------------------------------------
MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
               "t10k-labels-idx1-ubyte"]


def good_mnist_checkpoint(folder: Path) -> Path:
    """A small logistic-regression MNIST checkpoint (untrained weights are fine here)."""
    import torch

    from nnplay.engine.mnist.config import MnistConfig
    from nnplay.engine.mnist.io import save_model
    from nnplay.engine.mnist.models import build_model

    torch.manual_seed(0)
    cfg = MnistConfig(model="logistic")
    return save_model(folder / "good.safetensors", build_model("logistic", cfg.hidden, 0.0), cfg, {})


def _truncated_checkpoint(folder: Path) -> Path:
    path = good_mnist_checkpoint(folder)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _wrong_architecture(folder: Path) -> Path:
    """Weights of a logistic model, described as an MLP."""
    path = good_mnist_checkpoint(folder)
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["config"]["model"] = "mlp"
    path.with_suffix(".json").write_text(json.dumps(meta))
    return path


class _Boom:  # what a malicious pickle would run on load; loading must never get here
    def __reduce__(self):
        return (print, ("PICKLE WAS EXECUTED",))


def _pickle_renamed(folder: Path) -> Path:
    import pickle

    path = good_mnist_checkpoint(folder)
    path.write_bytes(pickle.dumps({"weight": _Boom()}))
    return path


def _newer_version(folder: Path) -> Path:
    path = good_mnist_checkpoint(folder)
    meta = json.loads(path.with_suffix(".json").read_text())
    meta["version"] = 99
    path.with_suffix(".json").write_text(json.dumps(meta))
    return path


def _gates_checkpoint(folder: Path) -> Path:
    from nnplay.engine.gates import GateConfig, GateTrainer

    return GateTrainer(GateConfig()).save(folder / "gate.safetensors")


def _mnist_folder(folder: Path, source: Path, bad: str, damage) -> Path:
    """A copy of the MNIST folder (links to the real files) whose file `bad` is damaged."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in MNIST_FILES:
        src = next(p for p in (source / f"{name}.gz", source / name) if p.exists())
        dst = folder / src.name
        if name == bad:
            dst.write_bytes(damage(src.read_bytes(), src.name.endswith(".gz")))
        else:
            dst.symlink_to(src.resolve())
    return folder


def _truncate_gz(data: bytes, is_gz: bool) -> bytes:
    return data[: len(data) * 2 // 3]


def _truncate_raw(data: bytes, is_gz: bool) -> bytes:
    raw = gzip.decompress(data) if is_gz else data
    cut = raw[: len(raw) - 500]
    return gzip.compress(cut) if is_gz else cut


def _flip_a_byte(data: bytes, is_gz: bool) -> bytes:
    raw = bytearray(gzip.decompress(data) if is_gz else data)
    raw[len(raw) // 2] ^= 0xFF
    return gzip.compress(bytes(raw)) if is_gz else bytes(raw)


def _not_idx(data: bytes, is_gz: bool) -> bytes:
    return gzip.compress(b"<html>404 not found</html>") if is_gz else b"<html>404 not found</html>"


LABELS_MD5 = "27ae3e4e09519cfbb04c329615203637"  # t10k-labels-idx1-ubyte
FILE_CASES = [
    Case("ckpt-truncated", "checkpoint", _truncated_checkpoint, CheckpointError, r"truncated|corrupt|not a readable",
         layers=NO_APP),
    Case("ckpt-wrong-architecture", "checkpoint", _wrong_architecture, CheckpointError, r"architecture|do not fit",
         layers=NO_APP),
    Case("ckpt-pickle-renamed", "checkpoint", _pickle_renamed, CheckpointError, r"pickle|not a readable",
         layers=NO_APP),
    Case("ckpt-newer-version", "checkpoint", _newer_version, CheckpointError, r"version 99.*newer|upgrade",
         layers=NO_APP),
    Case("ckpt-gates-given-to-mnist", "checkpoint", _gates_checkpoint, CheckpointError, r"not an MNIST",
         layers=NO_APP),
    Case("idx-truncated-gz", "idx", lambda f, src: _mnist_folder(f, src, MNIST_FILES[3], _truncate_gz), DataError,
         rf"t10k-labels.*{LABELS_MD5}", layers=NO_APP),
    Case("idx-truncated-payload", "idx", lambda f, src: _mnist_folder(f, src, MNIST_FILES[3], _truncate_raw),
         DataError, rf"t10k-labels.*{LABELS_MD5}", layers=NO_APP),
    Case("idx-flipped-byte", "idx", lambda f, src: _mnist_folder(f, src, MNIST_FILES[3], _flip_a_byte), DataError,
         rf"t10k-labels.*{LABELS_MD5}", layers=NO_APP),
    Case("idx-html-instead-of-data", "idx", lambda f, src: _mnist_folder(f, src, MNIST_FILES[3], _not_idx),
         DataError, rf"t10k-labels.*{LABELS_MD5}", layers=NO_APP),
]

CASES: list[Case] = IMAGE_CASES + HYPER_CASES + URL_CASES + FILE_CASES


def cases(kind: str | tuple[str, ...], layer: str) -> list[Case]:
    kinds = (kind,) if isinstance(kind, str) else kind
    return [c for c in CASES if c.kind in kinds and layer in c.layers]


def write_image(case: Case, folder: Path) -> Path:
    path = folder / f"{case.id}{case.suffix}"
    path.write_bytes(case.value())
    return path


def mnist_source() -> Path:
    import os

    return Path(os.environ["NNPLAY_DATA_DIR"])
