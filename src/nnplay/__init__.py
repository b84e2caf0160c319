"""nnplay: a neural-network playground with a logic-gate lab and an MNIST lab.

Layers, imports pointing one way:
    engine/  torch + numpy only (models, data, trainers, checkpoints, preprocessing)
    viz/     pure functions from arrays/state to plotly figures
    app/     Gradio wiring
    cli/     the same engine behind a command line
"""

__version__ = "0.1.0"
