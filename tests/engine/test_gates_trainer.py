"""GateTrainer: determinism, live lr, divergence, grids vs predict, history replay, edits, checkpoints."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnplay.engine.checkpoint import save_checkpoint
from nnplay.engine.choices import ACTIVATIONS
from nnplay.engine.errors import CheckpointError, ConfigError
from nnplay.engine.gates import GateConfig, GateTrainer, input_rows


pytestmark = pytest.mark.usefixtures("one_thread")  # tests/engine/conftest.py


def np_forward(snap, feats, act=np.tanh):
    """Reference forward pass in numpy from a snapshot's weights: (N, F) -> (probs (N,), hidden list)."""
    h, hidden = feats, []
    for w, b in zip(snap.weights[:-1], snap.biases[:-1]):
        h = act(h @ w.T + b)
        hidden.append(h)
    z = h @ snap.weights[-1].T + snap.biases[-1]
    return 1 / (1 + np.exp(-z[:, 0])), hidden


def same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.weights + a.biases, b.weights + b.biases))


def test_same_seed_same_run_different_seed_different():
    for cfg in (GateConfig(), GateConfig(sampling="noisy", batch_size=7, optimizer="momentum", lr=0.1)):
        a, b = GateTrainer(cfg), GateTrainer(cfg)
        sa, sb = a.step(30), b.step(30)
        assert same_weights(sa, sb) and sa.train_loss == sb.train_loss
        assert a.curve == b.curve
        c = GateTrainer(cfg.replace(seed=1)).step(30)
        assert not same_weights(sa, c)


def test_snapshot_shapes_and_types():
    tr = GateTrainer(GateConfig(hidden=(3, 5)), grid_size=17)
    s = tr.step(2)
    assert s.epoch == 2 and tr.epoch == 2
    assert [w.shape for w in s.weights] == [(3, 2), (5, 3), (1, 5)]
    assert [b.shape for b in s.biases] == [(3,), (5,), (1,)]
    assert s.grid.shape == (17, 17) and s.grid.dtype == np.float32
    assert [h.shape for h in s.hidden] == [(3, 17, 17), (5, 17, 17)]
    assert s.inputs.shape == (2, 17, 17)
    assert all(a.dtype == np.float32 for a in s.weights + s.hidden + [s.inputs])
    assert tr.grid_axis.shape == (17,) and tr.grid_axis[0] == -0.5 and tr.grid_axis[-1] == 1.5
    assert 0 <= s.grid.min() and s.grid.max() <= 1
    assert s.diverged is None


def test_grids_equal_predict_and_a_numpy_forward():
    tr = GateTrainer(GateConfig(hidden=(4, 3), features=("x1", "x2", "x1*x2", "sin(x1)")), grid_size=9)
    s = tr.step(25)
    ax = tr.grid_axis
    x1, x2 = np.meshgrid(ax, ax)  # rows follow x2, columns x1
    feats = np.stack([x1, x2, x1 * x2, np.sin(x1)], axis=-1).reshape(-1, 4)
    probs, hidden = np_forward(s, feats)
    np.testing.assert_allclose(s.grid, probs.reshape(9, 9), atol=1e-5)
    np.testing.assert_allclose(s.hidden[1], hidden[1].T.reshape(3, 9, 9), atol=1e-5)
    np.testing.assert_allclose(s.inputs[2], x1 * x2, atol=1e-6)
    for r, c in [(0, 0), (2, 7), (8, 3), (4, 4)]:
        assert s.grid[r, c] == pytest.approx(tr.predict(float(ax[c]), float(ax[r])), abs=1e-6)
        assert s.inputs[0][r, c] == ax[c] and s.inputs[1][r, c] == ax[r]


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_grid_forward_matches_the_torch_model_for_every_activation(activation):
    tr = GateTrainer(GateConfig(hidden=(5, 3), activation=activation, lr=0.1), grid_size=12)
    s = tr.step(20)
    ax = tr.grid_axis
    x1, x2 = np.meshgrid(ax, ax)
    pts = torch.tensor(np.stack([x1.ravel(), x2.ravel()], axis=1))
    with torch.no_grad():
        h1 = tr.model.act(tr.model.layers[0](pts))
        np.testing.assert_allclose(s.hidden[0], h1.T.reshape(5, 12, 12).numpy(), atol=2e-6)
        probs = torch.sigmoid(tr.model(pts)).reshape(12, 12).numpy()
    np.testing.assert_allclose(s.grid, probs, atol=2e-6)


def test_three_input_grid_is_a_slice_at_grid_x3():
    tr = GateTrainer(GateConfig(gate="MAJORITY"), grid_size=5, grid_x3=1.0)
    s = tr.step(10)
    assert s.inputs.shape == (3, 5, 5) and np.all(s.inputs[2] == 1.0)
    ax = tr.grid_axis
    assert s.grid[1, 3] == pytest.approx(tr.predict(float(ax[3]), float(ax[1]), 1.0), abs=1e-6)
    with pytest.raises(ConfigError, match="3 inputs"):
        tr.predict(0, 1)
    with pytest.raises(ConfigError, match="2 inputs"):
        GateTrainer().predict(0, 1, 1)


def test_metrics_are_binary_cross_entropy_and_accuracy():
    tr = GateTrainer(GateConfig(gate="OR", hidden=(2,)))
    s = tr.step(5)
    x = torch.tensor(input_rows(2), dtype=torch.float32)
    y = torch.tensor([0.0, 1, 1, 1])
    with torch.no_grad():
        z = tr.model(x)
    assert s.train_loss == pytest.approx(F.binary_cross_entropy_with_logits(z, y).item(), rel=1e-5)
    assert s.train_acc == ((z > 0).float() == y).float().mean().item()
    assert s.test_loss == s.train_loss  # exact data: test set is the training set
    c = tr.curve
    assert c["epoch"] == [0, 1, 2, 3, 4, 5] and c["train_loss"][-1] == s.train_loss


def test_history_records_each_step_and_replays_grids():
    tr = GateTrainer(GateConfig(hidden=(3,)), grid_size=8)
    full = [tr.snapshot()] + [tr.step(n) for n in (1, 5, 10)]
    assert [h.epoch for h in tr.history] == [0, 1, 6, 16]
    assert all(h.grid is None and h.hidden is None and h.inputs is None for h in tr.history)
    for i, snap in enumerate(full):
        again = tr.at(i)
        assert again.epoch == snap.epoch and same_weights(again, snap)
        np.testing.assert_allclose(again.grid, snap.grid, atol=1e-6)
        np.testing.assert_allclose(again.hidden[0], snap.hidden[0], atol=1e-6)
    assert tr.at(-1).epoch == 16
    assert len(tr.curve["epoch"]) == 17
    with pytest.raises(ConfigError, match="no history entry"):
        tr.at(4)


def test_set_lr_keeps_weights_and_the_next_update_uses_it():
    tr = GateTrainer(GateConfig(optimizer="sgd", lr=0.5, hidden=(3,)))
    tr.step(10)
    before = [p.detach().clone() for p in tr.model.parameters()]
    # Reference gradient, computed independently with torch's own BCE on a copy of the weights.
    ref = [p.detach().clone().requires_grad_(True) for p in tr.model.parameters()]
    x = torch.tensor(input_rows(2), dtype=torch.float32)
    h = torch.tanh(x @ ref[0].T + ref[1])
    loss = F.binary_cross_entropy_with_logits((h @ ref[2].T + ref[3])[:, 0], torch.tensor([0.0, 1, 1, 0]))
    grads = torch.autograd.grad(loss, ref)

    tr.set_lr(0.125)
    assert tr.cfg.lr == 0.125 and tr.epoch == 10
    assert all(torch.equal(a, b) for a, b in zip(before, tr.model.parameters()))  # nothing reset
    tr.step(1)
    for p, w0, g in zip(tr.model.parameters(), before, grads):
        torch.testing.assert_close(p.detach(), w0 - 0.125 * g, rtol=1e-5, atol=1e-6)
    for bad in (0, -1, float("nan"), 100):
        with pytest.raises(ConfigError, match="learning rate"):
            tr.set_lr(bad)
    assert tr.cfg.lr == 0.125


def test_divergence_stops_and_keeps_the_last_good_weights():
    cfg = GateConfig(lr=10, optimizer="sgd", activation="linear", hidden=(8, 8))
    tr = GateTrainer(cfg)
    s = tr.step(100)
    m = re.fullmatch(r"diverged at epoch (\d+): lower the learning rate \(it is 10; the loss became .+\)",
                     tr.diverged or "")
    assert m, tr.diverged
    bad = int(m.group(1))
    assert s.diverged == tr.diverged and tr.epoch == s.epoch == bad - 1
    assert all(np.isfinite(w).all() for w in s.weights + s.biases) and np.isfinite(s.train_loss)
    assert np.isfinite(s.grid).all()
    # the kept weights are exactly those of a run stopped one epoch before the bad one
    ref = GateTrainer(cfg)
    ref.train(bad - 1)
    assert same_weights(s, ref.snapshot())
    # further steps are no-ops that repeat the message
    again = tr.step(5)
    assert again.epoch == bad - 1 and again.diverged == tr.diverged
    assert tr.history[-1].diverged == tr.diverged
    assert len(tr.curve["epoch"]) == bad  # epochs 0..bad-1, the bad one not recorded
    # lowering the learning rate clears the stop and training resumes from the kept weights
    # (these weights are already huge, so it may blow up again, now reporting the new rate)
    tr.set_lr(1e-5)
    assert tr.diverged is None
    tr.step(3)
    assert tr.epoch > bad - 1 or "it is 1e-05" in tr.diverged
    assert np.isfinite(tr.metrics["train_loss"])


def test_xor_needs_a_hidden_layer_and_and_does_not():
    for seed in range(3):
        r = GateTrainer(GateConfig(hidden=(), seed=seed, lr=0.1))
        r.train(1000)
        assert r.metrics["train_acc"] <= 0.75  # no line separates XOR's 1s from its 0s
    a = GateTrainer(GateConfig(gate="AND", hidden=()))
    a.train(1000, until_solved=True)
    assert a.solved and [row["target"] for row in a.truth_table()] == [0, 0, 0, 1]
    # with the product feature x1*x2, XOR becomes linearly separable
    f = GateTrainer(GateConfig(hidden=(), features=("x1", "x2", "x1*x2")))
    f.train(1000, until_solved=True)
    assert f.solved


def test_truth_table_and_predict_agree():
    tr = GateTrainer(GateConfig(gate="NAND"))
    tr.train(300)
    table = tr.truth_table()
    assert [r["inputs"] for r in table] == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert [r["target"] for r in table] == [1, 1, 1, 0]
    for r in table:
        assert r["probability"] == pytest.approx(tr.predict(*r["inputs"]), abs=1e-7)
        assert (r["probability"] > 0.5) == bool(r["target"])
    assert 0 < tr.predict(0.3, 0.7) < 1


def test_set_weight_edits_one_edge():
    tr = GateTrainer(GateConfig(hidden=(2,)))
    tr.step(3)
    tr.set_weight(0, 1, 0, 2.5)
    tr.set_bias(1, 0, -0.25)
    s = tr.snapshot()
    assert s.weights[0][1, 0] == 2.5 and s.biases[1][0] == -0.25
    assert same_weights(tr.history[-1], s)  # the timeline shows the edited network
    p, _ = np_forward(s, np.array([[0.2, 0.9]], dtype=np.float32))
    assert tr.predict(0.2, 0.9) == pytest.approx(float(p[0]), abs=1e-6)
    assert tr.curve["train_loss"][-1] == tr.metrics["train_loss"]
    for args in [(2, 0, 0, 1.0), (0, 2, 0, 1.0), (0, 0, 2, 1.0)]:
        with pytest.raises(ConfigError):
            tr.set_weight(*args)
    with pytest.raises(ConfigError, match="finite"):
        tr.set_weight(0, 0, 0, float("inf"))


def test_mini_batches_and_batch_sizes():
    tr = GateTrainer(GateConfig(batch_size=1))
    tr.train(3)
    state = tr.optimizer.state[tr.model.layers[0].weight]
    assert int(state["step"]) == 12  # 4 rows, one update each, 3 epochs
    full = GateTrainer(GateConfig()).step(20)
    big = GateTrainer(GateConfig(batch_size=100)).step(20)  # above the set size = full batch
    assert same_weights(full, big)


def test_regularisation_shrinks_weights():
    def norm(reg, rate):
        t = GateTrainer(GateConfig(regularization=reg, reg_rate=rate))
        return sum(float((w ** 2).sum()) for w in t.step(300).weights)

    plain = norm("none", 0.0)
    assert norm("l2", 0.05) < 0.5 * plain
    assert norm("l1", 0.05) < 0.5 * plain


def test_apply_live_changes_without_reset():
    tr = GateTrainer()
    tr.step(5)
    assert tr.apply(tr.cfg.replace(lr=0.2, reg_rate=0.01, regularization="l2", batch_size=2))
    assert tr.epoch == 5 and tr.optimizer.param_groups[0]["lr"] == 0.2 and tr.cfg.batch_size == 2
    assert not tr.apply(tr.cfg.replace(hidden=(3,)))
    assert tr.cfg.hidden == (4, 4)


def test_checkpoint_round_trip(tmp_path):
    tr = GateTrainer(GateConfig(gate="0010", hidden=(3,), seed=4))
    tr.train(200)
    path = tr.save(tmp_path / "gate")
    assert path.suffix == ".safetensors" and path.with_suffix(".json").exists()
    back = GateTrainer.from_checkpoint(path)
    assert back.cfg == tr.cfg and back.epoch == 200
    assert same_weights(back.snapshot(), tr.snapshot())
    assert back.truth_table() == tr.truth_table()
    other = save_checkpoint(tmp_path / "m.safetensors", tr.state_dict(), kind="mnist", config={})
    with pytest.raises(CheckpointError, match="not a logic-gate one"):
        GateTrainer.from_checkpoint(other)
    wrong = save_checkpoint(tmp_path / "w.safetensors", tr.state_dict(), kind="gates",
                            config=GateConfig(hidden=(5,)).to_dict())
    with pytest.raises(CheckpointError, match="do not fit"):
        GateTrainer.from_checkpoint(wrong)


def test_long_histories_are_thinned_not_unbounded():
    tr = GateTrainer(GateConfig(hidden=(2,)))
    tr.MAX_HISTORY = 9
    for _ in range(20):
        tr.step(1)
    epochs = [h.epoch for h in tr.history]
    assert len(epochs) <= 9 and epochs[0] == 0 and epochs[-1] == 20 == tr.epoch
    assert epochs == sorted(set(epochs))
    assert tr.at(len(epochs) - 1).epoch == 20
