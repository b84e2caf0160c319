"""Words of the MNIST lab: one help line per control (in the gate lab's voice, app/gates/texts.py)
and the About text. `apply_info(ui)` puts the help lines on the built controls, so the modules
that build them stay as they are."""

from __future__ import annotations

from .runs import QUICK_TRAIN

INFO = {
    # Try your own digit
    "draw_model": "the bundled CNN, or any model trained in this session",
    "invert": "MNIST digits are light ink on black; auto flips a dark-on-light picture",
    "crop": "as MNIST was made: the ink's box scaled to 20×20 inside 28×28",
    "center": "moves the ink's centre of mass to the middle, as MNIST did",
    # Train & watch the weights
    "model": "logistic: one weight picture per digit; MLP: hidden neurons; CNN, LeNet-5: small filters",
    "hidden": "neurons per hidden layer, e.g. 128,64 (MLP only)",
    "lr": "step size of each update; applies live, while training",
    "optimizer": "how a gradient becomes an update; adam is the safe choice",
    "epochs": "passes over the training images",
    "batch": "images per update: larger is smoother, smaller updates more often",
    "quick": f"only the first {QUICK_TRAIN:,} of the 60,000 training images: seconds, not minutes",
    "schedule": "constant: one rate throughout; onecycle: warm up, then cool down to almost 0",
    "weight_decay": "shrinks every weight a little at each step; 0 = off. Shows the optimizer's own: "
                    "AdamW 0.01 (without it AdamW is Adam), the others 0",
    "dropout": "share of neurons silenced at random while training, so none is relied on alone",
    "augment": "each training image shifted by up to 2 pixels: more variety, slower to fit",
    "seed": "same seed, same start and batch order",
    "diff": "colour each weight by how far it moved from its start",
    "timeline": "drag to see the weights at an earlier moment of the run",
    "act_digit": "the test digit fed to the CNN's first layer",
    # Inspect errors
    "inspect_model": "the model to test on the 10,000 test digits it never trained on",
    "cell_true": "a row of the confusion matrix: what the digit really is",
    "cell_pred": "a column of the confusion matrix: what the model said",
}

ABOUT = """
**What each section shows**

- **Try your own digit**: draw with the mouse or a finger, or upload a photo. *What the model sees* is your
  drawing after the same steps MNIST used (invert, crop to the ink, scale to 20×20, centre in 28×28): if it
  looks unlike an MNIST digit, the model will struggle. *Saliency* paints the pixels that pushed the answer
  up (red) or down (blue).
- **Train & watch the weights**: the curves show the loss and accuracy on the training images (every few
  steps) and on test images the model never trains on. Each weight tile is one neuron's 784 input weights as a
  28×28 picture: red where ink pushes the neuron up, blue where it pushes it down. Tap a tile to enlarge it.
  The histogram shows how the weights spread out as training goes on.
- **Inspect errors**: the confusion matrix counts, for each true digit (row), what the model answered
  (column). Click a cell to see those digits; the most confident mistakes are often digits a person would
  also hesitate over.
- **Compare runs**: every run of this session, its test-accuracy curve and the settings that differed.
- **My handwriting**: keep your own digits with their true labels, and see how every model reads them.

**What the first layer learns.** Logistic regression has one weight picture per digit: after training, each
looks like a blurred template of its digit, with blue where other digits have ink. An MLP's hidden neurons
learn strokes and blobs that many digits share, and a CNN's first filters are tiny 3×3 or 5×5 edge detectors
slid over the whole image, which is why it needs far fewer weights and does better.

**Why test accuracy is the number that counts.** A model can learn its training images by heart. The
10,000 test digits were written by other people and never used for training, so the test accuracy says how
well the model reads handwriting it has never seen. When training accuracy keeps rising and test accuracy
stalls, the model is starting to memorise.

**What the learning rate does.** Each step moves every weight by −lr × its gradient. Too small and the
curves barely move; too large and the loss jumps around or climbs. You can change it while training.
"""

# (control name on the `ui` namespace, INFO key)
CONTROLS = [("draw_model", "draw_model"), ("invert", "invert"), ("crop", "crop"), ("center", "center"),
            ("model", "model"), ("hidden", "hidden"), ("lr", "lr"), ("optimizer", "optimizer"),
            ("epochs", "epochs"), ("batch", "batch"), ("quick", "quick"), ("schedule", "schedule"),
            ("weight_decay", "weight_decay"), ("dropout", "dropout"), ("augment", "augment"), ("seed", "seed"),
            ("diff", "diff"), ("timeline", "timeline"), ("act_digit", "act_digit"),
            ("inspect_model", "inspect_model"), ("cell_true", "cell_true"), ("cell_pred", "cell_pred")]


def apply_info(ui) -> None:
    """Give each built control its help line (read when the page's config is made)."""
    for attr, key in CONTROLS:
        control = getattr(ui, attr, None)
        if control is not None and hasattr(control, "info"):
            control.info = INFO[key]
