"""A small base for the labs' typed config dataclasses.

A config is the single description of a run. The CLI flags, the UI controls and
the page URL all build one, checkpoints save one, and this module gives every
config the same round trips:

    cfg.to_dict()  <->  Cls.from_dict(d)       (JSON in checkpoints, gradio_client)
    cfg.to_query() <->  Cls.from_query(q)      (the page URL: ?gate=XOR&hidden=4,4)

Values coming from text (URLs, CLI strings) are coerced by the field's type hint:
int, float, bool, str, tuple[int, ...] and tuple[str, ...]; `X | None` also takes
None, "" or "none" (a field whose None means "the default of something else"). Range checks live in
each config's `validate()`, which raises ConfigError with a sentence a user can act
on. `from_dict`/`from_query` call it, so an invalid config never gets built from
outside input.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from urllib.parse import parse_qsl, urlencode

from .errors import ConfigError


def _parse_bool(text: str) -> bool:
    t = str(text).strip().lower()
    if t in ("1", "true", "yes", "on"):
        return True
    if t in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(text)


def parse_int_list(text) -> tuple[int, ...]:
    """'4,4' -> (4, 4); '' / 'none' / '-' -> () (no hidden layer)."""
    if isinstance(text, (list, tuple)):
        return tuple(int(v) for v in text)
    t = str(text).strip().lower()
    if t in ("", "none", "-", "0layers", "[]", "()"):
        return ()
    return tuple(int(v) for v in t.replace(" ", "").strip("[]()").split(",") if v != "")


def parse_str_list(text) -> tuple[str, ...]:
    if isinstance(text, (list, tuple)):
        return tuple(str(v) for v in text)
    t = str(text).strip()
    return tuple(v.strip() for v in t.split(",") if v.strip()) if t else ()


def coerce(value, hint, name: str):
    """Turn `value` (maybe a string) into the type `hint`, or raise ConfigError."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:  # X | None
        if value is None or str(value).strip().lower() in ("", "none", "null"):
            return None
        hint = next(a for a in args if a is not type(None))
    try:
        if hint is bool:
            return value if isinstance(value, bool) else _parse_bool(value)
        if hint is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(float(value)) if isinstance(value, str) and "e" in value.lower() else int(value)
        if hint is float:
            return float(value)
        if hint is str:
            return str(value)
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is tuple and args and args[0] is int:
            return parse_int_list(value)
        if origin is tuple and args and args[0] is str:
            return parse_str_list(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{name} must be {_describe(hint)}, got {value!r}") from None
    raise TypeError(f"unsupported config field type {hint!r} for {name}")


def _describe(hint) -> str:
    return {int: "a whole number", float: "a number", bool: "true or false", str: "text"}.get(
        hint, "a comma-separated list")


def _text(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) if value else "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # repr round-trips floats exactly
    return str(value)


def check_range(name: str, value: float, lo: float, hi: float) -> None:
    """Raise ConfigError unless lo <= value <= hi (and value is a finite number)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number between {lo:g} and {hi:g}, got {value}")
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo:g} and {hi:g}, got {value:g}")


class ConfigBase:
    """Mixin for frozen dataclasses; subclasses implement `validate()`."""

    def validate(self) -> "ConfigBase":  # pragma: no cover - overridden
        return self

    @classmethod
    def _hints(cls) -> dict:
        return typing.get_type_hints(cls)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, data: dict, *, strict: bool = True):
        """Build and validate. Unknown keys are an error when `strict`, else ignored."""
        hints = cls._hints()
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown and strict:
            raise ConfigError(f"unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(names))}")
        kwargs = {k: coerce(v, hints[k], k) for k, v in data.items() if k in names}
        return cls(**kwargs).validate()

    def replace(self, **changes):
        """A copy with some fields changed (coerced and validated)."""
        return type(self).from_dict({**self.to_dict(), **changes})

    def to_query(self, *, only_changed: bool = True) -> str:
        """URL query text; by default only the fields that differ from the defaults."""
        default = type(self)()
        items = [(f.name, _text(getattr(self, f.name))) for f in dataclasses.fields(self)
                 if not only_changed or getattr(self, f.name) != getattr(default, f.name)]
        return urlencode(items, safe=",")

    @classmethod
    def from_query(cls, query: str | dict, *, strict: bool = False):
        """Parse URL query text (or a dict of query params). Unknown keys are ignored
        unless `strict`, since a URL may carry other parameters."""
        data = dict(parse_qsl(query.lstrip("?"), keep_blank_values=True)) if isinstance(query, str) else dict(query)
        return cls.from_dict(data, strict=strict)
