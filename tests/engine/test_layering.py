"""The lower layers stay importable without the UI libraries (DEVELOPERS.md: layers)."""

import subprocess
import sys


def imported_roots(package: str, roots: tuple[str, ...]) -> str:
    """Import every module of `package` in a fresh interpreter; the modules of `roots` it loaded."""
    code = (
        f"import sys, pkgutil, importlib, {package} as p\n"
        f"for m in pkgutil.walk_packages(p.__path__, '{package}.'):\n"
        "    importlib.import_module(m.name)\n"
        f"print(','.join(sorted(k for k in sys.modules if k.split('.')[0] in {roots!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_engine_imports_no_ui_libraries():
    bad = imported_roots("nnplay.engine", ("gradio", "plotly", "gradio_client"))
    assert bad == "", f"engine pulled in UI modules: {bad}"


def test_viz_imports_no_gradio():
    assert imported_roots("nnplay.viz", ("gradio",)) == ""


def test_classroom_imports_no_ui_libraries():
    assert imported_roots("nnplay.classroom", ("gradio", "plotly", "ray")) == ""
