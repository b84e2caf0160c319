"""Training one MNIST model with several processes: torch.distributed DDP over gloo.

Launch it with torchrun, which starts the processes ("ranks") and tells each who it is
through environment variables:

    torchrun --nproc_per_node=2 -m nnplay train mnist --distributed --epochs 2

    RANK        this process's number, 0 .. WORLD_SIZE-1 (rank 0 writes the checkpoint)
    WORLD_SIZE  how many processes train together (over all machines)
    LOCAL_RANK, LOCAL_WORLD_SIZE   the same, counted on this machine only
    MASTER_ADDR, MASTER_PORT       where rank 0 listens, so the others can find it

How data-parallel training works (DistributedDataParallel, "DDP"):

1. Every rank builds the same model. DDP copies rank 0's initial weights to all the
   others when it wraps the model, so they all start identical.
2. Every epoch, every rank draws the *same* random permutation of the N training
   images (same seed), and keeps only its shard, every WORLD_SIZE-th index starting
   at RANK:   shard = perm[RANK :: WORLD_SIZE]   (N / WORLD_SIZE indices).
   So the ranks see disjoint images and together cover the whole epoch once.
3. Each step, each rank runs forward and backward on its own B/W images (B is the
   config's batch size, the *global* batch, W the world size). During backward, DDP
   averages the gradients of all ranks with an all-reduce:

       g = (g_0 + g_1 + ... + g_{W-1}) / W

   which equals the gradient of the mean loss over the whole global batch of B
   images. Every rank then takes the same optimizer step from the same weights with
   the same gradient, so the weights stay identical on every rank without ever
   being sent. (Only gradients travel: one all-reduce per step.)
4. Batch norm keeps running statistics (buffers, not parameters). DDP broadcasts
   rank 0's buffers before each forward pass, so the saved statistics are rank 0's.
   Each rank normalises its own B/W images with that batch's statistics; that is
   the usual DDP behaviour on a CPU (SyncBatchNorm needs a GPU).

The checkpoint is written by rank 0 alone, from the plain model inside the DDP
wrapper, with the same `save_model` as a single-process run, so `nnplay eval`,
`nnplay predict` and the app load it unchanged.

gloo is PyTorch's CPU backend (NCCL is for GPUs). Across machines it needs the
MASTER port open between them; see docs/benchmarks.md for the multi-node recipe.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

from ..errors import ConfigError
from .config import MnistConfig
from .data import MnistData, load_mnist
from .trainer import MnistTrainer, Shard

ENV_VARS = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
LAUNCH_HINT = ("start it with torchrun, e.g. `torchrun --nproc_per_node=2 -m nnplay train mnist --distributed`")


@dataclass(frozen=True)
class DistEnv:
    rank: int
    world_size: int
    local_rank: int
    local_world_size: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def env_from_os(environ=None) -> DistEnv:
    """Read the torchrun variables, or raise ConfigError saying how to launch."""
    environ = os.environ if environ is None else environ
    missing = [v for v in ENV_VARS if v not in environ]
    if missing:
        raise ConfigError(f"--distributed needs the variables torchrun sets ({', '.join(missing)} missing); "
                          + LAUNCH_HINT)
    try:
        rank, world = int(environ["RANK"]), int(environ["WORLD_SIZE"])
        local_rank = int(environ.get("LOCAL_RANK", rank))
        local_world = int(environ.get("LOCAL_WORLD_SIZE", world))
    except ValueError:
        raise ConfigError("RANK, WORLD_SIZE, LOCAL_RANK must be whole numbers; " + LAUNCH_HINT) from None
    if not (world >= 1 and 0 <= rank < world):
        raise ConfigError(f"RANK {rank} is outside 0..WORLD_SIZE-1 (WORLD_SIZE {world}); " + LAUNCH_HINT)
    return DistEnv(rank, world, local_rank, local_world)


def threads_per_rank(env: DistEnv, threads: int | None = None) -> int:
    """CPU threads for this rank: an explicit number, else OMP_NUM_THREADS (torchrun sets 1
    when it starts several processes per machine), else the cores shared evenly."""
    if threads:
        return int(threads)
    omp = os.environ.get("OMP_NUM_THREADS", "")
    if omp.isdigit() and int(omp) > 0:
        return int(omp)
    return max(1, (os.cpu_count() or 1) // max(1, env.local_world_size))


def init_from_env(backend: str = "gloo", timeout_s: float = 600) -> DistEnv:
    """Join the process group described by the torchrun variables (idempotent)."""
    env = env_from_os()
    if not dist.is_available():
        raise ConfigError("this PyTorch build has no torch.distributed support")
    if not dist.is_initialized():
        # init_method "env://" reads MASTER_ADDR/MASTER_PORT/RANK/WORLD_SIZE; rank 0 opens a
        # small key-value store there, the others connect to it, then gloo links every pair.
        dist.init_process_group(backend=backend, timeout=timedelta(seconds=timeout_s))
    return env


def cleanup() -> None:
    """Leave the group together: the barrier keeps a rank from tearing down its gloo
    connections while another still uses them. (The abort at exit that was seen in tests,
    "terminate called without an active exception", came from the DDP wrapper being freed
    after this point; `fit` frees it first.)"""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def shard(perm: torch.Tensor, rank: int, world: int) -> torch.Tensor:
    """This rank's share of one epoch's permutation: perm[rank::world], after dropping the
    last N mod world indices so every rank has the same count (and so the same number
    of steps: a rank that took one step more would wait forever in its all-reduce)."""
    n = (len(perm) // world) * world
    return perm[:n][rank::world]


def sync_buffers(model: torch.nn.Module) -> None:
    """Copy rank 0's buffers (batch norm's running mean/var and counters) to every rank.
    During training each rank updates its own running statistics after DDP's
    broadcast at the start of the forward pass, so after the last step they differ
    slightly; evaluating or saving wants the one set rank 0 will write."""
    if dist.is_available() and dist.is_initialized():
        for b in model.buffers():
            dist.broadcast(b, src=0)


def flat_parameters(model: torch.nn.Module) -> torch.Tensor:
    """All parameters, then all buffers, as one float32 vector (a copy): what a
    checkpoint holds, flattened, so two ranks can be compared with one subtraction."""
    tensors = [*model.parameters(), *model.buffers()]
    return torch.cat([t.detach().reshape(-1).float() for t in tensors])


def max_rank_difference(model: torch.nn.Module) -> float:
    """max |w_this_rank - w_rank0| over every parameter and buffer: 0.0 when the ranks agree.
    Rank 0 sends its vector to all (broadcast); each rank compares; the worst
    difference is gathered with an all-reduce(MAX)."""
    mine = flat_parameters(model)
    if not (dist.is_available() and dist.is_initialized()):
        return 0.0
    ref = mine.clone()
    dist.broadcast(ref, src=0)
    diff = torch.tensor([float((mine - ref).abs().max()) if len(mine) else 0.0])
    dist.all_reduce(diff, op=dist.ReduceOp.MAX)
    return float(diff)


class DdpShard(Shard):
    """The trainer's hooks for one rank of a DDP job (see trainer.Shard and this module's
    docstring): the rank's share of each permutation, the model wrapped in DDP, and
    all-reduces so that every rank agrees on counts and on when to stop."""

    def __init__(self, env: DistEnv):
        self.env = env
        self.rank, self.world_size = env.rank, env.world_size

    def take(self, perm: torch.Tensor) -> torch.Tensor:
        return shard(perm, self.rank, self.world_size)

    def wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        # Wrapping broadcasts rank 0's parameters and buffers, then hooks every parameter
        # so backward() all-reduces its gradient in buckets while the rest of backward runs.
        return DDP(model)

    def any(self, flag: bool) -> bool:
        t = torch.tensor([1.0 if flag else 0.0])
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())

    def sum(self, values: torch.Tensor) -> torch.Tensor:
        values = values.clone()
        dist.all_reduce(values)  # default op: SUM
        return values

    def sync(self, model: torch.nn.Module) -> None:
        sync_buffers(model)


def fit(cfg: MnistConfig | None = None, data: MnistData | None = None, *,
        data_dir: str | os.PathLike | None = None, threads: int | None = None,
        max_steps: int | None = None, evaluate: bool = True, callback=None) -> tuple[torch.nn.Module, dict]:
    """Train `cfg` data-parallel on every rank of the torchrun job, with the one training
    loop (trainer.MnistTrainer) and this rank's DdpShard.
    Returns (the plain model, metrics); both are the same on every rank.

    cfg.batch_size is the global batch: each rank takes cfg.batch_size // world_size.
    `max_steps` stops early (the benchmark and tests use it); `callback(dict)` is
    called on rank 0 after each epoch with the epoch, test accuracy and seconds.
    Sets this process's torch threads (a rank is its own program: `threads_per_rank`).
    """
    cfg = (cfg or MnistConfig()).validate()
    env = init_from_env()
    torch.set_num_threads(threads_per_rank(env, threads))
    if data is None:
        data = load_mnist(data_dir)  # the trainer takes cfg.subset of it
    # Every rank seeds the same generator: identical initial weights (DDP would copy
    # rank 0's anyway) and identical permutations; random shifts differ per rank.
    trainer = MnistTrainer(cfg, data, every=10**9, eval_every_epoch=evaluate, final_eval=evaluate,
                           shard=DdpShard(env), max_steps=max_steps,
                           shift_generator=torch.Generator().manual_seed(cfg.seed * 1000 + env.rank + 1))
    curve = []
    for ev in trainer.run():
        if ev.test_acc is not None or ev.done:
            if curve and curve[-1]["epoch"] == round(ev.epoch, 4):
                continue
            curve.append({"epoch": round(ev.epoch, 4), "test_accuracy": ev.test_acc if evaluate else None,
                          "seconds": round(trainer.seconds, 3)})
            if callback is not None and env.is_main:
                callback(curve[-1])
    # Training accuracy on this rank's batches of the last epoch, averaged over ranks.
    counts = trainer.shard.sum(torch.tensor([trainer.metrics()["train_accuracy"], 1.0], dtype=torch.float64))
    model = trainer.model
    trainer.shard.sync(model)  # rank 0's batch-norm statistics everywhere, for saving and comparing
    metrics = {
        "test_accuracy": curve[-1]["test_accuracy"] if curve else None,
        "train_accuracy": float(counts[0] / max(1.0, float(counts[1]))),
        "epochs": round(trainer.step_count / trainer.steps_per_epoch, 4),
        "steps": trainer.step_count,
        "seconds": round(trainer.seconds, 3),
        "world_size": env.world_size,
        "threads_per_rank": torch.get_num_threads(),
        "bf16": trainer.bf16,
        "examples_per_sec": round(trainer.examples_seen * env.world_size / max(trainer.seconds, 1e-9), 1),
        "max_rank_weight_diff": max_rank_difference(model),
        "curve": curve,
    }
    # Free the DDP wrapper now, while the process group is alive: its reducer holds
    # gradient buckets and hooks in reference cycles, so without this it would be freed
    # by the garbage collector at some later time, possibly after destroy_process_group
    # or during interpreter shutdown, where gloo's threads abort the process (SIGABRT,
    # "terminate called without an active exception") after all the work is done.
    trainer.net = trainer.optimizer = None
    del trainer
    gc.collect()
    return model, metrics


def train_distributed(cfg: MnistConfig | None = None, data: MnistData | None = None, *,
                      out: str | os.PathLike | None = None, **kw) -> dict:
    """`fit`, then rank 0 saves the checkpoint to `out` (when given) with the
    single-process `save_model`; the others wait for it. Returns the metrics.
    Leaves the process group as it found it (joins and leaves it when needed)."""
    created = not (dist.is_available() and dist.is_initialized())
    env = init_from_env()
    try:
        model, metrics = fit(cfg, data, **kw)
        cfg = (cfg or MnistConfig()).validate()
        if out is not None:
            if env.is_main:
                from .io import save_model  # the single-process checkpoint writer, unchanged

                saved = {k: v for k, v in metrics.items() if k != "curve"}
                metrics["checkpoint"] = str(save_model(out, model, cfg, saved))
            dist.barrier()  # nobody leaves before the file is complete
            if not env.is_main:
                metrics["checkpoint"] = str(Path(out).with_suffix(".safetensors"))
        return metrics
    finally:
        if created:
            cleanup()


def is_main() -> bool:
    """True on rank 0 (and in a plain single process): the one that prints and saves."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank() == 0
    return os.environ.get("RANK", "0") == "0"


def dump_parameters(model: torch.nn.Module, path: str | os.PathLike) -> None:
    """Write this rank's flat parameter vector as .npy (the tests compare ranks' files)."""
    np.save(path, flat_parameters(model).numpy())
