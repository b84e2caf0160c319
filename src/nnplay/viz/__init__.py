"""Pure figure builders: arrays and engine state in, Plotly figures out. No Gradio here,
so the CLI, the notebook, the report and the app draw the same figures.

    viz/gates/    the gate lab: `*_spec` functions return plain {"data", "layout"} dicts
                  (the live app sends them as JSON through `style.to_json`); `*_figure`
                  wraps a spec in a `go.Figure` for the CLI, notebook and tests
    viz/mnist/    the MNIST lab: `go.Figure`s (weights, curves, confusion, digits)
    viz/sweeps.py sweeps and lessons: `go.Figure`s
"""
