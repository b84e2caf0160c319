"""app/gradio_compat.py against the installed Gradio: the one place that uses its internals.

Each adapter function is exercised on a small app served for real (requests over
HTTP create the sessions and carry the event payload, as a browser's would), so a
Gradio release that moves any of these internals fails here, by name."""

from __future__ import annotations

import datetime
import json
import re
import urllib.request
from pathlib import Path

import gradio as gr
import pytest
from netutil import free_port
from packaging.specifiers import SpecifierSet

from nnplay.app import gradio_compat as compat

ROOT = Path(__file__).resolve().parents[2]


def test_installed_gradio_is_in_the_supported_range_and_pyproject_agrees():
    # (no tomllib: the project supports Python 3.10)
    pinned = re.search(r'^\s*"gradio\s*([<>=!~][^"]*)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert SpecifierSet(pinned) == SpecifierSet(compat.SUPPORTED)
    assert gr.__version__ in SpecifierSet(compat.SUPPORTED), f"gradio {gr.__version__} is outside {compat.SUPPORTED}"


@pytest.fixture(scope="module")
def served():
    deleted = []
    with gr.Blocks() as demo:
        box = gr.State(None, delete_callback=deleted.append)
        out = gr.JSON()
        html = gr.HTML("")
        gr.Button("put").click(lambda v: (v, {"put": v}), gr.Number(), [box, out], api_name="put", queue=False)

        def payload(evt: gr.EventData):
            return compat.event_payload(evt)

        html.click(payload, None, out, api_name="payload", queue=False)
        gr.Button("who").click(lambda: {"session": compat.current_session_hash()}, None, out, api_name="whoami",
                               queue=False)
        upload = compat.pass_upload_path(gr.Image(type="filepath"))
        gr.Button("up").click(lambda path: f"{type(path).__name__} {path}", upload, gr.Textbox(),
                              api_name="upload_path")
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    demo.url = f"http://127.0.0.1:{port}/"
    yield demo, f"http://127.0.0.1:{port}/gradio_api/run/", deleted
    demo.close()


def post(url: str, body: dict):
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 - our own loopback server
        return json.loads(r.read())["data"]


def test_event_payload_is_what_the_client_triggered_with(served):
    _, run, _ = served
    assert post(run + "payload", {"data": [], "event_data": {"target": "h1:0"}, "session_hash": "p1"}) == [
        {"target": "h1:0"}]
    assert post(run + "payload", {"data": [], "session_hash": "p2"}) == [{}]  # no payload: an empty dict


def test_sessions_are_counted_stamped_and_popped_with_their_delete_callbacks(served):
    demo, run, deleted = served
    before = compat.session_counts(demo)
    t0 = datetime.datetime.now()
    assert post(run + "put", {"data": [7], "session_hash": "s1"})[-1] == {"put": 7}
    assert post(run + "put", {"data": [8], "session_hash": "s2"})[-1] == {"put": 8}
    sessions, with_state = compat.session_counts(demo)
    assert (sessions, with_state) == (before[0] + 2, before[1] + 2)
    assert compat.last_used(demo, "s1") >= t0 and compat.last_used(demo, "nobody") is None

    popped = compat.pop_session(demo, "s1")
    assert popped == [(7, deleted.append)]  # the session's one gr.State, with its delete_callback
    assert compat.pop_session(demo, "s1") is None and compat.last_used(demo, "s1") is None
    assert compat.session_counts(demo) == (sessions - 1, with_state - 1)


def test_an_unlaunched_blocks_has_no_sessions():
    with gr.Blocks() as demo:
        gr.State(1)
    assert compat.session_counts(demo) == (0, 0)
    assert compat.pop_session(demo, "x") is None and compat.last_used(demo, "x") is None


def test_current_session_hash_is_the_requests_and_none_outside_one(served):
    _, run, _ = served
    assert post(run + "whoami", {"data": [], "session_hash": "who-1"}) == [{"session": "who-1"}]
    assert compat.current_session_hash() is None


def test_inside_blocks():
    assert not compat.inside_blocks()
    with gr.Blocks():
        assert compat.inside_blocks()
    assert not compat.inside_blocks()


def test_pass_upload_path_hands_over_the_file_untouched(served, tmp_path):
    """Gradio's own gr.Image would open the upload with PIL and fail on a file that is not an
    image; with the adapter the handler gets the path of the very bytes that were sent."""
    from gradio_client import Client, handle_file

    demo, _, _ = served
    junk = tmp_path / "not-an-image.png"
    junk.write_bytes(b"these bytes are not a PNG")
    got = Client(demo.url, verbose=False, ssl_verify=False).predict(handle_file(str(junk)), api_name="/upload_path")
    kind, path = got.split(" ", 1)
    assert kind == "str" and Path(path).read_bytes() == junk.read_bytes()


def test_the_app_s_queue_skips_gradio_s_per_event_analytics_summary():
    """app/main.py sets GRADIO_ANALYTICS_CACHE_FREQUENCY before Gradio is imported: the queue
    rebuilds its monitoring summary (a pandas frame of up to 10,000 events) once per 1000
    events instead of after every event. A Gradio that renames the setting fails here."""
    import nnplay.app.main  # noqa: F401 - sets the environment

    with gr.Blocks() as demo:
        gr.Markdown("x")
    assert demo._queue.ANAYLTICS_CACHE_FREQUENCY == 1000


def test_gradio_still_closes_its_client_on_beforeunload_and_our_listener_comes_first(app_url):
    """KeepClientOnUnload counters one listener in Gradio's page (issue 17.10): if Gradio stops
    registering it, or the page's <head> no longer starts with ours, this says so."""
    assets = Path(gr.__file__).parent / "templates" / "frontend" / "assets"
    closing = re.compile(r"addEventListener\(`beforeunload`,\(\)=>\{\w+\(\w+\)\.close\(\)\}\)")
    listeners = [p.name for p in assets.glob("*.js") if "addEventListener(`beforeunload`" in p.read_text("utf-8")]
    assert any(closing.search((assets / name).read_text("utf-8")) for name in listeners), listeners
    with urllib.request.urlopen(app_url) as r:  # noqa: S310 - our own loopback server
        page = r.read().decode()
    head = page[page.index("<head>") + len("<head>"):]
    assert head.startswith(compat.UNLOAD_SCRIPT.decode())
    assert page.count("beforeunload") == 1
