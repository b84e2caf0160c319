"""The best_in_budget recipe (bench/mnist_rows.py BEST_RECIPE): the CLI can express it, and it
trains on a subset to the accuracy the recipe's parts promise (no timing asserted)."""

from __future__ import annotations

import pytest

from nnplay.bench.mnist_rows import BEST_RECIPE, BenchContext, best_in_budget_config, recipe_flags
from nnplay.engine.mnist import MnistConfig, MnistTrainer, load_mnist
from nnplay.engine.mnist.trainer import accuracy


def test_the_cli_flags_build_the_very_recipe():
    from nnplay.cli import build_parser
    from nnplay.cli.train_mnist import build_config

    cfg = MnistConfig.from_dict({**BEST_RECIPE, "epochs": 17, "seed": 2})
    flags = recipe_flags(cfg)
    assert "--ema" in flags and "--augment" in flags and flags[flags.index("--epochs") + 1] == "17"
    assert build_config(build_parser().parse_args(["train", "mnist", *flags])) == cfg


def test_quick_plan_keeps_the_recipe():
    cfg = best_in_budget_config(BenchContext(quick=True, threads=1), budget_s=2.0)
    assert cfg == MnistConfig.from_dict({**BEST_RECIPE, "threads": 1, "epochs": cfg.epochs})


@pytest.mark.parametrize("seed", [0])
def test_recipe_learns_on_a_subset_and_scores_its_averaged_weights(seed):
    data = load_mnist(subset=3000, test_subset=1000)
    cfg = MnistConfig.from_dict({**BEST_RECIPE, "epochs": 3, "seed": seed, "threads": 1})
    tr = MnistTrainer(cfg, data, every=10**9)
    events = list(tr.run())
    ends = [e.test_acc for e in events if e.test_acc is not None]
    assert tr.ema is not None and tr.ema.updates == tr.step_count
    # the last number is the averaged model's, which the run leaves in tr.model
    assert ends[-1] == accuracy(tr.model, data.test_pixels, data.test_y, channels_last=True)
    assert ends[-1] >= 0.93  # 3,000 images, 3 epochs: ~95-96% (seed 0); a broken average or schedule falls well below
