"""Pictures of the generator's "everything mixed" condition that main misread (development
seeds 7 and 11, `measure.py --condition "everything mixed" --per 200 --dump`), one per fix.
The truth is the MNIST digit the generator wrote (in the file name)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnplay.engine.mnist import shading
from nnplay.engine.mnist.reading import read_image

FIXTURES = Path(__file__).parent / "fixtures"
CASES = {
    # a shadow's curved edge left a thin sliver of shaded paper as "ink": read as "91"
    "mixed-s7-0075-9-shadow-sliver.jpg": "9",
    # a wave in a shadow's edge left a wedge the writing grew from: read as "2601", not a digit
    "mixed-s11-0190-4-shadow-wedge.jpg": "4",
    # the polarity guess took the lit paper for light ink: "no ink found"
    "mixed-s11-0085-5-polarity.jpg": "5",
    # a slanted 1 broken in two where it crossed a ruled line, the halves one above the other: "11"
    "mixed-s7-0160-1-broken-slant.jpg": "1",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_mixed_pictures_main_misread(name):
    r = read_image((FIXTURES / name).read_bytes())
    assert r.number == CASES[name]
    assert r.is_digit


def test_a_step_in_the_light_is_not_a_stroke():
    """A lit half-plane beside a shade, with a pen stroke crossing both: against a closing of
    about its own width the stroke stays ink, the shaded paper along the edge does not."""
    import numpy as np
    lum = np.full((200, 200), 0.9, np.float32)
    lum[:, 100:] *= 0.45                       # the shade: a step, not a ridge
    lum[40:160, 60:64] *= 0.5                  # a stroke in the light
    lum[40:160, 140:144] *= 0.5                # and one in the shade
    ink = 1 - lum
    flat = np.zeros_like(lum)
    flat[:, 100:110] = 0.55                    # what a too-wide closing leaves along the edge
    flat[40:160, 60:64] = flat[40:160, 140:144] = 0.5
    mask = flat > 0.25
    out = shading.drop_shadow_edges(mask, ink, flat, 101)
    assert out[40:160, 60:64].all() and out[40:160, 140:144].all()
    assert not out[:, 100:110].any()
