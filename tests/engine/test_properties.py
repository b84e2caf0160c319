"""Property tests (hypothesis) for the two parsers users feed most: images and truth tables."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from nnplay.engine.errors import ConfigError, ImageError
from nnplay.engine.gates import GATES, GateConfig, parse_truth_table
from nnplay.engine.gates.truth import table_string
from nnplay.engine.mnist.preprocess import to_mnist

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_mnist_or_no_ink(image, **kw) -> None:
    """The property: a valid MNIST input, or the "no ink" ImageError - nothing else."""
    try:
        x = to_mnist(image, **kw)
    except ImageError as e:
        assert "no ink" in str(e), str(e)
        return
    assert x.shape == (28, 28) and x.dtype == np.float32
    assert np.isfinite(x).all() and x.min() >= 0.0 and x.max() <= 1.0
    assert x.max() > 0  # something is drawn


sides = st.integers(1, 48)
channels = st.sampled_from([None, 1, 3, 4])
dtypes = st.sampled_from([np.uint8, np.uint16, np.float32, np.bool_])


@st.composite
def image_arrays(draw):
    h, w, c, dtype = draw(sides), draw(sides), draw(channels), draw(dtypes)
    shape = (h, w) if c is None else (h, w, c)
    if dtype is np.float32:
        elements = st.floats(0, 1, width=32)
    elif dtype is np.bool_:
        elements = st.booleans()
    else:
        elements = st.integers(0, np.iinfo(dtype).max)
    return draw(arrays(dtype, shape, elements=elements))


@FAST
@given(image_arrays(), st.sampled_from(["auto", True, False]), st.booleans(), st.booleans())
def test_any_array_gives_a_valid_28x28_or_no_ink(a, invert, crop, center):
    check_mnist_or_no_ink(a, invert=invert, crop=crop, center=center)


MODES = ["1", "L", "LA", "P", "RGB", "RGBA", "I;16", "CMYK"]


@FAST
@given(arrays(np.uint8, st.tuples(sides, sides, st.just(3))), st.sampled_from(MODES), st.sampled_from(["PNG", "GIF"]))
def test_any_encoded_file_gives_a_valid_28x28_or_no_ink(rgb, mode, fmt):
    img = Image.fromarray(rgb, "RGB").convert(mode)
    if fmt == "GIF" or mode == "CMYK":
        fmt = "GIF" if mode not in ("CMYK", "I;16") else ("JPEG" if mode == "CMYK" else "PNG")
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    check_mnist_or_no_ink(buf.getvalue())


@FAST
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 255))
def test_flat_images_are_always_no_ink(h, w, level):
    with pytest.raises(ImageError, match="no ink"):
        to_mnist(np.full((h, w), level, np.uint8))


# ---------------------------------------------------------------------------------------
# truth tables
# ---------------------------------------------------------------------------------------
tables = st.one_of(st.text("01", min_size=4, max_size=4), st.text("01", min_size=8, max_size=8))


@FAST
@given(tables, st.sampled_from(["", " ", "\t"]), st.sampled_from(["", " ", "\n"]))
def test_valid_tables_round_trip(table, before, after):
    parsed = parse_truth_table(before + table + after)
    assert parsed == tuple(int(c) for c in table)
    assert table_string(table) == table
    cfg = GateConfig(gate=table).validate()
    assert GateConfig.from_query(cfg.to_query()) == cfg  # and through a URL


@FAST
@given(st.sampled_from(list(GATES)), st.sampled_from([str.lower, str.upper, str.title]))
def test_gate_names_in_any_case(name, case):
    assert parse_truth_table(case(name)) == tuple(int(c) for c in GATES[name])


def is_valid(text: str) -> bool:
    t = text.strip()
    return t.upper() in GATES or re.fullmatch(r"[01]{4}|[01]{8}", t) is not None


@FAST
@given(st.one_of(st.text(max_size=12), st.text("01 2x", max_size=10), st.text("01", min_size=0, max_size=12)))
def test_anything_else_is_a_config_error(text):
    if is_valid(text):
        assert len(parse_truth_table(text)) in (4, 8)
    else:
        with pytest.raises(ConfigError):
            parse_truth_table(text)
