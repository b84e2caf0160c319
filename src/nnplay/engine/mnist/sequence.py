"""A sequence reader: a whole group of touching digits read at once, without cutting it.

The cut search (touching.py) reads a group of touching digits by cutting it into parts and
reading each part as one digit. When the digits' strokes cross (a 1 written into a 3), no
straight cut leaves a clean digit on either side. The standard answer for handwritten digit
strings is a *segmentation-free* reader: a CRNN (convolutions, then a recurrent layer over the
columns) trained with the CTC loss (Graves et al. 2006), which never needs to know where one
digit ends and the next begins.

The network (about 0.4 M weights), for a group scaled to 32 px high and W px wide
(strings.to_input):

    x (N, 1, 32, W)
    4 conv blocks (3x3 conv -> BN -> ReLU -> max-pool): pools 2x2, 2x2, 2x1, 2x1
        -> (N, 128, 2, W/4): the height is collapsed, the width kept at a quarter
    flatten the 2 rows -> T = W/4 frames of 256 features, one per 4 columns of ink
    a bidirectional GRU over the frames (96 units each way): each frame sees its
        neighbours on both sides (a digit is ~5 frames wide, a 4's tail may reach the next)
    a linear layer -> (T, N, 11) logits: the 10 digits and the blank (index 10)

CTC in short. The network outputs, at each frame t, a distribution y_t over 11 labels.
A *path* is one label per frame (T labels); it reads as a string after two steps:
collapse repeats, then drop blanks ("33-3" -> "3-3" -> "33"; "-7--77-" -> "77" needs the
blank between the two 7s). The probability of a string s is the sum over every path that
reads s:  p(s | x) = sum_{paths pi -> s} prod_t y_t[pi_t]. The forward algorithm computes
that sum in O(T * |s|) (torch.nn.CTCLoss returns -log p(s | x)), so training maximises the
probability of the right string without ever saying where each digit is.

Decoding:
    greedy (best path)   argmax at every frame, then collapse: the most probable *path*,
                         not always the most probable *string* (many paths share a string)
    prefix beam search   keeps the B best string prefixes, each with the probability of the
                         paths that end in a blank and those that end in its last label, so
                         every path of a prefix is summed: the most probable strings (and
                         their probabilities) for about B times the cost
    forced alignment     the best path that reads a given string (Viterbi over the same
                         lattice as the forward algorithm): which frames emit each digit.
                         A digit's box is its columns, split half-way between neighbouring
                         digits' peak frames; its top-3 the softmax at its peak frame.

Train (MNIST training digits only, composed by strings.py):

    nice -n 10 python -m nnplay.engine.mnist.sequence --out src/nnplay/weights/sequence_reader.safetensors
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

KIND = "mnist-sequence-reader"
BLANK = 10       # CTC's blank label: "no new digit at this frame"
STRIDE = 4       # input columns per output frame (the two 2x2 pools)


class SequenceReader(nn.Module):
    """CRNN: conv blocks collapse the height, a bidirectional GRU reads the columns."""

    def __init__(self, hidden: int = 96):
        super().__init__()

        def block(c_in, c_out, pool):
            return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
                    nn.ReLU(inplace=True), nn.MaxPool2d(pool)]

        self.features = nn.Sequential(*block(1, 16, (2, 2)), *block(16, 32, (2, 2)),
                                      *block(32, 64, (2, 1)), *block(64, 96, (2, 1)))
        self.rnn = nn.GRU(192, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, BLANK + 1)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """x (N, 1, 32, W) in [0, 1] (1 = ink), lengths (N,) frames of each (W // 4 when
        None) -> log-probabilities (T, N, 11), T = W // 4 (CTCLoss's layout)."""
        z = self.features((x - 0.1) / 0.3)                  # (N, 128, 2, W/4)
        z = z.flatten(1, 2).transpose(1, 2)                 # (N, T, 256)
        if lengths is not None:  # padded columns must not feed the backward direction
            z = nn.utils.rnn.pack_padded_sequence(z, lengths.cpu(), batch_first=True, enforce_sorted=False)
            z, _ = self.rnn(z)
            z, _ = nn.utils.rnn.pad_packed_sequence(z, batch_first=True, total_length=x.shape[-1] // STRIDE)
        else:
            z, _ = self.rnn(z)
        return self.out(z).log_softmax(-1).transpose(0, 1)  # (T, N, 11)


def batch_tensor(images: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """(HEIGHT, W_i) inputs -> (N, 1, HEIGHT, W_max) zero-padded on the right (W_max a
    multiple of STRIDE) and the frames of each (N,)."""
    w = max(max(a.shape[1] for a in images), 2 * STRIDE)
    w += -w % STRIDE
    x = np.zeros((len(images), 1, images[0].shape[0], w), np.float32)
    for i, a in enumerate(images):
        x[i, 0, :, :a.shape[1]] = a
    lengths = torch.tensor([max(1, a.shape[1] // STRIDE) for a in images])
    return torch.from_numpy(x), lengths


# ---------------------------------------------------------------------------------------
# Decoding (numpy): logp is (T, 11) log-probabilities of one group
# ---------------------------------------------------------------------------------------
def greedy(logp: np.ndarray) -> list[int]:
    """Best path: the argmax label of every frame, repeats collapsed, blanks dropped."""
    best = logp.argmax(1)
    return [int(c) for t, c in enumerate(best) if c != BLANK and (t == 0 or c != best[t - 1])]


def prefix_beam(logp: np.ndarray, beam: int = 8) -> list[tuple[tuple[int, ...], float]]:
    """The most probable strings, best first: [(digits, log p(string | x))].

    For every prefix we keep two numbers: pb, the probability of the paths so far that read
    the prefix and end in a blank, and pn, those that end in the prefix's last label. At
    the next frame a prefix can stay (blank: pb' += (pb + pn) y[blank]; its last label again,
    collapsed: pn' += pn y[last]) or grow by a label c (pn of prefix+c += (pb + pn) y[c], but
    only pb y[c] when c repeats the last label: "7 7" needs a blank between)."""
    p = np.exp(logp.astype(np.float64))
    beams = {(): (1.0, 0.0)}                     # prefix -> (pb, pn), times exp(-log_scale)
    log_scale = 0.0
    for t in range(len(p)):
        nxt: dict = {}

        def add(prefix, pb=0.0, pn=0.0):
            b, n = nxt.get(prefix, (0.0, 0.0))
            nxt[prefix] = (b + pb, n + pn)

        for prefix, (pb, pn) in beams.items():
            add(prefix, pb=(pb + pn) * p[t, BLANK])
            if prefix:
                add(prefix, pn=pn * p[t, prefix[-1]])
            for c in range(BLANK):
                grow = pb * p[t, c] if prefix and prefix[-1] == c else (pb + pn) * p[t, c]
                add(prefix + (c,), pn=grow)
        beams = dict(sorted(nxt.items(), key=lambda kv: -sum(kv[1]))[:beam])
        scale = sum(sum(v) for v in beams.values())  # rescale: long products underflow
        if scale <= 0:
            break
        beams = {k: (b / scale, n / scale) for k, (b, n) in beams.items()}
        log_scale += float(np.log(scale))
    out = sorted(((k, b + n) for k, (b, n) in beams.items()), key=lambda kv: -kv[1])
    return [(k, float(np.log(max(v, 1e-300))) + log_scale) for k, v in out]


def string_logp(logp: np.ndarray, digits) -> float:
    """log p(digits | x): the forward algorithm, through torch's CTCLoss (its value is -log p)."""
    if not len(digits):
        return float(logp[:, BLANK].sum())
    lp = torch.from_numpy(np.ascontiguousarray(logp, np.float32))[:, None]
    loss = nn.functional.ctc_loss(lp, torch.tensor([list(digits)]), torch.tensor([len(logp)]),
                                  torch.tensor([len(digits)]), blank=BLANK, reduction="sum", zero_infinity=False)
    return -float(loss)


def align(logp: np.ndarray, digits) -> list[list[int]]:
    """Forced alignment: for each digit, the frames that emit it on the best path reading
    `digits` (Viterbi over the CTC lattice: the label sequence with blanks between and
    around, "-d1-d2-...-dk-"; a path moves on by 0 or 1 position each frame, or by 2 to skip
    a blank between two different digits)."""
    T, S = len(logp), 2 * len(digits) + 1
    lab = [BLANK if s % 2 == 0 else digits[s // 2] for s in range(S)]
    v = np.full((T, S), -np.inf)
    back = np.zeros((T, S), np.int64)
    v[0, 0] = logp[0, BLANK]
    if S > 1:
        v[0, 1] = logp[0, lab[1]]
    for t in range(1, T):
        for s in range(S):
            cands = [(v[t - 1, s], s)]
            if s >= 1:
                cands.append((v[t - 1, s - 1], s - 1))
            if s >= 2 and lab[s] != BLANK and lab[s] != lab[s - 2]:
                cands.append((v[t - 1, s - 2], s - 2))
            best, frm = max(cands)
            v[t, s], back[t, s] = best + logp[t, lab[s]], frm
    s = S - 1 if S == 1 or v[T - 1, S - 1] >= v[T - 1, S - 2] else S - 2
    frames: list[list[int]] = [[] for _ in digits]
    for t in range(T - 1, -1, -1):
        if s % 2 == 1:
            frames[s // 2].append(t)
        s = back[t, s] if t else s
    return [sorted(f) for f in frames]


@dataclass
class SeqRead:
    """One group read as a string: its digits, log p(string | x), and for each digit the
    column span in the input image (x0, x1) and the probabilities (10,) at its peak frame."""
    digits: tuple[int, ...]
    logp: float
    spans: list[tuple[int, int]]
    probabilities: list[np.ndarray]


def explain(logp: np.ndarray, digits, width: int) -> SeqRead:
    """Boxes and top answers of a string read from a (T, 11) output over `width` columns."""
    frames = align(logp, list(digits))
    peaks = [max(f, key=lambda t: logp[t, d]) if f else 0 for f, d in zip(frames, digits)]
    cuts = [0] + [int(round((a + b + 1) / 2 * STRIDE)) for a, b in zip(peaks[:-1], peaks[1:])] + [width]
    spans = [(cuts[i], max(cuts[i] + 1, cuts[i + 1])) for i in range(len(digits))]
    probs = []
    for t in peaks:
        q = np.exp(logp[t, :BLANK].astype(np.float64))
        probs.append((q / max(q.sum(), 1e-12)).astype(np.float32))
    return SeqRead(tuple(digits), string_logp(logp, digits), spans, probs)


@torch.inference_mode()
def outputs(model: SequenceReader, images: list[np.ndarray]) -> list[np.ndarray]:
    """(HEIGHT, W_i) inputs -> one (T_i, 11) log-probability array each (one batch)."""
    x, lengths = batch_tensor(images)
    lp = model(x, lengths).numpy()                          # (T, N, 11)
    return [lp[:int(n), i] for i, n in enumerate(lengths)]


def read_strings(model: SequenceReader, images: list[np.ndarray], beam: int = 8) -> list[list[SeqRead]]:
    """For each input, its best string of each length 1-4 (prefix beam search), best first."""
    out = []
    for img, lp in zip(images, outputs(model, images)):
        seen, reads = set(), []
        for digits, _ in prefix_beam(lp, beam):
            if 1 <= len(digits) <= 4 and len(digits) not in seen:
                seen.add(len(digits))
                reads.append(explain(lp, digits, img.shape[1]))
        out.append(reads)
    return out


# ---------------------------------------------------------------------------------------
# The shipped weights
# ---------------------------------------------------------------------------------------
def weights_path() -> Path:
    return Path(__file__).resolve().parents[2] / "weights" / "sequence_reader.safetensors"


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime: float) -> SequenceReader:
    from ..checkpoint import load_checkpoint, load_into
    from ..errors import CheckpointError

    tensors, meta = load_checkpoint(path)
    if meta.get("kind") != KIND:
        raise CheckpointError(f"{path}: not a sequence reader")
    model = SequenceReader(int(meta["config"].get("hidden", 96)))
    load_into(model, tensors, path)
    return model.eval()


def sequence_reader(path: str | Path | None = None) -> SequenceReader | None:
    """The shipped sequence reader (eval mode, loaded once), or None when its file is missing."""
    path = Path(path) if path else weights_path()
    if not path.exists():
        return None
    return _load(str(path), path.stat().st_mtime)


if __name__ == "__main__":
    from .sequence_train import main
    main()
