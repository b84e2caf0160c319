"""The bad-input table (tests/bad_inputs.py) through the app: the named API endpoints
over HTTP with gradio_client (images, sketch pads, gate and MNIST settings), and the
gate lab's page-load handler for URL queries. A bad input must give a message that
says what is wrong (in the page or as a gr.Error), never a traceback or a generic
"could not preprocess"; awkward-but-valid images are predicted as the digit drawn."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from urllib.parse import parse_qsl

import numpy as np
import pytest
from PIL import Image

from bad_inputs import cases, write_image

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

GENERIC = re.compile(r"Traceback|could not preprocess|Expected a `|Error:\s*$|^error$", re.I | re.M)


def message_of(call) -> tuple[str, object]:
    """(the user's message, the outputs) whether the handler answered in the page or raised gr.Error."""
    try:
        out = call()
    except AppError as e:
        return str(e), None
    return str(out[4]), out


def check(case, call) -> None:
    msg, out = message_of(call)
    assert not GENERIC.search(msg), msg[:300]
    if case.error is not None:
        assert re.search(case.words, msg, re.I), msg[:300]
        assert out is None or not out[3] or not out[3].get("confidences"), "a prediction for a bad input"
    else:
        assert out is not None, msg
        best = max(out[3]["confidences"], key=lambda c: c["confidence"])
        assert best["label"] == "7", msg  # the reference digit is a 7


@pytest.mark.parametrize("case", cases("image", "app"), ids=repr)
def test_predict_image(case, client, tmp_path):
    path = write_image(case, tmp_path)
    check(case, lambda: client.predict(handle_file(str(path)), "bundled", "auto", True, True,
                                       api_name="/predict_image"))


def _as_file(value, folder, name):
    if value is None:
        return None
    path = folder / f"{name}.png"
    Image.fromarray(np.asarray(value, np.uint8), "RGBA").save(path)
    return handle_file(str(path))


@pytest.mark.parametrize("case", cases("sketch", "app"), ids=repr)
def test_predict_sketch(case, client, tmp_path):
    v = case.value()
    value = {"background": _as_file(v["background"], tmp_path, "bg"),
             "layers": [_as_file(layer, tmp_path, f"layer{i}") for i, layer in enumerate(v["layers"])],
             "composite": _as_file(v["composite"], tmp_path, "composite"), "id": None}
    check(case, lambda: client.predict(value, "bundled", "auto", True, True, api_name="/predict_sketch"))


@pytest.mark.parametrize("case", cases("gates", "app"), ids=repr)
def test_gates_train_settings(case, client):
    with pytest.raises(AppError) as info:
        client.predict(json.dumps(case.value), 1, api_name="/gates_train")  # the config box takes JSON text
    assert re.search(case.words, str(info.value), re.I) and not GENERIC.search(str(info.value))


@pytest.mark.parametrize("case", cases("mnist", "app"), ids=repr)
def test_mnist_train_settings(case, client):
    with pytest.raises(AppError) as info:
        client.predict({**case.value, "quick": True}, api_name="/train")
    assert re.search(case.words, str(info.value), re.I) and not GENERIC.search(str(info.value))


@pytest.mark.parametrize("case", cases("query", "app"), ids=repr)
def test_gate_page_link(case):
    """The gate lab reads its settings from the page URL on load: a bad link shows the
    defaults with a notice naming the problem."""
    from nnplay.app.gates import controls as handlers
    from nnplay.engine.gates import GateConfig

    request = SimpleNamespace(query_params=dict(parse_qsl(case.value, keep_blank_values=True)))
    session = handlers.on_load(request)[0]
    if case.error is not None:
        assert session.cfg == GateConfig()
        assert "could not be used" in session.message and re.search(case.words, session.message, re.I)
    else:
        assert session.cfg == GateConfig() and "could not" not in session.message


@pytest.mark.parametrize("case", [c for c in cases("query", "app") if c.error is not None], ids=repr)
def test_gates_train_with_bad_query_text(case, client):
    with pytest.raises(AppError) as info:
        client.predict(case.value, 1, api_name="/gates_train")
    assert re.search(case.words, str(info.value), re.I)


def test_the_app_still_answers_after_all_that(client, tmp_path):
    """The bad inputs above left the server healthy: a good prediction still works."""
    good = next(c for c in cases("image", "app") if c.id == "img-palette-gif")
    msg, out = message_of(lambda: client.predict(handle_file(str(write_image(good, tmp_path))), "bundled", "auto",
                                                 True, True, api_name="/predict_image"))
    assert out is not None and "7" in msg


# The gate lab's controls, as the page sends them. The learning-rate box accepts typed
# values (the other controls are pickers and steppers that Gradio bounds itself): bad
# ones are refused with a notice and the previous settings stay.
CONTROL_KEYS = ("lr",)


def gate_controls(**change) -> list:
    from nnplay.app.gates.session import picker_value
    from nnplay.engine.gates import GateConfig

    d = GateConfig()
    choice, bits = picker_value(d.gate)
    if "gate" in change:
        g = change.pop("gate")
        choice, bits = (g, bits) if not set(g) <= set("0123456789") else ("custom", g)
    values = dict(gate=choice, bits=bits, sampling=d.sampling, n_points=d.n_points, noise=d.noise,
                  train_ratio=d.train_ratio, features=list(d.features), hidden=",".join(map(str, d.hidden)),
                  activation=d.activation, optimizer=d.optimizer, lr=d.lr, batch_size=d.batch_size,
                  regularization=d.regularization, reg_rate=d.reg_rate, seed=d.seed)
    values.update(change)
    return list(values.values())


@pytest.mark.parametrize("case", [c for c in cases("gates", "app") if set(c.value) <= set(CONTROL_KEYS)], ids=repr)
def test_gate_controls_refuse_bad_values(case):
    from nnplay.app.gates import controls as handlers
    from nnplay.engine.gates import GateConfig

    out = handlers.on_config(None, *gate_controls(**case.value))
    session = out[0]
    assert session.cfg == GateConfig()  # the previous (default) settings are kept
    assert re.search(case.words, session.message, re.I), session.message


MNIST_CONTROLS = ("model", "hidden", "lr", "optimizer", "batch_size", "epochs")


@pytest.mark.parametrize("case", cases("mnist", "app"), ids=repr)
def test_mnist_train_button_refuses_bad_values(case):
    """The MNIST lab's Train button with the bad value typed into its control: a message
    in the page, and no training started."""
    from nnplay.app.mnist import train
    from nnplay.app.mnist.runs import Session

    r = train.recipe(case.value.get("model", "mlp"))
    values = dict(model=case.value.get("model", "mlp"), hidden=",".join(map(str, r["hidden"])), lr=r["lr"],
                  optimizer=r["optimizer"], batch_size=r["batch_size"], epochs=r["epochs"],
                  weight_decay=r["weight_decay"], dropout=r["dropout"], schedule=r["schedule"],
                  augment=r["augment"], seed=0, quick=True)
    values.update({k: v for k, v in case.value.items() if k in MNIST_CONTROLS})
    session = Session()
    status, *_ = train.on_train(session, *values.values())
    assert session.runs == []
    assert re.search(case.words, str(status), re.I), status
