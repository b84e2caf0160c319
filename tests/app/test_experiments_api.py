"""The Experiments sections' named endpoints through gradio_client, on their own small app."""

import gradio as gr
import pytest
from gradio_client import Client

from nnplay.app.experiments import gates_experiments, mnist_experiments
from nnplay.engine.gates import GateConfig
from nnplay.runtime.ports import free_port



@pytest.fixture(scope="module")
def exp_client():
    with gr.Blocks() as demo:
        state = gr.State(GateConfig(gate="XOR", hidden=(4,)))  # what the lab's state would hold
        gates_experiments(state)
        mnist_experiments()
    port = free_port()
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield Client(f"http://127.0.0.1:{port}/", verbose=False, ssl_verify=False)
    demo.close()


def test_gates_sweep_endpoint_returns_heatmap_curves_and_table(exp_client):
    heat, curves, table, status = exp_client.predict("hidden", "none,2-2", "lr", "0.1", 3, 150,
                                                      api_name="/gates_sweep")
    assert "2 of 2 cells" in status
    assert table["headers"][:3] == ["hidden", "lr", "success_rate %"]
    rows = {r[0]: r for r in table["data"]}
    assert rows["none"][2] == 0 and rows["2-2"][3] <= 3
    assert heat is not None and curves is not None


def test_caps_and_bad_values_are_shown_as_errors(exp_client):
    with pytest.raises(Exception, match="classroom cap|cap is"):
        exp_client.predict("lr", "0.001,0.01,0.1,1", "hidden", "1,2,3,4,5", 20, 2000, api_name="/gates_sweep")
    with pytest.raises(Exception, match="unknown"):
        exp_client.predict("activation", "nope", "(none)", "", 2, 100, api_name="/gates_sweep")


def test_sections_read_the_labs_config_from_their_state_values():
    from types import SimpleNamespace

    from nnplay.app.experiments.common import lab_config
    from nnplay.engine.mnist import MnistConfig

    cfg = GateConfig(hidden=(3,))
    assert lab_config(SimpleNamespace(cfg=cfg), GateConfig, None) is cfg            # the gates Session
    m = MnistConfig(model="mlp", hidden=(64,))
    assert lab_config(SimpleNamespace(current=SimpleNamespace(cfg=m)), MnistConfig, None) is m  # MNIST runs
    assert lab_config({"gate": "AND"}, GateConfig, None).gate == "AND"
    assert lab_config(None, GateConfig, "default") == "default"
