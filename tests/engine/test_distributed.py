"""Multi-process training (DDP over gloo) with 2 processes on loopback, on small subsets.

Oracles:
- after one SGD step of an MLP (no batch norm), both ranks hold exactly the weights a
  single process gets from one step on the union of the two ranks' shards (DDP's
  gradient average = the gradient of the mean loss over the global batch);
- `torchrun ... -m nnplay train mnist --distributed` completes and rank 0's checkpoint
  loads with the ordinary `load_model` and scores what the run reported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from netutil import free_port

from nnplay.cli import main as cli_main
from nnplay.engine.mnist import MnistConfig, build_model, evaluate, load_mnist, load_model
from nnplay.engine.mnist.distributed import env_from_os, shard

STEP_CFG = dict(model="mlp", hidden=[32], optimizer="sgd", lr=0.5, batch_size=64, schedule="constant",
                epochs=1, subset=512, seed=3)

WORKER = textwrap.dedent("""
    import json, sys
    from nnplay.engine.mnist import MnistConfig
    from nnplay.engine.mnist import distributed as D
    cfg = MnistConfig.from_dict(json.loads(sys.argv[1]))
    model, metrics = D.fit(cfg, max_steps=1, evaluate=False)
    D.dump_parameters(model, sys.argv[2] + f"/rank{D.env_from_os().rank}.npy")
    with open(sys.argv[2] + f"/metrics{D.env_from_os().rank}.json", "w") as f:
        json.dump({k: v for k, v in metrics.items() if k != "curve"}, f)
    D.cleanup()
""")


def expected_after_one_step(cfg: MnistConfig) -> np.ndarray:
    """One plain SGD step in one process on both ranks' first batches together."""
    data = load_mnist(subset=cfg.subset)
    gen = torch.Generator().manual_seed(cfg.seed)  # as the trainer: initial weights, then the permutation
    model = build_model(cfg.model, cfg.hidden, cfg.dropout, generator=gen)
    perm = torch.randperm(cfg.subset, generator=gen)
    half = cfg.batch_size // 2
    idx = torch.cat([shard(perm, r, 2)[:half] for r in range(2)])
    loss = F.cross_entropy(model(data.train_x[idx]), data.train_y[idx])
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p -= cfg.lr * p.grad
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy()


def test_ranks_agree_after_one_step_and_match_the_single_process_step(tmp_path):
    cfg = MnistConfig.from_dict(STEP_CFG)
    port = free_port()
    procs = []
    for rank in range(2):
        env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "RANK": str(rank),
               "WORLD_SIZE": "2", "LOCAL_RANK": str(rank), "LOCAL_WORLD_SIZE": "2", "OMP_NUM_THREADS": "1"}
        procs.append(subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(STEP_CFG), str(tmp_path)],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]

    w0, w1 = np.load(tmp_path / "rank0.npy"), np.load(tmp_path / "rank1.npy")
    assert w0.shape == w1.shape
    assert np.array_equal(w0, w1), "the two ranks' weights differ after a step"
    m0 = json.loads((tmp_path / "metrics0.json").read_text())
    assert m0["steps"] == 1 and m0["world_size"] == 2 and m0["max_rank_weight_diff"] == 0.0

    start = build_model(cfg.model, cfg.hidden, generator=torch.Generator().manual_seed(cfg.seed))
    initial = torch.cat([p.detach().reshape(-1) for p in start.parameters()]).numpy()
    expected = expected_after_one_step(cfg)
    assert not np.allclose(w0, initial), "no step was taken"
    np.testing.assert_allclose(w0, expected, rtol=1e-4, atol=1e-6)


def test_torchrun_cli_trains_and_rank0_checkpoint_loads(tmp_path):
    out = tmp_path / "ddp-cnn"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           "-m", "nnplay", "train", "mnist", "--distributed", "--subset", "1024", "--epochs", "1",
           "--batch-size", "64", "--out", str(out), "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    assert len(lines) == 1, f"rank 0 alone prints the JSON: {done.stdout!r}"
    result = json.loads(lines[0])
    assert result["world_size"] == 2 and result["epochs"] == 1.0
    assert result["checkpoint"] == str(out) + ".safetensors"

    model, cfg, meta = load_model(result["checkpoint"])  # the single-process loader, unchanged
    assert cfg.model == "cnn" and meta["kind"] == "mnist"
    data = load_mnist()
    acc = evaluate(model, data.test_x, data.test_y).test_accuracy
    assert acc > 0.5, "one epoch on 1,024 images should be far above chance"
    assert acc == pytest.approx(result["test_accuracy"], abs=1e-4)


def test_distributed_without_torchrun_is_one_error_line(monkeypatch, capsys):
    for var in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(var, raising=False)
    assert cli_main(["train", "mnist", "--distributed", "--subset", "100"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "torchrun" in err[0]


def test_env_and_shards():
    env = env_from_os({"RANK": "1", "WORLD_SIZE": "2", "MASTER_ADDR": "x", "MASTER_PORT": "1"})
    assert env.rank == 1 and env.world_size == 2 and not env.is_main
    perm = torch.randperm(11, generator=torch.Generator().manual_seed(0))
    a, b = shard(perm, 0, 2), shard(perm, 1, 2)
    assert len(a) == len(b) == 5                                  # the 11th index is dropped
    assert set(a.tolist()).isdisjoint(b.tolist())                 # disjoint shards
    assert sorted(a.tolist() + b.tolist()) == sorted(perm[:10].tolist())
