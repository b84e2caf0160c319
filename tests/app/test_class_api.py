"""Class mode through the API: students join with nicknames; their finished runs land in the database."""

from __future__ import annotations

import time

import pytest
from netutil import free_port

from nnplay.classroom import ClassStore


@pytest.fixture(scope="module")
def class_server(tmp_path_factory):
    from gradio_client import Client

    from nnplay.app.classroom import context
    from nnplay.app.main import launch

    store = ClassStore.open(tmp_path_factory.mktemp("class") / "class.db", "Period 3")
    port = free_port()
    demo = launch(host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True, classroom=store)
    url = f"http://127.0.0.1:{port}/"
    yield store, lambda: Client(url, verbose=False, ssl_verify=False)
    demo.close()
    context.configure(None)
    store.close()


def wait_for(fn, timeout=60.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        value = fn()
        if value:
            return value
        time.sleep(0.1)
    return fn()


def test_joined_students_runs_are_recorded(class_server):
    store, new_client = class_server
    ada, bob, anon = new_client(), new_client(), new_client()
    joined = ada.predict("ada", "", api_name="/class_join")
    assert joined["nickname"] == "ada" and joined["class"] == "Period 3" and len(joined["owner"]) >= 16
    bob.predict("  bob ", "", api_name="/class_join")
    a = ada.predict('{"gate": "XOR", "hidden": [4, 4], "lr": 0.03}', 300, api_name="/gates_train")
    b = bob.predict('{"gate": "XOR", "hidden": [], "lr": 0.1}', 200, api_name="/gates_train")
    anon.predict('{"gate": "XOR"}', 50, api_name="/gates_train")  # never joined: not recorded
    assert a["solved"] is True and b["solved"] is False  # no hidden layer cannot solve XOR
    runs = store.list_runs("gates")
    assert [(r["nickname"], r["hidden"], r["solved"], r["epochs"]) for r in runs] == \
        [("ada", "4-4", True, 300), ("bob", "none", False, 200)]
    assert runs[0]["owner"] == joined["owner"]
    assert runs[0]["final_loss"] == pytest.approx(a["metrics"]["train_loss"], rel=1e-5)
    assert runs[0]["solved_epoch"] == a["solved_epoch"]

    m = ada.predict({"model": "logistic", "epochs": 1}, api_name="/train")
    rows = wait_for(lambda: store.list_runs("mnist"))
    assert len(rows) == 1 and rows[0]["nickname"] == "ada" and rows[0]["model"] == "logistic"
    assert rows[0]["test_accuracy"] == pytest.approx(m["test_accuracy"])
    assert rows[0]["seconds"] == pytest.approx(m["seconds"], abs=0.01)
    curve = store.get_run(rows[0]["id"])["curve"]
    assert curve["test_acc"][-1] == pytest.approx(m["curves"]["test_acc"][-1], abs=1e-5)


def test_a_bad_nickname_is_refused(class_server):
    from gradio_client.exceptions import AppError

    _, new_client = class_server
    with pytest.raises(AppError, match="nickname"):
        new_client().predict("   ", "", api_name="/class_join")
