"""The command line's shared contract: --help everywhere, one-line errors, --version."""

import subprocess
import sys

import pytest

from nnplay.cli import build_parser

SUBCOMMANDS = [["app"], ["train"], ["train", "gates"], ["train", "mnist"], ["eval"], ["predict"]]


def nnplay(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "nnplay", *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("words", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help(words):
    out = nnplay(*words, "--help")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: nnplay " + " ".join(words))


def test_version():
    out = nnplay("--version")
    assert out.returncode == 0 and out.stdout.startswith("nnplay ")


def test_unknown_command_is_one_error_line():
    out = nnplay("fly")
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in out.stderr


def test_app_rejects_malformed_auth_without_traceback():
    out = nnplay("app", "--auth", "nopassword")
    assert out.returncode == 2
    assert out.stderr.strip() == "error: --auth must look like user:password"


def test_app_defaults_to_loopback():
    args = build_parser().parse_args(["app"])
    assert args.host == "127.0.0.1" and args.port == 7860 and args.share is False and args.auth is None


def test_port_in_use_is_one_clear_error():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = nnplay("app", "--port", str(port))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip() == (f"error: cannot serve on 127.0.0.1:{port}: the port is in use by another "
                                  f"program; try another port, e.g. --port {port + 1}")
