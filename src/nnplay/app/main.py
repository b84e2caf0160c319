"""The nnplay web app: one Blocks page composing the labs' tabs.

Each lab lives in its own module exposing `build() -> gr.Blocks`; this file only
renders them side by side as tabs and holds the launch settings: loopback by
default, an upload size limit, no extra allowed paths, a cap on simultaneous MNIST
trainings (app/slots.py), and per-session state released soon after its tab closes.
"""

from __future__ import annotations

import atexit
import datetime
import os
import threading

# Offline classrooms: no usage analytics calls home (set before gradio is imported).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Gradio rebuilds a pandas summary of its last 10,000 events after every event, for a
# monitoring page nnplay does not enable: 2-7 ms of server CPU per prediction under a class.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")

import gradio as gr  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from nnplay import __version__  # noqa: E402
from nnplay.app import gradio_compat
from nnplay.app.classroom import context as class_context
from nnplay.app.classroom import tab as class_tab
from nnplay.app.gates import stream as gates_stream
from nnplay.app.gates import tab as gates_tab
from nnplay.app.mnist import tab as mnist_tab
from nnplay.app.mnist import train as mnist_train
from nnplay.app.mnist.common import inference_threads
from nnplay.app.slots import SLOTS, give_back_memory
from nnplay.runtime.memory import keep_freed_memory

TITLE = "nnplay — a neural-network playground"

CSS = """
.nnplay-header h1 {margin-bottom: 0}
.nnplay-header p {margin-top: 2px; color: var(--body-text-color-subdued)}
"""

# Gradio 6: theme, css and js are arguments of launch(), not of Blocks().
LAUNCH_KW = dict(theme=gr.themes.Soft(primary_hue="indigo", secondary_hue="orange"), css=CSS + gates_tab.CSS + mnist_tab.CSS
                 + class_tab.CSS)

# Gradio runs at most this many calls of one event at once; each event is its own group, so
# predictions never wait behind /train or /gates_train calls (tests/load/test_queue_and_faults.py).
QUEUE_CONCURRENCY = 4
MAX_FILE_SIZE = "10mb"  # uploads larger than this are refused by the server
DELETE_CACHE = (1800, 3600)  # every 30 min, delete uploaded/temporary files older than 1 h
# Seconds a closed session's state (models, runs) is kept in case the tab reconnects.
SESSION_GRACE = float(os.environ.get("NNPLAY_SESSION_GRACE", "60"))


def build_demo() -> gr.Blocks:
    # Build the tabs before the page: a Blocks created inside another one is attached to it
    # at once, so .render() inside the page would show its content twice.
    gates, mnist = gates_tab.build(), mnist_tab.build()
    with gr.Blocks(title=TITLE, delete_cache=DELETE_CACHE, analytics_enabled=False) as demo:
        gr.Markdown(
            f"# nnplay <small>v{__version__}</small>\n"
            "Watch small neural networks learn — logic gates and handwritten digits, on your own CPU.",
            elem_classes="nnplay-header",
        )
        in_class = class_context.CLASS is not None  # nnplay app --class NAME
        bar = class_tab.build_join() if in_class else None
        with gr.Tabs():
            with gr.Tab("Logic gates", id="gates") as gates_t:
                gates.render()
            with gr.Tab("MNIST", id="mnist") as mnist_t:
                mnist.render()
            if in_class:
                with gr.Tab("Class", id="class") as class_t:
                    view = class_tab.build_view()
        if in_class:
            class_tab.wire(demo, bar, view, class_t, (gates_t, mnist_t))
        with gr.Row(visible=False):
            stats_btn, stats_out = gr.Button("stats"), gr.JSON()
        stats_btn.click(lambda: server_stats(demo), None, stats_out, api_name="server_stats", queue=False)

        def on_unload(request: gr.Request):
            schedule_release(demo, getattr(request, "session_hash", None))

        demo.unload(on_unload)
    return demo


# ---------------------------------------------------------------------------------------
# Sessions: Gradio keeps a closed tab's state for an hour (and a gr.State never returned
# by a handler, like the MNIST runs, until the server stops). With 30 students that is
# 30 copies of every model per reload, so release it SESSION_GRACE seconds after the tab
# closes, unless the session was used again, and run the states' delete callbacks
# (the MNIST lab stops that session's trainings there).
# ---------------------------------------------------------------------------------------
def schedule_release(demo: gr.Blocks, session_hash: str | None) -> None:
    if not session_hash:
        return
    closed_at = datetime.datetime.now()  # Gradio stamps each use with datetime.now() too
    timer = threading.Timer(SESSION_GRACE, _release_if_idle, (demo, session_hash, closed_at))
    timer.daemon = True
    timer.start()


def _release_if_idle(demo: gr.Blocks, session_hash: str, closed_at: datetime.datetime) -> None:
    last = gradio_compat.last_used(demo, session_hash)
    if last is not None and last > closed_at:
        return  # used again after it closed (a reconnect): keep it
    release_session(demo, session_hash)


def release_session(demo: gr.Blocks, session_hash: str) -> bool:
    """Drop one session's state now, calling each gr.State's delete_callback. True if it existed."""
    states = gradio_compat.pop_session(demo, session_hash)
    if states is None:
        return False
    for value, callback in states:
        if callback is not None:
            try:
                callback(value)
            except Exception:  # noqa: BLE001 - one bad callback must not keep the rest alive
                pass
    give_back_memory()
    return True


def _rss_mb() -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def server_stats(demo: gr.Blocks) -> dict:
    """Live sessions, trainings running/waiting and memory: for teachers and the load test."""
    sessions, with_state = gradio_compat.session_counts(demo)
    return {"sessions": sessions, "sessions_with_state": with_state,
            "trainings": SLOTS.counts(), "threads": threading.active_count(), "rss_mb": _rss_mb()}


def launch(host: str = "127.0.0.1", port: int = 7860, share: bool = False, auth=None,
           prevent_thread_lock: bool = False, quiet: bool = False, max_trainings: int | None = None,
           classroom=None, teacher_auth: tuple[str, str] | None = None):
    """Build and serve the app. Returns the Blocks (useful with prevent_thread_lock).
    classroom: a nnplay.classroom.ClassStore for class mode (None: off)."""
    if max_trainings is not None:
        SLOTS.set_limit(max_trainings)
    class_context.configure(classroom, teacher_auth)
    inference_threads()  # before the server's threads start: they inherit one torch thread
    keep_freed_memory()  # steps reuse freed blocks instead of page-faulting; give_back_memory trims after
    warm = mnist_train.start_warm_up()  # during start-up: the first Train click pays no one-time costs
    atexit.register(warm.join, 30)      # an exit during it (a port in use) waits rather than aborts
    demo = build_demo()
    demo.queue(default_concurrency_limit=QUEUE_CONCURRENCY)
    # The gate lab's live stream is a WebSocket route on Gradio's own FastAPI app; it is
    # added before the server thread starts handling requests (launch blocks afterwards).
    app, _, _ = demo.launch(server_name=host, server_port=port, share=share, auth=auth,
                            max_file_size=MAX_FILE_SIZE, prevent_thread_lock=True,
                            quiet=quiet, show_error=True, **LAUNCH_KW,
                            app_kwargs={"middleware": [Middleware(gradio_compat.KeepClientOnUnload)]})
    # (the FastAPI app, the local URL, the share URL)
    gates_stream.mount(app)
    if not prevent_thread_lock:
        demo.block_thread()
    return demo
