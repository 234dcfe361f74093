"""The catalog: schema by migrations, connection settings, items, audit, and refusing bad files."""

from __future__ import annotations

import sqlite3

import pytest

from fieldkit.catalog import audit, items
from fieldkit.catalog.db import open_catalog
from fieldkit.catalog.migrations import known_names
from fieldkit.errors import CatalogError, NotFound, ValidationError


def test_a_new_catalog_is_created_by_migrations_with_wal_and_foreign_keys(catalog):
    applied = [m.name for m in __import__("fieldkit.catalog.migrations", fromlist=["x"]).migrations.applied(catalog.db)]
    assert applied == known_names()
    assert {"items", "photos", "item_photos", "markings", "components", "audit"} <= set(catalog.db.table_names())
    assert catalog.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert catalog.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert catalog.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_items_get_uuid_keys_and_sequential_refs(catalog):
    first = items.add_item(catalog, {"category": "rocket"})
    second = items.add_item(catalog, {"category": "projectile"})
    assert (first["ref"], second["ref"]) == ("FK-0001", "FK-0002")
    assert len(first["id"]) == 36 and first["id"] != second["id"]


def test_a_given_ref_is_kept_and_must_be_unique(catalog):
    items.add_item(catalog, {"category": "missile debris", "ref": "KHK-0001"})
    with pytest.raises(ValidationError, match="KHK-0001 is already used"):
        items.add_item(catalog, {"category": "missile debris", "ref": "KHK-0001"})


@pytest.mark.parametrize(
    "data, message",
    [
        ({"category": ""}, "category: is required"),
        ({}, "category: is required"),
        ({"category": "x", "found_on": "2024-13-45"}, "found_on"),
        ({"category": "x", "found_on": "2999-01-01"}, "in the future"),
        ({"category": "x", "lat": 123, "lon": 1}, "lat: Input should be less than or equal to 90"),
        ({"category": "x", "lat": 12}, "lat and lon go together"),
        ({"category": "x", "ref": "bad ref!"}, "ref:"),
        ({"category": "x\u202eevil"}, r"U\+202E"),
        ({"category": "x", "colour": "red"}, "colour: is not a known field"),
    ],
)
def test_bad_input_is_refused_with_a_clear_line_and_nothing_is_stored(catalog, data, message):
    with pytest.raises(ValidationError, match=message):
        items.add_item(catalog, data)
    assert catalog.db["items"].count == 0
    assert catalog.db["audit"].count == 0


def test_editing_changes_only_the_given_fields_and_is_audited(catalog):
    item = items.add_item(catalog, {"category": "rocket", "designation": "9M22U", "place": "Kharkiv"})
    updated = items.update_item(catalog, item["ref"], {"designation": "9M22"})
    assert updated["designation"] == "9M22" and updated["place"] == "Kharkiv"
    entries = list(catalog.db["audit"].rows)
    assert [e["action"] for e in entries] == ["insert", "update"]
    assert '"designation":"9M22U"' in entries[1]["before_json"]
    assert '"designation":"9M22"' in entries[1]["after_json"]
    assert entries[1]["actor"] == "tester"


def test_deleting_an_item_removes_it_and_is_audited(catalog):
    item = items.add_item(catalog, {"category": "rocket"})
    items.delete_item(catalog, item["ref"])
    assert items.find_item(catalog, item["ref"]) is None
    assert [e["action"] for e in catalog.db["audit"].rows] == ["insert", "delete"]
    with pytest.raises(NotFound):
        items.delete_item(catalog, item["ref"])


def test_search_matches_every_word_anywhere_and_treats_wildcards_literally(catalog):
    items.add_item(catalog, {"category": "rocket", "designation": "9M22U", "place": "Kharkiv"})
    items.add_item(catalog, {"category": "projectile", "designation": "OF-540", "notes": "100% fragments"})
    assert [r["designation"] for r in items.list_items(catalog, "22u kharkiv")] == ["9M22U"]
    assert [r["designation"] for r in items.list_items(catalog, "100%")] == ["OF-540"]
    assert items.list_items(catalog, "'; DROP TABLE items; --") == []
    assert items.count_items(catalog, "_") == 0


def test_the_audit_chain_detects_an_edited_or_removed_row(catalog):
    for n in range(3):
        items.add_item(catalog, {"category": f"item {n}"})
    assert audit.check_chain(catalog.db) == []
    catalog.db.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    catalog.db.conn.commit()
    assert [(p.seq, p.problem) for p in audit.check_chain(catalog.db)] == [
        (2, "its contents were changed after it was written")
    ]
    catalog.db.execute("DELETE FROM audit WHERE seq = 2")
    catalog.db.conn.commit()
    # named once, at the row that is gone, not against the row after it
    assert [(p.seq, p.describe()) for p in audit.check_chain(catalog.db)] == [
        (2, "audit log: audit row 2 is missing (the row after is 3)")
    ]


def test_the_audit_state_check_detects_changes_made_behind_fieldkits_back(catalog):
    item = items.add_item(catalog, {"category": "rocket"})
    assert audit.check_state(catalog.db) == []
    catalog.db.execute("UPDATE items SET category = 'altered' WHERE id = ?", [item["id"]])
    catalog.db.execute("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
    catalog.db.conn.commit()
    problems = audit.check_state(catalog.db)
    assert [p.problem for p in problems] == ["row has no audit record of its current state"]


def test_a_failed_write_leaves_neither_row_nor_audit(catalog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        items.add_item(catalog, {"category": "rocket"})
    assert catalog.db["items"].count == 0


def test_a_non_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0 not a database")
    before = path.read_bytes()
    with pytest.raises(CatalogError, match="not a SQLite database"):
        open_catalog(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photo.jpg"]


def test_a_sqlite_file_that_is_not_a_catalog_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(CatalogError, match="not a fieldkit catalog"):
        open_catalog(path)


def test_a_catalog_from_a_newer_fieldkit_is_refused(db_path):
    catalog = open_catalog(db_path)
    catalog.db["_sqlite_migrations"].insert(
        {"migration_set": "fieldkit", "name": "m999_future", "applied_at": "2030-01-01"}
    )
    catalog.close()
    with pytest.raises(CatalogError, match="newer fieldkit"):
        open_catalog(db_path)


def test_a_locked_catalog_gives_a_clear_error(db_path, monkeypatch):
    import fieldkit.catalog.db as dbmod

    catalog = open_catalog(db_path)
    other = sqlite3.connect(db_path)
    other.execute("BEGIN IMMEDIATE")
    catalog.db.conn.execute("PRAGMA busy_timeout = 50")
    monkeypatch.setattr(dbmod.time, "sleep", lambda s: None)
    with pytest.raises(CatalogError, match="locked by another program"):
        items.add_item(catalog, {"category": "rocket"})
    other.rollback()
    other.close()
    assert items.add_item(catalog, {"category": "rocket"})["ref"] == "FK-0001"


def test_insert_many_writes_rows_and_a_valid_audit_chain(catalog):
    from fieldkit.catalog import records
    from fieldkit.catalog.db import new_id, now

    items.add_item(catalog, {"category": "rocket"})
    rows = [
        {"id": new_id(), "ref": f"B-{n}", "category": "fragment", "created_at": now(), "updated_at": now()}
        for n in range(50)
    ]
    assert records.insert_many(catalog, "items", rows) == 50
    assert items.count_items(catalog) == 51
    assert audit.check_chain(catalog.db) == []
    assert audit.check_state(catalog.db) == []


def test_writes_from_two_threads_never_share_a_transaction(catalog):
    """The TUI's workers share one connection: a failing write in one thread must not undo another's."""
    import threading

    inside = threading.Event()
    release = threading.Event()
    errors = []

    def slow_failing_write():
        try:
            with catalog.transaction():
                items.add_item(catalog, {"category": "doomed"})
                inside.set()
                release.wait(5)
                raise RuntimeError("this write fails after another thread has written")
        except RuntimeError as exc:
            errors.append(exc)

    worker = threading.Thread(target=slow_failing_write)
    worker.start()
    inside.wait(5)
    writer = threading.Thread(target=lambda: items.add_item(catalog, {"category": "kept"}))
    writer.start()
    release.set()
    worker.join(5)
    writer.join(5)
    assert len(errors) == 1
    assert [r["category"] for r in items.list_items(catalog)] == ["kept"]
    assert audit.check_chain(catalog.db) == [] and audit.check_state(catalog.db) == []


def test_ids_made_in_a_batch_are_random_uuid4s_written_as_uuid4_writes_them(monkeypatch):
    import os
    import uuid

    from fieldkit.catalog import db

    ids = db.new_ids(20_000)
    assert len(set(ids)) == 20_000 and db.new_ids(0) == []
    for value in ids:
        parsed = uuid.UUID(value)
        assert (str(parsed), parsed.version, parsed.variant) == (value, 4, uuid.RFC_4122)
    stream = db.id_stream(batch=3)
    assert len({next(stream) for _ in range(7)}) == 7  # a stream goes on past its first batch
    # from the same 16 random bytes, the id uuid.uuid4() would make
    monkeypatch.setattr(os, "urandom", lambda n: bytes(range(255, 255 - n, -1)))
    assert db.new_ids(1) == [str(uuid.UUID(bytes=bytes(range(255, 239, -1)), version=4))]
