"""causes.py's oracle: can some chain of the candidates read the truth? Hand-made candidates
whose readable numbers are known."""

from __future__ import annotations

import numpy as np

import causes
from nnplay.engine.mnist.chain import Lattice, best_chain, expand
from nnplay.engine.mnist.reading import Digit


def digit(d: int, p: float, second: int | None = None) -> Digit:
    probs = np.full(10, 0.01, np.float32)
    probs[d] = p
    if second is not None:
        probs[second] = 1 - p - 0.08
    out = Digit(np.zeros((28, 28), np.float32), (0, 0, 10, 20), (0, 0, 10, 20), probs)
    out.extra_ratio = 2.0
    return out


def test_a_chain_the_scorer_did_not_choose_is_found_and_a_missing_one_is_not():
    # one wide group: cut at 10 it reads "18" (unsure), cut at 25 it reads "43" (sure)
    segs = {(0, 1): digit(1, 0.5), (1, 3): digit(8, 0.5, second=3),
            (0, 2): digit(4, 0.99), (2, 3): digit(3, 0.99)}
    options = [(0, 0, [Lattice([0, 10, 25, 40], segs, ratio=2.0)]), (1, 1, [[digit(7, 0.9)]])]
    chosen, _ = best_chain(expand(options))
    assert "".join(str(d.digit) for d in chosen) == "437"
    assert causes.reads(options, "437") is not None and causes.reads(options, "187") is not None
    assert causes.reads(options, "137") is None and causes.reads(options, "47") is None
    # the skipped group: "43" alone is a chain (group 1 read as nothing)
    assert causes.reads(options, "43") is not None
    # with the reader's second answers, "13" becomes readable through the cut at 10
    causes.TOP = 2
    try:
        assert causes.reads(options, "137") is not None
    finally:
        causes.TOP = 1
