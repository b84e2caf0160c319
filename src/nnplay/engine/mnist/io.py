"""Saving and loading MNIST models, and the pretrained CNN shipped in the package.

A checkpoint is the pair written by engine/checkpoint.py:

    name.safetensors   the state dict (weights, batch-norm statistics)
    name.json          {"kind": "mnist", "config": MnistConfig.to_dict(), "metrics": {...}}

The config is enough to rebuild the architecture, so loading never needs pickle.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import torch

from ..checkpoint import load_checkpoint, load_into, save_checkpoint
from ..errors import CheckpointError, ConfigError
from .config import MnistConfig
from .models import is_convolutional

KIND = "mnist"


def pretrained_path() -> Path:
    """src/nnplay/weights/mnist_cnn.safetensors (inside the installed package)."""
    return Path(__file__).resolve().parents[2] / "weights" / "mnist_cnn.safetensors"


def save_model(path: str | os.PathLike, model: torch.nn.Module, cfg: MnistConfig, metrics: dict | None = None) -> Path:
    """Write weights + JSON atomically; returns the .safetensors path."""
    state = {k: v for k, v in model.state_dict().items()}
    # resolved: the weight decay actually used, even where the config said "the optimizer's default"
    return save_checkpoint(path, state, kind=KIND, config=cfg.resolved().to_dict(), metrics=metrics or {})


def load_model(path: str | os.PathLike) -> tuple[torch.nn.Module, MnistConfig, dict]:
    """(model in eval mode, its config, the whole JSON description) or CheckpointError."""
    tensors, meta = load_checkpoint(path)
    if meta.get("kind") != KIND:
        raise CheckpointError(f"{path}: this is a {meta.get('kind')!r} checkpoint, not an MNIST model")
    saved = dict(meta.get("config") or {})
    # checkpoints from before the field existed were all built conv -> BN -> pool (models._conv_block)
    saved.setdefault("bn_after_pool", False)
    try:
        cfg = MnistConfig.from_dict(saved, strict=False)
    except ConfigError as e:
        raise CheckpointError(f"{path}: its saved config is invalid ({e})") from None
    model = cfg.build_model()
    load_into(model, tensors, path)
    if is_convolutional(cfg.model):
        # conv weights in channels_last: oneDNN's fast layout on CPUs (~2x faster evaluation here)
        model = model.to(memory_format=torch.channels_last)
    model.eval()
    return model, cfg, meta


@functools.lru_cache(maxsize=1)
def _pretrained(path: str, mtime: float):
    return load_model(path)


def load_pretrained() -> tuple[torch.nn.Module, MnistConfig, dict]:
    """The bundled CNN, loaded once per process (shared: do not train it in place)."""
    path = pretrained_path()
    if not path.exists():
        raise CheckpointError(f"the bundled model {path} is missing; reinstall nnplay or pass a checkpoint")
    return _pretrained(str(path), path.stat().st_mtime)
