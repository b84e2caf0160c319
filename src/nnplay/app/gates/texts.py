"""Words of the logic-gate lab: control help lines, the About text, and the tab's CSS."""

from __future__ import annotations

from nnplay.engine.gates.config import HELP

INFO = {
    **HELP,
    "gate": "the truth table to learn; 'custom' when the bits you flip below make an unnamed table",
    "custom": "click an output bit to flip it (the gate becomes 'custom')",
    "sampling": HELP["sampling"],
    "n_points": "noisy sampling: points drawn around each corner",
    "noise": "noisy sampling: spread of the points around their corner",
    "train_ratio": "noisy sampling: share of points used for training; the rest are test points",
    "show_test": "draw the test points (squares) on the decision boundary",
    "features": "what the network sees; x1·x2 makes XOR solvable without a hidden layer",
    "lr": "step size; applies live, without a reset",
    "optimizer": "gradient → update; adamw adds weight decay 0.01 (resets)",
    "activation": "hidden neurons' non-linearity (resets)",
    "batch_size": "examples per update (applies live)",
    "regularization": "L1 zeroes weights, L2 shrinks them",
    "reg_rate": "penalty strength (applies live)",
    "seed": "same seed, same start (resets)",
    "speed": "epochs trained per screen update",
    "discretize": "show the 0/1 decision (p ≥ 0.5) instead of the probability",
    "timeline": "drag to see the network at an earlier epoch",
    "try_mode": "continuous sliders, or 0/1 switches like a truth-table row",
    "node": "or click a node in the diagram",
    "edge": "or click an edge near its right end; then type a weight and press Set",
    "weight": "then press Set (or Enter)",
    "try_x": "any value",
    "try_bit": "tick for 1",
    "link": "a URL that opens the lab with these settings",
}

ABOUT = """
**What the figures show**

- **Decision boundary** (right): the network's probability that the output is 1 at every point of the
  input square — blue near 1, orange near 0. Circles are training points, squares test points, coloured by
  their true label. *Discretize* shows only the decision (p ≥ 0.5). The star is your "try an input" point.
- **Network** (middle): every node drawn as a small heatmap of its activation over the same square, so you
  see what each neuron has learned to detect. Lines are weights: **blue positive, orange negative**, wider when
  larger. Click a node to enlarge it, or an edge near its right end to edit its weight.
- **Curves**: loss (log scale) and accuracy on the training and test points; the dotted line marks the epoch
  shown by the timeline.
- **Truth table**: each input row with the network's probability and its 0/1 answer, green when right.

**Why XOR needs a hidden layer.** Without a hidden layer the network computes σ(w₁x₁ + w₂x₂ + b): its
boundary is one straight line. XOR's 1s (01 and 10) sit on one diagonal and its 0s on the other, and no
single line separates them (Minsky & Papert, 1969). A hidden layer lets the network draw two lines and
combine them — watch the hidden neurons' tiles become two half-planes. Alternatively, turn on the x₁·x₂
feature: XOR = x₁ + x₂ − 2x₁x₂ on the corners, which *is* linear in (x₁, x₂, x₁x₂).

**What the learning rate does.** Each step moves every weight by −lr × its gradient. Too small (1e-4) and
the loss barely moves; around 0.03 with Adam, XOR is solved in a few dozen epochs; too large (3–10) and the
steps overshoot, the loss jumps around or blows up and training stops with a message. You can change it
while training — it applies at once, without a reset. Changing the architecture, activation, optimizer,
data or seed starts again from fresh weights, as in TensorFlow Playground.
"""

CSS = """
#gates-root .gates-col-title {font-weight: 600; font-size: 13px; letter-spacing: .06em;
  text-transform: uppercase; color: var(--body-text-color-subdued); margin: 2px 0 4px 2px}
#gates-epoch {text-align: center}
#gates-epoch .ep-label {font-size: 11px; letter-spacing: .08em; text-transform: uppercase;
  color: var(--body-text-color-subdued)}
#gates-epoch .ep-value {font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; line-height: 1.1}
#gates-root .gates-btn button, #gates-root button.gates-btn {min-width: 0}
#gates-root .gates-bit {min-width: 0 !important; font-family: ui-monospace, monospace}
#gates-root .gates-bit-on {background: #dbeafe !important; color: #0b4f80 !important}
#gates-truth table {width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px}
#gates-truth th {font-weight: 600; text-align: center; padding: 3px 6px; border-bottom: 1px solid #cbd5e1;
  color: var(--body-text-color-subdued)}
#gates-truth td {text-align: center; padding: 3px 6px}
#gates-truth tr.ok td {background: #dcfce7; color: #14532d}
#gates-truth tr.bad td {background: #fee2e2; color: #7f1d1d}
#gates-truth .verdict {margin-top: 6px; font-size: 13px}
#gates-status {min-height: 1.6em; font-size: 14px; align-self: center; overflow-wrap: anywhere}
#gates-topbar .gates-transport {flex-wrap: nowrap; align-items: center}
#gates-topbar .gates-transport button {height: 44px; white-space: nowrap; min-width: 96px}
#gates-status .msg-warn {color: #b45309}
#gates-status .msg-bad {color: #b91c1c; font-weight: 600}
#gates-status .msg-ok {color: #15803d}
#gates-root .gates-layer-ctl {min-width: 0 !important; gap: 2px !important}
#gates-root .gates-layer-ctl button {min-width: 0; padding: 2px 6px}
#gates-root .gates-layer-n {text-align: center; font-size: 12px; color: var(--body-text-color-subdued)}
#gates-root .gates-layers {text-align: center; padding-top: 6px}
#gates-try-out {font-size: 15px}
"""
CSS += """
#gates-root .gates-live-plot {background: var(--block-background-fill); border: 1px solid var(--block-border-color);
  border-radius: var(--block-radius); padding: 4px; min-height: 120px}
#gates-root .gates-plotly-loader {position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden !important; opacity: 0; pointer-events: none}
"""
