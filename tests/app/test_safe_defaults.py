"""Safe defaults: loopback unless asked, a warning when exposed, a real login with
--auth, an upload size limit, no file outside the app served, and no pickle loaded."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from nnplay.cli import main

SRC = Path(__file__).resolve().parents[2] / "src" / "nnplay"


def get(url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


# ---------------------------------------------------------------------------------------
# `nnplay app` flags: bind address, exposure warnings, auth
# ---------------------------------------------------------------------------------------
@pytest.fixture()
def launched(monkeypatch):
    """Replace the server start by a recorder of its arguments."""
    calls = []
    import nnplay.app.main as app_main

    monkeypatch.setattr(app_main, "launch", lambda **kw: calls.append(kw))
    return calls


def test_default_is_loopback_without_warning(launched, capsys):
    assert main(["app"]) == 0
    assert launched[0]["host"] == "127.0.0.1" and launched[0]["share"] is False and launched[0]["auth"] is None
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize("argv, words", [
    (["--host", "0.0.0.0"], r"exposes nnplay to other computers.*--auth"),
    (["--share"], r"public link"),
])
def test_exposure_only_on_request_and_with_a_warning(launched, capsys, argv, words):
    assert main(["app", *argv]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^warning: ", err, re.M) and re.search(words, err), err


def test_auth_is_passed_to_the_server(launched):
    main(["app", "--auth", "teacher:s3cret:with:colons"])
    assert launched[0]["auth"] == ("teacher", "s3cret:with:colons")


@pytest.fixture(scope="module")
def auth_url():
    """A second server with a login, on its own loopback port."""
    from netutil import free_port
    from nnplay.app.main import launch

    port = free_port()
    demo = launch(host="127.0.0.1", port=port, auth=("teacher", "s3cret"), prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


def test_auth_really_requires_login(auth_url):
    from gradio_client import Client

    status, body = get(auth_url + "config")
    assert status in (401, 403), (status, body[:200])
    assert b"Logic gates" not in body
    with pytest.raises(Exception):
        Client(auth_url, verbose=False)
    status, _ = get(auth_url + "login", data=b"username=teacher&password=wrong",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status in (400, 401, 403)
    client = Client(auth_url, auth=("teacher", "s3cret"), verbose=False, ssl_verify=False)
    assert "/gates_train" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]


# ---------------------------------------------------------------------------------------
# uploads and files
# ---------------------------------------------------------------------------------------
def multipart(name: str, payload: bytes) -> tuple[bytes, str]:
    boundary = "nnplayboundary7"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
            "Content-Type: image/png\r\n\r\n").encode() + payload + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_over_limit_upload_is_refused(app_url):
    from nnplay.app.main import MAX_FILE_SIZE

    limit = int(re.match(r"(\d+)mb", MAX_FILE_SIZE.lower()).group(1)) * 1024 * 1024
    body, ctype = multipart("big.png", b"\0" * (limit + 1024))
    status, reply = get(app_url + "gradio_api/upload", data=body, headers={"Content-Type": ctype})
    assert status in (400, 413), (status, reply[:200])
    assert b"size" in reply.lower() or b"large" in reply.lower()
    small, ctype = multipart("small.png", b"\0" * 1024)  # the oracle: a small one is accepted
    status, reply = get(app_url + "gradio_api/upload", data=small, headers={"Content-Type": ctype})
    assert status == 200, reply[:200]


@pytest.mark.parametrize("target", [
    SRC / "app" / "main.py",                                    # the app's own source
    SRC.parents[1] / "pyproject.toml",
    SRC / "engine" / "checkpoint.py",
    Path.home() / ".bashrc",
])
def test_no_project_or_home_file_is_served(app_url, target):
    for prefix in ("gradio_api/file=", "file="):
        status, body = get(app_url + prefix + str(target))
        assert status in (400, 403, 404), (prefix, target, status)
        assert b"import " not in body and b"[project]" not in body


# ---------------------------------------------------------------------------------------
# no pickle, ever
# ---------------------------------------------------------------------------------------
UNSAFE = re.compile(r"\btorch\.load\(|\btorch\.save\(|\bpickle\.loads?\(|\bimport pickle\b|\bcPickle\b|"
                    r"\bdill\b|\bcloudpickle\b|\bjoblib\.load\(|allow_pickle\s*=\s*True|weights_only\s*=\s*False")


def test_no_pickle_loading_in_the_package():
    hits = []
    for path in SRC.rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if UNSAFE.search(code):
                hits.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert not hits, "pickle-based loading/saving found:\n" + "\n".join(hits)


def test_the_grep_would_catch_it():
    assert UNSAFE.search("state = torch.load(path)") and UNSAFE.search("pickle.loads(blob)")
    assert not UNSAFE.search("from safetensors.torch import load")


def test_checkpoints_are_safetensors_only(tmp_path):
    import torch

    from nnplay.engine.checkpoint import save_checkpoint

    path = save_checkpoint(tmp_path / "model.pt", {"w": torch.ones(2)}, kind="test", config={})
    assert path.suffix == ".safetensors" and not (tmp_path / "model.pt").exists()
    assert path.read_bytes()[8:9] == b"{"  # an 8-byte header length, then JSON: no pickle opcode


def test_max_trainings_flag(launched, capsys):
    assert main(["app", "--max-trainings", "3"]) == 0
    assert launched[0]["max_trainings"] == 3
    assert main(["app", "--max-trainings", "0"]) == 2
    assert "error: --max-trainings must be from 1 to 64" in capsys.readouterr().err
