"""The served app: two labs, loopback-only, and no file outside the app is served."""

import urllib.error
import urllib.request

import pytest


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_page_has_both_labs(app_url):
    status, body = get(app_url + "config")
    assert status == 200
    text = body.decode()
    assert '"Logic gates"' in text and '"MNIST"' in text


@pytest.mark.parametrize("path", ["file=/etc/passwd", "gradio_api/file=/etc/passwd",
                                  "gradio_api/file=../../../../etc/passwd", "file=pyproject.toml"])
def test_no_file_outside_the_app_is_served(app_url, path):
    status, body = get(app_url + path)
    assert status in (400, 403, 404), (status, body[:200])
    assert b"root:" not in body and b"[project]" not in body


def test_no_usage_analytics_are_sent(app_url):
    """Classrooms are often offline: the page must not try to report usage anywhere."""
    import json

    status, body = get(app_url + "config")
    assert status == 200 and json.loads(body)["analytics_enabled"] is False
