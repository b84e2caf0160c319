"""The MNIST lab explains itself: an About panel and a help line under every control (issue 17.9)."""

from __future__ import annotations

import gradio as gr
import pytest

from nnplay.app.mnist import tab, texts


@pytest.fixture(scope="module")
def demo():
    return tab.build()


def _blocks_by_elem_id(blocks: gr.Blocks) -> dict:
    return {b.elem_id: b for b in blocks.blocks.values() if getattr(b, "elem_id", None)}


def test_every_control_has_a_help_line_in_the_page_config(demo):
    config = demo.get_config_file()
    infos = {c["props"].get("label"): c["props"].get("info") for c in config["components"]
             if c["props"].get("label")}
    for label in ["Model", "Learning rate", "Optimizer", "Epochs", "Batch size", "Learning-rate schedule",
                  "Weight decay", "Dropout", "Seed", "Invert colours", "True digit", "Predicted as",
                  "Snapshot (drag to travel in time)", "Change since start (Wₜ − W₀)", "Test digit #"]:
        assert infos.get(label), f"the control {label!r} has no help line"
    assert infos["Learning rate"] == texts.INFO["lr"]
    assert len(set(texts.INFO.values())) == len(texts.INFO)  # no copy-pasted lines


def test_about_panel_explains_the_sections(demo):
    about = _blocks_by_elem_id(demo)["mnist-about"]
    assert isinstance(about, gr.Accordion) and about.label == "About this lab" and about.open is False
    for phrase in ("Try your own digit", "Train & watch the weights", "Inspect errors", "Compare runs",
                   "confusion matrix", "test accuracy", "learning rate"):
        assert phrase.lower() in texts.ABOUT.lower()
