"""Choosing the reading of a line (chain.py) and cutting touching digits (touching.py).

Oracles: hand-made candidates whose best chain is known; two MNIST test digits written
overlapping on a page, whose number is known."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from nnplay.engine.mnist import load_mnist
from nnplay.engine.mnist.chain import Lattice, best_chain, expand
from nnplay.engine.mnist.reading import Digit, read_image


def digit(d: int, p: float, novelty: float, box=(0, 0, 10, 20)) -> Digit:
    probs = np.full(10, (1 - p) / 9, np.float32)
    probs[d] = p
    out = Digit(np.zeros((28, 28), np.float32), box, box, probs)
    out.novelty = novelty
    return out


def test_a_flat_mark_that_looks_like_no_digit_is_skipped_but_a_digit_is_not():
    a, mark, b = digit(4, 0.99, 0.01), digit(1, 0.9, 0.99, box=(20, 10, 40, 13)), digit(2, 0.98, 0.02)
    chosen, skipped = best_chain([(0, 0, [[a]]), (1, 1, [[mark]]), (2, 2, [[b]])])
    assert [d.digit for d in chosen] == [4, 2] and skipped == [mark]
    # a digit-sized group is read even when it reads badly
    tall_odd = digit(7, 0.6, 0.95, box=(20, 0, 32, 20))
    chosen, _ = best_chain([(0, 0, [[a]]), (1, 1, [[tall_odd]])])
    assert [d.digit for d in chosen] == [4, 7]


def test_never_everything_skipped():
    mark = digit(1, 0.9, 0.99, box=(0, 0, 20, 3))
    chosen, skipped = best_chain([(0, 0, [[mark]])])
    assert chosen == [mark] and skipped == []


def test_the_lattice_takes_the_cuts_the_reader_likes_best():
    segs = {(0, 1): digit(1, 0.99, 0.0), (1, 3): digit(8, 0.99, 0.0),   # "1" then "8": sure
            (0, 2): digit(4, 0.6, 0.1), (2, 3): digit(3, 0.5, 0.3)}     # an unsure cut
    lat = Lattice([0, 10, 25, 40], segs, ratio=40 / 20)
    ways = lat.ways()
    best = max(ways, key=lambda w: sum(np.log(d.probabilities.max()) for d in w))
    assert [d.digit for d in best] == [1, 8]
    (_, _, flat), = expand([(0, 0, [lat])])
    assert all(isinstance(w, list) for w in flat) and len(flat) == len(ways)


def test_two_overlapping_digits_are_cut_and_read():
    d = load_mnist(test_subset=200)
    xs, ys = d.test_x[:, 0].numpy(), d.test_y.numpy()
    pick = {int(y): x for x, y in zip(xs, ys)}
    page = np.full((600, 900), 230, np.float32)
    for i, k in enumerate((5, 3)):  # overlapping boxes: the strokes touch
        ink = np.asarray(Image.fromarray((pick[k] * 255).astype(np.uint8)).resize((300, 300), Image.Resampling.BILINEAR),
                         np.float32) / 255
        page[150:450, 200 + i * 170:500 + i * 170] *= 1 - 0.85 * ink
    buf = io.BytesIO()
    Image.fromarray(page.astype(np.uint8)).save(buf, format="PNG")
    r = read_image(buf.getvalue())
    assert r.number == "53" and r.is_digit
