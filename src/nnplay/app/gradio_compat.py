"""Every use of Gradio beyond its documented API, in one place.

Gradio has no public way yet to read a custom event's payload, to drop one browser
session's state early, or to learn the current session outside a handler's
arguments, so the app reaches into its internals for these few things. They live here, and nowhere else in `app/`, so that a Gradio upgrade
has one file to check: tests/app/test_gradio_compat.py runs each function against
the installed Gradio and fails when it leaves SUPPORTED (pyproject's range).

- `event_payload`: the data a `gr.HTML` sends with `trigger('click', {...})` from its
  `js_on_load` (Gradio keeps it in `EventData._data`; only subclasses such as
  SelectData parse known fields out of it).
- `last_used`, `pop_session`, `session_counts`: a Blocks' session store
  (`demo.state_holder`: each session's `gr.State` values and when it was last used),
  which Gradio itself empties only an hour after a tab closes.
- `current_session_hash`: the session of the event being handled, for code called from a
  handler that was not handed a `gr.Request` (Gradio's `LocalContext.request`).
- `inside_blocks`: whether components created now land in an open `gr.Blocks`
  (Gradio's `Context.root_block`).
- `pass_upload_path`: make a `gr.Image(type="filepath")` hand the uploaded file's path to the
  handler untouched (it replaces the component's `preprocess`, which would open and re-save
  the file with PIL first).
- `KeepClientOnUnload`: ASGI middleware that keeps Gradio's page from closing its client on
  `beforeunload` (see its comment: that close logged "AbortError" and "Connection errored out"
  whenever the page was reloaded or left while an event was in flight, e.g. during a training).
"""

from __future__ import annotations

import datetime
from typing import Any, Callable

import gradio as gr
from gradio.context import Context, LocalContext

SUPPORTED = ">=6.31,<7"  # keep in step with pyproject.toml's gradio requirement

# Gradio's page runs `client.close()` on `beforeunload`. That aborts the fetch reading the queue's
# event stream (queue/data) with no reason; Gradio's stream `onerror` then logs the abort
# ("AbortError: signal is aborted without reason") and fails every event still in flight with
# "Connection errored out" - an error for each, in the console and in the page as it goes away.
# The MNIST lab's 0.3 s timer keeps an event in flight through a whole training, so reloading or
# leaving the page while a model trained logged both (issue 17.10). This listener, first in the
# page's <head>, is registered before Gradio's and stops it: the browser closes the connections
# itself as the page unloads, and the server sees the disconnect as it saw the abort. (Gradio's
# listener is registered after its config loads, too late for `launch(head=...)`; it is the only
# `beforeunload` listener in the page.)
UNLOAD_SCRIPT = (b"<script>window.addEventListener('beforeunload', "
                 b"(e) => e.stopImmediatePropagation(), {capture: true});</script>")


class KeepClientOnUnload:
    """ASGI middleware: puts UNLOAD_SCRIPT first in the <head> of Gradio's page (GET /)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") != "/":
            return await self.app(scope, receive, send)
        start, chunks = {}, []

        async def edit(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body, headers = b"".join(chunks), list(start.get("headers", []))
            html = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
            if html and b"<head>" in body:
                body = body.replace(b"<head>", b"<head>" + UNLOAD_SCRIPT, 1)
                headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, edit)


def event_payload(evt: gr.EventData) -> dict:
    """The payload a custom client-side event was triggered with ({} when there was none)."""
    data = getattr(evt, "_data", None)
    return data if isinstance(data, dict) else {}


def _holder(demo: gr.Blocks):
    return getattr(demo, "state_holder", None)  # set once the Blocks is launched


def last_used(demo: gr.Blocks, session_hash: str) -> datetime.datetime | None:
    """When Gradio last served `session_hash` (its own datetime.now() stamp), or None."""
    holder = _holder(demo)
    return None if holder is None else holder.time_last_used.get(session_hash)


def pop_session(demo: gr.Blocks, session_hash: str) -> list[tuple[Any, Callable | None]] | None:
    """Remove one session from the store now. Returns its gr.State values, each with the
    State's delete_callback (or None), for the caller to run; None if there was no such session."""
    holder = _holder(demo)
    if holder is None or session_hash not in holder:
        return None
    with holder.lock:
        state = holder.session_data.pop(session_hash, None)
        holder.time_last_used.pop(session_hash, None)
    if state is None:
        return None
    values = []
    for block_id, value in list(state.state_data.items()):
        block = state.blocks_config.blocks.get(block_id)
        values.append((value, getattr(block, "delete_callback", None) if isinstance(block, gr.State) else None))
    state.state_data.clear()
    return values


def session_counts(demo: gr.Blocks) -> tuple[int, int]:
    """(sessions the store holds, sessions holding any gr.State value)."""
    holder = _holder(demo)
    sessions = list(holder.session_data.values()) if holder is not None else []
    return len(sessions), sum(1 for s in sessions if s.state_data)


def current_session_hash() -> str | None:
    """The session hash of the request being handled in this thread, or None outside one."""
    return getattr(LocalContext.request.get(None), "session_hash", None)


def inside_blocks() -> bool:
    """True while a `with gr.Blocks():` is open (new components are added to it)."""
    return Context.root_block is not None


def pass_upload_path(image: gr.Image) -> gr.Image:
    """The handler gets the uploaded file's path as a str (None when empty), not a PIL-decoded
    copy; returns `image`. Set on the instance: subclassing a component makes Gradio write a
    .pyi file beside the subclass's module."""
    image.preprocess = lambda payload: None if payload is None else str(payload.path)
    return image
