"""The nnplay web app: one Blocks page composing the labs' tabs.

Each lab lives in its own module exposing `build() -> gr.Blocks`; this file only
renders them side by side as tabs and holds the launch settings.
"""

from __future__ import annotations

import gradio as gr

from nnplay import __version__
from nnplay.app import gates_tab, mnist_tab

TITLE = "nnplay — a neural-network playground"

CSS = """
.nnplay-header h1 {margin-bottom: 0}
.nnplay-header p {margin-top: 2px; color: var(--body-text-color-subdued)}
"""

# Gradio 6: theme, css and js are arguments of launch(), not of Blocks().
LAUNCH_KW = dict(theme=gr.themes.Soft(primary_hue="indigo", secondary_hue="orange"), css=CSS + gates_tab.CSS)

MAX_FILE_SIZE = "10mb"  # uploads larger than this are refused by the server


def build_demo() -> gr.Blocks:
    # Build the tabs before the page: a Blocks created inside another one is attached to it
    # at once, so .render() inside the page would show its content twice.
    gates, mnist = gates_tab.build(), mnist_tab.build()
    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(
            f"# nnplay <small>v{__version__}</small>\n"
            "Watch small neural networks learn — logic gates and handwritten digits, on your own CPU.",
            elem_classes="nnplay-header",
        )
        with gr.Tabs():
            with gr.Tab("Logic gates", id="gates"):
                gates.render()
            with gr.Tab("MNIST", id="mnist"):
                mnist.render()
    return demo


def launch(host: str = "127.0.0.1", port: int = 7860, share: bool = False, auth=None,
           prevent_thread_lock: bool = False, quiet: bool = False):
    """Build and serve the app. Returns the Blocks (useful with prevent_thread_lock)."""
    demo = build_demo()
    demo.queue(default_concurrency_limit=4)
    demo.launch(server_name=host, server_port=port, share=share, auth=auth,
                max_file_size=MAX_FILE_SIZE, prevent_thread_lock=prevent_thread_lock,
                quiet=quiet, show_error=True, **LAUNCH_KW)
    return demo
