"""Pure figure builders: arrays and engine state in, `plotly.graph_objects.Figure` out.

No Gradio here, so the CLI, the notebook and the report reuse the same figures.
"""
