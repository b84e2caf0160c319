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
    "speed": "epochs trained between two frames (the page draws up to 60 frames/s); 1 is the slowest",
    "discretize": "show the 0/1 decision (p ≥ 0.5) instead of the probability",
    "timeline": "drag to see the network at an earlier epoch, or type an epoch and press Enter",
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
#gates-root .gates-live {background: var(--block-background-fill); border: 1px solid var(--block-border-color);
  border-radius: var(--block-radius); padding: 6px}
#gates-root #gates-epoch, #gates-root #gates-status {background: none; border-width: 0; padding: 0 4px}
#gates-root .nnp-view {position: relative; width: 100%; contain: content}
#gates-root .nnp-view canvas {display: block; width: 100%}
#gates-root .nnp-boundary {max-width: 460px; margin: 0 auto; aspect-ratio: 1 / 1}
#gates-root .nnp-boundary canvas {height: 100% !important}
#gates-root .nnp-neuron .nnp-title {font-size: 13px; font-weight: 600; margin: 0 0 2px 4px}
#gates-root .nnp-tip {position: absolute; z-index: 5; pointer-events: none; background: #fff; color: #1f2937;
  border: 1px solid #cbd5e1; border-radius: 6px; padding: 4px 8px; font-size: 12px; line-height: 1.35;
  box-shadow: 0 2px 6px rgba(0,0,0,.12); max-width: 220px}
#gates-root .nnp-timeline .tl-label {font-size: 14px; font-weight: 600; margin-bottom: 4px}
#gates-root .nnp-timeline .tl-row {display: flex; gap: 10px; align-items: center}
#gates-root .nnp-timeline .tl-range {flex: 1 1 auto; min-width: 0; accent-color: var(--color-accent)}
#gates-root .nnp-timeline .tl-num {display: flex; gap: 4px; align-items: center; font-size: 13px; white-space: nowrap}
#gates-root .nnp-timeline .tl-epoch {width: 6.5em; padding: 2px 4px; border: 1px solid var(--input-border-color);
  border-radius: 4px; background: var(--input-background-fill); font-variant-numeric: tabular-nums}
#gates-root .nnp-timeline .tl-info {font-size: 12px; color: var(--body-text-color-subdued); margin-top: 2px}
#gates-status .st-conn {margin-top: 4px; padding: 6px 8px; border-radius: 6px; background: #fef3c7; color: #78350f;
  font-size: 13px}
#gates-status .st-conn[hidden] {display: none}
#gates-status .st-conn button {margin-left: 6px; padding: 2px 10px; border-radius: 6px; border: 1px solid #b45309;
  background: #fff; color: #78350f; font-weight: 600; cursor: pointer}
#gates-status .st-metrics {font-variant-numeric: tabular-nums}
"""
# Tablets and phones: the transport buttons and the status wrap; the network and the decision
# boundary come right after them (side by side on a tablet, stacked on a phone), the settings
# below. The three columns dissolve (display: contents) so their blocks can be reordered.
CSS += """
@media (max-width: 1099px) {
  #gates-root {display: flex; flex-direction: column}
  #gates-root > * {order: 3}
  #gates-root > #gates-topbar {order: 0}
  #gates-root > #gates-main {order: 1}
  #gates-root > #gates-settings {order: 2}
  #gates-topbar {flex-wrap: wrap !important; gap: 8px}
  #gates-topbar .gates-transport {flex: 1 1 100% !important; flex-wrap: wrap !important; min-width: 0 !important}
  #gates-topbar .gates-transport button {flex: 1 1 20%; min-width: 0 !important}
  #gates-topbar #gates-epoch {flex: 0 0 auto !important; width: auto !important; min-width: 96px !important}
  #gates-topbar #gates-status {flex: 1 1 220px !important; min-width: 0 !important}
  #gates-main {flex-wrap: wrap !important; align-items: flex-start}
  #gates-main > .gates-col {display: contents}
  #gates-main > .gates-col > * {order: 5; flex: 1 1 100%; min-width: 0 !important}
  #gates-main #gates-net {order: 1; flex: 1 1 52%}
  #gates-main #gates-boundary {order: 2; flex: 1 1 40%}
  #gates-main .gates-title-network, #gates-main .gates-title-output {display: none}
  #gates-settings {flex-wrap: wrap !important}
}
@media (max-width: 640px) {
  #gates-main #gates-net, #gates-main #gates-boundary {flex: 1 1 100%}
  #gates-topbar .gates-transport button {flex: 1 1 40%; height: 40px}
  #gates-root .nnp-boundary {max-width: 100%}
}
"""
