"""The core is usable without the TUI: importing it never imports textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import fieldkit


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(fieldkit.__path__, "fieldkit."):
        if not info.name.startswith(("fieldkit.tui", "fieldkit.cli", "fieldkit.__main__")):
            names.append(info.name)
    return names


def test_there_is_a_core_to_check():
    assert {"fieldkit.catalog.db", "fieldkit.models", "fieldkit.export.csv"} <= set(core_modules())


def test_the_core_imports_without_textual():
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if m.startswith('textual'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
