"""One frame of the gate lab's live views (app/gates/frames.py): its heatmaps decode to the
engine's grids, its curve and status say only what is true of the frame."""

from __future__ import annotations

import base64
import json

import numpy as np

from nnplay.app.gates import frames
from nnplay.app.gates.session import Session
from nnplay.engine.gates import GateConfig
from nnplay.engine.gates.model import forward_with


def decode(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype=np.uint8)


def test_heatmaps_decode_to_the_trainers_grids():
    s = Session.new(GateConfig(gate="XOR", hidden=(3, 2), features=("x1", "x2", "x1*x2")))
    snap = s.trainer.step(20)
    f = json.loads(frames.dumps(frames.build(s, snap)))
    g = s.trainer.grid_size
    boundary = decode(f["b"]).reshape(g, g)[::-1] / 255.0  # image rows run down; x2 runs up
    assert np.abs(boundary - snap.grid).max() <= 0.5 / 255 + 1e-6
    tiles = decode(f["tiles"]).reshape(3 + 3 + 2 + 1, frames.TILE_RES, frames.TILE_RES)
    out_tile = tiles[-1][::-1] / 127.5 - 1.0  # the output node: 2p - 1, every 2nd grid point
    assert np.abs(out_tile - (2 * snap.grid[::2, ::2] - 1)).max() <= 1 / 127.5
    h1 = tiles[3][::-1] / 127.5 - 1.0  # first hidden neuron (tanh, kept at its scale)
    assert np.abs(h1 - snap.hidden[0][0][::2, ::2]).max() <= 1 / 127.5


def test_grid_matches_torch_at_a_few_points():
    """The grid the frame is made of (numpy twin) against a torch forward pass, to 1e-4."""
    s = Session.new(GateConfig(gate="XOR", hidden=(8, 8)))
    snap = s.trainer.step(30)
    import torch

    axis = s.trainer.grid_axis
    for r, c in [(0, 0), (5, 30), (39, 39), (20, 11)]:
        x = torch.tensor([[axis[c], axis[r]]])
        logits, _ = forward_with(x, [torch.as_tensor(w) for w in snap.weights],
                                 [torch.as_tensor(b) for b in snap.biases], torch.tanh)
        assert abs(float(torch.sigmoid(logits)[0]) - float(snap.grid[r, c])) < 1e-4


def test_exact_sampling_shows_no_test_numbers():
    s = Session.new(GateConfig(gate="XOR"))
    f = frames.build(s, s.trainer.step(5))
    assert f["m"]["vl"] is None and f["m"]["va"] is None
    assert "test" not in f["status"] and "vl" not in f["curve"]
    assert f["static"]["exact"] is True


def test_noisy_sampling_shows_test_numbers_and_the_overfitting_hint():
    s = Session.new(GateConfig(gate="XOR", sampling="noisy", n_points=4, noise=0.45, train_ratio=0.3,
                               hidden=(16, 16), lr=0.03, seed=1))
    snap = s.trainer.step(400)
    f = frames.build(s, snap)
    assert "test acc" in f["status"] and len(f["curve"]["vl"]) == len(f["curve"]["e"])
    gap = snap.train_acc - snap.test_acc
    assert ("part ways" in f["status"]) == (gap >= 0.15 or snap.test_loss >= 2 * snap.train_loss)
    if f["right"] == len(f["p"]) and snap.test_acc < 0.9:
        assert "not learned" in f["verdict"]


def test_status_follows_a_gate_that_falls_back():
    s = Session.new(GateConfig(gate="OR", lr=0.03, seed=0))
    assert "Solved at epoch 2" in frames.build(s, s.trainer.step(2))["status"]
    f = frames.build(s, s.trainer.step(2))
    assert "Was solved at epoch 2; now 3 of 4 right" in f["status"] and "Solved at" not in f["status"]


def test_full_curve_is_thinned_and_ends_on_the_newest_point():
    s = Session.new()
    s.trainer.train(2500)
    c = frames.curve_part(s, None)
    assert c["reset"] and len(c["e"]) <= frames.CURVE_MAX + 1 and c["e"][0] == 0 and c["e"][-1] == 2500
    assert frames.curve_part(s, 2499)["e"] == [2499, 2500]
