"""The MNIST tab's named endpoints through gradio_client: predict from a file, predict a
Sketchpad value, and a short training run that returns curves and first-layer weights."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import handle_file  # noqa: E402


def _z(plot: dict) -> np.ndarray:
    """The z array of the first trace of a gr.Plot value (plotly sends numpy arrays as base64)."""
    z = json.loads(plot["plot"])["data"][0]["z"]
    if isinstance(z, dict):
        shape = tuple(int(v) for v in str(z["shape"]).split(","))
        z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"])).reshape(shape)
    z = np.asarray(z, dtype=np.float32)
    return z[..., 0] / 255 if z.ndim == 3 else z  # an RGB image trace: grey levels 0-255


def _top(label: dict) -> tuple[str, float]:
    best = max(label["confidences"], key=lambda c: c["confidence"])
    return str(best["label"]), float(best["confidence"])


@pytest.fixture(scope="module")
def mnist_digits():
    """A few real MNIST test digits the bundled model classifies correctly."""
    from nnplay.engine.mnist import load_mnist

    data = load_mnist()
    return data.test_x[:8, 0].numpy(), data.test_y[:8].numpy()


def test_predict_image_file_of_a_real_digit(client, tmp_path, mnist_digits):
    xs, ys = mnist_digits
    for i in (0, 1, 2):
        # dark ink on white paper, 5x larger: the preprocessing must invert and shrink it back
        img = Image.fromarray(((1 - xs[i]) * 255).astype(np.uint8)).resize((140, 140), Image.Resampling.BILINEAR)
        path = tmp_path / f"digit{i}.png"
        img.save(path)
        preview, saliency, probs, label, message, facts = client.predict(
            handle_file(str(path)), "bundled", "auto", True, True, api_name="/predict_image")
        assert facts["digit"] == ys[i] and facts["number"] == str(ys[i]) and facts["is_digit"]
        assert facts["file"] == path.name and len(facts["digits"]) == 1
        digit, conf = _top(label)
        assert digit == str(ys[i]), message
        assert len(label["confidences"]) == 3
        assert json.loads(preview["plot"])["data"][0]["type"] == "image"
        np.testing.assert_allclose(_z(preview).sum(), xs[i].sum(), rtol=0.25)  # about as much ink as MNIST's
        bars = json.loads(probs["plot"])
        assert bars["data"][0]["type"] == "bar" and len(bars["data"][0]["x"]) == 10


def _stroke_png(path, points, width=22, size=280):
    """A transparent RGBA canvas with black strokes, like a Sketchpad layer."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(img).line(points, fill=(0, 0, 0, 255), width=width, joint="curve")
    img.save(path)
    return str(path)


@pytest.mark.parametrize("digit,points", [
    ("1", [(140, 40), (140, 240)]),
    ("7", [(70, 50), (210, 50), (120, 240)]),
    ("0", [(140, 40), (200, 80), (215, 150), (195, 220), (140, 245), (85, 220), (65, 150), (80, 80), (140, 40)]),
])
def test_predict_sketchpad_value(client, tmp_path, digit, points):
    layer = _stroke_png(tmp_path / "layer.png", points)
    blank = tmp_path / "bg.png"
    Image.new("RGBA", (280, 280), (0, 0, 0, 0)).save(blank)
    value = {"background": handle_file(str(blank)), "layers": [handle_file(layer)],
             "composite": handle_file(layer), "id": None}
    preview, saliency, probs, label, message, facts = client.predict(value, "bundled", "auto", True, True,
                                                                     api_name="/predict_sketch")
    assert facts["number"] == digit and facts["digits"][0]["box"][1] >= 30  # the strokes start at y >= 40
    assert _top(label)[0] == digit, message
    z = _z(preview)
    assert z.shape == (28, 28) and z.max() > 0.9
    rows, cols = np.flatnonzero(z.sum(1) > 0.05), np.flatnonzero(z.sum(0) > 0.05)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 <= 21   # scaled into MNIST's 20x20 box (+1 px of blur)


def test_empty_sketch_gets_a_friendly_message(client, tmp_path):
    blank = tmp_path / "bg.png"
    Image.new("RGBA", (280, 280), (0, 0, 0, 0)).save(blank)
    value = {"background": handle_file(str(blank)), "layers": [], "composite": handle_file(str(blank)), "id": None}
    *_, label, message, facts = client.predict(value, "bundled", "auto", True, True, api_name="/predict_sketch")
    assert "draw a digit first" in message.lower() and "error" in facts
    assert not label or not label.get("confidences")


def test_a_photographed_number_reads_left_to_right(client, tmp_path, mnist_digits):
    """A photo of "4 2 7" on ruled paper in uneven light: the number, a box per digit."""
    xs, ys = mnist_digits
    want = {int(y): x for x, y in zip(xs, ys)}
    page = np.full((600, 900), 220, np.float32) * np.linspace(1.0, 0.8, 900)[None, :]
    page[20::30] *= 0.75                                     # blue-ish ruled lines, every 30 px
    for i, d in enumerate((4, 2, 7)):
        ink = np.asarray(Image.fromarray((want[d] * 255).astype(np.uint8)).resize((200, 200)), np.float32) / 255
        page[200:400, 120 + i * 220:320 + i * 220] *= 1 - 0.85 * ink
    path = tmp_path / "number.jpg"
    Image.fromarray(page.astype(np.uint8)).save(path, quality=85)
    *_, message, facts = client.predict(handle_file(str(path)), "bundled", "auto", True, True,
                                        api_name="/predict_image")
    assert facts["number"] == "427" and facts["is_digit"], message
    xs0 = [d["box"][0] for d in facts["digits"]]
    assert xs0 == sorted(xs0) and all(120 <= d["box"][0] and d["box"][2] <= 780 for d in facts["digits"])
    assert "reads 427" in message


def test_a_bad_upload_names_the_users_file_not_the_server_path(client, tmp_path):
    """Issue 17.7: the message used to start with Gradio's upload cache folder."""
    bad = tmp_path / "holiday photo.png"
    bad.write_bytes(b"this is not a picture")
    *_, message, facts = client.predict(handle_file(str(bad)), "bundled", "auto", True, True,
                                        api_name="/predict_image")
    assert "holiday photo.png: not an image file" in message
    assert "/" not in message.split("holiday")[0] and "gradio" not in message.lower()


def test_ink_is_light_keep_changes_a_drawing(client, tmp_path):
    """Issue 17.6: "ink is light: keep" used to do nothing on the sketch pad. The pad shows
    dark strokes on white; keeping that as it is makes the white paper the ink."""
    layer = _stroke_png(tmp_path / "layer.png", [(70, 50), (210, 50), (120, 240)])
    blank = tmp_path / "bg.png"
    Image.new("RGBA", (280, 280), (0, 0, 0, 0)).save(blank)
    value = {"background": handle_file(str(blank)), "layers": [handle_file(layer)],
             "composite": handle_file(layer), "id": None}
    auto = _z(client.predict(value, "bundled", "auto", True, True, api_name="/predict_sketch")[0])
    keep = _z(client.predict(value, "bundled", "no", True, True, api_name="/predict_sketch")[0])
    dark = _z(client.predict(value, "bundled", "yes", True, True, api_name="/predict_sketch")[0])
    np.testing.assert_allclose(dark, auto, atol=1e-3)      # dark ink inverted: the usual picture
    assert keep.mean() > 2 * auto.mean()                   # the paper is the ink now: a bright field
    assert np.corrcoef(keep.ravel(), auto.ravel())[0, 1] < 0


def test_short_training_returns_curves_and_weights(client):
    out = client.predict({"model": "logistic", "epochs": 2, "quick": True, "seed": 1}, api_name="/train")
    assert out["status"] == "done"
    curves = out["curves"]
    assert len(curves["epoch"]) == len(curves["train_loss"]) >= 5
    assert curves["test_epoch"][0] == 0.0 and curves["epoch"][-1] == pytest.approx(2.0)
    assert curves["test_acc"][0] < 0.3              # untrained: about chance
    assert curves["test_acc"][-1] > 0.75            # 2 epochs on 3,000 digits: logistic regression learns
    assert curves["train_loss"][-1] < curves["train_loss"][0]
    w = np.asarray(out["first_layer"]["values"], dtype=np.float32)
    assert out["first_layer"]["shape"] == [10, 784] and w.shape == (10, 784)
    assert out["snapshots"] >= 3
    assert out["config"]["subset"] == 3000 and out["config"]["model"] == "logistic"
    # the weights of a trained digit template correlate with the mean image of that digit
    from nnplay.engine.mnist import load_mnist

    data = load_mnist()
    x = data.train_x[:3000, 0].reshape(3000, -1).numpy()
    y = data.train_y[:3000].numpy()
    mean0 = x[y == 0].mean(0) - x.mean(0)
    assert np.corrcoef(w[0], mean0)[0, 1] > 0.3


def test_bad_settings_are_explained(client):
    with pytest.raises(Exception, match="learning rate"):
        client.predict({"model": "mlp", "lr": -1}, api_name="/train")
