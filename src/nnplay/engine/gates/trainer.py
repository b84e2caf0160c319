"""The stepping trainer behind the logic-gate lab, the CLI, the sweeps and the bench.

    tr = GateTrainer(GateConfig(gate="XOR"))
    snap = tr.step(10)          # train 10 epochs, get metrics, weights and grids
    tr.set_lr(0.1)              # takes effect on the next step, nothing is reset
    tr.at(0)                    # epoch 0 again, grids rebuilt from its saved weights

One *epoch* is one pass over the training set: a single update for full-batch
training (the default; exact data has just 4 or 8 rows), or ceil(N / batch) updates
in a freshly shuffled order for mini-batches. Training stops when the loss diverges
(NaN/inf, or grown and stuck high: see divergence.py).

Speed: the networks are tiny (tens of weights), so the cost of an epoch is almost
all Python and dispatch overhead, not arithmetic. We therefore keep the tensors
prebuilt (features computed once), skip the test pass when test == train (exact
sampling), never build grids inside the epoch loop, and draw grids with one batched
forward pass over all G*G grid points. No torch.set_num_threads here: that is a
process-wide setting and belongs to the program, not the library.
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import numpy as np
import torch

from ..checkpoint import load_checkpoint, load_into, save_checkpoint
from ..choices import make_optimizer
from ..errors import CheckpointError, ConfigError
from .config import GateConfig
from .divergence import LossWatch, nan_message
from .data import feature_matrix, feature_names, make_dataset
from .model import GateMLP, bce_with_logits, edit_bias, edit_weight, penalty, predict_probs
from .snapshot import CURVE_KEYS, Snapshot, draw_grids, grid_features
from .truth import gate_label, input_rows


class GateTrainer:
    GRID_RANGE = (-0.5, 1.5)  # the drawn input square; the corners 0 and 1 sit inside
    # Config fields that can change between steps without rebuilding the network.
    LIVE_FIELDS = ("lr", "regularization", "reg_rate", "batch_size", "epochs")
    # The history keeps at most this many entries: when full, every other older entry
    # is dropped (epoch 0 and the newest stay), so a long session thins its timeline
    # instead of growing without bound (~1.5 KB per entry for a 2-[8,8]-1 network).
    MAX_HISTORY = 10_000

    def __init__(self, cfg: GateConfig | None = None, grid_size: int = 40, grid_x3: float = 0.0):
        """`grid_x3`: for 3-input gates the grid is a slice of the cube at x3 = grid_x3."""
        cfg = (cfg if cfg is not None else GateConfig()).validate()
        if not isinstance(grid_size, int) or not 2 <= grid_size <= 400:
            raise ConfigError(f"grid_size must be a whole number from 2 to 400, got {grid_size}")
        self.cfg = cfg
        self.table = cfg.table
        self.n_inputs = cfg.n_inputs
        self.feature_names = feature_names(cfg.features, self.n_inputs)
        self.data = make_dataset(cfg)

        # Features are fixed functions of the inputs: compute them once, (N, F).
        self._x_train = feature_matrix(torch.from_numpy(self.data.x_train), self.feature_names)
        self._y_train = torch.from_numpy(self.data.y_train)
        self._same_test = cfg.sampling == "exact"  # exact: test set == training set
        self._x_test = feature_matrix(torch.from_numpy(self.data.x_test), self.feature_names)
        self._y_test = torch.from_numpy(self.data.y_test)

        # One seeded generator: first the initial weights, then the batch order.
        self._gen = torch.Generator().manual_seed(cfg.seed)
        self.model = GateMLP(len(self.feature_names), cfg.hidden, cfg.activation, self._gen)
        self.optimizer = make_optimizer(cfg.optimizer, self.model.parameters(), cfg.lr)
        self._params = list(self.model.parameters())
        self._backup = [p.detach().clone() for p in self._params]  # weights before the current epoch

        self.grid_size = grid_size
        self.grid_x3 = float(grid_x3)
        self._grid_cache: tuple[float, np.ndarray] | None = None

        self.epoch = 0
        self.diverged: str | None = None
        self._curve: dict[str, list] = {k: [] for k in CURVE_KEYS}
        self._metrics = self._evaluate()  # (train_loss, test_loss, train_acc, test_acc) of the current weights
        self._restart_watch()
        self._record_curve()
        self.history: list[Snapshot] = [self._light()]

    # ------------------------------------------------------------------ training
    def _evaluate(self) -> tuple[float, float, float, float]:
        """Loss and accuracy of the current weights on train and test (no gradients)."""
        with torch.no_grad():
            z = self.model(self._x_train)
            train = torch.stack([bce_with_logits(z, self._y_train),
                                 ((z > 0) == (self._y_train > 0.5)).float().mean()]).tolist()
            if self._same_test:
                test = train
            else:
                zt = self.model(self._x_test)
                test = torch.stack([bce_with_logits(zt, self._y_test),
                                    ((zt > 0) == (self._y_test > 0.5)).float().mean()]).tolist()
        return train[0], test[0], train[1], test[1]

    def _update(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """One gradient step on a batch: loss = BCE(logits, y) [+ penalty]."""
        loss = bce_with_logits(self.model(x), y)
        extra = penalty(self.model, self.cfg.regularization, self.cfg.reg_rate)
        if extra is not None:
            loss = loss + extra
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()

    def _train_epochs(self, n: int, until_solved: bool = False) -> int:
        """Train up to n epochs; stop early on divergence (or once solved if asked).
        Returns the number of epochs completed."""
        n_train = len(self._y_train)
        batch = self.cfg.effective_batch_size()
        done = 0
        for _ in range(n):
            if self.diverged or (until_solved and self._metrics[2] >= 1.0):
                break
            with torch.no_grad():  # keep the last good weights in case this epoch blows up
                for b, p in zip(self._backup, self._params):
                    b.copy_(p)
            if batch >= n_train:
                self._update(self._x_train, self._y_train)
            else:
                order = torch.randperm(n_train, generator=self._gen)
                for start in range(0, n_train, batch):
                    idx = order[start:start + batch]
                    self._update(self._x_train[idx], self._y_train[idx])
            metrics = self._evaluate()
            if not (math.isfinite(metrics[0]) and math.isfinite(metrics[1])):
                self._diverge(metrics[0] if not math.isfinite(metrics[0]) else metrics[1])
                break
            self.epoch += 1
            self._metrics = metrics
            self._record_curve()
            done += 1
            # A finite loss that grew and stayed high also stops (the weights stay).
            self.diverged = self._watch.update(self.epoch, metrics[0], self.cfg.lr)
            if self.diverged:
                break
        return done

    def _restart_watch(self) -> None:
        self._watch = LossWatch(self._metrics[0])

    def _diverge(self, bad_loss: float) -> None:
        """The loss became NaN/inf: put back the weights from before this epoch and stop."""
        with torch.no_grad():
            for p, b in zip(self._params, self._backup):
                p.copy_(b)
        self.diverged = nan_message(self.epoch + 1, self.cfg.lr, bad_loss)

    def _record_curve(self) -> None:
        for key, value in zip(CURVE_KEYS, (self.epoch, *self._metrics)):
            self._curve[key].append(value)

    def train(self, n: int = 1, *, until_solved: bool = False) -> int:
        """Train n epochs without drawing grids (fast path for CLI, sweeps, bench).
        Adds one light history entry. Returns the epochs actually run (fewer if it
        diverged, or if `until_solved` and it reached 100% training accuracy)."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ConfigError(f"the number of epochs to train must be a whole number >= 0, got {n!r}")
        was = self.diverged
        done = self._train_epochs(n, until_solved)
        if done or self.diverged != was:
            self.history.append(self._light())
            if len(self.history) > self.MAX_HISTORY:
                self.history = self.history[:1] + self.history[2:-1:2] + self.history[-1:]
        return done

    def step(self, n: int = 1) -> Snapshot:
        """Train n epochs and return the full snapshot (metrics, weights, grids).
        Once diverged this is a no-op that returns the snapshot with the message."""
        self.train(n)
        return self.snapshot()

    # ------------------------------------------------------------------ live changes
    def set_lr(self, lr: float) -> None:
        """Change the learning rate for the next steps; weights and optimizer state stay.
        After a divergence this also clears the stop and starts the optimizer afresh
        (its running averages hold NaN), so training can resume at the lower rate."""
        self.cfg = self.cfg.replace(lr=lr)  # validates (ConfigError for 0, negative, NaN, > 10)
        if self.diverged:
            self.optimizer = make_optimizer(self.cfg.optimizer, self.model.parameters(), self.cfg.lr)
            self.diverged = None
        self._restart_watch()
        for group in self.optimizer.param_groups:
            group["lr"] = self.cfg.lr

    def apply(self, cfg: GateConfig) -> bool:
        """Adopt `cfg` if it differs from the current config only in LIVE_FIELDS (no
        reset needed) and return True; otherwise change nothing and return False
        (the caller builds a new trainer: the network or data changed)."""
        cfg = cfg.validate()
        changed = {f.name for f in dataclasses.fields(cfg) if getattr(cfg, f.name) != getattr(self.cfg, f.name)}
        if not changed <= set(self.LIVE_FIELDS):
            return False
        if "lr" in changed:
            self.set_lr(cfg.lr)
        self.cfg = cfg
        return True

    def set_weight(self, layer: int, out_idx: int, in_idx: int, value: float) -> None:
        """Edit one edge: weights[layer][out_idx, in_idx] = value (layer 0 is the first)."""
        edit_weight(self.model, layer, out_idx, in_idx, value)
        self._after_edit()

    def set_bias(self, layer: int, out_idx: int, value: float) -> None:
        """Edit one node's bias: biases[layer][out_idx] = value."""
        edit_bias(self.model, layer, out_idx, value)
        self._after_edit()

    def _after_edit(self) -> None:
        # The metrics at this epoch changed: refresh them, the curve's last point and
        # the last history entry, so the timeline shows the edited network.
        self._metrics = self._evaluate()
        self._restart_watch()
        for key, value in zip(CURVE_KEYS[1:], self._metrics):
            self._curve[key][-1] = value
        if self.history and self.history[-1].epoch == self.epoch:
            self.history[-1] = self._light()

    # ------------------------------------------------------------------ state views
    @property
    def metrics(self) -> dict:
        tl, vl, ta, va = self._metrics
        return {"epoch": self.epoch, "train_loss": tl, "test_loss": vl, "train_acc": ta, "test_acc": va}

    @property
    def solved(self) -> bool:
        """100% training accuracy (every training point on the right side of 0.5)."""
        return self._metrics[2] >= 1.0

    @property
    def solved_epoch(self) -> int | None:
        """The first recorded epoch with 100% training accuracy, or None."""
        for epoch, acc in zip(self._curve["epoch"], self._curve["train_acc"]):
            if acc >= 1.0:
                return epoch
        return None

    @property
    def curve(self) -> dict[str, list]:
        """Per-epoch metrics: {"epoch": [...], "train_loss": [...], ...} (copies)."""
        return {k: list(v) for k, v in self._curve.items()}

    @property
    def curve_len(self) -> int:
        """Points recorded in the curve so far (one per epoch, plus epoch 0)."""
        return len(self._curve["epoch"])

    def curve_points(self, start: int = 0, stop: int | None = None, step: int = 1) -> dict[str, list]:
        """A slice of the curve, {key: values[start:stop:step]}, without copying all of it
        (the live view sends only the points added since its last frame)."""
        return {k: v[start:stop:step] for k, v in self._curve.items()}

    def _light(self) -> Snapshot:
        return Snapshot(self.epoch, *self._metrics,
                        weights=[l.weight.detach().numpy().copy() for l in self.model.layers],
                        biases=[l.bias.detach().numpy().copy() for l in self.model.layers],
                        diverged=self.diverged)

    def snapshot(self) -> Snapshot:
        """The current state, with grids."""
        snap = self._light()
        grid, hidden, inputs = self._grids(snap.weights, snap.biases)
        return dataclasses.replace(snap, grid=grid, hidden=hidden, inputs=inputs)

    def at(self, i: int) -> Snapshot:
        """History entry i (negative counts from the end) with its grids rebuilt."""
        if not isinstance(i, (int, np.integer)) or not -len(self.history) <= i < len(self.history):
            raise ConfigError(f"no history entry {i}; there are {len(self.history)}")
        h = self.history[i]
        grid, hidden, inputs = self._grids(h.weights, h.biases)
        return dataclasses.replace(h, grid=grid, hidden=hidden, inputs=inputs)

    # ------------------------------------------------------------------ grids
    @property
    def grid_axis(self) -> np.ndarray:
        """(G,) the x1 (columns) and x2 (rows) coordinates of the grid."""
        return np.linspace(*self.GRID_RANGE, self.grid_size, dtype=np.float32)

    def _grid_features(self) -> np.ndarray:
        """(F, G*G) features of the grid points as columns (cached; rebuilt when grid_x3 changes)."""
        if self._grid_cache is None or self._grid_cache[0] != self.grid_x3:
            self._grid_cache = (self.grid_x3, grid_features(self.grid_axis, self.n_inputs, self.grid_x3,
                                                            self.feature_names))
        return self._grid_cache[1]

    def _grids(self, weights, biases) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
        return draw_grids(self._grid_features(), weights, biases, self.cfg.activation, self.grid_size)

    # ------------------------------------------------------------------ prediction
    def predict_many(self, x) -> np.ndarray:
        """Raw inputs (N, n_inputs) -> probabilities (N,) float32."""
        return predict_probs(self.model, self.feature_names, self.n_inputs, x)

    def predict(self, x1: float, x2: float, x3: float | None = None) -> float:
        """The probability that the gate outputs 1 at (x1, x2[, x3]); inputs may be any
        real numbers, not just 0/1 (that is the decision boundary you see)."""
        if self.n_inputs == 3 and x3 is None:
            raise ConfigError("this gate has 3 inputs; give x3 as well")
        if self.n_inputs == 2 and x3 is not None:
            raise ConfigError("this gate has 2 inputs; x3 is not used")
        row = [x1, x2] + ([x3] if self.n_inputs == 3 else [])
        try:
            row = [float(v) for v in row]
        except (TypeError, ValueError):
            raise ConfigError(f"inputs must be numbers, got {row}") from None
        return float(self.predict_many([row])[0])

    def truth_table(self) -> list[dict]:
        """[{"inputs": [0, 1], "target": 1, "probability": 0.98}, ...] in row order."""
        rows = input_rows(self.n_inputs)
        probs = self.predict_many(rows)
        return [{"inputs": list(r), "target": int(t), "probability": float(p)}
                for r, t, p in zip(rows, self.table, probs)]

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def save(self, path) -> Path:
        """Save weights (safetensors) + config and metrics (JSON). Returns the weights path."""
        return save_checkpoint(path, self.state_dict(), kind="gates", config=self.cfg.to_dict(),
                               metrics={**self.metrics, "solved": self.solved, "diverged": self.diverged})

    @classmethod
    def from_checkpoint(cls, path, grid_size: int = 40) -> "GateTrainer":
        """Rebuild a trainer from a checkpoint (weights, config, epoch). The optimizer
        starts afresh (its state is not saved) and the history starts here."""
        tensors, meta = load_checkpoint(path)
        if meta.get("kind") != "gates":
            raise CheckpointError(f"{path}: a {meta.get('kind')!r} checkpoint, not a logic-gate one")
        try:
            cfg = GateConfig.from_dict(meta.get("config") or {})
        except ConfigError as e:
            raise CheckpointError(f"{path}: its config is not valid ({e})") from None
        tr = cls(cfg, grid_size=grid_size)
        load_into(tr.model, tensors, path)
        tr.epoch = int((meta.get("metrics") or {}).get("epoch", 0))
        tr._metrics = tr._evaluate()
        tr._restart_watch()
        tr._curve = {k: [] for k in CURVE_KEYS}
        tr._record_curve()
        tr.history = [tr._light()]
        return tr

    # ------------------------------------------------------------------ whole runs
    def fit(self, epochs: int | None = None, *, until_solved: bool = False, callback=None,
            chunk: int = 50) -> dict:
        """Train `epochs` (default cfg.epochs) in chunks, calling callback(trainer,
        epochs_done) after each; return the report (see `report`)."""
        epochs = self.cfg.epochs if epochs is None else epochs
        start, t0 = self.epoch, time.perf_counter()
        remaining = epochs
        while remaining > 0 and not self.diverged:
            k = min(chunk, remaining)
            self.train(k, until_solved=until_solved)
            remaining -= k
            if callback is not None:
                callback(self, self.epoch - start)
            if until_solved and self.solved:
                break
        return self.report(seconds=time.perf_counter() - t0, epochs=self.epoch - start)

    def report(self, *, seconds: float = 0.0, epochs: int | None = None) -> dict:
        """The metrics as the CLI's JSON keys."""
        tl, vl, ta, va = self._metrics
        return {
            "gate": gate_label(self.cfg.gate),
            "train_accuracy": ta,
            "test_accuracy": va,
            "loss": tl,
            "test_loss": vl,
            "epochs": self.epoch if epochs is None else epochs,
            "seconds": seconds,
            "solved": self.solved,
            "solved_epoch": self.solved_epoch,
            "diverged": self.diverged,
            "truth_table": self.truth_table(),
        }


def train_gate(cfg: GateConfig | None = None, *, until_solved: bool = False, callback=None) -> dict:
    """Build a trainer, train cfg.epochs (or until solved), return the report dict:
    train_accuracy, test_accuracy, loss, test_loss, epochs, seconds (construction
    included), solved, solved_epoch, diverged, truth_table, gate."""
    t0 = time.perf_counter()
    tr = GateTrainer(cfg)
    out = tr.fit(until_solved=until_solved, callback=callback)
    out["seconds"] = time.perf_counter() - t0
    return out
