"""Gradio wiring for nnplay. `nnplay.app.main.build_demo()` builds the page."""
