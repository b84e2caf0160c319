"""The not-a-digit detector (outlier exposure): shipped, calibrated, and used by read_image.

Oracles: MNIST test digits are digits; freshly drawn synthetic non-digits (a seed the
training never used) and a printed letter are not; the bundled digit reader is untouched."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nnplay.engine.mnist import load_mnist, load_pretrained
from nnplay.engine.mnist import negatives, novelty
from nnplay.engine.mnist.reading import read_image


def test_the_detector_ships_with_its_threshold_and_command():
    model, threshold = novelty.detector()
    meta = json.loads(novelty.weights_path().with_suffix(".json").read_text())
    assert 0 < threshold < 1 and meta["metrics"]["threshold"] == pytest.approx(threshold)
    assert meta["metrics"]["mnist_test_accepted"] >= 0.99
    assert "python -m nnplay.engine.mnist.novelty" in novelty.__doc__


def test_digits_pass_and_synthetic_non_digits_do_not():
    _, threshold = novelty.detector()
    d = load_mnist(test_subset=1000)
    s = novelty.scores(d.test_x[:, 0].numpy())
    assert (s <= threshold).mean() >= 0.98
    bad = novelty.scores(negatives.make(300, np.random.default_rng(12345)))
    assert (bad > threshold).mean() >= 0.85


def test_a_printed_letter_is_not_a_digit_but_the_reader_still_says_a_digit():
    img = Image.new("L", (300, 300), 235)
    try:
        from PIL import ImageFont
        font = ImageFont.truetype("DejaVuSans.ttf", 200)
    except OSError:
        font = ImageFont.load_default(size=200)
    ImageDraw.Draw(img).text((150, 150), "A", fill=20, font=font, anchor="mm")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    r = read_image(buf.getvalue(), load_pretrained()[0])
    facts = r.to_dict()
    assert facts["is_digit"] is False and "not a digit" in facts["why"]
    assert facts["digit"] in range(10) and max(facts["probabilities"]) > 0.3  # the reader still picks a digit


def test_the_threshold_is_set_for_photo_looking_training_digits():
    """calibrate(): the shipped threshold keeps ~99% of held-out-looking MNIST *training*
    digits given the photo pipeline's looks (photo_reader.augment), never the test generator's."""
    from nnplay.engine.mnist.photo_reader import augment

    _, threshold = novelty.detector()
    meta = json.loads(novelty.weights_path().with_suffix(".json").read_text())
    assert "photo_reader.augment" in meta["metrics"]["threshold_rule"]
    assert meta["metrics"]["threshold_mnist_test"] <= threshold
    x = load_mnist().train_x[-400:, 0].numpy()
    rng = np.random.default_rng(99)
    s = novelty.scores(np.stack([augment(a, rng) for a in x]))
    assert (s <= threshold).mean() >= 0.97
