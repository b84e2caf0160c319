"""The sequence reader (engine/mnist/sequence.py, strings.py): CTC decoding on hand-made
frame probabilities, the forced alignment, the input composer, and the shipped network on
strings of MNIST training digits it never trained on."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from nnplay.engine.mnist import sequence as S
from nnplay.engine.mnist import strings

B = S.BLANK


def frames(*rows) -> np.ndarray:
    """Hand-made frame probabilities: each row {label: p}, the rest shared by the other labels."""
    out = np.zeros((len(rows), 11))
    for t, row in enumerate(rows):
        rest = (1.0 - sum(row.values())) / (11 - len(row))
        out[t] = rest
        for k, v in row.items():
            out[t, k] = v
    with np.errstate(divide="ignore"):  # a label with probability 0: log 0 = -inf
        return np.log(out)


def brute_force(logp: np.ndarray) -> dict:
    """p(string) by summing every path (11^T of them): the definition CTC's maths shortcuts."""
    p = np.exp(logp)
    out: dict = {}
    for path in itertools.product(range(11), repeat=len(p)):
        s = tuple(c for t, c in enumerate(path) if c != B and (t == 0 or c != path[t - 1]))
        out[s] = out.get(s, 0.0) + float(np.prod([p[t, c] for t, c in enumerate(path)]))
    return out


def test_greedy_collapses_repeats_and_needs_a_blank_between_equal_digits():
    lp = frames({3: 0.9}, {3: 0.9}, {B: 0.9}, {3: 0.9}, {7: 0.9}, {7: 0.9})
    assert S.greedy(lp) == [3, 3, 7]


def test_prefix_beam_finds_the_most_probable_string_where_the_best_path_does_not():
    # the best path is blank, blank (0.4^2 = 0.16: greedy reads nothing), but "1" has three
    # paths (1 1, 1 -, - 1): 0.35^2 + 2 * 0.35 * 0.4 = 0.4025
    lp = frames({B: 0.4, 1: 0.35, 2: 0.25}, {B: 0.4, 1: 0.35, 2: 0.25})
    assert S.greedy(lp) == []
    best, logp = S.prefix_beam(lp, beam=8)[0]
    assert best == (1,)
    assert logp == pytest.approx(np.log(0.35 ** 2 + 2 * 0.35 * 0.4), abs=1e-4)


def test_string_probabilities_match_the_sum_over_every_path():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4, 11)) * 2
    lp = z - np.log(np.exp(z).sum(1, keepdims=True))
    truth = brute_force(lp)
    for s in [(), (3,), (3, 3), (1, 2, 4)]:
        assert S.string_logp(lp, s) == pytest.approx(np.log(truth.get(s, 1e-300)), abs=1e-4)
    # a beam as wide as the alphabet keeps every prefix of a 4-frame output exact
    for s, v in S.prefix_beam(lp, beam=2000)[:5]:
        assert v == pytest.approx(np.log(truth[s]), abs=1e-6)
    assert max(truth, key=truth.get) == S.prefix_beam(lp, beam=2000)[0][0]


def test_forced_alignment_gives_each_digit_its_frames_in_order():
    lp = frames({B: 0.9}, {4: 0.8}, {4: 0.8}, {B: 0.9}, {4: 0.7}, {B: 0.6, 9: 0.3}, {9: 0.9}, {B: 0.9})
    assert S.align(lp, [4, 4, 9]) == [[1, 2], [4], [6]]
    read = S.explain(lp, (4, 4, 9), width=32)
    assert [a for a, _ in read.spans] == sorted(a for a, _ in read.spans)
    assert read.spans[0][0] == 0 and read.spans[-1][1] == 32
    assert all(a < b for a, b in read.spans)
    assert [int(np.argmax(p)) for p in read.probabilities] == [4, 4, 9]


def test_inputs_are_the_fixed_height_and_padded_batches_keep_each_length():
    rng = np.random.default_rng(0)
    xs = np.zeros((2, 28, 28), np.float32)
    xs[:, 4:24, 10:16] = 1.0  # two "1"s
    img, digits = strings.make_string(xs, np.array([1, 1]), rng)
    assert img.shape[0] == strings.HEIGHT and img[:, :strings.PAD].max() == 0 and img.max() > 0.5
    x, lengths = S.batch_tensor([np.ones((32, 40), np.float32), np.ones((32, 13), np.float32)])
    assert x.shape == (2, 1, 32, 40) and lengths.tolist() == [10, 3]
    out = S.SequenceReader().eval()(x, lengths)
    assert out.shape == (10, 2, 11)
    assert torch.allclose(out.exp().sum(-1), torch.ones(10, 2), atol=1e-5)


@pytest.fixture(scope="module")
def reader():
    model = S.sequence_reader()
    if model is None:
        pytest.skip("the sequence reader's weights are not shipped")
    return model


def test_the_shipped_reader_reads_strings_of_training_digits_it_never_saw(reader):
    from nnplay.engine.mnist.sequence_train import exact_rate, train_digits

    _, (hx, hy) = train_digits()  # the held-out training digits: never drawn in training
    assert exact_rate(reader, hx, hy, n=300, seed=5) >= 0.85


def test_touching_training_digits_in_a_picture_are_read_whole_with_boxes_in_order(reader):
    """Pictures of 2-3 touching or overlapping held-out training digits (dark ink on white
    paper): the cut search alone (main before the sequence reader) read 23 of these 30, with
    the sequence reader 28; each digit has a box inside the picture, left to right, and a
    top-3 that starts with the digit read."""
    import io

    from PIL import Image

    from nnplay.engine.mnist.reading import read_image
    from nnplay.engine.mnist.sequence_train import train_digits

    _, (hx, hy) = train_digits()
    rng = np.random.default_rng(3)
    right = 0
    for _ in range(30):
        idx = rng.integers(0, len(hx), int(rng.integers(2, 4)))
        masks = [strings.digit_mask(hx[i], rng) for i in idx]
        ink = strings.compose(masks, rng)
        page = np.full((ink.shape[0] + 80, ink.shape[1] + 80), 245, np.uint8)
        page[40:-40, 40:-40][ink] = 30
        buf = io.BytesIO()
        Image.fromarray(page).save(buf, format="PNG")
        r = read_image(buf.getvalue())
        right += r.number == "".join(str(int(hy[i])) for i in idx)
        boxes = [d.box for d in r.digits]
        assert all(0 <= b[0] < b[2] <= page.shape[1] and 0 <= b[1] < b[3] <= page.shape[0] for b in boxes)
        assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)
        assert all(d.top(3)[0][0] == d.digit for d in r.digits)
    assert right >= 26
