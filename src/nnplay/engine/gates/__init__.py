"""The logic-gate lab's engine: truth tables, datasets, a small MLP and a stepping trainer.

    from nnplay.engine.gates import GateConfig, GateTrainer
    tr = GateTrainer(GateConfig(gate="XOR", hidden=(4, 4)))
    snap = tr.step(100)
    snap.train_acc, snap.grid.shape, tr.truth_table()

Files: truth.py (GATES, parsing), data.py (sampling, FEATURES), model.py (GateMLP),
config.py (GateConfig), snapshot.py (Snapshot, grids), trainer.py (GateTrainer, train_gate).
"""

from .config import CHOICES, HELP, REGULARIZATIONS, SAMPLINGS, GateConfig
from .data import FEATURES, GateData, feature_matrix, feature_names, make_dataset, split_sizes
from .model import GateMLP, describe, forward_with, n_parameters
from .snapshot import CURVE_KEYS, Snapshot
from .trainer import GateTrainer, train_gate
from .truth import ALIASES, GATES, TWO_INPUT_NAMES, canonical_gate, gate_label, input_rows, n_inputs_of, parse_truth_table, table_string

__all__ = [
    "ALIASES", "CHOICES", "CURVE_KEYS", "FEATURES", "GATES", "HELP", "REGULARIZATIONS", "SAMPLINGS", "TWO_INPUT_NAMES",
    "GateConfig", "GateData", "GateMLP", "GateTrainer", "Snapshot",
    "canonical_gate", "describe", "feature_matrix", "feature_names", "forward_with", "gate_label", "input_rows",
    "make_dataset", "n_inputs_of", "n_parameters", "parse_truth_table", "split_sizes", "table_string",
    "train_gate",
]
