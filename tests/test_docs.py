"""The documents stay true: every command in README.md's shell blocks parses with the real CLI
parser (or names a real Makefile target), every linked image exists, and the Space's
requirements.txt lists the package's dependencies."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from nnplay.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "docs" / "USAGE.md"]
SHELL_FENCE = re.compile(r"^```(?:bash|sh|shell|console)\s*\n(.*?)^```", re.M | re.S)


def shell_lines(path: Path) -> list[str]:
    """Logical lines of the fenced shell blocks (continuations joined, `$ ` prompts dropped)."""
    out = []
    for block in SHELL_FENCE.findall(path.read_text(encoding="utf-8")):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith("$ "):
                line = line[2:]
            if line and not line.startswith("#"):
                out.append(line)
    return out


def nnplay_argv(line: str) -> list[str] | None:
    """The nnplay arguments of a command line, or None if it does not run nnplay.
    `[--opt V]` optional groups are taken as given, `A|B` alternatives as their first."""
    words = shlex.split(re.sub(r"[\[\]]", " ", line), comments=True)
    words = [w.split("|")[0] if "|" in w and not w.startswith("-") else w for w in words]
    for i, w in enumerate(words):
        if Path(w).name == "nnplay" and (i == 0 or words[i - 1] == "-m" or words[i - 1].endswith("env")):
            return words[i + 1:]
    return None


def commands() -> list[tuple[str, str]]:
    return [(p.name, line) for p in DOCS if p.exists() for line in shell_lines(p)]


def test_readme_has_commands():
    lines = shell_lines(ROOT / "README.md")
    assert any(nnplay_argv(line) for line in lines)
    assert any(line.startswith("make ") for line in lines)


@pytest.mark.parametrize("doc,line", commands())
def test_command_parses(doc, line):
    argv = nnplay_argv(line)
    if argv is not None:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as e:  # argparse: usage error (2) or --help/--version (0)
            assert e.code == 0, f"{doc}: `{line}` does not parse"
            return
        assert callable(args.func)
    elif line.startswith("make"):
        targets = set(re.findall(r"^([\w.-]+):", (ROOT / "Makefile").read_text(), re.M))
        for word in shlex.split(line, comments=True)[1:]:
            if "=" not in word and not word.startswith("-"):
                assert word in targets, f"{doc}: `{line}`: no Makefile target {word!r}"


def test_make_targets_of_the_two_setup_commands():
    targets = set(re.findall(r"^([\w.-]+):", (ROOT / "Makefile").read_text(), re.M))
    assert {"app", "test"} <= targets


def test_linked_images_exist():
    for doc in DOCS:
        if not doc.exists():
            continue
        text = doc.read_text(encoding="utf-8")
        links = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text) + re.findall(r"<img [^>]*src=\"([^\"]+)\"", text)
        for link in links:
            if link.startswith(("http://", "https://")):
                continue
            assert (doc.parent / link).is_file(), f"{doc.name}: missing image {link}"


def test_usage_guide_shows_both_labs():
    text = (ROOT / "docs" / "USAGE.md").read_text(encoding="utf-8")
    shots = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text)
    assert any("gates" in s for s in shots) and any("mnist" in s for s in shots)
    assert "## Classroom experiments" in text


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req.strip(), maxsplit=1)[0].lower()


def test_space_requirements_match_the_package():
    # (tomllib is Python 3.11+; the project supports 3.10, so read the list with a pattern)
    block = re.search(r"^dependencies = \[(.*?)^\]", (ROOT / "pyproject.toml").read_text(), re.M | re.S).group(1)
    deps = re.findall(r"\"([^\"]+)\"", block)
    assert len(deps) >= 5
    reqs = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.strip() and not line.startswith(("#", "-"))]
    assert {_name(r) for r in reqs} == {_name(d) for d in deps}
    assert "torch==2.13.0" in reqs  # the pinned CPU build, from the extra index
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in (ROOT / "requirements.txt").read_text()


PY_FENCE = re.compile(r"^```python\s*\n(.*?)^```", re.M | re.S)
API_DOCS = DOCS + [ROOT / "docs" / "api-gates.md"]


def test_python_examples_compile_and_name_real_endpoints(client):
    """Python blocks are valid Python, and every api_name they call is served by the app."""
    named = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    used = set()
    for doc in API_DOCS:
        if not doc.exists():
            continue
        for k, block in enumerate(PY_FENCE.findall(doc.read_text(encoding="utf-8"))):
            compile(block, f"{doc.name} python block {k + 1}", "exec")
            used |= set(re.findall(r"api_name=[\"'](/[\w-]+)[\"']", block))
    assert used, "no API example found in the docs"
    assert used <= named, f"endpoints in the docs that the app does not serve: {sorted(used - named)}"
