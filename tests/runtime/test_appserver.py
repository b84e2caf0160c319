"""runtime/appserver.py: `nnplay app` as a child process, ready when it answers, gone after."""

from __future__ import annotations

import pytest

from nnplay.runtime.appserver import answers, app_process


def test_the_app_answers_inside_the_block_and_is_gone_after():
    with app_process() as app:
        assert answers(app.url + "config") and app.seconds > 0
        assert app.proc.poll() is None
        url, proc = app.url, app.proc
    assert proc.poll() is not None and not answers(url + "config", timeout=1)


def test_a_failing_start_is_an_error_with_its_message():
    with pytest.raises(RuntimeError, match="exited with 2.*--port"):
        with app_process(("--port", "not-a-number")):
            pass
