"""Class mode's server-side state and the hooks the labs call when a run finishes.

`nnplay app --class NAME` calls configure(); without it every hook is a no-op.
Who is who: each browser (or gradio_client) joins with a nickname and an owner token
(kept in the browser's localStorage); JOINED maps Gradio's session hash to them. The
hooks run inside a Gradio event, so the current request says which session it is.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

from nnplay.app import gradio_compat
from nnplay.classroom import ClassStore

log = logging.getLogger(__name__)

CURVE_POINTS = 200  # a stored MNIST curve keeps at most this many points per series
WATCH_EVERY = 0.25  # s between checks of a running MNIST training
ROW_ATTR = "_nnplay_class_row"  # set on a recorded GateTrainer: the id of its row
DONE_ATTR = "_nnplay_class_done"  # set on a watched MNIST Run: an Event, set once it is recorded (or not to be)


@dataclass
class ClassRoom:
    store: ClassStore
    teacher: tuple[str, str] | None = None  # --teacher-auth user:pass; None: the view is everyone's
    joined: dict = field(default_factory=dict)  # session hash -> (nickname, owner)
    lock: threading.Lock = field(default_factory=threading.Lock)


CLASS: ClassRoom | None = None


def configure(store: ClassStore | None, teacher: tuple[str, str] | None = None) -> ClassRoom | None:
    global CLASS
    CLASS = ClassRoom(store, teacher) if store is not None else None
    return CLASS


def session_hash() -> str | None:
    return gradio_compat.current_session_hash()


def join(nickname: str, owner: str | None, session: str | None = None) -> tuple[str, str]:
    """Bind this session to a nickname; a new owner token when it has none. Returns (nickname, owner)."""
    from nnplay.classroom.store import _nickname

    nick = _nickname(nickname)
    owner = owner if owner and len(owner) >= 16 else secrets.token_urlsafe(18)
    session = session or session_hash()
    if CLASS is not None and session:
        with CLASS.lock:
            CLASS.joined[session] = (nick, owner)
    return nick, owner


def identity(session: str | None = None) -> tuple[str, str] | None:
    if CLASS is None:
        return None
    return CLASS.joined.get(session or session_hash() or "")


# ------------------------------------------------------------------ hooks for the labs
def gate_finished(trainer) -> int | None:
    """Record a gate run (on Pause, or an API training). A run paused again replaces its row."""
    who = identity()
    if who is None or trainer is None or trainer.epoch == 0:
        return None
    m = trainer.metrics
    try:
        rid = CLASS.store.record_gate(*who, trainer.cfg.to_dict(), solved=trainer.solved_epoch is not None,
                                      epochs=trainer.epoch, final_loss=m.get("train_loss"),
                                      solved_epoch=trainer.solved_epoch,
                                      replaces=getattr(trainer, ROW_ATTR, None))
    except Exception:  # noqa: BLE001 - a database hiccup must not break the lab
        log.exception("class mode: recording a gate run failed")
        return None
    setattr(trainer, ROW_ATTR, rid)  # paused again later: this row is replaced, not duplicated
    return rid


def mnist_started(run) -> None:
    """Watch an MNIST run started in this request; record it once it has finished."""
    who = identity()
    if who is None:
        return
    setattr(run, DONE_ATTR, threading.Event())
    threading.Thread(target=_watch, args=(run, who), daemon=True, name=f"class-watch-{run.name}").start()


def wait_recorded(run, timeout: float = 30.0) -> None:
    """Block until a finished run watched by mnist_started is in the database (the API
    answers only then, so an answered run is never missing after a crash). No-op otherwise."""
    done = getattr(run, DONE_ATTR, None)
    if done is not None:
        done.wait(timeout)


def _watch(run, who) -> None:
    try:
        while run.running:
            time.sleep(WATCH_EVERY)
        if run.status != "done" or CLASS is None:
            return  # stopped or failed: not a finished run
        CLASS.store.record_mnist(*who, run.cfg.resolved().to_dict(), test_accuracy=run.test_accuracy,
                                 seconds=run.seconds, curve=thin_curve(run.view()["curve"]))
    except Exception:  # noqa: BLE001 - a database hiccup must not break the lab
        log.exception("class mode: recording MNIST run %s failed", run.name)
    finally:
        getattr(run, DONE_ATTR).set()


def thin_curve(curve: dict, n: int = CURVE_POINTS) -> dict:
    """Every series cut to at most n evenly spaced points (always keeping the last)."""
    out = {}
    for key, values in curve.items():
        values = list(values)
        if len(values) > n:
            step = len(values) / n
            values = [values[int(i * step)] for i in range(n - 1)] + [values[-1]]
        out[key] = [None if v is None else round(float(v), 5) for v in values]
    return out
