"""The grid of a hyperparameter sweep: which configs to train.

A sweep varies one or two fields of a lab's config (GateConfig or MnistConfig) and
keeps every other field at a base value. Each combination is a *cell*:

    base  = GateConfig(gate="XOR")
    axes  = [Axis("lr", (0.01, 0.1)), Axis("hidden", ((), (2,), (4, 4)))]
    cells = expand(base, axes)      # 2 x 3 = 6 cells, lr varying slowest

The text syntax (CLI `--vary` and the lab's text boxes) is `field=v1,v2,...`.
Commas separate the *alternatives*. A list-valued field joins the parts of one
value with `-` or `x` (hidden layers) or `+` (features):

    lr=0.001,0.01,0.1          three learning rates
    hidden=none,2,4-4,8x8      no hidden layer, one layer of 2, two of 4, two of 8
    features=x1+x2,x1+x2+x1*x2 two feature sets
    activation=tanh,relu       choices as their names

So `--hidden 1,2,4,8` in a sweep means four single-layer networks, unlike
`nnplay train gates --hidden 4,4`, which is one network with two layers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import re
import typing

from ..config import coerce
from ..errors import ConfigError, NnplayError

MAX_AXES = 2            # a heatmap has two dimensions
MAX_VALUES = 12         # per axis: beyond that a heatmap stops being readable
INT_SEP = re.compile(r"[-x*]")  # joins the layers of one hidden value: 4-4, 4x4


@dataclasses.dataclass(frozen=True)
class Axis:
    """One varied field and its values, already converted to the field's type."""

    field: str
    values: tuple

    @property
    def labels(self) -> list[str]:
        return [format_value(v) for v in self.values]

    def to_dict(self) -> dict:
        return {"field": self.field, "values": [_jsonable(v) for v in self.values]}


@dataclasses.dataclass(frozen=True)
class Cell:
    """One point of the grid: `index` (i, j) into the axes, the field values it sets,
    a readable `key` such as "lr=0.01, hidden=4-4", and the full validated config."""

    index: tuple[int, ...]
    values: dict
    key: str
    cfg: typing.Any  # a ConfigBase dataclass


def format_value(value) -> str:
    """A value as the sweep syntax writes it: () -> "none", (4, 4) -> "4-4",
    ("x1", "x2") -> "x1+x2", 0.001 -> "0.001"."""
    if isinstance(value, (tuple, list)):
        if not value:
            return "none"
        sep = "+" if isinstance(value[0], str) else "-"
        return sep.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _jsonable(value):
    return list(value) if isinstance(value, tuple) else value


def field_hints(config_cls) -> dict:
    return typing.get_type_hints(config_cls)


def parse_value(config_cls, field: str, text) -> typing.Any:
    """One value of `field` from text (or pass a typed value through)."""
    hints = field_hints(config_cls)
    if field not in hints:
        known = ", ".join(f.name for f in dataclasses.fields(config_cls))
        raise ConfigError(f"unknown setting {field!r} to vary; choose one of: {known}")
    hint = hints[field]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:
        if isinstance(text, (tuple, list)):
            parts = [str(p) for p in text]
        else:
            t = str(text).strip().lower()
            if t in ("", "none", "()", "[]") or (args[0] is int and t == "0"):
                parts = []
            elif args and args[0] is int:
                parts = [p for p in INT_SEP.split(t) if p]  # 4-4, 4x4
            else:
                parts = [p for p in t.replace(" ", "").split("+") if p]  # x1+x2+sin(x1)
        return coerce(",".join(parts) if parts else "none", hint, field)
    return coerce(str(text).strip() if isinstance(text, str) else text, hint, field)


def parse_axis(config_cls, text: str) -> Axis:
    """`"lr=0.001,0.01"` -> Axis("lr", (0.001, 0.01)). ConfigError on bad input."""
    if "=" not in str(text):
        raise ConfigError(f"--vary needs field=value,value,... (e.g. lr=0.01,0.1), got {text!r}")
    field, _, rest = str(text).partition("=")
    return make_axis(config_cls, field.strip().replace("-", "_"), rest.split(","))


def make_axis(config_cls, field: str, values) -> Axis:
    """An Axis from a field name and raw values (text or typed), duplicates dropped."""
    parsed = []
    for raw in values:
        if isinstance(raw, str) and not raw.strip():
            continue
        v = parse_value(config_cls, field, raw)
        if v not in parsed:
            parsed.append(v)
    if not parsed:
        raise ConfigError(f"give at least one value for {field}, e.g. {field}=a,b")
    if len(parsed) > MAX_VALUES:
        raise ConfigError(f"at most {MAX_VALUES} values per setting; {field} has {len(parsed)}")
    return Axis(field, tuple(parsed))


def check_axes(axes: list[Axis], forbidden: dict[str, str] | None = None) -> None:
    if len(axes) > MAX_AXES:
        raise ConfigError(f"a sweep varies at most {MAX_AXES} settings (a heatmap has two sides); "
                          f"got {', '.join(a.field for a in axes)}")
    names = [a.field for a in axes]
    if len(set(names)) != len(names):
        raise ConfigError(f"{names[0]} is varied twice; give all its values in one list")
    for a in axes:
        if forbidden and a.field in forbidden:
            raise ConfigError(forbidden[a.field])


def expand(base, axes: list[Axis], forbidden: dict[str, str] | None = None) -> list[Cell]:
    """Every combination of the axes' values applied to `base`, the first axis varying
    slowest (row-major: cell (i, j) is at position i * len(axis 1) + j). Each config is
    validated; an invalid combination raises ConfigError naming the cell."""
    check_axes(axes, forbidden)
    cells = []
    for index in itertools.product(*(range(len(a.values)) for a in axes)):
        values = {a.field: a.values[i] for a, i in zip(axes, index)}
        key = ", ".join(f"{f}={format_value(v)}" for f, v in values.items()) or "base"
        try:
            cfg = base.replace(**{f: _jsonable(v) for f, v in values.items()})
        except NnplayError as e:
            raise ConfigError(f"cell {key}: {e}") from None
        cells.append(Cell(tuple(index), values, key, cfg))
    return cells


def cell_id(key: str, identity: dict) -> str:
    """A file-name-safe id for a cell: its readable key plus a short hash of
    everything that determines its result (config and options), so a stored cell is
    only reused by a sweep that would compute exactly the same thing."""
    slug = re.sub(r"[^A-Za-z0-9_.=-]+", "_", key.replace(", ", "__"))[:80]
    digest = hashlib.sha1(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:10]
    return f"{slug}-{digest}"


def median(values) -> float | None:
    """The median of the non-None values, or None when there are none."""
    vals = sorted(v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v)))
    if not vals:
        return None
    mid = len(vals) // 2
    return float(vals[mid]) if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2.0
