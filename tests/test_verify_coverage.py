"""Every table a catalog holds, at every schema step, is one that `fieldkit verify` compares, or one
named here with the reason it needs no comparison. A migration that adds a table fails this test
until its table is placed in one of these groups (and verify checks it).

The tables are listed from catalogs made in memory by the migrations up to each step in turn, so
a table that a later migration drops (m002's `search_index`) is listed too.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from fieldkit.catalog import audit
from fieldkit.catalog.migrations import SEARCH_INDEXES, known_names, migrations
from fieldkit.team.provenance import BOUND

FTS5_SHADOWS = ("data", "idx", "content", "docsize", "config")
COVERED = {
    # each row equal to its last audit record (audit.check_state; the script's TABLES and RECORDED)
    "rows compared with the audit log": {*audit.AUDITED_TABLES, *audit.RECORDED_TABLES, audit.ARCHIVE_TABLE},
    # the hash chain itself, and the row hashes of bulk events (bound by each event's rows_sha256)
    "the audit log": {"audit", audit.BULK_TABLE},
    # written only by merges: each origin's chain, counts, and the digests the last merge recorded
    "bound by the merges' digests": set(BOUND),
    # derived from the rows, compared with what they give (fieldkit.catalog.search_check)
    "search indexes": {"search_suspended", *SEARCH_INDEXES, *(f"{t}_{s}" for t in SEARCH_INDEXES for s in FTS5_SHADOWS)},
}
NOT_COMPARED = {
    # which migrations were applied: a row removed makes the next opening run that step again, which
    # either fails (the tables exist) or changes nothing (m003, m015a, m019; m020 records no digest
    # where one is); a name added is refused as a newer schema. The schema check compares the result.
    "_sqlite_migrations": "migration bookkeeping",
    # the per-row index of m002 and m003, dropped by m004: only a catalog not yet upgraded holds it,
    # and fieldkit opens none without upgrading it (verify refuses a catalog that needs an upgrade)
    "search_index": "replaced by m004",
    **{f"search_index_{s}": "replaced by m004" for s in FTS5_SHADOWS},
}


def tables_after_each_step() -> dict[str, set[str]]:
    """The tables of a catalog made by the migrations up to each step, by the step's name."""
    names = known_names()
    found = {}
    for index, name in enumerate(names):
        db = Database(sqlite3.connect(":memory:"))
        migrations.apply(db, stop_before=names[index + 1:index + 2])  # up to this step: none after it
        found[name] = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                       if not r[0].startswith("sqlite_")}
        db.conn.close()
    return found


def test_every_table_of_every_schema_step_is_compared_by_verify_or_said_why_not():
    covered = set().union(*COVERED.values())
    for step, tables in tables_after_each_step().items():
        unplaced = tables - covered - set(NOT_COMPARED)
        assert not unplaced, f"after {step}: {sorted(unplaced)} compared by nothing; add a check to verify"


def test_the_lists_name_no_table_that_no_schema_step_has():
    every = set().union(*tables_after_each_step().values())
    assert set().union(*COVERED.values()) | set(NOT_COMPARED) <= every
