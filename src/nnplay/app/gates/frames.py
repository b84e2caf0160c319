"""One screen update of the gate lab: every figure and panel for a snapshot.

`frame(session, snap)` returns the values for `FRAME_KEYS`, in that order; the tab wires
them to its components. Figures go out as plotly JSON text for the tab's live plot blocks
(see layout.live_plot), which redraw in place with Plotly.react.
"""

from __future__ import annotations

import html

import gradio as gr

from nnplay.viz import gates as vg

from .session import Session, node_names

FRAME_KEYS = ["boundary", "network", "curves", "neuron", "truth", "epoch", "status", "timeline", "try_out"]
PLOT_CONFIG = ',"config":{"displayModeBar":false,"scrollZoom":false,"responsive":true}}'


def live(spec: dict) -> str:
    """A figure spec -> the JSON a live plot block draws (fast JSON, no mode bar)."""
    return vg.to_json(spec)[:-1] + PLOT_CONFIG


def frame(session: Session, snap=None, *, timeline: bool = True, light: bool = False,
          network: bool = True) -> tuple:
    """All outputs for `snap` (default: what the session shows). `light` skips the curves and
    the enlarged neuron, `network=False` the network diagram: the live loop sends those on
    every few updates only, as they cost the browser the most to draw."""
    snap = snap if snap is not None else session.shown()
    tr = session.trainer
    axis = tr.grid_axis
    prob = session.try_prob(snap)
    xs, ys, xt, yt = _points(session)
    boundary = vg.boundary_spec(snap.grid, axis, xs, ys, xt, yt, discretize=session.discretize,
                                  try_point=session.try_x[:2], try_prob=prob,
                                  note=f"slice at x3 = {session.trainer.grid_x3:g}" if session.n_inputs == 3 else "")
    names = node_names(session)
    tiles = vg.snapshot_tiles(snap)
    diagram = live(vg.network_spec(snap.weights, tiles, names, biases=snap.biases, selected_node=session.node,
                                   selected_edge=session.edge)) if network else gr.skip()
    if light:
        curves = neuron = gr.skip()
    else:
        curves = live(vg.curves_spec(tr.curve, cursor_epoch=snap.epoch, max_points=200))
        c, k = session.node or (len(tiles) - 1, 0)
        kind = "input" if c == 0 else ("output" if c == len(tiles) - 1 else "hidden")
        neuron = live(vg.neuron_spec(tiles[c][k], axis, f"{names[c][k]} at epoch {snap.epoch}", kind=kind))
    out = [live(boundary), diagram, curves, neuron, truth_html(session.truth_rows(snap)),
           epoch_html(snap), status_html(session, snap)]
    n = len(tr.history)
    idx = n - 1 if session.view is None else session.view
    label = f"Timeline — epoch {snap.epoch} ({idx + 1} of {n} recorded updates)"
    # While the user drags the timeline only its label changes, so the drag is not disturbed.
    out.append(gr.update(minimum=0, maximum=max(n - 1, 1), value=idx, label=label) if timeline
               else gr.update(label=label))
    out.append(try_html(session, prob))
    return tuple(out)


def _points(session: Session):
    """Points drawn on the boundary: for 3-input gates only the x3 side of the shown slice."""
    d = session.trainer.data
    show_test = session.show_test and session.cfg.sampling == "noisy"
    sets = [(d.x_train, d.y_train), (d.x_test, d.y_test) if show_test else (None, None)]
    if session.n_inputs == 3:
        side = float(session.trainer.grid_x3) >= 0.5
        sets = [(x[(x[:, 2] >= 0.5) == side], y[(x[:, 2] >= 0.5) == side]) if x is not None else (x, y)
                for x, y in sets]
    return sets[0][0], sets[0][1], sets[1][0], sets[1][1]


def epoch_html(snap) -> str:
    return (f"<div class='ep-label'>Epoch</div><div class='ep-value' data-epoch='{snap.epoch}'>"
            f"{snap.epoch:,}</div>")


def status_html(session: Session, snap) -> str:
    parts = [f"train loss <b>{snap.train_loss:.4f}</b>", f"test loss <b>{snap.test_loss:.4f}</b>",
             f"train acc <b>{snap.train_acc:.0%}</b>", f"test acc <b>{snap.test_acc:.0%}</b>"]
    line = " · ".join(parts)
    msg = ""
    if session.message:
        cls = {"warn": "msg-warn", "bad": "msg-bad", "ok": "msg-ok"}.get(session.level, "")
        msg = f"<div class='{cls}'>{html.escape(session.message)}</div>"
    return f"<div>{line}</div>{msg}"


def truth_html(rows: list[dict]) -> str:
    n_in = len(rows[0]["inputs"]) if rows else 2
    head = "".join(f"<th>x{i + 1}</th>" for i in range(n_in))
    body = []
    right = 0
    for r in rows:
        answer = int(r["probability"] >= 0.5)
        ok = answer == r["target"]
        right += ok
        cells = "".join(f"<td>{v}</td>" for v in r["inputs"])
        body.append(f"<tr class='{'ok' if ok else 'bad'}'>{cells}<td>{r['target']}</td>"
                    f"<td>{r['probability']:.3f}</td><td>{answer}</td><td>{'✓' if ok else '✗'}</td></tr>")
    verdict = ("all rows right — the gate is learned" if right == len(rows)
               else f"{right} of {len(rows)} rows right")
    return (f"<table data-correct='{right}' data-rows='{len(rows)}'><thead><tr>{head}<th>target</th><th>p(1)</th>"
            f"<th>answer</th><th></th></tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"<div class='verdict'>{verdict}</div>")


def try_html(session: Session, prob: float) -> str:
    xs = ", ".join(f"{v:g}" for v in session.try_x[: session.n_inputs])
    return f"<b>p(1 | {xs}) = {prob:.3f}</b> → the network answers <b>{int(prob >= 0.5)}</b>"
