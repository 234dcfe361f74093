"""The audit format in README.md can be checked by a third party: the README's script (the same as
scripts/check_audit.py) finds a catalog intact, and finds every kind of tampering verify finds."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from component_fixtures import fixture_index, write_khk_csv
from fieldkit.catalog import components, items
from fieldkit.catalog.db import open_catalog
from fieldkit.components.importer import import_components
from test_upgrades import one_byte_edit

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_audit.py"


def run_script(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(db)], capture_output=True, text=True)


def test_the_readme_shows_the_script_as_it_is():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The audit log"):]
    block = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    assert block == SCRIPT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built_catalog(tmp_path_factory):
    """A catalog with single adds, an edit, a delete and a bulk import, closed: built once, never written."""
    tmp_path = tmp_path_factory.mktemp("audit-script")
    path = tmp_path / "catalog.db"
    catalog = open_catalog(path, actor="tester")
    index = fixture_index()
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris", "lat": 49.99, "lon": 36.23, "notes": "Харків"})
    saved = components.add_component(catalog, "KHK-0001", {"part_number": "ADXL345", "date_code": "2310"}, index=index)
    components.update_component(catalog, saved.row["id"], {"quantity": 4}, index=index)
    gone = components.add_component(catalog, "KHK-0001", {"part_number": "LM317"}, index=index)
    components.delete_component(catalog, gone.row["id"])
    import_components(catalog, "KHK-0001", write_khk_csv(tmp_path / "khk.csv"), index=index)
    catalog.close()
    return path


@pytest.fixture
def catalog_file(built_catalog, tmp_path):
    """A copy of the built catalog for this test to tamper with (closed, so the file is the whole catalog)."""
    path = tmp_path / "catalog.db"
    shutil.copyfile(built_catalog, path)
    return path


def tamper(path: Path, sql: str, *params) -> None:
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_an_intact_catalog_passes(catalog_file):
    result = run_script(catalog_file)
    assert (result.returncode, result.stdout.strip()) == (0, "audit log intact")


@pytest.mark.parametrize("sql, found", [
    ("UPDATE components SET part_number = part_number || 'X' WHERE rowid = 50", "differs from its last audit record"),
    ("UPDATE components SET quantity = 9 WHERE quantity = 4", "differs from its last audit record"),
    ("UPDATE items SET notes = 'Kharkiv'", "items"),
    ("UPDATE audit SET actor = 'someone' WHERE seq = 2", "the chain is broken"),
    ("UPDATE audit_rows SET sha256 = '00' WHERE n = 7", "its audit_rows were changed"),
    ("DELETE FROM components WHERE rowid = 10", "missing"),
    ("UPDATE attribution_bases SET basis = basis || ' (edited)' WHERE rowid = 1", "attribution_bases"),
])
def test_any_tampering_is_found(catalog_file, sql, found):
    tamper(catalog_file, sql)
    result = run_script(catalog_file)
    assert result.returncode == 1 and found in result.stdout


CATALOGS = [*sorted((ROOT / "tests" / "fixtures").glob("catalog-*.db")), ROOT / "catalog.db.example"]


@pytest.mark.parametrize("upgraded", [False, True], ids=["as written", "upgraded"])
@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: p.name)
def test_every_older_catalog_and_the_example_pass_and_a_one_byte_edit_fails(catalog, upgraded, tmp_path):
    """Each upgrade fixture as its fieldkit wrote it (merges, conflicts, catalog settings and all)
    and as this fieldkit upgrades it (m012's bulk "migrate" event included), and the example."""
    path = tmp_path / catalog.name
    shutil.copyfile(catalog, path)
    if upgraded:
        open_catalog(path).close()
    result = run_script(path)
    assert (result.returncode, result.stdout.strip()) == (0, "audit log intact")
    row_id = one_byte_edit(path)
    result = run_script(path)
    assert result.returncode == 1 and f"components {row_id}: differs from its last audit record" in result.stdout


def test_the_script_checks_every_table_fieldkit_audits():
    """A table added to the audit log (as photo_provenance was) must be added to the published script too."""
    import runpy

    from fieldkit.catalog.audit import AUDITED_TABLES

    script = runpy.run_path(str(SCRIPT))
    assert {table: tuple(key) for table, key in script["TABLES"].items()} == AUDITED_TABLES


def audit_seq(path: Path, where: str) -> int:
    conn = sqlite3.connect(path)
    seq = conn.execute(f"SELECT min(seq) FROM audit WHERE {where}").fetchone()[0]
    conn.close()
    return seq


@pytest.mark.parametrize("where, column", [
    ("action = 'import'", "after_json"),  # a bulk event: its row count and rows_sha256 are in this JSON
    ("action = 'update' AND table_name = 'components'", "before_json"),
    ("action = 'insert' AND table_name = 'components'", "after_json"),
])
@pytest.mark.parametrize("text", ["{not json", "[1, 2]"], ids=["invalid JSON", "not an object"])
def test_an_audit_row_whose_json_is_not_an_object_is_one_line_naming_the_row_never_a_traceback(catalog_file, where, column, text):
    seq = audit_seq(catalog_file, where)
    tamper(catalog_file, f"UPDATE audit SET {column} = ? WHERE seq = ?", text, seq)
    result = run_script(catalog_file)
    assert result.returncode == 1 and "Traceback" not in result.stderr and result.stderr == ""
    assert (f"audit row {seq}: its {column} is not a JSON object, so it was changed after it was written; "
            "restore the catalog from a backup") in result.stdout.splitlines()
    from fieldkit.evidence.verify import verify_catalog

    catalog = open_catalog(catalog_file)
    found = [p.describe() for p in verify_catalog(catalog).problems]  # verify names it too, without raising
    catalog.close()
    assert any(f"audit row {seq} " in line and "changed after it was written" in line for line in found), found


def test_a_file_that_is_not_a_catalog_is_one_line_and_exit_2(tmp_path):
    for path, content in ((tmp_path / "notes.db", b"not a database at all" * 100), (tmp_path / "empty.db", b"")):
        path.write_bytes(content)
        result = run_script(path)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert len(result.stdout.splitlines()) == 1 and result.stdout.startswith(f"{path}: cannot be read as a fieldkit catalog")
