"""Crash safety: SIGKILL `fieldkit photo add`, `component import` and `export csv` anywhere, lose nothing.

Each test kills a real `python -m fieldkit` subprocess again and again (see tests/stress/harness.py):
two kills in three just before a seeded random step of the write path (an SQLite statement or
commit, a file write, fsync, rename...), the rest after a seeded random delay. After every kill:
- `PRAGMA integrity_check` is ok and no foreign key dangles;
- `verify` finds nothing but unreferenced files (and deletes none of them);
- the operation happened all or nothing: each photo is stored whole with its row and link, or
  not at all; an import is all its rows or none; each export file is the complete previous file
  or the complete new one, never a partial CSV under the final name;
- running the command again completes it.

`make test` makes at least 50 kills (every step kill lands: 44 here and 6 in the upgrade test; a
timed kill misses when the command finishes first), about a minute on 2 cores; `make stress` sets
FIELDKIT_STRESS_KILLS.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

import pytest

from fieldkit.catalog import items, markings
from fieldkit.catalog.components import add_component
from fieldkit.catalog.db import open_catalog
from fieldkit.evidence.photos import add_photos
from fieldkit.export.csv import export_catalog
from tests.stress.harness import (
    Tally, check_catalog, components_csv, count, count_steps, noise_jpeg, run_cli, stress_kills,
)

SEED = 20240103
PHOTO_KILLS = stress_kills(24)
IMPORT_KILLS = stress_kills(21)
EXPORT_KILLS = stress_kills(21)
IMPORT_ROWS = 300


def make_catalog(path: Path, ref: str = "KHK-0001") -> Path:
    catalog = open_catalog(path, actor="setup")
    items.add_item(catalog, {"ref": ref, "category": "missile debris"})
    catalog.close()
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kill_run(rng: random.Random, i: int, steps: int, seconds: float, db: Path, *args, tally: Tally):
    """Kill at a random write step (two attempts in three), or after a random delay around the
    command's duration. A step kill always lands; a timed one misses when the command is faster
    than it was when measured, so only step kills are counted on."""
    step = i % 3 != 0
    if step:
        run = run_cli(db, *args, crash_at=rng.randint(1, steps))
    else:
        run = run_cli(db, *args, kill_after=rng.uniform(0.5 * seconds, 1.05 * seconds))
    tally.add(run, step=step)
    return run


def step_attempts(attempts: int) -> int:
    return sum(1 for i in range(attempts) if i % 3 != 0)


def test_photo_add_killed_anywhere_stores_each_photo_whole_or_not_at_all(tmp_path):
    db = make_catalog(tmp_path / "catalog.db")
    rng, tally = random.Random(SEED), Tally("crash: photo add")
    calib = [noise_jpeg(tmp_path / f"calib{j}.jpg", 10_000 + j) for j in range(3)]
    steps, first = count_steps(db, "photo", "add", "KHK-0001", *calib, scratch=tmp_path)
    assert first.returncode == 0, first.stderr
    leftovers = 0
    for i in range(PHOTO_KILLS):
        files = [noise_jpeg(tmp_path / f"p{i}-{j}.jpg", i * 10 + j) for j in range(3)]
        hashes = [sha(f) for f in files]
        before = count(db, "SELECT count(*) FROM photos")
        run = kill_run(rng, i, steps, first.seconds, db, "photo", "add", "KHK-0001", *files, tally=tally)
        assert check_catalog(db) == [], f"kill {i}: {run}"
        stored = {h for h in hashes if count(db, "SELECT count(*) FROM photos WHERE sha256 = ?", [h])}
        assert count(db, "SELECT count(*) FROM photos") == before + len(stored)
        # files are ingested in order, one transaction each: what is stored is a prefix
        assert stored == set(hashes[: len(stored)]), f"kill {i}: stored out of order"
        # the same command again finishes the job; the stored originals are byte-identical
        again = run_cli(db, "photo", "add", "KHK-0001", *files)
        assert again.returncode == 0, again.stderr
        catalog = open_catalog(db, create=False)
        for path, digest in zip(files, hashes):
            (row,) = catalog.db["photos"].rows_where("sha256 = ?", [digest])
            assert (catalog.photo_store / row["stored_path"]).read_bytes() == path.read_bytes()
        catalog.close()
        assert check_catalog(db) == []
    from tests.stress.harness import unreferenced

    leftovers = unreferenced(db)
    tally.notes = {"steps_in_command": steps, "unreferenced_files_reported": leftovers}
    tally.save()
    assert tally.step_kills == step_attempts(PHOTO_KILLS), tally


def test_component_import_killed_anywhere_imports_every_row_or_none(tmp_path):
    db = make_catalog(tmp_path / "catalog.db")
    rng, tally = random.Random(SEED + 1), Tally("crash: component import")
    # a first import adds the attribution bases and table version that later imports share, so the
    # step count measured next is that of the imports the test kills
    assert run_cli(db, "component", "import", "KHK-0001", components_csv(tmp_path / "warm.csv", IMPORT_ROWS, 998)).returncode == 0
    steps, first = count_steps(db, "component", "import", "KHK-0001",
                               components_csv(tmp_path / "calib.csv", IMPORT_ROWS, 999), scratch=tmp_path)
    assert first.returncode == 0, first.stderr
    for i in range(IMPORT_KILLS):
        path = components_csv(tmp_path / f"parts{i}.csv", IMPORT_ROWS, i)
        before = count(db, "SELECT count(*) FROM components")
        audit_before = count(db, "SELECT count(*) FROM audit WHERE table_name = 'components'")
        run = kill_run(rng, i, steps, first.seconds, db, "component", "import", "KHK-0001", path, tally=tally)
        assert check_catalog(db) == [], f"kill {i}: {run}"
        after = count(db, "SELECT count(*) FROM components")
        assert after in (before, before + IMPORT_ROWS), f"kill {i}: {after - before} of {IMPORT_ROWS} rows imported"
        # all or nothing, audit included: one import event naming every row, or no trace at all
        assert count(db, "SELECT count(*) FROM audit WHERE table_name = 'components'") - audit_before == (after > before)
        assert count(db, "SELECT count(*) FROM audit_rows") == count(db, "SELECT count(*) FROM components")
        if after == before:
            again = run_cli(db, "component", "import", "KHK-0001", path)
            assert again.returncode == 0, again.stderr
            assert count(db, "SELECT count(*) FROM components") == before + IMPORT_ROWS
    tally.notes = {"steps_in_command": steps, "rows_per_import": IMPORT_ROWS}
    tally.save()
    assert tally.step_kills == step_attempts(IMPORT_KILLS), tally


def export_state(tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A catalog, its export before a change (old) and after it (new); every file differs."""
    db = make_catalog(tmp_path / "catalog.db")
    catalog = open_catalog(db, actor="setup")
    add_photos(catalog, "KHK-0001", [noise_jpeg(tmp_path / "a.jpg", 1)])
    markings.add_marking(catalog, "KHK-0001", "9M22U 112")
    with catalog.transaction():  # one commit for the 200 rows (each still audited)
        for n in range(200):
            add_component(catalog, "KHK-0001", {"part_number": f"ADXL{n}", "manufacturer": "=cmd|' /C calc'!A0"})
    export_catalog(catalog, tmp_path / "old")
    items.add_item(catalog, {"ref": "KHK-0002", "category": "rocket", "notes": "-2 found later"})
    add_photos(catalog, "KHK-0002", [noise_jpeg(tmp_path / "b.jpg", 2)])
    markings.add_marking(catalog, "KHK-0002", "113")
    add_component(catalog, "KHK-0002", {"part_number": "+ATmega328P"})
    export_catalog(catalog, tmp_path / "new")
    catalog.close()
    read = lambda d: {p.name: p.read_bytes() for p in (tmp_path / d).iterdir()}  # noqa: E731
    old, new = read("old"), read("new")
    assert old.keys() == new.keys() and all(old[k] != new[k] for k in old if k != "README.txt")
    return db, old, new


def test_export_killed_anywhere_leaves_each_file_complete_old_or_complete_new(tmp_path):
    db, old, new = export_state(tmp_path)
    rng, tally = random.Random(SEED + 2), Tally("crash: export csv")
    # --force: the export replaces an earlier one in the folder without asking (as a script would)
    steps, first = count_steps(db, "export", "csv", tmp_path / "calib", "--force", scratch=tmp_path)
    assert first.returncode == 0, first.stderr
    temp_left = 0
    for i in range(EXPORT_KILLS):
        out = tmp_path / f"out{i}"
        previous = old if i % 4 < 2 else {}
        if previous:
            shutil.copytree(tmp_path / "old", out)
        kill_run(rng, i, steps, first.seconds, db, "export", "csv", out, "--force", tally=tally)
        files = {p.name: p for p in out.iterdir()} if out.exists() else {}
        for name, path in files.items():
            if name.startswith("."):  # a temp file left by the kill: never under a final name
                temp_left += 1
                continue
            assert name in new, f"kill {i}: unexpected file {name}"
            data = path.read_bytes()
            assert data == new[name] or data == previous.get(name), f"kill {i}: {name} is partial ({len(data)} bytes)"
        if previous:
            assert set(new) <= set(files), f"kill {i}: a previous export file vanished"
        assert check_catalog(db) == []
        again = run_cli(db, "export", "csv", out, "--force")
        assert again.returncode == 0, again.stderr
        assert {n: (out / n).read_bytes() for n in new} == new
    tally.notes = {"steps_in_command": steps, "temp_files_left": temp_left}
    tally.save()
    assert tally.step_kills == step_attempts(EXPORT_KILLS), tally


@pytest.mark.parametrize("fixture", ["catalog-m001.db"])
def test_an_upgrade_killed_anywhere_loses_nothing(fixture, tmp_path):
    """`init` on an old catalog migrates it (a read command only says it needs an upgrade); a kill
    during the migration leaves it openable, rows intact."""
    source = Path(__file__).parent / "fixtures" / fixture
    probe = tmp_path / "probe.db"
    shutil.copyfile(source, probe)
    steps, first = count_steps(probe, "init", scratch=tmp_path)
    assert first.returncode == 0, first.stderr
    rng, tally = random.Random(SEED + 3), Tally("crash: upgrade")
    for i in range(stress_kills(6)):
        db = tmp_path / f"c{i}.db"
        shutil.copyfile(source, db)
        before = count(db, "SELECT count(*) FROM items")
        run = run_cli(db, "init", crash_at=rng.randint(1, steps))
        tally.add(run, step=True)
        assert check_catalog(db) == [], f"kill {i}: {run}"
        assert count(db, "SELECT count(*) FROM items") == before
    tally.save()
