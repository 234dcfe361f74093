"""Two writers on one catalog: nothing lost, the audit chain stays one chain, a held lock gives one line.

- two `fieldkit` CLIs adding items and importing components at once;
- two processes hammering the core API (hundreds of audited writes each);
- the TUI (Pilot, in-process) adding items through its form while a CLI process writes;
- a write lock held by another program for longer than fieldkit waits: `error: ... locked by
  another program ...` on one line, exit 2, nothing changed;
- an export and an online backup taken while another process writes are consistent snapshots.
"""

from __future__ import annotations

import json

import csv
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from fieldkit.catalog import audit, items
from fieldkit.catalog.backup import backup
from fieldkit.catalog.db import open_catalog
from fieldkit.export.csv import export_catalog
from tests.stress.harness import components_csv, count, fieldkit_cmd, integrity

WORKER = textwrap.dedent("""
    import sys
    from fieldkit.catalog import items
    from fieldkit.catalog.components import add_component
    from fieldkit.catalog.db import open_catalog
    db, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    catalog = open_catalog(db, actor=prefix)
    for i in range(n):
        ref = f"{prefix}-{i:04d}"
        items.add_item(catalog, {"ref": ref, "category": "rocket"})
        items.update_item(catalog, ref, {"notes": f"edited by {prefix}"})
        add_component(catalog, ref, {"part_number": f"ADXL{i}", "manufacturer": "Analog Devices"})
    catalog.close()
""")


def worker(db: Path, prefix: str, n: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, str(db), prefix, str(n)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def assert_complete(db: Path, *, items_expected: int, components_expected: int, updates_expected: int) -> None:
    """Every write is in the catalog and in one valid audit chain: one audit row per single change,
    one per bulk import (which names how many rows it added)."""
    assert integrity(db) == []
    catalog = open_catalog(db, create=False)
    try:
        assert catalog.db["items"].count == items_expected
        assert catalog.db["components"].count == components_expected
        assert audit.check_chain(catalog.db) == []
        assert audit.check_state(catalog.db) == []
        by_action = dict(catalog.db.execute(
            "SELECT table_name || ':' || action, count(*) FROM audit GROUP BY 1").fetchall())
        assert by_action.get("items:insert", 0) == items_expected
        imported = sum(json.loads(after)["rows"] for (after,) in catalog.db.execute(
            "SELECT after_json FROM audit WHERE table_name = 'components' AND action = 'import'"))
        assert by_action.get("components:insert", 0) + imported == components_expected
        assert by_action.get("items:update", 0) == updates_expected
    finally:
        catalog.close()


def test_two_processes_writing_at_once_lose_nothing(db_path):
    open_catalog(db_path).close()
    n = 120
    procs = [worker(db_path, "A", n), worker(db_path, "B", n)]
    results = [p.communicate(timeout=240) for p in procs]
    for proc, (out, err) in zip(procs, results):
        assert proc.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    assert_complete(db_path, items_expected=2 * n, components_expected=2 * n, updates_expected=2 * n)


def cli_loop(db: Path, name: str, n: int, parts: Path) -> subprocess.Popen:
    """A shell loop of `fieldkit item add` and one `component import`, run as a second program."""
    add = " ".join(fieldkit_cmd(db, "item", "add", "--category", "rocket", "--notes", name))
    imp = " ".join(fieldkit_cmd(db, "component", "import", "KHK-0001", parts))
    script = f"set -e; for i in $(seq {n}); do {add} >/dev/null; done; {imp} >/dev/null"
    return subprocess.Popen(["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_clis_writing_at_once_lose_nothing(db_path, tmp_path):
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    catalog.close()
    n = 8
    procs = [cli_loop(db_path, name, n, components_csv(tmp_path / f"{name}.csv", 150, seed))
             for seed, name in enumerate(("first", "second"))]
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        assert "Traceback" not in err and "locked" not in err
    assert_complete(db_path, items_expected=1 + 2 * n, components_expected=300, updates_expected=0)
    refs = [r["ref"] for r in items.list_items(open_catalog(db_path))]
    assert len(set(refs)) == len(refs) == 1 + 2 * n  # generated refs never collide


async def test_the_tui_and_a_cli_writing_at_once_lose_nothing(db_path):
    from textual.widgets import Input

    from fieldkit.tui.app import make_app
    from fieldkit.tui.screens.catalog import CatalogScreen
    from fieldkit.tui.screens.item import ItemScreen

    open_catalog(db_path).close()
    other = worker(db_path, "CLI", 60)
    app = make_app(db_path, actor="tui", offer_example=False)
    added = 0
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for i in range(10):
            await pilot.press("a")
            assert isinstance(app.screen, ItemScreen)
            app.screen.query_one("#f-category", Input).value = f"tui rocket {i}"
            app.screen.query_one("#f-ref", Input).value = f"TUI-{i:04d}"
            await pilot.press("ctrl+s")
            await pilot.pause()
            await app.workers.wait_for_complete()
            assert isinstance(app.screen, CatalogScreen), "the save did not go through"
            added += 1
        out, err = other.communicate(timeout=240)
    assert other.returncode == 0, err
    assert_complete(db_path, items_expected=added + 60, components_expected=60, updates_expected=60)
    catalog = open_catalog(db_path)
    tui_rows = catalog.db.execute("SELECT count(*) FROM audit WHERE actor = 'tui' AND action = 'insert'").fetchone()[0]
    assert tui_rows == added


HOLD_LOCK = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("ROLLBACK")
""")


def test_a_lock_held_longer_than_the_timeout_gives_one_line_exit_2_and_changes_nothing(db_path, tmp_path):
    from tests.stress.harness import noise_jpeg

    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    catalog.close()
    photo = noise_jpeg(tmp_path / "p.jpg", 1)
    parts = components_csv(tmp_path / "parts.csv", 20, 1)
    before = {t: count(db_path, f"SELECT count(*) FROM {t}") for t in ("items", "photos", "components", "audit")}
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db_path), "40"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        commands = [("item", "add", "--category", "rocket"), ("photo", "add", "KHK-0001", photo),
                    ("component", "import", "KHK-0001", parts)]
        start = time.monotonic()
        procs = [subprocess.Popen(fieldkit_cmd(db_path, *c), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for c in commands]
        outs = [p.communicate(timeout=60) for p in procs]
        waited = time.monotonic() - start
    finally:
        holder.kill()
        holder.wait()
    for command, proc, (out, err) in zip(commands, procs, outs):
        lines = err.strip().splitlines()
        assert proc.returncode == 2, (command, err)
        assert len(lines) == 1 and lines[0].startswith("error: ") and "locked by another program" in lines[0], (command, err)
        assert "Traceback" not in err and "database is locked" not in err
    assert waited >= 5  # it waited for the lock before giving up
    after = {t: count(db_path, f"SELECT count(*) FROM {t}") for t in before}
    assert after == before
    store = db_path.parent / (db_path.name + ".photos")
    assert not store.exists() or not [p for p in store.rglob("*") if p.is_file()], "a file was left in the photo store"


def test_an_export_taken_while_another_process_writes_is_one_snapshot(db_path, tmp_path):
    open_catalog(db_path).close()
    writer = worker(db_path, "W", 150)
    catalog = open_catalog(db_path)
    exports = 0
    try:
        while writer.poll() is None and exports < 40:
            out = tmp_path / f"export{exports}"
            export_catalog(catalog, out)
            exports += 1
            with open(out / "items.csv", newline="", encoding="utf-8") as fh:
                refs = {row["ref"] for row in csv.DictReader(fh)}
            with open(out / "components.csv", newline="", encoding="utf-8") as fh:
                parts = list(csv.DictReader(fh))
            orphans = [p["part_number"] for p in parts if p["item_ref"] not in refs]
            assert orphans == [], f"export {exports}: components of items missing from items.csv: {orphans[:5]}"
    finally:
        writer.communicate(timeout=240)
        catalog.close()
    assert writer.returncode == 0
    assert exports >= 2


def test_an_online_backup_taken_while_another_process_writes_is_consistent(db_path, tmp_path):
    open_catalog(db_path).close()
    writer = worker(db_path, "W", 150)
    catalog = open_catalog(db_path)
    backups = 0
    try:
        time.sleep(0.3)
        while writer.poll() is None and backups < 8:
            report = backup(catalog, tmp_path / f"bk{backups}")
            backups += 1
            assert report.problems == []
            copy = report.catalog
            assert integrity(copy) == []
            restored = open_catalog(copy, create=False)
            try:
                assert audit.check_chain(restored.db) == [] and audit.check_state(restored.db) == []
                n = restored.db["items"].count
                assert restored.db["components"].count <= n
            finally:
                restored.close()
    finally:
        writer.communicate(timeout=240)
        catalog.close()
    assert writer.returncode == 0
    assert backups >= 1


def test_an_export_is_one_snapshot_even_when_a_write_lands_between_two_files(db_path, tmp_path, monkeypatch):
    """Deterministic version of the race above: another program adds an item and its component
    just after items.csv is written. The export must not list a component whose item it lacks."""
    import fieldkit.export.csv as export_csv

    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    real = export_csv.write_csv

    def write_then_interleave(path, header, batches, *rest):
        written = real(path, header, batches, *rest)
        if path.name == "items.csv":
            other = worker(db_path, "LATE", 1)
            assert other.wait(timeout=60) == 0, other.stderr.read()
        return written

    monkeypatch.setattr(export_csv, "write_csv", write_then_interleave)
    export_catalog(catalog, tmp_path / "out")
    catalog.close()
    with open(tmp_path / "out" / "items.csv", newline="", encoding="utf-8") as fh:
        refs = {row["ref"] for row in csv.DictReader(fh)}
    with open(tmp_path / "out" / "components.csv", newline="", encoding="utf-8") as fh:
        parts = list(csv.DictReader(fh))
    assert [p["item_ref"] for p in parts if p["item_ref"] not in refs] == []
