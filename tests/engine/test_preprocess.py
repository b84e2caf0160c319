"""Preprocessing user images into MNIST form: every mode and format, both polarities,
transparent canvases, the MNIST authors' steps, and every kind of bad input.

Oracle: real MNIST test digits, blown up to 140x140 and drawn dark-on-light, must come
back close to the original 28x28 and be classified correctly by the bundled model.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from nnplay.engine.errors import ImageError
from nnplay.engine.mnist import load_mnist, load_pretrained, predict_probs
from nnplay.engine.mnist.preprocess import to_mnist

IDX = [0, 1, 2]  # test digits 7, 2, 1


@pytest.fixture(scope="module")
def digits():
    d = load_mnist(test_subset=10)
    return [(d.test_x[i, 0].numpy(), int(d.test_y[i])) for i in IDX]


@pytest.fixture(scope="module")
def model():
    return load_pretrained()[0]


def big(x28: np.ndarray, size: int = 140) -> np.ndarray:
    """28x28 light-on-dark [0,1] -> size x size uint8 dark ink on white paper."""
    img = Image.fromarray((255 * (1 - x28)).astype(np.uint8)).resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(img)


def com(a: np.ndarray) -> tuple[float, float]:
    ys, xs = np.mgrid[:a.shape[0], :a.shape[1]]
    return float((a * ys).sum() / a.sum()), float((a * xs).sum() / a.sum())


def check(out: np.ndarray, x28: np.ndarray, label: int, model) -> None:
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0 and out.max() == pytest.approx(1.0)
    assert np.corrcoef(out.ravel(), x28.ravel())[0, 1] > 0.7
    assert int(predict_probs(model, out).argmax()) == label
    cy, cx = com(out)
    assert abs(cy - 14) <= 1.0 and abs(cx - 14) <= 1.0


def encode(arr_or_img, fmt: str, mode: str) -> bytes:
    img = arr_or_img if isinstance(arr_or_img, Image.Image) else Image.fromarray(arr_or_img)
    if mode == "I;16":
        img = Image.fromarray((np.asarray(img.convert("L"), dtype=np.uint16) * 257).astype(np.uint16))
    elif mode == "I":
        img = img.convert("L").convert("I")
    else:
        img = img.convert(mode)
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize("fmt,mode", [
    ("PNG", "RGB"), ("PNG", "RGBA"), ("PNG", "L"), ("PNG", "P"), ("PNG", "I;16"), ("PNG", "LA"), ("TIFF", "I"),
    ("JPEG", "RGB"), ("JPEG", "L"), ("GIF", "P"), ("GIF", "L"), ("WEBP", "RGB"), ("WEBP", "RGBA"),
    ("BMP", "RGB"), ("BMP", "L"), ("BMP", "P"),
])
def test_formats_and_modes(tmp_path, digits, model, fmt, mode):
    for x28, label in digits:
        data = encode(big(x28), fmt, mode)
        path = tmp_path / f"d{label}.{fmt.lower()}"
        path.write_bytes(data)
        reopened = Image.open(path)
        assert reopened.format == fmt and (mode not in ("I;16", "I") or reopened.mode.startswith("I"))
        for source in (path, str(path), data, reopened):
            check(to_mnist(source), x28, label, model)


def test_sixteen_bit_arrays_and_images(digits, model):
    x28, label = digits[0]
    wide = (big(x28).astype(np.uint16) * 257)  # full 16-bit range
    check(to_mnist(wide), x28, label, model)
    check(to_mnist(Image.fromarray(wide)), x28, label, model)
    check(to_mnist(Image.fromarray(big(x28)).convert("I")), x28, label, model)


def test_light_on_dark_and_dark_on_light_agree(digits, model):
    for x28, label in digits:
        dark_on_light = big(x28)
        light_on_dark = 255 - dark_on_light
        a, b = to_mnist(dark_on_light), to_mnist(light_on_dark)
        np.testing.assert_allclose(a, b, atol=0.02)
        check(b, x28, label, model)
        # forcing the wrong polarity makes the paper the "ink": a different picture
        assert not np.allclose(to_mnist(dark_on_light, invert=False), a, atol=0.1)
        np.testing.assert_allclose(to_mnist(dark_on_light, invert=True), a, atol=1e-6)


def test_colour_ink_and_grey_paper(digits, model):
    x28, label = digits[0]
    ink = np.asarray(Image.fromarray((255 * x28).astype(np.uint8)).resize((140, 140)), dtype=np.float32) / 255
    paper, blue = np.array([200, 190, 170]), np.array([20, 40, 160])  # photo-ish beige paper, blue pen
    rgb = (paper * (1 - ink[..., None]) + blue * ink[..., None]).astype(np.uint8)
    check(to_mnist(rgb), x28, label, model)


def _alpha_canvas(x28: np.ndarray, colour, size: int = 280) -> np.ndarray:
    """A transparent RGBA canvas with the digit as alpha, in the top-left quarter."""
    canvas = np.zeros((size, size, 4), np.uint8)
    alpha = np.asarray(Image.fromarray((255 * x28).astype(np.uint8)).resize((size // 2, size // 2)))
    canvas[: size // 2, : size // 2, :3] = colour
    canvas[: size // 2, : size // 2, 3] = alpha
    return canvas


@pytest.mark.parametrize("colour", [(0, 0, 0), (255, 255, 255), (200, 30, 30)])
def test_sketchpad_dict_alpha_is_ink(digits, model, colour):
    x28, label = digits[1]
    layer = _alpha_canvas(x28, colour)
    white_bg = np.full((280, 280, 4), 255, np.uint8)
    composite = white_bg.copy()
    a = layer[..., 3:4].astype(np.float32) / 255
    composite[..., :3] = (white_bg[..., :3] * (1 - a) + np.array(colour) * a).astype(np.uint8)
    value = {"background": white_bg, "layers": [layer], "composite": composite}
    out = to_mnist(value)
    check(out, x28, label, model)
    # the same transparent layer on its own (alpha as ink) gives the same picture
    np.testing.assert_allclose(to_mnist(layer), out, atol=1e-6)
    # layers may come as PIL images; the composite alone works when there are no layers
    np.testing.assert_allclose(to_mnist({**value, "layers": [Image.fromarray(layer)]}), out, atol=1e-6)
    if colour == (0, 0, 0):  # black ink on the white composite
        check(to_mnist({"background": None, "layers": [], "composite": composite}), x28, label, model)


def test_opaque_picture_with_transparent_corners(digits, model):
    """A mostly opaque photo-like PNG whose corners are transparent is read by luminance."""
    x28, label = digits[0]
    rgba = np.dstack([big(x28)] * 3 + [np.full((140, 140), 255, np.uint8)])
    rgba[:12, :12, 3] = 0
    rgba[-12:, -12:, 3] = 0
    check(to_mnist(rgba), x28, label, model)


def test_crop_and_centre_make_position_and_size_irrelevant(digits):
    x28, _ = digits[0]
    small = np.asarray(Image.fromarray((255 * x28).astype(np.uint8)).resize((60, 60)))
    corner, middle = np.zeros((300, 300), np.uint8), np.zeros((300, 300), np.uint8)
    corner[5:65, 5:65] = small
    middle[120:180, 120:180] = small
    np.testing.assert_allclose(to_mnist(corner), to_mnist(middle), atol=1e-5)
    # without cropping the whole canvas is scaled to 20 px: the digit shrinks to a few pixels
    uncropped = to_mnist(corner, crop=False)
    assert (uncropped > 0.25).sum() < (to_mnist(corner) > 0.25).sum() / 4
    # without centring by mass the digit sits where its bounding box puts it
    plain = to_mnist(corner, center=False)
    assert plain.shape == (28, 28) and not np.allclose(plain, to_mnist(corner))
    ys, xs = np.nonzero(plain > 0.25)
    assert abs((ys.min() + ys.max()) / 2 - 13.5) <= 1 and abs((xs.min() + xs.max()) / 2 - 13.5) <= 1


def test_scaled_to_20px_keeping_aspect():
    bar = np.zeros((200, 200), np.uint8)
    bar[20:180, 90:110] = 255  # 160 tall, 20 wide: 8:1
    out = to_mnist(bar)
    ys, xs = np.nonzero(out > 0.5)
    assert ys.max() - ys.min() + 1 == 20
    assert 2 <= xs.max() - xs.min() + 1 <= 4


@pytest.mark.parametrize("blank", [
    np.zeros((50, 50), np.uint8), np.full((50, 50), 255, np.uint8), np.full((40, 30, 3), 128, np.uint8),
    np.zeros((64, 64, 4), np.uint8), np.zeros((1, 1), np.uint8), np.full((1, 1, 3), 255, np.uint8),
    {"background": None, "layers": [np.zeros((20, 20, 4), np.uint8)], "composite": None},
])
def test_no_ink_found(blank):
    with pytest.raises(ImageError, match="no ink found"):
        to_mnist(blank)


def test_tiny_images():
    # a single pixel is one flat colour whatever the polarity: a clear "no ink", not a crash
    for invert in ("auto", True, False):
        with pytest.raises(ImageError, match="no ink found"):
            to_mnist(np.full((1, 1), 255, np.uint8), invert=invert)
    two = np.zeros((2, 2), np.uint8)
    two[0, 1] = 255  # one inked pixel of four
    out = to_mnist(two)
    assert out.shape == (28, 28) and out.max() == pytest.approx(1.0)
    cy, cx = com(out)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("w,h", [(7000, 7000), (60000, 60000)])
def test_decompression_bombs_are_refused(w, h):
    with pytest.raises(ImageError, match="too large"):
        to_mnist(_png_header_only(w, h))


def test_huge_valid_photo_is_scaled_down(digits, model):
    x28, label = digits[2]
    photo = np.full((2400, 3200), 235, np.uint8)
    photo[600:1800, 1000:2200] = big(x28, 1200)
    data = encode(photo, "JPEG", "L")
    check(to_mnist(data), x28, label, model)


@pytest.mark.parametrize("bad", [b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, 12345,
                                 np.zeros((3, 3, 7)), "/no/such/file.png"])
def test_unreadable_inputs(bad):
    with pytest.raises(ImageError):
        to_mnist(bad)
