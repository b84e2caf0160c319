"""`nnplay train gates|mnist`: the two labs' trainers behind one verb."""

from __future__ import annotations

from . import train_gates, train_mnist


def register(sub) -> None:
    p = sub.add_parser("train", help="train a logic-gate network or an MNIST model",
                       description="Train a model. See `nnplay train gates --help` and `nnplay train mnist --help`.")
    labs = p.add_subparsers(dest="lab", metavar="LAB", parser_class=type(p))
    labs.required = True
    train_gates.register(labs)
    train_mnist.register(labs)
