"""The "Logic gates" tab (placeholder until its lab lands)."""

from __future__ import annotations

import gradio as gr


def build() -> gr.Blocks:
    with gr.Blocks() as tab:
        gr.Markdown("### Logic gates lab\nThis lab is being built.")
    return tab
