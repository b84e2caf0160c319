"""One frame of the gate lab's live views, as the compact JSON the page's renderer draws.

A frame holds everything that changes between two screen updates: epoch, losses and
accuracies, the decision boundary and every node's heatmap as uint8 (base64), the weights
and biases, the truth table's probabilities, the enlarged node, the new curve points, the
timeline position and the status line. What changes only with the settings (layer sizes,
names, data points, selection) goes in `static`, sent when it changed.

Frames reach the page two ways, drawn by the same renderer (app/gates/live.js):
- as the value of the hub component (`frame_json`), answering a click (pause, step...);
- over the live stream while playing (app/gates/stream.py), without a request per frame.
Every frame carries `seq`, the session's frame counter: the page never draws a frame older
than one it has, so a Pause answer wins over a training frame that was still on its way.
"""

from __future__ import annotations

import base64
import html

import numpy as np
import orjson

from nnplay.engine.gates.truth import input_rows
from nnplay.engine.gates.verdict import overfit_hint, solve_status, truth_verdict

from . import tokens
from .session import Session, node_names

TILE_RES = 20     # node tiles in the diagram: 20x20 (every 2nd grid point of the 40x40 grid)
CURVE_MAX = 1000  # points in a full curve sent with a click's frame (thinned evenly)


def b64(codes: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(codes, dtype=np.uint8).tobytes()).decode("ascii")


def signed_codes(v: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] -> 0..255 (NaN -> 128, the neutral colour)."""
    v = np.nan_to_num(np.clip(v, -1.0, 1.0), nan=0.0)
    return np.rint((v + 1.0) * 127.5).astype(np.uint8)


def prob_codes(p: np.ndarray) -> np.ndarray:
    """Probabilities in [0, 1] -> 0..255 (so p >= 0.5 exactly when the code >= 128)."""
    return np.rint(np.clip(np.nan_to_num(p, nan=0.5), 0.0, 1.0) * 255.0).astype(np.uint8)


def _scaled(tile: np.ndarray, kind: str) -> np.ndarray:
    """A node's values mapped to [-1, 1] for its colour (as in the Playground): inputs by
    their largest |value|, hidden activations kept when bounded, the output p -> 2p - 1."""
    if kind == "output":
        return tile * 2.0 - 1.0
    m = np.nanmax(np.abs(tile), axis=(-2, -1), keepdims=True) if tile.size else 1.0
    if kind == "input":
        return tile / np.where(m > 0, m, 1.0)
    return tile / np.maximum(m, 1.0)


def image_rows(a: np.ndarray) -> np.ndarray:
    """Grid rows run up the x2 axis; an image's rows run down: flip the last-but-one axis."""
    return a[..., ::-1, :]


def node_tiles(snap) -> np.ndarray:
    """Every node's heatmap, (nodes, T, T) uint8, in column order: inputs, hidden..., output."""
    g = snap.grid.shape[-1]
    stride = max(1, -(-g // TILE_RES))
    cols = [(snap.inputs, "input"), *[(h, "hidden") for h in snap.hidden or []], (snap.grid[None], "output")]
    parts = [signed_codes(_scaled(t[:, ::stride, ::stride], kind)) for t, kind in cols]
    return image_rows(np.concatenate(parts))


def selected_tile(session: Session, snap) -> dict:
    """The enlarged node at full grid resolution, with its colour range."""
    tiles = [snap.inputs, *list(snap.hidden or []), snap.grid[None]]
    c, k = session.node or (len(tiles) - 1, 0)
    c, k = min(c, len(tiles) - 1), min(k, tiles[min(c, len(tiles) - 1)].shape[0] - 1)
    tile = tiles[c][k]
    names = node_names(session)
    title = f"{names[c][k]} at epoch {snap.epoch}"
    if c == len(tiles) - 1:
        return {"b": b64(image_rows(prob_codes(tile))), "lo": 0.0, "hi": 1.0, "title": title, "node": [c, k]}
    m = float(np.nanmax(np.abs(tile))) or 1.0
    return {"b": b64(image_rows(signed_codes(tile / m))), "lo": -m, "hi": m, "title": title, "node": [c, k]}


def static_part(session: Session) -> dict:
    """What the renderer needs that changes only with settings, selection or view options."""
    tr = session.trainer
    exact = session.cfg.sampling == "exact"
    xs, ys, xt, yt = points(session)

    def pts(x, y):
        if x is None or len(x) == 0:
            return []
        return np.column_stack([np.round(x[:, :2], 3), y]).tolist()

    lo, hi = tr.GRID_RANGE
    return {
        "sizes": session.sizes, "names": node_names(session), "G": tr.grid_size, "range": [lo, hi],
        "n_inputs": session.n_inputs, "exact": exact, "discretize": session.discretize,
        "note": f"slice at x3 = {tr.grid_x3:g}" if session.n_inputs == 3 else "",
        "train": pts(xs, ys), "test": pts(xt, yt),
        "rows": [[*r, int(t)] for r, t in zip(input_rows(session.n_inputs), tr.table)],
        "node": list(session.node) if session.node else None,
        "edge": list(session.edge) if session.edge else None,
    }


def static_key(session: Session) -> tuple:
    """Changes whenever static_part would (the stream resends it then)."""
    return (id(session.trainer), session.cfg, session.discretize, session.show_test, session.node,
            session.edge, session.trainer.grid_x3)


def points(session: Session):
    """Points drawn on the boundary: for 3-input gates only the x3 side of the shown slice."""
    d = session.trainer.data
    show_test = session.show_test and session.cfg.sampling == "noisy"
    sets = [(d.x_train, d.y_train), (d.x_test, d.y_test) if show_test else (None, None)]
    if session.n_inputs == 3:
        side = float(session.trainer.grid_x3) >= 0.5
        sets = [(x[(x[:, 2] >= 0.5) == side], y[(x[:, 2] >= 0.5) == side]) if x is not None else (x, y)
                for x, y in sets]
    return sets[0][0], sets[0][1], sets[1][0], sets[1][1]


CURVE_FIELDS = {"epoch": "e", "train_loss": "tl", "train_acc": "ta", "test_loss": "vl", "test_acc": "va"}


def curve_part(session: Session, start: int | None) -> dict:
    """Curve points: all of them thinned (`start` None: the page replaces its curve), or
    the raw points from index `start` on (the page appends those newer than its last)."""
    tr = session.trainer
    n = tr.curve_len
    if start is None:
        step = max(1, -(-n // CURVE_MAX))
        pts = tr.curve_points(0, None, step)
        if (n - 1) % step:  # always end on the newest point
            last = tr.curve_points(n - 1, n)
            pts = {k: v + last[k] for k, v in pts.items()}
    else:
        pts = tr.curve_points(min(start, n), n)
    keys = CURVE_FIELDS if session.cfg.sampling == "noisy" else {k: CURVE_FIELDS[k] for k in
                                                                  ("epoch", "train_loss", "train_acc")}
    out = {short: pts[key] for key, short in keys.items()}
    out["reset"] = start is None
    return out


def first_solved(session: Session) -> int | None:
    """The first epoch with 100% training accuracy (scanned incrementally per trainer)."""
    tr = session.trainer
    cache = getattr(session, "_solved_scan", None)
    if cache is None or cache[0] is not tr:
        cache = [tr, 0, None]
    if cache[2] is None and cache[1] < tr.curve_len:
        pts = tr.curve_points(cache[1])
        cache[2] = next((e for e, a in zip(pts["epoch"], pts["train_acc"]) if a >= 1.0), None)
        cache[1] = tr.curve_len
    session._solved_scan = cache
    return cache[2]


def build(session: Session, snap=None, *, curve_from: int | None = None, with_static: bool = True) -> dict:
    """The frame for `snap` (default: what the session shows) as a dict. Call holding the
    session's lock. `curve_from`: send the curve points from this index (None: all, thinned)."""
    snap = snap if snap is not None else session.shown()
    tr = session.trainer
    exact = session.cfg.sampling == "exact"
    # One forward pass for the truth-table rows and the "try an input" point.
    rows = input_rows(session.n_inputs)
    x = np.array([*rows, session.try_x[: session.n_inputs]], dtype=np.float32)
    out = session.probabilities(snap, x)
    probs, try_p = out[:-1], float(out[-1])
    table = tr.table
    right = int(sum(int(p >= 0.5) == int(t) for p, t in zip(probs, table)))
    n = len(tr.history)
    idx = n - 1 if session.view is None else session.view
    frame = {
        "v": 1, "seq": session.next_seq(), "epoch": snap.epoch, "playing": bool(session.playing or session.replay),
        "m": {"tl": snap.train_loss, "ta": snap.train_acc,
              "vl": None if exact else snap.test_loss, "va": None if exact else snap.test_acc},
        "status": status_html(session, snap, right, len(table)),
        "b": b64(image_rows(prob_codes(snap.grid))), "tiles": b64(node_tiles(snap)),
        "w": [w.ravel() for w in snap.weights], "bias": [b for b in snap.biases],
        "sel": selected_tile(session, snap),
        "p": probs, "right": right,
        "verdict": truth_verdict(right, len(table), exact, None if exact else snap.test_acc),
        "try": {"x": list(session.try_x[: session.n_inputs]), "p": try_p, "html": try_html(session, try_p)},
        "tl": {"i": idx, "n": n, "epoch": snap.epoch},
        "cursor": None if session.view is None else snap.epoch,
        "curve": curve_part(session, curve_from),
    }
    if with_static:
        frame["static"] = static_part(session)
    return frame


def dumps(frame: dict) -> str:
    return orjson.dumps(frame, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def frame_json(session: Session, snap=None) -> str:
    """A click's answer for the hub component: a full frame (static part, whole curve) and
    the session's stream token, built under the session's lock."""
    with session.lock:
        frame = build(session, snap)
        frame["token"] = tokens.issue(session)
        return dumps(frame)


frame = frame_json  # the handlers' name for it: `return frame(session)`


def status_html(session: Session, snap, right: int, n_rows: int) -> str:
    """The status line, true of this frame: metrics (no test numbers with exact sampling,
    where the test set is the training set), the last notice, solved or not, overfitting."""
    exact = session.cfg.sampling == "exact"
    parts = [f"train loss <b>{snap.train_loss:.4f}</b>", f"train acc <b>{snap.train_acc:.0%}</b>"]
    if not exact:
        parts[1:1] = [f"test loss <b>{snap.test_loss:.4f}</b>"]
        parts.append(f"test acc <b>{snap.test_acc:.0%}</b>")
    out = [f"<div class='st-metrics'>{' · '.join(parts)}</div>"]
    if session.message:
        cls = {"warn": "msg-warn", "bad": "msg-bad", "ok": "msg-ok"}.get(session.level, "msg-info")
        out.append(f"<div class='{cls}'>{html.escape(session.message)}</div>")
    n_train = len(session.trainer.data.y_train)
    solved = solve_status(first_solved(session), snap.epoch, snap.train_acc,
                          right if exact else round(snap.train_acc * n_train), n_rows if exact else n_train, exact)
    if solved:
        out.append(f"<div class='msg-{solved[1]} st-solved'>{html.escape(solved[0])}</div>")
    if not exact:
        hint = overfit_hint(snap.train_acc, snap.test_acc, snap.train_loss, snap.test_loss)
        if hint:
            out.append(f"<div class='msg-warn st-overfit'>{html.escape(hint)}</div>")
    return "".join(out)


def try_html(session: Session, prob: float) -> str:
    xs = ", ".join(f"{v:g}" for v in session.try_x[: session.n_inputs])
    return f"<b>p(1 | {xs}) = {prob:.3f}</b> → the network answers <b>{int(prob >= 0.5)}</b>"
