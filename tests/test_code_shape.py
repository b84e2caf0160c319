"""The shape of src/: no file over 400 lines, no function over 60 (DEVELOPERS.md: files and tests).

A long function is where a newcomer gets lost and where a change breaks something three
screens away; a long file is usually two jobs. Split along the natural parts instead of
raising the limits. Lines are counted as written (decorators, docstrings and comments too).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def sources() -> list[Path]:
    return sorted((SRC / "nnplay").rglob("*.py"))


def long_functions(path: Path, root: Path = SRC) -> list[str]:
    """'file:line name() is N lines' for every function or method longer than the limit."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            n = node.end_lineno - first + 1
            if n > MAX_FUNCTION_LINES:
                out.append(f"{path.relative_to(root)}:{node.lineno} {node.name}() is {n} lines")
    return out


def test_the_check_sees_the_whole_package():
    files = sources()
    assert len(files) > 50 and SRC / "nnplay" / "engine" / "gates" / "trainer.py" in files


def test_no_file_over_400_lines():
    long = [f"{p.relative_to(SRC)} is {n} lines" for p in sources()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES]
    assert not long, "split these files along their natural parts:\n" + "\n".join(long)


def test_no_function_over_60_lines():
    long = [msg for p in sources() for msg in long_functions(p)]
    assert not long, "split these functions along their natural parts:\n" + "\n".join(long)


def test_the_function_check_counts_methods_and_decorators(tmp_path):
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_FUNCTION_LINES - 2))
    f = tmp_path / "m.py"
    f.write_text(f"class C:\n    @staticmethod\n    def at_the_limit():\n{body}\n")  # decorator + def + body = 60
    assert long_functions(f, tmp_path) == []
    f.write_text(f"class C:\n    @staticmethod\n    def over():\n{body}\n        return x0\n")
    assert long_functions(f, tmp_path) == [f"m.py:3 over() is {MAX_FUNCTION_LINES + 1} lines"]
