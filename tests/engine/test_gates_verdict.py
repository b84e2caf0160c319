"""What the lab says about a frame is true of that frame (issue 17.2, 17.5)."""

from __future__ import annotations

from nnplay.engine.gates import GateConfig, GateTrainer
from nnplay.engine.gates.verdict import overfit_hint, solve_status, truth_verdict


def first_solved(accs, epoch):
    return next((e for e, a in enumerate(accs[: epoch + 1]) if a >= 1.0), None)


def test_or_solved_then_falls_back_says_so():
    # OR with the defaults (Adam, lr 0.03, seed 0) reaches 100% at epoch 2 by chance and
    # falls back to 75% at epoch 4: the status must follow, not keep saying "Solved".
    tr = GateTrainer(GateConfig(gate="OR", lr=0.03, seed=0))
    tr.train(16)
    accs = tr.curve["train_acc"]
    assert accs[2] == 1.0 and accs[4] < 1.0  # the trajectory this test is about
    text, level = solve_status(first_solved(accs, 2), 2, accs[2], 4, 4)
    assert (text, level) == ("Solved at epoch 2: every training point is right.", "ok")
    right = round(accs[4] * 4)
    text, level = solve_status(first_solved(accs, 4), 4, accs[4], right, 4)
    assert text == "Was solved at epoch 2; now 3 of 4 right." and level == "warn"
    assert "Solved at" not in text


def test_table_0111_is_or_and_behaves_the_same():
    tr = GateTrainer(GateConfig(gate="0111", lr=0.03, seed=0))
    tr.train(6)
    accs = tr.curve["train_acc"]
    assert solve_status(first_solved(accs, 5), 5, accs[5], round(accs[5] * 4), 4)[0].startswith("Was solved at epoch 2")


def test_no_status_before_solving_or_for_an_earlier_frame():
    assert solve_status(None, 10, 0.75, 3, 4) is None
    assert solve_status(7, 5, 0.75, 3, 4) is None  # a timeline frame before the first solve


def test_noisy_fall_back_counts_training_points():
    text, _ = solve_status(3, 9, 0.95, 38, 40, exact=False)
    assert text == "Was solved at epoch 3; now 38 of 40 training points right."


def test_overfit_hint_only_when_train_and_test_part_ways():
    assert overfit_hint(1.0, 0.52, 0.01, 2.3) is not None
    assert "overfitting" in overfit_hint(1.0, 0.52, 0.01, 2.3)
    assert overfit_hint(0.97, 0.95, 0.10, 0.12) is None
    assert overfit_hint(0.9, 0.9, 0.1, 0.5) is not None  # same accuracy, test loss 5x


def test_truth_verdict_does_not_claim_learned_with_poor_test_accuracy():
    assert truth_verdict(4, 4) == "all rows right — the gate is learned"
    assert truth_verdict(3, 4) == "3 of 4 rows right"
    poor = truth_verdict(4, 4, exact=False, test_acc=0.52)
    assert "learned" in poor and "not learned" in poor and "52%" in poor
    assert "the gate is learned" in truth_verdict(4, 4, exact=False, test_acc=0.97)
