"""Class mode in the page: the nickname bar above the labs and the "Class" tab.

    bar = build_join()            # inside the page, above the tabs
    view = build_view()           # inside a gr.Tab
    wire(demo, bar, view, tab)    # events, once the page exists
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from . import context as cx
from . import handlers as h

__all__ = ["build_join", "build_view", "wire", "CSS"]

CSS = """
#class-join {align-items: end; max-width: 520px}
#class-scatter .nnp-class-plot {min-height: 360px}
"""

# The scatter is an HTML block drawing its Plotly figure itself, so a click on a point can
# send the point's run id back (gr.Plot has no click event). window.Plotly is Gradio's copy,
# loaded for the gr.Plot figures beside it.
SCATTER_JS = """
const div = element.querySelector('.nnp-class-plot');
const draw = () => {
  if (!window.Plotly) { setTimeout(draw, 100); return; }
  if (!props.value) return;
  const fig = JSON.parse(props.value);
  window.Plotly.react(div, fig.data, fig.layout, {displayModeBar: false, responsive: true});
  if (!div.__nnplayClick && div.on) {
    div.__nnplayClick = true;
    div.on('plotly_click', (ev) => {
      const p = ev && ev.points && ev.points[0];
      if (p && p.customdata != null) trigger('click', {target: String(p.customdata)});
    });
  }
};
draw();
watch('value', draw);
"""


def build_join() -> SimpleNamespace:
    ui = SimpleNamespace()
    ui.stored = gr.BrowserState({"nickname": "", "owner": ""}, storage_key="nnplay-class-nickname")
    ui.who = gr.Markdown(h.who_text(None), elem_id="class-who")
    with gr.Row(elem_id="class-join", equal_height=False):
        ui.nick = gr.Textbox(label="Nickname", placeholder="e.g. ada", max_length=40, scale=3, min_width=160,
                             elem_id="class-nick")
        ui.join = gr.Button("Join", scale=1, min_width=90, elem_id="class-join-btn")
    with gr.Row(visible=False):
        ui.api_nick, ui.api_owner, ui.api_out = gr.Textbox(), gr.Textbox(), gr.JSON()
        ui.api_btn = gr.Button()
    return ui


def _teacher_block(ui: SimpleNamespace, teacher: bool) -> None:
    with gr.Row(visible=teacher, elem_id="class-login") as ui.login:
        ui.user = gr.Textbox(label="Teacher user name", scale=1)
        ui.password = gr.Textbox(label="Password", type="password", scale=1)
        ui.sign_in = gr.Button("Show the class view", scale=0, min_width=160)
    ui.login_msg = gr.Markdown("The class view is the teacher's: sign in." if teacher else "")


def build_view() -> SimpleNamespace:
    ui = SimpleNamespace()
    teacher = cx.CLASS is not None and cx.CLASS.teacher is not None
    ui.teacher_ok = gr.State(False)
    ui.seen = gr.State(None)
    _teacher_block(ui, teacher)
    with gr.Column(visible=not teacher, elem_id="class-view") as ui.view:
        gr.Markdown("### Logic gates: the class's runs as one sweep\nEach student's run (recorded on Pause, or "
                    "from the API) is one try of its cell: the share solved, and the median epoch it took.")
        with gr.Row():
            ui.gate = gr.Dropdown([], label="Gate", scale=1, elem_id="class-gate")
            ui.act = gr.Dropdown([h.ALL, "tanh", "relu", "sigmoid", "linear"], value=h.ALL, label="Activation",
                                 scale=1, elem_id="class-act")
        ui.heat = gr.Plot(show_label=False, elem_id="class-heatmap")
        gr.Markdown("### MNIST: leaderboard and accuracy vs seconds\nClick a point or a row to open its curves.")
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=340):
                ui.board = gr.Dataframe(headers=h.BOARD_COLUMNS, interactive=False, wrap=True, max_height=360,
                                        label="Leaderboard", elem_id="class-board")
            with gr.Column(scale=1, min_width=340):
                ui.scatter = gr.HTML("", html_template="<div class='nnp-class-plot'></div>",
                                     js_on_load=SCATTER_JS, elem_id="class-scatter")
        ui.curve_title = gr.Markdown("", elem_id="class-curve-title")
        ui.curves = gr.Plot(show_label=False, elem_id="class-curves", visible=False)
        with gr.Accordion("My runs", open=False):
            with gr.Row():
                ui.mine = gr.Dropdown([], label="My runs", scale=3, elem_id="class-mine")
                ui.delete = gr.Button("Delete this run", variant="stop", scale=0, min_width=150)
            ui.delete_msg = gr.Markdown("")
        with gr.Row():
            ui.export = gr.Button("Export every run (CSV)", scale=0, min_width=200, elem_id="class-export")
            ui.export_file = gr.File(label="CSV", visible=False, scale=2)
    with gr.Column(visible=False, elem_id="class-teacher") as ui.teacher_tools:
        with gr.Row():
            ui.confirm = gr.Checkbox(False, label="Yes, delete every run of this class")
            ui.reset = gr.Button("Reset class", variant="stop", scale=0, min_width=140)
        ui.reset_msg = gr.Markdown("")
    ui.timer = gr.Timer(3.0, active=False)
    return ui


def wire(demo: gr.Blocks, bar: SimpleNamespace, view: SimpleNamespace, tab: gr.Tab, other_tabs=()) -> None:
    q = dict(show_progress="hidden", api_visibility="private")
    demo.load(h.on_load, bar.stored, [bar.nick, bar.who, bar.stored], **q)
    bar.join.click(h.on_join, [bar.nick, bar.stored], [bar.who, bar.stored], **q)
    bar.nick.submit(h.on_join, [bar.nick, bar.stored], [bar.who, bar.stored], **q)
    bar.api_btn.click(h.api_join, [bar.api_nick, bar.api_owner], bar.api_out, api_name="class_join")

    out = [view.seen, view.gate, view.heat, view.board, view.scatter, view.mine]
    tab.select(lambda: gr.Timer(active=True), None, view.timer, **q).then(
        h.refresh, [view.seen, view.gate, view.act, view.teacher_ok], out, **q)
    for other in other_tabs:
        other.select(lambda: gr.Timer(active=False), None, view.timer, **q)
    view.timer.tick(h.refresh, [view.seen, view.gate, view.act, view.teacher_ok], out, **q)
    for comp in (view.gate, view.act):
        comp.input(h.on_filter, [view.gate, view.act, view.teacher_ok], out, **q)
    view.scatter.click(h.on_scatter_click, view.teacher_ok, [view.curve_title, view.curves], **q)
    view.board.select(h.on_board_select, [view.board, view.teacher_ok], [view.curve_title, view.curves], **q)
    view.delete.click(h.on_delete, view.mine, view.delete_msg, **q).then(
        h.on_filter, [view.gate, view.act, view.teacher_ok], out, **q)
    view.export.click(h.on_export, view.teacher_ok, view.export_file, **q)
    view.sign_in.click(h.on_teacher_login, [view.user, view.password],
                       [view.teacher_ok, view.view, view.teacher_tools, view.login_msg, view.seen], **q).then(
        h.on_filter, [view.gate, view.act, view.teacher_ok], out, **q)
    view.reset.click(h.on_reset, [view.confirm, view.teacher_ok], [view.reset_msg, view.confirm], **q).then(
        h.on_filter, [view.gate, view.act, view.teacher_ok], out, **q)
