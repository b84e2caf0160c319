"""Shared pieces of the labs' Experiments sections: stop control, streaming, tables, caps."""

from __future__ import annotations

import queue
import threading
from types import SimpleNamespace

import gradio as gr
import pandas as pd

from nnplay.app import gradio_compat
from nnplay.engine.errors import ConfigError, NnplayError
from nnplay.engine.sweeps import make_axis, run_sweep
from nnplay.engine.sweeps.grid import format_value
from nnplay.viz.sweeps import curves_figure, heatmap_figure

NONE = "(none)"
PCT = ("success_rate", "test_accuracy", "test_error", "mean_train_acc", "best_train_acc", "train accuracy",
       "test accuracy")


class Control:
    """Per-session stop flag (lives in a gr.State). Each run gets a fresh Event, so a
    Cancel reaches the run it was meant for and a new run never inherits an old stop."""

    def __init__(self):
        self.event = threading.Event()

    def __deepcopy__(self, memo):  # gr.State copies values; threading objects cannot be copied
        return self

    def restart(self) -> threading.Event:
        self.event.set()  # a run still going in this session stops
        self.event = threading.Event()
        return self.event

    def cancel(self) -> None:
        self.event.set()


def section(build, state):
    """Run `build(state, control)` in the current Blocks, or in a new gr.Blocks (returned)
    when called outside one (tests, notebooks). `state` is the lab's gr.State (a new empty
    one when None); `control` a new per-session gr.State holding the section's Control."""
    def run():
        return build(state if state is not None else gr.State(None), gr.State(Control))

    if not gradio_compat.inside_blocks():
        with gr.Blocks() as blocks:
            run()
        return blocks
    return run()


def axis_pickers(fields: list[str], first: tuple[str, str], second: tuple[str, str]):
    """The 'vary <field> <values> and <field> <values>' row: (f1, v1, f2, v2)."""
    with gr.Row():
        f1 = gr.Dropdown(fields, value=first[0], label="vary", scale=1)
        v1 = gr.Textbox(first[1], label="values", scale=2)
        f2 = gr.Dropdown([NONE] + fields, value=second[0], label="and", scale=1)
        v2 = gr.Textbox(second[1], label="values", scale=2)
    return f1, v1, f2, v2


def sweep_panel(prefix: str, intro: str, fields: list[str], first: tuple[str, str], second: tuple[str, str],
                knobs: list[dict], columns: list[str]) -> SimpleNamespace:
    """The sweep half of a section, built in the current Blocks: the intro, the axis pickers,
    a row of sliders (`knobs`: gr.Slider keyword dicts) with Run and Cancel, the status line,
    heatmap and curves, and the cell table. Element ids start with `prefix` ("gates", "mnist")."""
    gr.Markdown(intro)
    f1, v1, f2, v2 = axis_pickers(fields, first, second)
    with gr.Row():
        sliders = [gr.Slider(**kw) for kw in knobs]
        run = gr.Button("Run sweep", variant="primary", elem_id=f"{prefix}-sweep-run")
        cancel = gr.Button("Cancel", elem_id=f"{prefix}-sweep-cancel")
    status = gr.Markdown("", elem_id=f"{prefix}-sweep-status")
    with gr.Row():
        heat = gr.Plot(label="outcome", elem_id=f"{prefix}-sweep-heatmap")
        curves = gr.Plot(label="curves", elem_id=f"{prefix}-sweep-curves")
    tbl = gr.Dataframe(empty_table([first[0], second[0]] + columns), label="cells (click a header to sort)",
                       interactive=False, elem_id=f"{prefix}-sweep-table")
    return SimpleNamespace(inputs=[f1, v1, f2, v2, *sliders], run=run, cancel=cancel,
                           outputs=[heat, curves, tbl, status])


def stream_sweep(control, kind: str, base, axes, options: dict, *, workers: int, total: int, main: str,
                 shown: list[str], starting: str, best_note):
    """Run a sweep in the background; yield (heatmap, curves, table, status) at the start,
    after each finished cell, and at the end with `best_note(records)` in the status."""
    control = control if isinstance(control, Control) else Control()
    records: list = []

    def work(stop, push):
        def progress(rec, done, n):
            records.append(rec)
            push(list(records))
        run_sweep(kind, base, axes, options, workers=workers, progress=progress, stop=stop)

    yield sweep_outputs(partial_summary(kind, axes, [], main), shown, starting)
    for recs in stream(work, control):
        yield sweep_outputs(partial_summary(kind, axes, recs, main), shown, f"{len(recs)} of {total} cells done")
    yield sweep_outputs(partial_summary(kind, axes, records, main), shown,
                        f"Done: {len(records)} of {total} cells.{best_note(records)}")


def stream_lesson(control, run):
    """Run `run(stop)` (a lesson of engine.lessons) in the background; yield the Lesson."""
    control = control if isinstance(control, Control) else Control()
    yield from stream(lambda stop, push: push(run(stop)), control)


def on_cancel(control: Control):
    if isinstance(control, Control):
        control.cancel()
    return "Cancelled: finished cells are kept on screen."


def lab_config(value, cls, default):
    """The lab's current config from its gr.State value: a config, an object with
    `.cfg` (the gates Session), one with `.current.cfg` (the MNIST Session) or a dict."""
    current = getattr(value, "current", None)
    for cand in (value, getattr(value, "cfg", None), getattr(current, "cfg", None)):
        if isinstance(cand, cls):
            return cand
        if isinstance(cand, dict) and cand:
            try:
                return cls.from_dict(cand, strict=False)
            except NnplayError:
                pass
    return default


def build_axes(cls, pairs) -> list:
    """[(field, "v1,v2"), ...] from the section's dropdowns/text boxes -> Axis list."""
    axes = []
    for field, text in pairs:
        if field and field != NONE and str(text or "").strip():
            axes.append(make_axis(cls, field, str(text).split(",")))
    if not axes:
        raise ConfigError("choose at least one setting to vary and give its values, e.g. lr and 0.01,0.1")
    return axes


def stream(work, control: Control):
    """Run work(stop_event, push) in a thread and yield every pushed item as it comes.
    Errors the user can fix become gr.Error; leaving early (Cancel) stops the work."""
    q: queue.Queue = queue.Queue()
    stop = control.restart()
    end, errors = object(), []

    def target():
        try:
            work(stop, q.put)
        except KeyboardInterrupt:
            pass
        except BaseException as e:  # noqa: BLE001 - handed to the generator below
            errors.append(e)
        finally:
            q.put(end)

    threading.Thread(target=target, daemon=True, name="nnplay-experiment").start()
    try:
        finished = False
        while not finished:
            latest = q.get()
            if latest is end:
                break
            while not q.empty():  # several items waiting: show only the newest
                nxt = q.get()
                if nxt is end:
                    finished = True
                    break
                latest = nxt
            yield latest
        if errors:
            e = errors[0]
            raise gr.Error(str(e)) if isinstance(e, NnplayError) else e
    finally:
        stop.set()


def partial_summary(kind: str, axes, records: list, main: str) -> dict:
    """The shape of SweepResult.summary() for the cells finished so far (for the figures)."""
    return {"kind": kind, "axes": [a.to_dict() for a in axes], "cells": sorted(records, key=lambda r: r["index"]),
            "main_metric": main}


def table(summary: dict, columns: list[str]) -> pd.DataFrame:
    """One row per finished cell: the varied values then the chosen metrics."""
    fields = [a["field"] for a in summary["axes"]]
    rows = []
    for rec in summary["cells"]:
        row = {f: format_value(tuple(v) if isinstance(v, list) else v) for f, v in rec["values"].items()}
        for c in columns:
            v = rec["result"].get(c)
            row[c] = round(100 * v, 1) if c in PCT and isinstance(v, (int, float)) else \
                (round(v, 4) if isinstance(v, float) else v)
        rows.append(row)
    cols = fields + [(c + " %" if c in PCT else c) for c in columns]
    return pd.DataFrame([list(r.values()) for r in rows], columns=cols) if rows else pd.DataFrame(columns=cols)


def empty_table(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=[(c + " %" if c in PCT else c) for c in columns])


def lesson_table(rows: list[dict]) -> pd.DataFrame:
    out = []
    for r in rows:
        out.append({(k + " %" if k in PCT else k): (round(100 * v, 1) if k in PCT and isinstance(v, float) else
                                                    round(v, 4) if isinstance(v, float) else v)
                    for k, v in r.items()})
    return pd.DataFrame(out)


def sweep_outputs(summary: dict, columns: list[str], status: str):
    return heatmap_figure(summary), curves_figure(summary), table(summary, columns), status
