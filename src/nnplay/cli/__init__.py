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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
