"""The prediction handler's server-side work (app/mnist/draw.py), found by the class load test
(docs/reliability.md: prediction p95 under class load):

- it runs torch with one thread, whatever the thread it runs in had (two threads spun and
  waited for each other on a busy 2-core server);
- it answers with the Reading, not the two "how the picture was read" figures: those are
  drawn by show_views, the page's follow-up event (API calls never pay for them), and they
  are the same figures as before.
"""

from __future__ import annotations

import threading

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from PIL import Image

from nnplay.app.mnist import draw
from nnplay.engine.mnist.reading import Reading


@pytest.fixture(scope="module")
def digit_png(tmp_path_factory):
    from nnplay.engine.mnist import load_mnist

    data = load_mnist()
    x, y = data.test_x[0, 0].numpy(), int(data.test_y[0])
    path = tmp_path_factory.mktemp("digit") / "digit.png"
    Image.fromarray(((1 - x) * 255).astype(np.uint8)).resize((140, 140), Image.Resampling.BILINEAR).save(path)
    return str(path), y


def _predict(path):
    return draw.predict(path, draw.BUNDLED, "auto", True, True, None, draw.ALL_STEPS)


def test_prediction_uses_one_torch_thread_in_a_two_thread_worker(digit_png, monkeypatch):
    seen = []
    real = draw.saliency

    def spy(model, x28, cls):
        seen.append(torch.get_num_threads())
        return real(model, x28, cls)

    monkeypatch.setattr(draw, "saliency", spy)
    before = {}

    def worker():  # a fresh server thread that starts with two torch threads
        torch.set_num_threads(2)
        before["n"] = torch.get_num_threads()
        out = _predict(digit_png[0])
        before["label"] = out[3]

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert before["n"] == 2 and seen == [1]
    assert max(before["label"], key=before["label"].get) == str(digit_png[1])


def test_prediction_answers_with_the_reading_and_show_views_draws_it(digit_png):
    out = _predict(digit_png[0])
    assert len(out) == 7
    reading = out[6]
    assert isinstance(reading, Reading) and reading.number == str(digit_png[1])
    boxes, steps = draw.show_views(reading)
    assert isinstance(boxes, go.Figure) and isinstance(steps, go.Figure)
    assert len(boxes.layout.shapes) == len(reading.digits) == 1  # one box per digit found
    assert boxes.layout.title.text == f"reads {digit_png[1]}"
    assert [t.type for t in steps.data] == ["image"] * len(reading.steps)  # one panel per step
    titles = [a.text for a in steps.layout.annotations]
    assert titles == [name for name, _ in reading.steps]


def test_show_views_of_no_reading_and_of_an_error():
    assert draw.show_views(None) == (None, None)
    out = draw.predict(None, draw.BUNDLED, "auto", True, True, None, draw.ALL_STEPS)
    assert out[6] is None and "error" in out[5]
    assert draw.show_views(out[6]) == (None, None)
