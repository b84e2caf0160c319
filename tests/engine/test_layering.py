"""The engine must stay importable without any UI library (DEVELOPERS.md: layers)."""

import subprocess
import sys


def test_engine_imports_no_ui_libraries():
    code = (
        "import sys, pkgutil, importlib, nnplay.engine as e\n"
        "for m in pkgutil.walk_packages(e.__path__, 'nnplay.engine.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('gradio', 'plotly', 'gradio_client'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"engine pulled in UI modules: {out.stdout}"


def test_viz_imports_no_gradio():
    code = (
        "import sys, pkgutil, importlib, nnplay.viz as v\n"
        "for m in pkgutil.walk_packages(v.__path__, 'nnplay.viz.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(','.join(sorted(k for k in sys.modules if k.split('.')[0] == 'gradio')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_classroom_imports_no_ui_libraries():
    code = (
        "import sys, pkgutil, importlib, nnplay.classroom as c\n"
        "for m in pkgutil.walk_packages(c.__path__, 'nnplay.classroom.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(','.join(sorted(k for k in sys.modules if k.split('.')[0] in ('gradio', 'plotly', 'ray'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
