"""The "Experiments" sections of the two labs: hyperparameter sweeps, the seed ensemble
and the classic-lesson presets. Each lab renders its section with one line inside its
own Blocks, passing the gr.State that holds its current config:

    from nnplay.app.experiments import gates_experiments, mnist_experiments
    with gr.Tab("Experiments"):
        gates_experiments(state)      # the gates lab's gr.State (its Session has .cfg)
        mnist_experiments(ui.session) # the MNIST lab's gr.State (.current.cfg, else the MLP recipe)

Called outside any Blocks, each returns its own gr.Blocks (tests, notebooks).
Named endpoints: gates_sweep, gates_ensemble, gates_lesson_xor, gates_lesson_lr,
mnist_sweep, mnist_lesson_width, mnist_lesson_weights.
"""

from .gates import gates_experiments
from .mnist import mnist_experiments

__all__ = ["gates_experiments", "mnist_experiments"]
