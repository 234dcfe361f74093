"""The core is usable without the TUI: importing it never imports textual. Light commands
(`--help`, `years`, `datecode`, `year`, `match`, `item list`) import only what they use."""

from __future__ import annotations

import json
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import fieldkit

EXAMPLE = Path(__file__).resolve().parent.parent / "catalog.db.example"


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


# What a light command must never load: the image, OCR and app stacks, and fieldkit's OCR and
# evidence packages. (harlequin's and posting's import-hygiene tests are the model.)
HEAVY = ("PIL", "pytesseract", "textual", "rapidocr", "rapidocr_onnxruntime", "onnxruntime", "fieldkit.ocr",
         "fieldkit.evidence", "fieldkit.tui")
# Commands that open no catalog must not load the catalog layer, sqlite-utils or pydantic either.
NO_CATALOG = ("sqlite_utils", "pydantic", "fieldkit.catalog")
LIGHT_COMMANDS = {
    "--help": NO_CATALOG,
    "years 112": NO_CATALOG,
    "datecode 2310": NO_CATALOG,
    "year juche 112": NO_CATALOG,
    "match 112": ("sqlite_utils", "fieldkit.catalog"),
    "item list": ("pydantic", "fieldkit.components"),
}


def modules_loaded_by(args: list[str], db: Path) -> tuple[int, set[str]]:
    """Run `fieldkit --db DB ARGS` in a fresh interpreter; its exit code and every module it loaded."""
    code = (
        "import sys, json, contextlib, io\n"
        "from fieldkit.cli import cli\n"
        "out = io.StringIO()\n"
        "try:\n"
        "    with contextlib.redirect_stdout(out):\n"
        f"        cli.main({['--db', str(db), *args]!r}, standalone_mode=False)\n"
        "    status = 0\n"
        "except SystemExit as exc:\n"
        "    status = exc.code or 0\n"
        "print(json.dumps([status, sorted(sys.modules)]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    status, modules = json.loads(result.stdout.splitlines()[-1])
    return status, set(modules)


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


@pytest.mark.parametrize("command", list(LIGHT_COMMANDS))
def test_a_light_command_imports_only_what_it_uses(command, tmp_path):
    db = tmp_path / "catalog.db"
    shutil.copyfile(EXAMPLE, db)
    status, modules = modules_loaded_by(command.split(), db)
    assert status == 0
    assert "fieldkit.cli" in modules  # the check ran the command in this interpreter
    assert loaded(modules, HEAVY) == []
    assert loaded(modules, LIGHT_COMMANDS[command]) == []


def test_a_component_import_loads_neither_the_item_models_nor_the_summary_and_export(tmp_path):
    """Its rows are checked by fieldkit.typed_text and its own code: not by the item models
    (fieldkit.models), nor the summary, nor the export (whose start-up a 100,000-row import paid)."""
    db = tmp_path / "catalog.db"
    shutil.copyfile(EXAMPLE, db)
    rows = tmp_path / "parts.csv"
    rows.write_text("part_number,manufacturer,date_code\nLM317,TI,2310\n", encoding="utf-8")
    status, modules = modules_loaded_by(["component", "import", "KHK-0001", str(rows)], db)
    assert status == 0
    assert "fieldkit.components.importer" in modules
    assert loaded(modules, HEAVY + ("fieldkit.models", "fieldkit.components.summary", "fieldkit.export")) == []


def test_the_check_sees_a_heavy_import_when_there_is_one(tmp_path):
    """`verify` re-hashes photos (fieldkit.evidence): the same check must report it."""
    db = tmp_path / "catalog.db"
    shutil.copyfile(EXAMPLE, db)
    shutil.copytree(EXAMPLE.with_name(EXAMPLE.name + ".photos"), db.with_name(db.name + ".photos"))
    _, modules = modules_loaded_by(["verify"], db)
    assert "fieldkit.evidence" in loaded(modules, HEAVY)


def test_the_catalog_layer_loads_sqlite_utils_without_numpy_and_numpy_still_imports_after():
    """sqlite-utils imports numpy (about 0.1 s) only to map its types in inserts fieldkit never makes:
    fieldkit's import hook hides it while sqlite_utils.db loads, and only then."""
    code = (
        "import sys\n"
        "import fieldkit.catalog.db, fieldkit.export.csv, fieldkit.components.importer\n"
        "assert 'numpy' not in sys.modules and 'pandas' not in sys.modules\n"
        "import sqlite_utils.db\n"
        "assert sqlite_utils.db.np is None\n"
        "import numpy\n"
        "assert numpy.zeros(2).sum() == 0\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_reading_an_image_file_loads_no_catalog_pydantic_or_app(tmp_path):
    """`fieldkit ocr FILE` (no --photo/--item/--save) stores nothing: no catalog layer, sqlite-utils,
    pydantic or textual; the reference tables its choice consults are read plainly (csv, re)."""
    from tests.ocr_images import make_marking

    image = tmp_path / "line.png"
    make_marking("9M22U 3-85", seed=3).image.save(image)
    for engine in ("auto", "tesseract"):
        status, modules = modules_loaded_by(["ocr", str(image), "--engine", engine], tmp_path / "none.db")
        assert status == 0
        assert "fieldkit.ocr.engine" in modules  # the check ran the reading in this interpreter
        assert loaded(modules, NO_CATALOG + ("textual", "fieldkit.tui")) == []


def test_the_reranking_reads_the_reference_tables_without_pydantic():
    """Both places the OCR choice consults the tables (tesseract's rival readings, and the two
    engines' close readings) load them, and still no pydantic."""
    code = (
        "import sys\n"
        "from fieldkit.ocr.choice import EngineReading, choose\n"
        "from fieldkit.ocr.engine import OcrCandidate, OcrResult\n"
        "from fieldkit.ocr.rerank import preferred\n"
        "cands = [OcrCandidate('flattened', 7, '9MZZU', 70, 0.1), OcrCandidate('denoised', 7, '9M22U', 65, 0.1)]\n"
        "result = OcrResult('9MZZU', 70, [], {'name': 'tesseract', 'pipeline': 'flattened', 'psm': 7}, cands)\n"
        "assert preferred(result)[0] == '9M22U'\n"
        "chosen = choose([EngineReading('tesseract', 'LM317T', 84.0, 'x'), EngineReading('ppocr', 'LN317T', 0.95, 'y')])\n"
        "assert 'part-number family' in chosen.basis, chosen.basis\n"
        "assert 'fieldkit.reference.plain' in sys.modules\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'sqlite_utils', 'textual')"
        " or m.startswith(('fieldkit.catalog', 'fieldkit.reference.tables'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_catalog_layer_leaves_dateutils_parser_unloaded_until_something_uses_it():
    """sqlite-utils imports dateutil's parser (and its time zones) for date recipes fieldkit never
    calls: fieldkit's import hook loads it lazily, and it still works when used."""
    code = (
        "import sys\n"
        "import fieldkit.catalog.db, fieldkit.export.csv\n"
        "assert 'dateutil.parser._parser' not in sys.modules and 'dateutil.tz' not in sys.modules\n"
        "from sqlite_utils.recipes import parsedate\n"
        "assert parsedate('2 December 2026') == '2026-12-02'\n"
        "from dateutil.parser import ParserError, isoparse\n"
        "assert isoparse('2026-12-02T10:00').hour == 10 and issubclass(ParserError, ValueError)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_sqlite_utils_regular_expressions_are_compiled_when_first_used_and_still_match():
    """sqlite_utils/db.py compiles its regular expressions when it loads (one took 16 ms): under
    fieldkit's import hook they compile when first used, and match as before; a pattern compiled
    elsewhere meanwhile is a real one."""
    code = (
        "import re, sqlite3\n"
        "compile_before = re.compile\n"
        "import fieldkit.catalog.db\n"
        "import sqlite_utils.db as sdb\n"
        "assert type(sdb._virtual_table_using_re).__name__ == '_LazyPattern'\n"
        "assert re.compile is compile_before and isinstance(re.compile('x'), re.Pattern)\n"
        "db = sdb.Database(sqlite3.connect(':memory:'), execute_plugins=False)\n"
        "db.execute('CREATE VIRTUAL TABLE \"notes fts\" USING fts5(body)')\n"
        "db.execute('CREATE TABLE plain (x)')\n"
        "assert db['notes fts'].virtual_table_using == 'FTS5', db['notes fts'].virtual_table_using\n"
        "assert db['plain'].virtual_table_using is None\n"
        "assert sdb._virtual_table_using_re.match('create virtual table t using fts4').group('using') == 'fts4'\n"
        "assert sdb._quote_fts_re.split('a  b') == ['a', None, 'b']\n"
        "assert db.quote_fts('red \"box') == '\"red\" \"box\"'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_ocr_engine_status_and_stop_load_no_engine(tmp_path, monkeypatch):
    """`fieldkit ocr-engine status|stop` only talk to the engine process (fieldkit.ocr.resident):
    they load neither the engines nor the image stack, like a light command. (A `fieldkit ocr FILE`
    the engine process reads: tests/test_ocr_engine_process.py.)"""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    engines = tuple(p for p in HEAVY if p != "fieldkit.ocr") + ("numpy", "fieldkit.ocr.engine", "fieldkit.ocr.reading",
                                                                 "fieldkit.ocr.ppocr", "fieldkit.ocr.inprocess")
    for command in (["ocr-engine", "status"], ["ocr-engine", "stop"]):
        status, modules = modules_loaded_by(command, tmp_path / "catalog.db")
        assert "fieldkit.ocr.resident" in modules
        assert loaded(modules, engines + NO_CATALOG) == [], command
