"""Shared bits of the MNIST tab: which models can be picked, and small HTML helpers."""

from __future__ import annotations

import html

from nnplay.engine.errors import ConfigError, NnplayError
from nnplay.engine.mnist import load_pretrained

from .runs import Session

BUNDLED = "bundled"
INFERENCE_THREADS = 1


def inference_threads() -> None:
    """One torch thread for the web server's own torch work (a picture at a time: predictions,
    saliency, probes). With two, the threads spin waiting for each other, and on a busy 2-core
    server (Ray's trainers, other users) a prediction + saliency took 19 ms instead of 3 ms,
    13 ms of it CPU (docs/reliability.md). Set per thread: Gradio's worker threads keep their own."""
    import torch

    if torch.get_num_threads() != INFERENCE_THREADS:
        torch.set_num_threads(INFERENCE_THREADS)


def bundled():
    """(model, meta) of the pretrained CNN shipped in src/nnplay/weights/ (loaded once by the engine)."""
    model, _cfg, meta = load_pretrained()
    return model, meta


def bundled_label() -> str:
    try:
        acc = (bundled()[1].get("metrics") or {}).get("test_accuracy")
    except NnplayError:
        return "bundled CNN (not available)"
    return f"bundled CNN (pretrained{f', {acc:.1%}' if acc else ''})"


def model_choices(session: Session | None) -> list[tuple[str, str]]:
    """Dropdown choices: the bundled model, then every finished run of this session."""
    out = [(bundled_label(), BUNDLED)]
    for r in (session.runs if session else []):
        if not r.running and r.model is not None and r.status != "error":
            out.append((r.label(), f"run:{r.number}"))
    return out


def get_model(session: Session | None, key: str):
    """The torch model for a dropdown value ("bundled" or "run:N" of a finished run)."""
    if not key or key == BUNDLED:
        return bundled()[0]
    run = session.run(key) if session is not None else None
    if run is None or run.model is None or run.status == "error":
        raise ConfigError(f"there is no trained model {key!r} in this session; use 'bundled' or train one first")
    if run.running:
        raise ConfigError(f"run {run.name} is still training; wait for it to finish or stop it")
    return run.model


def note(text: str, kind: str = "info") -> str:
    """A small coloured message box."""
    colors = {"info": ("#eef2ff", "#3730a3"), "warn": ("#fff7ed", "#9a3412"), "error": ("#fef2f2", "#991b1b")}
    bg, fg = colors.get(kind, colors["info"])
    return (f"<div style='background:{bg};color:{fg};padding:8px 12px;border-radius:8px;"
            f"font-size:14px'>{html.escape(text)}</div>")


def progress_html(view: dict | None, name: str = "", planned_epochs: int = 0) -> str:
    """The progress bar with epoch, examples/s, learning rate and test accuracy."""
    if view is None:
        return note("Pick a model and press Train. Tick “quick” for a classroom demo in seconds.")
    if view["status"] == "error":
        return note(view["message"], "error")
    pct = 100 * view["progress"]
    curve = view["curve"]
    epoch = curve["epoch"][-1] if curve["epoch"] else 0.0
    test = curve["test_acc"][-1] if curve["test_acc"] else None
    state = {"waiting": "waiting for a free slot…", "running": "training", "done": "finished",
             "stopped": "stopped"}[view["status"]]
    if view["status"] == "waiting" and view.get("position"):
        state = f"waiting: number {view['position']} in the queue for a training slot"
    if view["status"] == "running" and view["message"] == "stopping":
        state = "stopping (measuring the test accuracy)…"
    bits = [f"<b>run {name}</b> · {state}", f"epoch {epoch:.2f} / {planned_epochs}",
            f"{view['examples_per_sec']:,.0f} examples/s", f"lr {view['lr']:.2g}"]
    final = view.get("test_accuracy")
    if view["status"] in ("done", "stopped") and final is not None:
        bits.append(f"test accuracy {final:.2%} (all 10,000 test digits)")
        bits.append(f"{view['seconds']:.1f} s from Train to finished")
    elif test is not None:
        bits.append(f"live estimate {test:.1%} on {view.get('probe_n', 1000):,} test digits")
    color = "#4f46e5" if view["status"] in ("running", "waiting") else "#059669"
    return (f"<div style='font-size:14px'>"
            f"<div style='height:12px;background:#e5e7eb;border-radius:6px;overflow:hidden'>"
            f"<div class='mnist-progress' style='width:{pct:.1f}%;height:100%;background:{color};"
            f"transition:width .25s'></div></div>"
            f"<div style='margin-top:6px;color:#374151'>{' · '.join(bits)}</div></div>")


def width_js(elem_id: str) -> str:
    """An event's `js` that puts the width in pixels of the element #elem_id into the event's
    last input (a hidden gr.Number), so the server can lay a figure out for a phone or a desktop."""
    return ("(...args) => {\n"
            f"  const el = document.querySelector('#{elem_id}');\n"
            "  const w = el ? el.getBoundingClientRect().width : 0;\n"
            "  args[args.length - 1] = w > 50 ? Math.round(w) : 0;\n"
            "  return args;\n"
            "}")
