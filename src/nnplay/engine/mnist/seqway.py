"""A wide group read whole by the sequence reader: more ways for the chain search (chain.py).

reading.py offers the chain search, for each group of ink, ways to read it: as one digit,
or cut into 2-4 touching digits (touching.py's lattice). For a group at least SEQ_FROM times
as wide as the line is tall it also offers a SeqWay: the group's whole ink, stroke-normalised
and scaled to the sequence reader's input (strings.to_input). Once classify() runs, resolve()
reads every SeqWay in one batch and replaces it with its best string of each length (1-4
digits, prefix beam search), each digit a Digit whose box is its columns in the CTC
alignment, whose probabilities are the network's at its peak frame, and whose share of the
string's log-probability scores it in the chain:

    chain score of a sequence way = log p(string | group) + k log 0.8      (k digits)

the same form as a cut way's sum of log p(digit | part): both are the log-probability of
the group's reading under one model, so the chain compares them directly. A sequence way
pays no width prior (the network counts the digits itself) and no not-a-digit term: that
detector judges one crop, and a crop through crossing strokes carries the neighbour's
strokes, so it would charge the sequence read for a cut it never made. (A first 5-minute
model on the development seeds 7 and 11: touching numbers 23 of 80 without sequence ways,
46 with that term, 60 without it; single digits and spaced numbers the same.) Whether a picture holds digits at all is still judged on the
geometric guess (novelty.judge), not on the chain.
"""

from __future__ import annotations

import numpy as np

from . import strings

SEQ_FROM = 0.8   # groups this many line heights wide (or wider) are also read whole
SOLID = 0.6      # ...unless their ink fills this much of their box: a field, not pen strokes
                 # (the sketch pad read with "ink is light: keep", where the paper is the ink)


def offer(sub: np.ndarray, make, ratio: float, stroke: float | None) -> list:
    """[a SeqWay] for a group at least SEQ_FROM heights wide whose ink is pen strokes, else [].
    Its digits' probabilities are the sequence reader's (classify keeps them): the string is
    what the chain chooses, not the photo reader's reading of each crop."""
    return [SeqWay(sub, make, stroke)] if ratio >= SEQ_FROM and sub.mean() < SOLID else []


class SeqWay:
    """A group waiting for the sequence reader: its input image and how to map columns back."""

    def __init__(self, sub: np.ndarray, make, stroke: float | None):
        from .photo import normalise_stroke

        self.sub, self.make = sub, make
        pad = int(stroke or 0) + 2
        m = np.pad(sub, pad)
        if stroke:
            m = normalise_stroke(m, stroke)
        ys, xs = np.nonzero(m)
        self.left = int(xs.min()) - pad                       # ink's first column, in sub's columns
        self.scale = strings.HEIGHT / max(1, int(ys.max()) - int(ys.min()) + 1)   # input px per sub px
        self.image = strings.to_input(m)

    def columns(self, a: int, b: int) -> tuple[int, int]:
        """Input columns a..b -> sub's columns (clipped to it)."""
        w = self.sub.shape[1]
        to = lambda c: int(np.clip(round((c - strings.PAD) / self.scale + self.left), 0, w))  # noqa: E731
        return to(a), to(b)

    def digits(self, read) -> list:
        """The Digits of one SeqRead, or [] when a span holds no ink."""
        from .touching import part

        out = []
        spans = [self.columns(a, b) for a, b in read.spans]
        spans[0], spans[-1] = (0, spans[0][1]), (spans[-1][0], self.sub.shape[1])
        for (a, b), probs in zip(spans, read.probabilities):
            m = part(self.sub, a, b) if b > a else None
            if m is None or not m.any():
                return []
            d = self.make(m)
            d.seq = (np.asarray(probs, np.float32), read.logp / len(read.digits))
            out.append(d)
        return out


def resolve(options: list) -> None:
    """Replace every SeqWay in `options` (in place) by its strings' Digits; drop them all
    when the sequence reader is not shipped."""
    from .sequence import read_strings, sequence_reader

    found = [w for _, _, ways in options for w in ways if isinstance(w, SeqWay)]
    if not found:
        return
    model = sequence_reader()
    reads = read_strings(model, [w.image for w in found]) if model is not None else [[] for _ in found]
    by_way = {id(w): r for w, r in zip(found, reads)}
    for k, (i, j, ways) in enumerate(options):
        new = []
        for w in ways:
            if not isinstance(w, SeqWay):
                new.append(w)
                continue
            for read in by_way[id(w)]:
                digits = w.digits(read)
                if digits:
                    new.append(digits)
        options[k] = (i, j, new)
