"""The `nnplay` command line: the same engine as the app, behind argparse.

Each subcommand lives in its own module with two functions:

    register(subparsers)   adds its parser and calls set_defaults(func=run)
    run(args) -> int       does the work and returns the exit status

Errors the user can fix (NnplayError) print one line `error: ...` on stderr and
exit 2, never a traceback. `--json` prints exactly one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys

from nnplay import __version__
from nnplay.engine.errors import NnplayError

# Subcommand modules, in the order `nnplay --help` lists them.
COMMANDS = ["app", "train", "eval", "predict"]
OPTIONAL_COMMANDS = ["bench", "sweep", "report"]  # registered when their module exists


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one `error:` line (exit 2) like ours."""

    def error(self, message):  # noqa: D401 - argparse API
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nnplay", description="A neural-network playground: logic gates and MNIST.")
    parser.add_argument("--version", action="version", version=f"nnplay {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS + OPTIONAL_COMMANDS:
        try:
            module = importlib.import_module(f"nnplay.cli.{name}_cmd")
        except ModuleNotFoundError as e:
            if name in OPTIONAL_COMMANDS and e.name == f"nnplay.cli.{name}_cmd":
                continue
            raise
        module.register(sub)
    return parser


def emit_json(obj: dict) -> None:
    """Print one JSON object on stdout (the --json contract)."""
    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")
    sys.stdout.flush()


def entry() -> None:
    """The `nnplay` console script and `python -m nnplay`: run main() as the whole process."""
    sys.exit(main(process=True))


def main(argv: list[str] | None = None, *, process: bool = False) -> int:
    """Run one command; returns its exit status. `process`: this call is the whole process
    (the console script), so a command that asks for it may end the process at once."""
    parser = build_parser()
    args = parser.parse_args(argv)
    code = _run(args)
    if process and code == 0 and getattr(args, "quick_exit", False):
        quick_exit(code)
    return code


def quick_exit(code: int) -> None:
    """Leave without the interpreter's tear-down. Freeing every module and object once torch
    is loaded takes ~0.3 s on a 2-core CPU (plain `import torch; exit()` pays it), time a user
    waits at the prompt after the result is already printed and saved. Commands opt in with
    set_defaults(quick_exit=True) only when nothing of theirs runs at exit: no worker processes
    or servers to shut down (Ray, torchrun, Gradio), every file written and closed."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _run(args) -> int:
    try:
        return int(args.func(args) or 0)
    except NnplayError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("error: out of memory; try a smaller model, batch size or subset", file=sys.stderr)
        return 1
