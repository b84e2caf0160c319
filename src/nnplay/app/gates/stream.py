"""The gate lab's live stream: one WebSocket per page, mounted on Gradio's own FastAPI app.

Why a WebSocket and not a Gradio event per update: a Gradio request per frame (queue,
SSE answer, a full component update) limited the page to about 8-11 frames/s. Here the
server pushes small frames (app/gates/frames.py) over one long-lived connection and the
page draws them on canvases (app/gates/live.js).

Session and auth: the page gets its token only with a frame a Gradio event sent (the tab's
load), so Gradio's own auth and session rules apply; the token is unguessable and maps to
that visitor's `Session` only while the session lives (app/gates/tokens.py).

Pacing and back-pressure: the page acknowledges each frame after drawing it. At most
WINDOW frames are unacknowledged and at most MAX_FPS are sent per second: a slow page
gets fewer frames, each the newest (training waits for it), never a queue. While playing,
each frame trains `session.speed` epochs ("epochs per frame").

Messages from the page: {"ack": k} (frame k drawn), {"seek": i} (timeline index),
{"seek_epoch": e} (a typed epoch). Control (play, pause, step...) stays in Gradio events,
which change the session; `poke(session)` wakes its stream.
"""

from __future__ import annotations

import asyncio
import json
import time

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from . import frames, tokens
from .session import Session

ROUTE = "/nnplay/gates-stream"
MAX_FPS = 60
WINDOW = 2          # frames sent but not yet drawn by the page
IDLE_WAIT = 1.0     # s between checks when nothing wakes the stream
CLOSE_UNKNOWN = 4404  # the page's token is not (or no longer) known: the server restarted

_ALL: set = set()  # every open stream (close_all)


def _conns(session: Session) -> set:
    """The open streams of one session (a page reloaded in place may briefly have two)."""
    if not hasattr(session, "_streams"):
        session._streams = set()
    return session._streams


def poke(session: Session) -> None:
    """Wake the session's stream(s): playing or replay started (call from any thread)."""
    for conn in list(_conns(session)):
        conn.wake_threadsafe()


def mount(app) -> None:
    """Add the stream route to Gradio's FastAPI app (once)."""
    if not any(getattr(r, "path", None) == ROUTE for r in app.router.routes):
        app.add_api_websocket_route(ROUTE, endpoint)


def close_all(code: int = 1012, timeout: float = 5.0) -> int:
    """Close every open stream (1012: service restart), from any thread other than the
    server's event loop; the pages show "connection lost". For tests and for a server that
    is shutting down. Returns how many were closed."""
    conns = list(_ALL)
    for conn in conns:
        asyncio.run_coroutine_threadsafe(conn.close(code), conn.loop).result(timeout)
    return len(conns)


class Conn:
    """One page's stream: what it was sent, what it has drawn, what it asked for."""

    def __init__(self, ws: WebSocket, session: Session):
        self.ws, self.session = ws, session
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()
        self.sent = 0        # stream frames sent (the page acknowledges by this counter)
        self.acked = 0
        self.seek: tuple[str, int] | None = None  # newest timeline request, not yet answered
        self.curve_key: tuple | None = None  # (trainer, curve length) after the last frame sent
        self.static_key: tuple | None = None
        self.last_send = 0.0
        self.closed = False

    def wake_threadsafe(self) -> None:
        if not self.closed:
            self.loop.call_soon_threadsafe(self.event.set)

    async def close(self, code: int) -> None:
        self.closed = True
        self.event.set()
        try:
            await self.ws.close(code)
        except RuntimeError:  # already closed
            pass

    # -------------------------------------------------------------- page -> server
    async def receive(self) -> None:
        while True:
            raw = await self.ws.receive()
            if raw["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(raw.get("code", 1000))
            try:
                msg = json.loads(raw.get("text") or "")
            except (ValueError, TypeError):  # binary or not JSON: ignored
                continue
            if not isinstance(msg, dict):
                continue
            if isinstance(msg.get("ack"), int):
                self.acked = max(self.acked, min(msg["ack"], self.sent))
            for kind in ("seek", "seek_epoch"):
                if isinstance(msg.get(kind), (int, float)):
                    self.seek = (kind, int(msg[kind]))
            self.event.set()

    # -------------------------------------------------------------- server -> page
    def wants_frame(self) -> bool:
        s = self.session
        return self.seek is not None or s.playing or bool(s.replay)

    def next_frame(self) -> str | None:
        """Train and build the next frame (in a worker thread, holding the session's lock),
        or None when there is nothing to send (paused meanwhile)."""
        s = self.session
        with s.lock:
            seek, self.seek = self.seek, None
            if seek is not None:
                snap = self._seek(*seek)
            elif s.replay:
                snap = self._replay_step()
            elif s.playing:
                snap = self._train_step()
            else:
                return None
            tr = s.trainer
            same = self.curve_key is not None and self.curve_key[0] is tr
            start = self.curve_key[1] if same and self.curve_key[1] <= tr.curve_len else None
            skey = frames.static_key(s)
            frame = frames.build(s, snap, curve_from=start, with_static=skey != self.static_key)
            self.curve_key, self.static_key = (tr, tr.curve_len), skey
            self.sent += 1
            frame["k"] = self.sent
            return frames.dumps(frame)

    def _train_step(self):
        s = self.session
        snap = s.trainer.step(s.speed)
        if snap.diverged:
            s.playing = False
            s.notify(f"Training stopped: {snap.diverged}.", "bad")
        return snap

    def _replay_step(self):
        s = self.session
        i = s.replay.pop(0)
        n = len(s.trainer.history)
        s.view = None if i >= n - 1 else i
        if not s.replay:
            s.notify("Replay finished.", "info")
        return s.shown()

    def _seek(self, kind: str, value: int):
        from .handlers import stop

        s = self.session
        stop(s)
        hist = s.trainer.history
        if kind == "seek_epoch":  # the last recorded entry at or before that epoch
            value = max([i for i, h in enumerate(hist) if h.epoch <= value] or [0])
        i = min(max(value, 0), len(hist) - 1)
        s.view = None if i == len(hist) - 1 else i
        if s.view is None:
            s.notify(f"Back at the latest epoch, {s.trainer.epoch}.", "info")
        else:
            s.notify(f"Viewing history: epoch {hist[i].epoch}. Play continues from the latest epoch "
                     f"({s.trainer.epoch}).", "info")
        return s.shown()

    async def run(self) -> None:
        while not self.closed:
            if not (self.wants_frame() and self.sent - self.acked < WINDOW):
                self.event.clear()
                if not (self.wants_frame() and self.sent - self.acked < WINDOW):
                    try:
                        await asyncio.wait_for(self.event.wait(), IDLE_WAIT)
                    except asyncio.TimeoutError:
                        pass
                continue
            wait = self.last_send + 1.0 / MAX_FPS - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            text = await run_in_threadpool(self.next_frame)
            if text is not None and not self.closed:
                self.last_send = time.perf_counter()
                await self.ws.send_text(text)


async def endpoint(websocket: WebSocket) -> None:
    session = tokens.lookup(websocket.query_params.get("token", ""))
    await websocket.accept()
    if session is None:
        await websocket.close(CLOSE_UNKNOWN, "unknown session: reload the page")
        return
    conn = Conn(websocket, session)
    _conns(session).add(conn)
    _ALL.add(conn)
    tasks = {asyncio.create_task(conn.receive()), asyncio.create_task(conn.run())}
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            exc = task.exception()
            if exc is not None and not isinstance(exc, (WebSocketDisconnect, RuntimeError)):
                raise exc
    finally:
        conn.closed = True
        for task in tasks:
            task.cancel()
        _ALL.discard(conn)
        _conns(session).discard(conn)
