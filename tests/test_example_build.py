"""seeds/build_example.py (`make example`) rebuilds catalog.db.example alike: two builds write the
same rows and the same bytes, since the build's clock and ids come from the seed
(fieldkit.catalog.db.reproducible). Outside the build, ids stay random and the clock real."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sqlite3
from pathlib import Path

from fieldkit.catalog import db as catalog_db

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def build_example(target: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_example", SEEDS / "build_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(target)


def rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}
    finally:
        conn.close()


def test_two_builds_of_the_example_write_the_same_rows_and_bytes(tmp_path):
    first, second = tmp_path / "one" / "catalog.db.example", tmp_path / "two" / "catalog.db.example"
    for target in (first, second):
        target.parent.mkdir()
        build_example(target)
    built = rows(first)
    assert len(built["items"]) == 3 and len(built["photos"]) == 5 and len(built["components"]) > 0
    assert built == rows(second)
    assert first.read_bytes() == second.read_bytes()
    stamps = sorted(row[1] for row in built["audit"])
    assert stamps[0].startswith("2024-02-01T00:00:00")  # the example's clock, not the day it was built


def test_outside_a_reproducible_block_ids_are_random_and_the_clock_is_real():
    start = dt.datetime(2024, 2, 1, tzinfo=dt.timezone.utc)
    with catalog_db.reproducible(start, "seed"):
        inside = [catalog_db.new_id(), *catalog_db.new_ids(2), catalog_db.now(), catalog_db.now()]
    with catalog_db.reproducible(start, "seed"):
        again = [catalog_db.new_id(), *catalog_db.new_ids(2), catalog_db.now(), catalog_db.now()]
    assert inside == again and inside[3:] == ["2024-02-01T00:00:00.000000+00:00", "2024-02-01T00:00:00.001000+00:00"]
    assert all(len(i) == 36 and i[14] == "4" and i[19] in "89ab" for i in inside[:3])  # still UUIDv4s
    assert catalog_db.new_id() != catalog_db.new_id()
    assert catalog_db.now()[:4] != "2024"
