"""verify's messages name the right audit row and the right item (issue 19, point 3)."""

from __future__ import annotations

import sqlite3

import pytest

from fieldkit.catalog import audit, items
from fieldkit.catalog import components as components_core
from fieldkit.catalog.db import open_catalog
from fieldkit.evidence.verify import verify_catalog
from tests.tampering import shell


@pytest.fixture
def two_items(db_path):
    """Item KHK-0001 and its component, then item KHK-0002 and its component (each audited; a
    component's first attribution basis and table version are audited lookup rows of their own)."""
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "KHK-0001", "category": "missile debris"})
    first = components_core.add_component(catalog, "KHK-0001", {"part_number": "ADXL345", "country": "US"}).row
    items.add_item(catalog, {"ref": "KHK-0002", "category": "fuze"})
    second = components_core.add_component(catalog, "KHK-0002", {"part_number": "MAX232", "country": "US"}).row
    catalog.close()
    return first, second


def seq_of(db_path, row_id: str) -> int:
    """The audit row that recorded `row_id` (its newest)."""
    conn = sqlite3.connect(db_path)
    seq = conn.execute("SELECT max(seq) FROM audit WHERE row_id = ?", [row_id]).fetchone()[0]
    conn.close()
    return seq


def problems(db_path):
    catalog = open_catalog(db_path)
    found = [(p.kind, p.detail, p.items) for p in verify_catalog(catalog).problems]
    catalog.close()
    return found


def test_an_edited_middle_row_with_its_hash_recomputed_is_named_with_its_own_item(db_path, two_items):
    first, _ = two_items
    seq = seq_of(db_path, first["id"])
    conn = sqlite3.connect(db_path)
    columns = [*audit.AUDITED_FIELDS, "hash"]
    row = dict(zip(columns, conn.execute(f"SELECT {', '.join(columns)} FROM audit WHERE seq = ?", [seq]).fetchone()))
    row["after_json"] = row["after_json"].replace('"country":"US"', '"country":"KP"')
    conn.execute("UPDATE audit SET after_json = ?, hash = ? WHERE seq = ?", [row["after_json"], audit.row_hash(row), seq])
    conn.commit()
    conn.close()
    found = problems(db_path)
    assert found[0] == ("audit", f"audit row {seq} (components {first['id']}): was changed after it was written and "
                                 f"its hash recomputed (audit row {seq + 1} still chains to its old hash)", ("KHK-0001",))
    assert all(item == ("KHK-0001",) for kind, _, item in found if kind == "audit")  # never KHK-0002's rows


def test_deleting_the_last_audit_rows_names_the_rows_left_unrecorded_never_audit_row_0(db_path, two_items):
    _, second = two_items
    shell(db_path, ("DELETE FROM audit WHERE seq >= ?", [seq_of(db_path, second["id"])]))
    found = problems(db_path)
    assert ("audit", f"components row {second['id']}: row has no audit record of its current state", ("KHK-0002",)) in found
    assert not any("audit row 0" in detail for _, detail, _ in found)
    assert any(kind == "witness" and "went backwards" in detail for kind, detail, _ in found)


def test_a_component_edited_behind_fieldkits_back_names_its_item(db_path, two_items):
    first, _ = two_items
    shell(db_path, ("UPDATE components SET country = 'KP' WHERE id = ?", [first["id"]]))
    assert problems(db_path) == [
        ("audit", f"audit row {seq_of(db_path, first['id'])} (components {first['id']}): row differs from its last audit record", ("KHK-0001",))
    ]


def test_a_component_deleted_behind_fieldkits_back_names_its_item_from_the_audit_log(db_path, two_items):
    _, second = two_items
    shell(db_path, ("DELETE FROM components WHERE id = ?", [second["id"]]))
    assert problems(db_path) == [
        ("audit", f"audit row {seq_of(db_path, second['id'])} (components {second['id']}): row is in the audit log but missing from the catalog",
         ("KHK-0002",))
    ]


def test_a_removed_middle_row_is_named_once_at_the_gap(db_path, two_items):
    first, _ = two_items
    seq = seq_of(db_path, first["id"])
    shell(db_path, ("DELETE FROM audit WHERE seq IN (?, ?)", [seq, seq + 1]))
    chain = [detail for kind, detail, _ in problems(db_path) if detail.startswith("audit log:")]
    assert chain == [f"audit log: audit rows {seq}..{seq + 1} are missing (the row after is {seq + 2})"]


def test_an_audit_row_whose_json_names_no_usable_item_is_still_reported(db_path, two_items):
    first, _ = two_items
    seq = seq_of(db_path, first["id"])
    shell(db_path, ("DELETE FROM components WHERE id = ?", [first["id"]]),
          ("UPDATE audit SET after_json = '{\"item_id\": {\"not\": \"an id\"}}' WHERE seq = ?", [seq]))
    found = problems(db_path)
    assert ("audit", f"audit row {seq} (components {first['id']}): its contents were changed after it was written", ()) in found
