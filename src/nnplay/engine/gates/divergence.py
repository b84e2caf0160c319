"""When to call a gate run diverged, and the message that says so.

Two ways a too-large learning rate shows up:

1. The loss becomes NaN or infinite: the weights overflowed. The trainer puts back the
   weights from before that epoch and stops at once.
2. The loss jumps up and bounces around a high value for ever, finite but hopeless
   (SGD at lr 10 on XOR: 0.7 at the start, then between 4 and 9). `LossWatch` catches
   this: the training loss stays above GROWTH x max(the loss at the (re)start, ln 2)
   for PATIENCE epochs in a row. ln 2 = 0.693 is the loss of answering p = 0.5
   everywhere, so the bar is never below 1.39: twice as bad as guessing, for 50 epochs.
   A network that is only stuck (loss flat near 0.69) is not diverged.
"""

from __future__ import annotations

import math


def nan_message(epoch: int, lr: float, bad_loss: float) -> str:
    what = "NaN (not a number)" if math.isnan(bad_loss) else "infinite"
    return f"diverged at epoch {epoch}: lower the learning rate (it is {lr:g}; the loss became {what})"


class LossWatch:
    GROWTH = 2.0
    PATIENCE = 50

    def __init__(self, loss: float):
        self.restart(loss)

    def restart(self, loss: float) -> None:
        """Measure growth from `loss` (at the start, after an lr change or a weight edit)."""
        self.start = float(loss)
        self.high_epochs = 0

    @property
    def bar(self) -> float:
        return self.GROWTH * max(self.start, math.log(2))

    def update(self, epoch: int, loss: float, lr: float) -> str | None:
        """Count one epoch's training loss; the divergence message once it has stayed
        above the bar PATIENCE epochs in a row, else None."""
        self.high_epochs = self.high_epochs + 1 if loss > self.bar else 0
        if self.high_epochs < self.PATIENCE:
            return None
        return (f"diverged at epoch {epoch}: lower the learning rate (it is {lr:g}; the loss grew from "
                f"{self.start:.3g} to {loss:.3g} and stayed above {self.bar:.3g} for {self.PATIENCE} epochs)")
