"""MNIST trainer: it learns, stops within one step, takes a new learning rate live, is seeded."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnplay.engine.errors import ConfigError
from nnplay.engine.mnist import MnistTrainer, load_mnist, recommended, train
from nnplay.engine.mnist.trainer import one_cycle, random_shift


@pytest.fixture(scope="module")
def small():
    return load_mnist(subset=2000, test_subset=1000)


def test_short_cnn_training_learns(small):
    events = []
    res = train(recommended("cnn", epochs=2, threads=1), small, callback=events.append, every=5)
    assert res.metrics["test_accuracy"] > 0.8  # chance is 0.1
    assert res.metrics["epochs"] == 2 and res.metrics["steps"] == 2 * 16
    epoch_ends = [e for e in events if e.test_acc is not None and not e.done]
    assert [e.epoch for e in epoch_ends] == [1.0, 2.0]
    assert events[-1].done and not events[-1].stopped
    # the live weight view: a copy of conv1's kernels that changes as it learns
    assert events[0].first_layer.shape == (16, 1, 3, 3)
    assert not np.allclose(events[0].first_layer, events[-1].first_layer)
    assert all(e.examples_per_sec > 0 for e in events[:-1])


def test_mlp_and_logistic_learn(small):
    for name in ("mlp", "logistic"):
        res = train(recommended(name, epochs=2, threads=1), small)
        assert res.metrics["test_accuracy"] > 0.75, name


def test_stop_takes_effect_within_one_step(small):
    trainer = MnistTrainer(recommended("mlp", epochs=5), small, every=1)
    run = trainer.run()
    first = next(run)
    assert first.step == 1
    trainer.stop()
    last = next(run)
    assert last.done and last.stopped and last.step == 1  # no further step was taken
    assert last.test_acc is not None
    with pytest.raises(StopIteration):
        next(run)


def test_stop_from_another_thread(small):
    trainer = MnistTrainer(recommended("mlp", epochs=50), small, every=1)
    seen, stopped_at = [], []

    def consume():
        for ev in trainer.run():
            seen.append(ev)
            if ev.step == 3 and not stopped_at:
                stopped_at.append(ev.step)
                threading.Thread(target=trainer.stop).start()

    t = threading.Thread(target=consume)
    t.start()
    t.join(timeout=120)
    assert not t.is_alive()
    assert seen[-1].stopped and seen[-1].step <= stopped_at[0] + 1


def test_set_lr_live(small):
    trainer = MnistTrainer(recommended("mlp", epochs=1, schedule="constant", lr=0.001), small, every=1)
    run = trainer.run()
    assert next(run).lr == pytest.approx(0.001)
    trainer.set_lr(0.02)
    assert next(run).lr == pytest.approx(0.02)
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.02)
    for bad in (0, -1, float("nan"), "abc"):
        with pytest.raises(ConfigError):
            trainer.set_lr(bad)


def test_seeded_runs_are_identical(small):
    a = train(recommended("logistic", epochs=1, subset=500, threads=1), small).model
    b = train(recommended("logistic", epochs=1, subset=500, threads=1), small).model
    for pa, pb in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb, rtol=0, atol=0)


def test_random_shift_is_a_translation():
    gen = torch.Generator().manual_seed(1)
    x = torch.rand(6, 1, 28, 28)
    y = random_shift(x, 2, gen)
    padded = F.pad(x, (2, 2, 2, 2))
    for b in range(6):
        matches = [(dy, dx) for dy in range(5) for dx in range(5)
                   if torch.equal(y[b, 0], padded[b, 0, dy:dy + 28, dx:dx + 28])]
        assert len(matches) == 1


def test_one_cycle_shape():
    assert one_cycle(0.0) == pytest.approx(0.04)
    assert one_cycle(0.25) == pytest.approx(1.0)
    assert one_cycle(1.0) < 0.01
    vals = [one_cycle(t / 100) for t in range(101)]
    assert max(vals) == pytest.approx(1.0)


def _weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_concurrent_trainings_reproduce_their_solo_runs_bit_for_bit(small):
    """Two trainings in two threads of one process, different seeds (one with dropout and
    shifts, so masks and shifts are drawn too): each ends with exactly the weights of
    the same training run alone. The trainer owns its generator and leaves torch's
    global random state and thread count alone."""
    cfgs = [recommended("mlp", epochs=1, subset=600, seed=1, dropout=0.2, augment=True),
            recommended("cnn", epochs=1, subset=400, seed=2)]
    solo = [_weights(train(c, small, every=1000).model) for c in cfgs]
    threads_before, rng_before = torch.get_num_threads(), torch.random.get_rng_state()
    together = [None, None]

    def work(i):
        # OpenMP's thread count is per OS thread, and a new thread starts from the default, not
        # from whatever an earlier test (an in-process prediction sets 1) left in this one: give
        # each worker the solo runs' count, so only running side by side differs
        torch.set_num_threads(threads_before)
        together[i] = _weights(train(cfgs[i], small, every=3).model)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=300)
    for i in range(2):
        assert together[i] is not None, f"training {i} failed"
        for k in solo[i]:
            assert torch.equal(solo[i][k], together[i][k]), (i, k)
    assert torch.get_num_threads() == threads_before
    assert torch.equal(torch.random.get_rng_state(), rng_before)


def test_without_native_bf16_it_trains_in_float32_to_the_same_accuracy(small, monkeypatch):
    from nnplay.engine.mnist import precision

    accs = {}
    for native in (False, True):
        monkeypatch.setattr(precision, "native_bf16", lambda native=native: native)
        tr = MnistTrainer(recommended("cnn", epochs=2), small, every=1000)
        assert tr.bf16 is native  # auto: bf16 only where the CPU has it
        for _ in tr.run():
            pass
        accs[native] = tr.metrics()["test_accuracy"]
    assert accs[False] > 0.85 and abs(accs[True] - accs[False]) < 0.03, accs
    assert MnistTrainer(recommended("mlp", epochs=1, subset=100), small).bf16 is False  # fp32 for the MLP
    assert MnistTrainer(recommended("cnn", epochs=1, subset=100), small, precision="fp32").bf16 is False
    with pytest.raises(ConfigError, match="precision"):
        MnistTrainer(recommended("cnn", epochs=1, subset=100), small, precision="fp16")
