"""What the gate lab may truthfully say about one frame: solved or not, overfitting, the truth table.

Pure functions of numbers already measured (no torch, no arrays), so the page's status
line, the truth table's verdict and the tests share one set of rules. Each statement is
about the frame shown, never about an earlier one:

- "Solved at epoch 2" only while every training point is right. A network can reach 100%
  by chance and fall back (OR at lr 0.03, seed 0: 100% at epochs 2-3, 75% from epoch 4),
  so afterwards it says "was solved at epoch 2; now 3 of 4 right".
- With exact sampling the test set *is* the training set, so no test numbers are shown.
- With noisy sampling, training points all right while test points are not is
  overfitting: the network learned the points, not the gate. The verdict says so.
"""

from __future__ import annotations

# Train and test accuracy this far apart (or test loss this many times the training
# loss) means they have parted ways. Loose on purpose: noisy points near the boundary
# make a few percent of difference normal.
PART_WAYS_ACC = 0.15
PART_WAYS_LOSS = 2.0
LEARNED_TEST_ACC = 0.9  # noisy sampling: the gate counts as learned from this test accuracy on


def solve_status(first_solved: int | None, epoch: int, train_acc: float, n_right: int, n_total: int,
                 exact: bool = True) -> tuple[str, str] | None:
    """(text, level) about solving, for the frame at `epoch`, or None before any solve.

    first_solved: the first epoch (<= epoch) with 100% training accuracy, or None.
    n_right / n_total: truth-table rows right (exact sampling) or training points right.
    level: "ok" while solved, "warn" after falling back."""
    if first_solved is None or first_solved > epoch:
        return None
    if train_acc >= 1.0:
        return f"Solved at epoch {first_solved}: every training point is right.", "ok"
    what = "right" if exact else "training points right"
    return f"Was solved at epoch {first_solved}; now {n_right} of {n_total} {what}.", "warn"


def parted_ways(train_acc: float, test_acc: float, train_loss: float, test_loss: float) -> bool:
    """True when the test numbers are clearly worse than the training numbers."""
    if train_acc - test_acc >= PART_WAYS_ACC:
        return True
    return train_loss > 0 and test_loss >= PART_WAYS_LOSS * train_loss and test_loss - train_loss > 0.1


def overfit_hint(train_acc: float, test_acc: float, train_loss: float, test_loss: float) -> str | None:
    """A sentence for noisy sampling when train and test part ways, else None."""
    if not parted_ways(train_acc, test_acc, train_loss, test_loss):
        return None
    return (f"Train and test part ways (accuracy {train_acc:.0%} vs {test_acc:.0%}, loss {train_loss:.3f} vs "
            f"{test_loss:.3f}): the network fits its training points more than the gate. That is overfitting; "
            "try more points, less noise, a smaller network or regularization.")


def truth_verdict(n_right: int, n_rows: int, exact: bool = True, test_acc: float | None = None) -> str:
    """The line under the truth table. "The gate is learned" only when every row is right
    and, with noisy sampling, the test points agree (test accuracy >= LEARNED_TEST_ACC)."""
    if n_right < n_rows:
        return f"{n_right} of {n_rows} rows right"
    if exact or test_acc is None:
        return "all rows right — the gate is learned"
    if test_acc >= LEARNED_TEST_ACC:
        return f"all rows right and {test_acc:.0%} of test points — the gate is learned"
    return (f"all {n_rows} corners right, but only {test_acc:.0%} of the test points: "
            "not learned beyond its training points")
