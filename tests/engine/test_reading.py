"""read_image: photos of digits and numbers, with known answers built from MNIST test digits.

Oracles: the digits written (MNIST labels), where they were written (boxes), and pictures
with nothing but paper, lines or a shadow, which must give "no ink found".
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from nnplay.engine.errors import ImageError
from nnplay.engine.mnist import load_mnist, load_pretrained
from nnplay.engine.mnist.reading import Steps, prepare, read_image


@pytest.fixture(scope="module")
def digits():
    d = load_mnist(test_subset=100)
    xs, ys = d.test_x[:, 0].numpy(), d.test_y.numpy()
    return {int(y): x for x, y in zip(xs, ys)}  # one example of each digit


@pytest.fixture(scope="module")
def model():
    return load_pretrained()[0]


def sheet(w=1024, h=768, lines=0, shadow=False) -> np.ndarray:
    """Grey-ish paper, optionally ruled every `lines` px and with a hard shadow on the left."""
    page = np.full((h, w), 225, np.float32)
    page *= np.linspace(1.0, 0.85, w)[None, :]  # a lamp on the left
    if lines:
        page[lines // 2::lines, :] *= 0.7
        page[lines // 2 + 1::lines, :] *= 0.8
    if shadow:
        page[:, : w // 3] *= 0.5
    return page


def write(page: np.ndarray, x28: np.ndarray, x: int, y: int, size: int) -> tuple[int, int, int, int]:
    """Darken the page with a digit (dark ink), return its box."""
    ink = np.asarray(Image.fromarray((x28 * 255).astype(np.uint8)).resize((size, size), Image.Resampling.BILINEAR),
                     np.float32) / 255
    page[y:y + size, x:x + size] *= 1 - 0.85 * ink
    ys, xs = np.nonzero(ink > 0.3)
    return x + xs.min(), y + ys.min(), x + xs.max() + 1, y + ys.max() + 1


def jpeg(page: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.clip(page, 0, 255).astype(np.uint8)).save(buf, format="JPEG", quality=85)
    return buf.getvalue()


@pytest.mark.parametrize("lines,shadow", [(0, False), (32, False), (0, True), (32, True)])
def test_a_number_on_ruled_paper_in_shadow(digits, model, lines, shadow):
    page = sheet(lines=lines, shadow=shadow)
    boxes = [write(page, digits[d], 150 + i * 210, 250, 240) for i, d in enumerate((4, 2, 7))]
    r = read_image(jpeg(page), model)
    assert r.number == "427" and r.is_digit
    for got, want in zip(r.digits, boxes):
        assert max(abs(a - b) for a, b in zip(got.box, want)) <= 12, (got.box, want)
    assert r.to_dict()["digits"][1]["digit"] == 2 and len(r.to_dict()["digits"][1]["probabilities"]) == 10


def test_boxes_are_in_the_callers_pixels(digits, model):
    page = np.full((3000, 4000), 230, np.float32)
    box = write(page, digits[3], 1500, 1000, 900)
    r = read_image(jpeg(page), model)
    assert r.number == "3" and r.size == (4000, 3000)
    assert max(abs(a - b) for a, b in zip(r.digits[0].box, box)) <= 25


@pytest.mark.parametrize("digit", [2, 3, 7])
def test_a_faint_digit_on_the_lit_paper_beside_a_big_shadow(digits, model, digit):
    """A shadow over most of the sheet is the picture's median: the pencil on the lit part is
    lighter than the shaded paper, and must not be clipped away as "paper" (main before this
    test read "no ink found: the image is blank")."""
    page = sheet()
    page[:, :600] *= 0.45
    ink = np.asarray(Image.fromarray((digits[digit] * 255).astype(np.uint8)).resize((240, 240), Image.Resampling.BILINEAR),
                     np.float32) / 255
    page[260:500, 720:960] *= 1 - 0.3 * ink  # pencil: absorbs 30% of the light
    r = read_image(jpeg(page), model)
    assert r.number == str(digit)


@pytest.mark.parametrize("lines,shadow", [(0, False), (32, False), (0, True), (32, True)])
def test_paper_lines_and_shadows_alone_are_no_ink(lines, shadow):
    with pytest.raises(ImageError, match="no ink found"):
        prepare(jpeg(sheet(lines=lines, shadow=shadow)))


def test_each_step_can_be_switched_off(digits):
    page = sheet(lines=32, shadow=True)
    write(page, digits[5], 400, 250, 240)
    data = jpeg(page)
    full = prepare(data)
    names = [n for n, _ in full.steps]
    assert names[0] == "input" and names[-1] == "what the model sees"
    assert any(n.startswith("lines removed") for n in names) and "flat-field" in names
    bare = prepare(data, steps=Steps(flatten=False, threshold=False, lines=False, pick=False, stroke=False))
    assert [n for n, _ in bare.steps] == ["input", "what the model sees"]
    # without the photo steps the shadow and the lines are taken for ink: not one clean digit
    assert len(bare.digits) != 1 or not np.allclose(bare.digits[0].x28, full.digits[0].x28, atol=0.1)


def test_a_drawn_canvas_skips_the_photo_steps(digits, model):
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[40:240, 40:240, 3] = np.asarray(Image.fromarray((digits[8] * 255).astype(np.uint8)).resize((200, 200)))
    r = read_image(rgba, model)
    assert r.kind == "canvas" and r.number == "8"
    assert "flat-field" not in [n for n, _ in r.steps]
