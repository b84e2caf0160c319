"""Benchmark row app_cold_start: the app's cold start and its memory once MNIST is loaded.

The app is started the way a user starts it, `python -m nnplay app --port P`, as a
child process (runtime/appserver.py). "Usable" means the server answers GET /config:
that is the request the page makes first to build itself, so the page can render
from then on.
"""

from __future__ import annotations

from nnplay.runtime.appserver import app_process

from .machine import rss_mb


def load_mnist_through_app(base_url: str) -> str | None:
    """Ask the running app to load MNIST the way a user's click does: a quick
    logistic-regression run through the MNIST lab's `/train` API endpoint (it loads
    the whole dataset into the process, then trains on a subset). Returns the
    endpoint used, or None when the app has no such endpoint."""
    from gradio_client import Client

    client = Client(base_url, verbose=False)
    names = client.view_api(print_info=False, return_format="dict").get("named_endpoints", {})
    if "/train" not in names:
        return None
    client.predict({"model": "logistic", "epochs": 1, "quick": True}, api_name="/train")
    return "/train (a quick logistic run)"


def row_app_cold_start(ctx, timeout_s: float = 60.0) -> dict:
    """Seconds from process start until /config answers, and RSS (MB)."""
    env = {"NNPLAY_DATA_DIR": str(ctx.data_dir)} if ctx.data_dir else {}
    with app_process(env=env, timeout_s=timeout_s) as app:
        cold = app.seconds
        rss_start = rss_mb(app.proc.pid)
        endpoint = load_mnist_through_app(app.url)
        rss_loaded = rss_mb(app.proc.pid) if endpoint else None
    return {
        "row": "app_cold_start", "title": "app: cold start, RSS after loading MNIST",
        "result": (f"usable in {cold:.1f} s, RSS {rss_loaded:.0f} MB with MNIST (at start {rss_start:.0f} MB)"
                   if rss_loaded else f"usable in {cold:.1f} s, RSS {rss_start:.0f} MB (MNIST not loaded: no /train)"),
        "target": "<= 10 s, RSS <= 1.5 GB", "met": bool(cold <= 10 and (rss_loaded or 1e9) <= 1536),
        "cold_start_seconds": round(cold, 3), "rss_mb_at_start": rss_start, "rss_mb_after_mnist": rss_loaded,
        "mnist_loaded_via": endpoint,
    }
