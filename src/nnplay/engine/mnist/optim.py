"""The optimizers of `engine.choices.OPTIMIZERS`, driven through torch.optim's functional API.

Why not the `torch.optim.Adam` class itself: its constructor and every `step()` import
`torch._dynamo` (the compiler behind torch.compile), which pulls in sympy and costs about
as long as importing torch - over a second on a 2-core CPU - for a feature training
never uses. The update maths is not rewritten here: each step calls the very function
the class calls (`torch.optim.adam.adam`, `torch.optim.sgd.sgd`, ...), with the class's
own default hyperparameters and the same per-parameter state, so the weights after
every step are bit for bit those of the class (tests/engine/test_mnist_optim.py checks).

    opt = LeanOptimizer("adam", model.parameters(), lr=0.008)
    opt.param_groups[0]["lr"] = 0.004      # the trainer's schedule writes here, as with torch.optim
    opt.zero_grad(); loss.backward(); opt.step()
"""

from __future__ import annotations

import inspect

import torch
from torch.optim import adadelta, adam, adamw, rmsprop, sgd

from ..choices import OPTIMIZERS, pick

# name -> (the torch.optim class whose defaults we take, fixed overrides)
CLASSES = {
    "sgd": (torch.optim.SGD, {}),
    "momentum": (torch.optim.SGD, {"momentum": 0.9}),
    "adam": (torch.optim.Adam, {}),
    "adamw": (torch.optim.AdamW, {}),
    "rmsprop": (torch.optim.RMSprop, {}),
    "adadelta": (torch.optim.Adadelta, {}),
}


def _defaults(cls) -> dict:
    return {k: v.default for k, v in inspect.signature(cls.__init__).parameters.items()
            if v.default is not inspect.Parameter.empty}


class LeanOptimizer:
    """One parameter group, the update of torch.optim's `name` optimizer."""

    def __init__(self, name: str, params, lr: float, weight_decay: float = 0.0):
        pick(OPTIMIZERS, name, "optimizer")  # the same names (and error) as make_optimizer
        cls, fixed = CLASSES[name]
        self.name = name
        self.hp = {**_defaults(cls), **fixed}
        self.params = [p for p in params if p.requires_grad]
        self.param_groups = [{"params": self.params, "lr": float(lr), "weight_decay": float(weight_decay)}]
        self.state: dict[torch.Tensor, dict] = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    def _slot(self, p: torch.Tensor, *names: str) -> dict:
        """The state of parameter p: a step counter and zero buffers named `names`, made on first use."""
        st = self.state.get(p)
        if st is None:
            st = {"step": torch.tensor(0.0, dtype=torch.float32)}
            for n in names:
                st[n] = torch.zeros_like(p, memory_format=torch.preserve_format)
            self.state[p] = st
        return st

    @torch.no_grad()
    def step(self) -> None:
        group, hp = self.param_groups[0], self.hp
        ps = [p for p in self.params if p.grad is not None]
        grads = [p.grad for p in ps]
        lr, wd = group["lr"], group["weight_decay"]
        if self.name in ("sgd", "momentum"):
            bufs = [self.state.get(p, {}).get("momentum_buffer") for p in ps]
            sgd.sgd(ps, grads, bufs, weight_decay=wd, momentum=hp["momentum"], lr=lr, dampening=hp["dampening"],
                    nesterov=hp["nesterov"], maximize=False)
            if hp["momentum"]:
                for p, b in zip(ps, bufs):
                    self.state.setdefault(p, {})["momentum_buffer"] = b
        elif self.name in ("adam", "adamw"):
            sts = [self._slot(p, "exp_avg", "exp_avg_sq") for p in ps]
            fn = adam.adam if self.name == "adam" else adamw.adamw
            beta1, beta2 = hp["betas"]
            fn(ps, grads, [s["exp_avg"] for s in sts], [s["exp_avg_sq"] for s in sts], [], [s["step"] for s in sts],
               amsgrad=False, beta1=beta1, beta2=beta2, lr=lr, weight_decay=wd, eps=hp["eps"], maximize=False)
        elif self.name == "rmsprop":
            sts = [self._slot(p, "square_avg") for p in ps]
            rmsprop.rmsprop(ps, grads, [s["square_avg"] for s in sts], [], [], [s["step"] for s in sts],
                            lr=lr, alpha=hp["alpha"], eps=hp["eps"], weight_decay=wd, momentum=0.0, centered=False)
        else:  # adadelta
            sts = [self._slot(p, "square_avg", "acc_delta") for p in ps]
            adadelta.adadelta(ps, grads, [s["square_avg"] for s in sts], [s["acc_delta"] for s in sts],
                              [s["step"] for s in sts], lr=lr, rho=hp["rho"], eps=hp["eps"], weight_decay=wd,
                              maximize=False)
