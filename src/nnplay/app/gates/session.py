"""One browser session of the gate lab: its trainer, what is shown, what is selected.

A `Session` lives in a `gr.State`, so every visitor trains their own network. Handlers
mutate it in place (the play generator and the pause button see the same object).
"""

from __future__ import annotations

import dataclasses
import functools
import threading

import numpy as np
import torch

from nnplay.engine.choices import make_activation
from nnplay.engine.errors import ConfigError
from nnplay.engine.gates import GATES, GateConfig, GateTrainer
from nnplay.engine.gates.data import feature_matrix
from nnplay.engine.gates.model import forward_with
from nnplay.engine.gates.truth import canonical_gate, input_rows, table_string

GRID = 40  # grid resolution of every heatmap (40x40 cells over [-0.5, 1.5]^2)
PICKER_GATES = [*GATES, "custom"]  # the same names the engine's errors and the links use
LR_CHOICES = [1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
REG_RATES = [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
BATCH_CHOICES = [("full batch", 0), ("1", 1), ("2", 2), ("4", 4), ("8", 8), ("16", 16), ("32", 32), ("64", 64)]
CONFIG_FIELDS = [f.name for f in dataclasses.fields(GateConfig) if f.name != "epochs"]
LABELS = {"lr": "the learning rate", "reg_rate": "the regularization rate", "batch_size": "the batch size",
          "n_points": "the number of points", "train_ratio": "the train/test ratio", "hidden": "the hidden layers"}


def picker_value(gate: str) -> tuple[str, str]:
    """A config's gate -> (dropdown value, truth-table bits): '0110' -> ('XOR', '0110')."""
    name = canonical_gate(gate)
    return (name if name in GATES else "custom"), table_string(gate)


def gate_from_picker(choice: str, bits: str) -> str:
    return bits if choice == "custom" else choice


@dataclasses.dataclass
class Session:
    cfg: GateConfig
    trainer: GateTrainer
    speed: int = 2                  # epochs per frame of the live view (DEFAULT_SPEED)
    view: int | None = None         # history index shown by the timeline; None = the live state
    node: tuple[int, int] | None = (1, 0)  # (column, index) enlarged; column 0 = inputs
    edge: tuple[int, int, int] | None = None  # (layer, out, in)
    discretize: bool = False
    show_test: bool = True
    try_x: tuple[float, float, float] = (1.0, 0.0, 0.0)
    playing: bool = False
    replay: list = dataclasses.field(default_factory=list)  # history indices still to replay
    pinned: list = dataclasses.field(default_factory=list)  # runs pinned for comparison (app/gates/compare.py)
    lock: threading.RLock = dataclasses.field(default_factory=threading.RLock, repr=False, compare=False)
    message: str = ""               # the last notice shown in the status line
    level: str = "info"             # info | ok | warn | bad
    seq: int = 0                    # frames built so far: the page draws a frame only if newer (Pause wins)
    token: str = ""                 # the live stream's key (app/gates/tokens.py), sent with a frame

    @classmethod
    def new(cls, cfg: GateConfig | None = None, **kw) -> "Session":
        cfg = cfg or GateConfig()
        s = cls(cfg=cfg, trainer=GateTrainer(cfg, grid_size=GRID, grid_x3=kw.get("try_x", (1, 0, 0))[2]), **kw)
        s.fix_selection()
        return s

    # -------------------------------------------------------------- config changes
    def apply(self, cfg: GateConfig) -> str:
        """Adopt a new config: lr, regularization and batch size apply live; anything
        else (data, features, architecture, activation, optimizer, seed) rebuilds the network."""
        changed = [n for n in CONFIG_FIELDS if getattr(cfg, n) != getattr(self.cfg, n)]
        if not changed:
            return self.message
        if self.trainer.apply(cfg):
            self.cfg = cfg
            words = ", ".join(LABELS.get(n, n) for n in changed)
            return self.notify(f"{words[0].upper()}{words[1:]} now applies; training continues without a reset.",
                               "ok")
        self.reset(cfg)
        words = ", ".join(LABELS.get(n, n) for n in changed)
        return self.notify(f"Changed {words}: the network was reset to fresh weights (as in the Playground).",
                           "warn")

    def reset(self, cfg: GateConfig | None = None) -> None:
        self.cfg = cfg or self.cfg
        self.trainer = GateTrainer(self.cfg, grid_size=GRID, grid_x3=self.try_x[2])
        self.view = None
        self.playing = False
        self.replay = []
        self.fix_selection()

    def next_seq(self) -> int:
        """The number of the frame being built; call it holding the lock."""
        self.seq += 1
        return self.seq

    def notify(self, text: str, level: str = "info") -> str:
        self.message, self.level = text, level
        return text

    def fix_selection(self) -> None:
        sizes = self.sizes
        if self.node is None or not (0 <= self.node[0] < len(sizes) and self.node[1] < sizes[self.node[0]]):
            self.node = (1, 0) if len(sizes) > 2 else (len(sizes) - 1, 0)
        if self.edge is not None:
            li, o, j = self.edge
            if not (li < len(sizes) - 1 and o < sizes[li + 1] and j < sizes[li]):
                self.edge = None

    # -------------------------------------------------------------- derived views
    @property
    def sizes(self) -> list[int]:
        """Nodes per column: features, hidden..., 1."""
        return [len(self.trainer.feature_names), *self.cfg.hidden, 1]

    @property
    def n_inputs(self) -> int:
        return self.trainer.n_inputs

    def shown(self):
        """The full snapshot on screen: the live state, or the timeline's epoch."""
        if self.view is None:
            return self.trainer.snapshot()
        return self.trainer.at(self.view)

    def probabilities(self, snap, x_raw: np.ndarray) -> np.ndarray:
        """p(1) for raw inputs (N, n_inputs) under a snapshot's weights (any recorded epoch)."""
        with torch.no_grad():
            x = torch.as_tensor(np.asarray(x_raw, dtype=np.float32))
            feats = feature_matrix(x, self.trainer.feature_names)
            ws = [torch.as_tensor(w) for w in snap.weights]
            bs = [torch.as_tensor(b) for b in snap.biases]
            logits, _ = forward_with(feats, ws, bs, make_activation(self.cfg.activation))
            return torch.sigmoid(logits).numpy().astype(np.float32)

    def truth_rows(self, snap) -> list[dict]:
        rows = input_rows(self.n_inputs)
        probs = self.probabilities(snap, np.array(rows, dtype=np.float32))
        return [{"inputs": list(r), "target": int(t), "probability": float(p)}
                for r, t, p in zip(rows, self.cfg.table, probs)]

    def try_prob(self, snap) -> float:
        x = np.array([self.try_x[: self.n_inputs]], dtype=np.float32)
        return float(self.probabilities(snap, x)[0])


def node_names(session: Session) -> list[list[str]]:
    names = [list(session.trainer.feature_names)]
    names += [[f"h{li + 1}.{k + 1}" for k in range(n)] for li, n in enumerate(session.cfg.hidden)]
    names.append(["output"])
    return names


def config_from_controls(gate: str, bits: str, sampling: str, n_points, noise, train_ratio, features,
                         hidden: str, activation: str, optimizer: str, lr, batch_size, regularization: str,
                         reg_rate, seed) -> GateConfig:
    """The control values -> a validated GateConfig (ConfigError on bad values)."""
    if lr is None or reg_rate is None or seed is None:
        raise ConfigError("fill in the learning rate, regularization rate and seed")
    # No float()/int() here: the learning-rate box takes typed text, and from_dict turns
    # "fast" into a ConfigError ("lr must be a number") instead of a ValueError crash.
    return GateConfig.from_dict(dict(
        gate=gate_from_picker(gate, bits), sampling=sampling, n_points=n_points, noise=noise,
        train_ratio=train_ratio, features=tuple(features or ()), hidden=hidden,
        activation=activation, optimizer=optimizer, lr=lr, batch_size=batch_size,
        regularization=regularization, reg_rate=reg_rate, seed=seed))


MAX_SPEED = 50      # epochs per frame, the slider's top
DEFAULT_SPEED = 2


def link_query(session: Session) -> str:
    """The settings' URL query, with the speed (epochs per frame) when it is not the default."""
    q = session.cfg.to_query()
    if session.speed != DEFAULT_SPEED:
        q = f"{q}&speed={session.speed}" if q else f"speed={session.speed}"
    return q


def locked(fn):
    """Run a handler holding its session's lock: a live tick and a click of the same visitor
    run in different worker threads and must not interleave on one trainer."""
    @functools.wraps(fn)
    def wrapper(session, *args, **kw):
        if session is None:
            return fn(session, *args, **kw)
        with session.lock:
            return fn(session, *args, **kw)
    return wrapper


def ensure(session: Session | None) -> Session:
    return session if session is not None else Session.new()
