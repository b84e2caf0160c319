"""Hugging Face Space entry point: the nnplay app, unchanged.

A Gradio Space runs `python app.py` after installing requirements.txt. The package is
imported from src/ (no install step needed), the MNIST files come from data/mnist/
in this repository, and the app listens on 0.0.0.0:7860 as Spaces expect (GRADIO_SERVER_NAME
and GRADIO_SERVER_PORT override that). Locally, prefer `make app` or `nnplay app`.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from nnplay.app.main import launch  # noqa: E402


def main() -> None:
    on_space = bool(os.environ.get("SPACE_ID"))  # set by Hugging Face Spaces
    host = os.environ.get("GRADIO_SERVER_NAME", "0.0.0.0" if on_space else "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    launch(host=host, port=port)


if __name__ == "__main__":
    main()
