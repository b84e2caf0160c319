"""runtime/ports.py and runtime/browser.py: the one port helper and the one browser finder."""

from __future__ import annotations

import socket

import pytest

from nnplay.runtime import browser as rb
from nnplay.runtime.ports import free_port


def test_free_port_can_be_bound_and_differs_while_held():
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # raises if something held it
        s.listen()
        assert free_port() != port  # a listening port is never handed out


def test_find_chromium_prefers_browser_path(tmp_path, monkeypatch):
    exe = tmp_path / "my-chrome"
    exe.write_text("")
    monkeypatch.setenv("BROWSER_PATH", str(exe))
    assert rb.find_chromium() == str(exe)


def test_find_chromium_says_none_when_there_is_none(tmp_path, monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setattr(rb, "DEBIAN_CHROMIUM", str(tmp_path / "absent"))
    monkeypatch.setattr(rb.shutil, "which", lambda name: None)
    assert rb.find_chromium() is None
    with pytest.raises(FileNotFoundError, match="apt-get install chromium"):
        rb.launch_chromium(object())


@pytest.mark.browser
def test_launch_chromium_renders_a_page(browser):
    """`browser` is the suite's session fixture (tests/conftest.py), started by launch_chromium:
    a second Playwright in the same process would clash with its event loop."""
    page = browser.new_page()
    try:
        page.set_content("<p id='x'>2 + 3 = <span></span></p><script>"
                         "document.querySelector('span').textContent = 2 + 3</script>")
        assert page.text_content("#x") == "2 + 3 = 5"
    finally:
        page.close()
