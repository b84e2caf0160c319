"""The pytorch/examples `mnist/main.py` reference, runnable on its own:

    python benchmarks/reference_mnist.py [--epochs 1] [--threads 2] [--subset N]

The network and loop are in `nnplay.bench.reference` (row reference_epoch of `nnplay bench`):
conv32 -> conv64 -> max pool -> dropout -> fc128 -> dropout -> fc10, Adadelta lr 1.0,
StepLR gamma 0.7, batch 64, Normalize((0.1307,), (0.3081,)), DataLoader over a
TensorDataset. MNIST is read with nnplay's verified IDX reader.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from nnplay.bench.reference import run_reference  # noqa: E402
from nnplay.engine.mnist import load_mnist  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--subset", type=int, default=0, help="first N training images (0 = all 60,000)")
    p.add_argument("--data-dir", default=None)
    args = p.parse_args()
    data = load_mnist(args.data_dir, subset=args.subset or None)
    r = run_reference(data, epochs=args.epochs, threads=args.threads)
    times = r["epoch_seconds"] if isinstance(r["epoch_seconds"], list) else [r["epoch_seconds"]]
    for i, t in enumerate(times, 1):
        print(f"epoch {i}: {t:.1f} s")
    print(f"test accuracy {r['test_accuracy']:.2%} (loss {r['test_loss']:.4f}) with {r['threads']} threads")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
