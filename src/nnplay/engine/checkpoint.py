"""Checkpoints: weights as safetensors, config and metrics as JSON beside them.

    model.safetensors   the tensors (safetensors: a JSON header + raw bytes; loading
                        it can never execute code, unlike pickle-based torch.save)
    model.json          {"format": "nnplay-checkpoint", "version": 1, "kind": ...,
                         "config": {...}, "metrics": {...}}

Both files are written atomically (runtime/files.py: a temporary file renamed over
the target), so a crash mid-write leaves the old file whole. The JSON is written
last, so a reader that finds it finds the matching weights.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch

from nnplay.runtime.files import atomic_write_bytes, atomic_write_text

from .errors import CheckpointError

FORMAT = "nnplay-checkpoint"
VERSION = 1  # bump when the layout changes; readers refuse newer versions by name


def meta_path(weights_path: str | os.PathLike) -> Path:
    """`x/model.safetensors` -> `x/model.json`."""
    return Path(weights_path).with_suffix(".json")


def save_checkpoint(path: str | os.PathLike, state: dict[str, torch.Tensor], *, kind: str,
                    config: dict, metrics: dict | None = None) -> Path:
    """Save a state dict and its description. Returns the weights path."""
    path = Path(path)
    if path.suffix != ".safetensors":
        path = path.with_suffix(".safetensors")
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in state.items()}
    from safetensors.torch import save as st_save  # imported when a checkpoint is written, not before

    atomic_write_bytes(path, st_save(tensors, metadata={"format": FORMAT, "version": str(VERSION), "kind": kind}))
    meta = {"format": FORMAT, "version": VERSION, "kind": kind, "config": config, "metrics": metrics or {}}
    atomic_write_text(meta_path(path), json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return path


def load_checkpoint(path: str | os.PathLike) -> tuple[dict[str, torch.Tensor], dict]:
    """Load (tensors, meta). Every failure is a CheckpointError naming the file."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint not found: {path}")
    mpath = meta_path(path)
    if not mpath.exists():
        raise CheckpointError(f"{path}: its description {mpath.name} is missing beside it")
    try:
        meta = json.loads(mpath.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{mpath}: not valid JSON ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{mpath}: not an nnplay checkpoint description")
    version = meta.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format version {version} is newer than this nnplay reads "
            f"(version {VERSION}); upgrade nnplay to load it")
    from safetensors import SafetensorError  # imported when a checkpoint is read, not before
    from safetensors.torch import load as st_load

    try:
        tensors = st_load(path.read_bytes())
    except (SafetensorError, ValueError, OSError, RuntimeError) as e:
        raise CheckpointError(f"{path}: not a readable safetensors file ({str(e).splitlines()[0][:120]}); "
                              "it may be truncated, corrupt or a pickle file renamed") from None
    return tensors, meta


def load_into(model: torch.nn.Module, tensors: dict[str, torch.Tensor], path: str | os.PathLike = "checkpoint") -> None:
    """Copy `tensors` into `model`, or raise CheckpointError describing the mismatch."""
    own = model.state_dict()
    missing = sorted(set(own) - set(tensors))
    extra = sorted(set(tensors) - set(own))
    bad = [k for k in own if k in tensors and tuple(own[k].shape) != tuple(tensors[k].shape)]
    if missing or extra or bad:
        detail = "; ".join(filter(None, [
            f"missing {', '.join(missing[:4])}" if missing else "",
            f"unexpected {', '.join(extra[:4])}" if extra else "",
            ", ".join(f"{k} is {tuple(tensors[k].shape)} not {tuple(own[k].shape)}" for k in bad[:3]),
        ]))
        raise CheckpointError(f"{path}: weights do not fit this architecture ({detail})")
    model.load_state_dict(tensors)
