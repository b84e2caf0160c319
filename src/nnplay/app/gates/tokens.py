"""Live-stream tokens: which gate-lab session a page's WebSocket belongs to.

A page learns its token only from a frame a Gradio event sent it (frames.frame_json), so
Gradio's own auth and session rules decide who gets one. Tokens are unguessable and refer
to a session only while it lives (a weak reference): a released session's token stops
working, and a restarted server knows none (the page is told to reload).
"""

from __future__ import annotations

import secrets
import weakref

_SESSIONS: "weakref.WeakValueDictionary[str, object]" = weakref.WeakValueDictionary()


def issue(session) -> str:
    """The session's token (made once) and register it."""
    if not session.token:
        session.token = secrets.token_urlsafe(24)
    _SESSIONS[session.token] = session
    return session.token


def lookup(token: str):
    """The session with this token, or None."""
    return _SESSIONS.get(token or "")
