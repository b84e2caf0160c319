"""The gate lab's live stream over a real WebSocket: frames arrive while playing, each newer
than the last, curves arrive as new points only, the page's acknowledgements pace the
server, Pause wins, the timeline seeks, an unknown token is refused."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from nnplay.app.gates import handlers as h
from nnplay.app.gates import stream, tokens
from nnplay.app.gates.session import Session
from nnplay.engine.gates import GateConfig

WAIT = 60  # s; generous, the machine may be busy (nothing here is timed)


def ws_url(app_url: str, token: str) -> str:
    return app_url.replace("http://", "ws://").rstrip("/") + stream.ROUTE + "?token=" + token


def recv(ws) -> dict:
    return json.loads(ws.recv(timeout=WAIT))


@pytest.fixture()
def session():
    s = Session.new(GateConfig(gate="XOR", hidden=(4, 4)), speed=3)
    tokens.issue(s)
    return s


def test_frames_arrive_while_playing_and_stop_on_pause(app_url, session):
    with connect(ws_url(app_url, session.token)) as ws:
        first = json.loads(h.on_play(session))
        frames = []
        for _ in range(8):
            f = recv(ws)
            frames.append(f)
            ws.send(json.dumps({"ack": f["k"]}))
        seqs = [f["seq"] for f in frames]
        assert seqs == sorted(seqs) and seqs[0] > first["seq"]
        # every frame trains `speed` epochs and carries every live view's data
        assert [f["epoch"] for f in frames] == [3 * (i + 1) for i in range(8)]
        assert all({"b", "tiles", "w", "p", "sel", "status", "tl", "curve"} <= set(f) for f in frames)
        # a new stream first sends the whole curve and the static part (the page may have
        # reconnected); then new curve points only, and static data only when it changes
        assert frames[0]["curve"]["reset"] is True and frames[0]["curve"]["e"] == [0, 1, 2, 3]
        assert "static" in frames[0] and not any("static" in f for f in frames[1:])
        points = [e for f in frames[1:] for e in f["curve"]["e"]]
        assert not any(f["curve"]["reset"] for f in frames[1:]) and points == list(range(4, 25))
        paused = json.loads(h.on_pause(session))
        assert paused["seq"] > frames[-1]["seq"] and "Paused at epoch" in paused["status"]
        # at most the window's frames can still be on their way; then nothing more comes
        late = []
        with pytest.raises(TimeoutError):
            while True:
                late.append(json.loads(ws.recv(timeout=2)))
        assert len(late) <= stream.WINDOW and all(f["seq"] < paused["seq"] for f in late)
        assert session.trainer.epoch == paused["epoch"]


def test_without_acknowledgements_the_server_waits(app_url, session):
    with connect(ws_url(app_url, session.token)) as ws:
        h.on_play(session)
        got = [recv(ws) for _ in range(stream.WINDOW)]
        with pytest.raises(TimeoutError):
            ws.recv(timeout=1.5)  # the page has drawn nothing: no third frame, no training
        epoch = session.trainer.epoch
        assert epoch == 3 * stream.WINDOW
        ws.send(json.dumps({"ack": got[-1]["k"]}))
        assert recv(ws)["epoch"] == epoch + 3
        h.on_pause(session)


def test_timeline_seek_shows_history_and_stops_play(app_url, session):
    for _ in range(3):
        session.trainer.step(10)
    with connect(ws_url(app_url, session.token)) as ws:
        ws.send(json.dumps({"seek": 1}))
        f = recv(ws)
        assert f["epoch"] == 10 and f["tl"] == {"i": 1, "n": 4, "epoch": 10} and f["cursor"] == 10
        assert "Viewing history: epoch 10" in f["status"] and session.view == 1
        ws.send(json.dumps({"ack": f["k"], "seek_epoch": 25}))  # a typed epoch: the entry at or before it
        f = recv(ws)
        assert f["epoch"] == 20 and session.view == 2
        ws.send(json.dumps({"ack": f["k"], "seek": 3}))  # the last entry is the live state
        f = recv(ws)
        assert f["epoch"] == 30 and session.view is None and f["cursor"] is None


def test_replay_walks_the_history_and_ends_live(app_url, session):
    for _ in range(5):
        session.trainer.step(4)
    with connect(ws_url(app_url, session.token)) as ws:
        h.on_replay(session)
        epochs = []
        while True:
            f = recv(ws)
            epochs.append(f["epoch"])
            ws.send(json.dumps({"ack": f["k"]}))
            if not f["playing"]:
                break
        assert epochs == sorted(epochs) and epochs[-1] == 20 and session.view is None
        assert "Replay finished" in f["status"]


def test_garbage_from_the_page_is_ignored(app_url, session):
    with connect(ws_url(app_url, session.token)) as ws:
        ws.send(b"\x00\x01binary")
        ws.send("not json")
        ws.send(json.dumps([1, 2]))
        ws.send(json.dumps({"seek": "x", "ack": "y"}))
        ws.send(json.dumps({"seek": 10**12}))  # clamped to the last entry
        f = recv(ws)
        assert f["tl"]["i"] == f["tl"]["n"] - 1 and session.view is None


def test_unknown_token_is_refused(app_url):
    with connect(ws_url(app_url, "not-a-token")) as ws:
        with pytest.raises(ConnectionClosed) as err:
            ws.recv(timeout=WAIT)
    assert err.value.rcvd.code == stream.CLOSE_UNKNOWN


def test_close_all_ends_open_streams(app_url, session):
    with connect(ws_url(app_url, session.token)) as ws:
        ws.send(json.dumps({"seek": 0}))
        recv(ws)
        assert stream.close_all() >= 1
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=WAIT)


def test_two_pages_get_only_their_own_frames(app_url):
    """Two visitors at once: each stream carries its own session's frames, and playing one
    page trains nothing in the other."""
    a = Session.new(GateConfig(gate="XOR", hidden=(3,)), speed=1)
    b = Session.new(GateConfig(gate="AND", hidden=(5,)), speed=2)
    for s in (a, b):
        tokens.issue(s)
    assert a.token != b.token
    with connect(ws_url(app_url, a.token)) as wa, connect(ws_url(app_url, b.token)) as wb:
        h.on_play(a)
        h.on_play(b)
        fa, fb = recv(wa), recv(wb)
        assert fa["static"]["sizes"] == [2, 3, 1] and fb["static"]["sizes"] == [2, 5, 1]
        assert fa["epoch"] == 1 and fb["epoch"] == 2
        h.on_pause(b)
        for _ in range(5):
            wa.send(json.dumps({"ack": fa["k"]}))
            fa = recv(wa)
        assert fa["epoch"] == 6 and b.trainer.epoch <= 2 * (1 + stream.WINDOW)
        h.on_pause(a)
