"""Where merged work came from, and the checks `fieldkit verify` runs on it.

Each origin catalog's audit entries are kept as that catalog wrote them (`foreign_audit`), so each
is checked as its own chain: every entry hashes to itself, consecutive entries link, and the audit
head each merge recorded from the signed manifest matches the entry it names, and there are as many
entries as the merges kept (each merge's `summary_json` counts them: `foreign_entries`), and as many
versions seen (`merge_seen`) as the merges added (`versions_seen`, counted by merges since s6). The `merges`
and `conflicts` rows are compared with their own audit entries by `audit.check_state`.

Counts do not see a row replaced by another. So each merge (and migration m020, for the merges made
before) records the SHA-256 of the whole of `foreign_audit` and of `merge_seen` as it leaves them
(`table_digest`), as audited catalog settings (`foreign_audit_sha256`, `merge_seen_sha256` in
`catalog_meta`, compared with their audit records like any setting); `check_merged` compares each
table with the digest recorded. Only a merge writes either table.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson
from sqlite_utils import Database

from fieldkit.catalog import audit
from fieldkit.catalog.audit import ChainProblem

# The tables a merge writes, each bound by a digest kept in catalog_meta: its columns, in the order
# of its primary key (so the digest reads the rows in the order the key gives).
BOUND = {
    "foreign_audit": ("origin_catalog", "seq", "at", "actor", "action", "table_name", "row_id", "before_json",
                      "after_json", "prev_hash", "hash"),
    "merge_seen": ("table_name", "row_id", "version"),
}
ORDER = {"foreign_audit": "origin_catalog, seq", "merge_seen": "table_name, row_id, version"}


def digest_key(table: str) -> str:
    """The catalog_meta key under which a merge records `table_digest(table)`."""
    return f"{table}_sha256"


def table_digest(db: Database, table: str) -> str:
    """The SHA-256 of every row of `table` (one of BOUND), one line each in key order: the row's
    values as a compact JSON array (json.dumps(..., ensure_ascii=False, separators=(",", ":")))."""
    sha = hashlib.sha256()
    cursor = db.execute(f"SELECT {', '.join(BOUND[table])} FROM {table} ORDER BY {ORDER[table]}")
    while rows := cursor.fetchmany(5000):
        sha.update(b"".join(map(_line, rows)))
    return sha.hexdigest()


def _line(values: tuple) -> bytes:
    """A row's line of `table_digest`. orjson writes the same bytes as json.dumps for text, integers
    and None (as audit.row_hash relies on), several times faster; anything else goes to json."""
    if _PLAIN.issuperset(map(type, values)):
        try:
            return orjson.dumps(values) + b"\n"
        except orjson.JSONEncodeError:  # an integer beyond 64 bits
            pass
    return (json.dumps(list(values), ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8")


_PLAIN = frozenset((str, int, type(None)))


def record_digests(db: Database, *, at: str, actor: str, only_missing: bool = False) -> None:
    """Record each BOUND table's digest in catalog_meta, audited, where it changed (with
    `only_missing`, only where none is recorded). Call inside the write transaction of the merge (or
    migration) that leaves the tables as they are."""
    from fieldkit.catalog.meta import get_meta, set_meta

    for table in BOUND:
        key = digest_key(table)
        old = get_meta(db, key)
        if only_missing and (old is not None or _ever_recorded(db, key)):
            continue  # a digest the log has seen and the catalog lacks was deleted: verify reports it missing
        value = table_digest(db, table)
        if old != value:
            set_meta(db, key, value)
            audit.record(db, at=at, actor=actor, action="update" if old is not None else "insert", table="catalog_meta",
                         row_id=key, before=None if old is None else {"value": old}, after={"value": value})


def _ever_recorded(db: Database, key: str) -> bool:
    """Whether the audit log has any record of catalog_meta's `key` (a digest once recorded): m020, run again
    after an adversary deleted its row from _sqlite_migrations and the digest from catalog_meta, must not
    record the tables as they are now (a tampered merge_seen or foreign_audit) as what the merges left."""
    return db.execute("SELECT 1 FROM audit WHERE table_name = 'catalog_meta' AND row_id = ? LIMIT 1", [key]).fetchone() is not None


def check_digests(db: Database) -> list[ChainProblem]:
    """Each BOUND table that is not what the last merge recorded (a row changed, swapped, added or removed)."""
    from fieldkit.catalog.meta import get_meta

    problems = []
    for table in BOUND:
        recorded = get_meta(db, digest_key(table))
        if recorded is not None and recorded != table_digest(db, table):
            problems.append(ChainProblem(0, "", "", f"{table} is not what the last merge left (its SHA-256 differs from "
                                         f"{digest_key(table)} in catalog_meta): rows were changed, swapped, added or "
                                         "removed behind fieldkit's back; restore the catalog from a backup"))
    return problems


def check_merged(db: Database) -> list[ChainProblem]:
    """Every problem with merged provenance: broken origin chains, entries removed or added, a changed head."""
    if "foreign_audit" not in db.table_names():
        return []
    problems: list[ChainProblem] = []
    columns = ["origin_catalog", *audit.AUDITED_FIELDS, "hash"]
    previous: dict[str, Any] | None = None
    hashes: dict[tuple[str, int], str] = {}
    for values in db.execute(f"SELECT {', '.join(columns)} FROM foreign_audit ORDER BY origin_catalog, seq"):
        entry = dict(zip(columns, values))
        where = (entry["seq"], entry["table_name"], f"{entry['row_id']} of catalog {entry['origin_catalog']}")
        if audit.row_hash(entry) != entry["hash"]:
            problems.append(ChainProblem(*where, "this merged entry was changed after its origin wrote it"))
        if (previous is not None and previous["origin_catalog"] == entry["origin_catalog"]
                and previous["seq"] + 1 == entry["seq"] and entry["prev_hash"] != previous["hash"]):
            problems.append(ChainProblem(*where, "this merged entry does not follow the one before it in its origin's chain"))
        hashes[(entry["origin_catalog"], entry["seq"])] = entry["hash"]
        previous = entry
    for merge_id, origin, seq, head in db.execute("SELECT id, origin_catalog, head_seq, head_hash FROM merges"):
        found = hashes.get((origin, seq))
        if found is not None and found != head:
            problems.append(ChainProblem(seq, "merges", merge_id, f"catalog {origin}'s audit head differs from the one its bundle was signed with"))
    summaries = [row[0] for row in db.execute("SELECT summary_json FROM merges")]
    kept = sum(_counted(summary, "foreign_entries") for summary in summaries)
    if len(hashes) != kept:
        problems.append(ChainProblem(0, "", "", f"foreign_audit holds {len(hashes)} entries of merged catalogs, but the "
                                     f"merges kept {kept}: entries were removed or added behind fieldkit's back"))
    if all(_counted(summary, "versions_seen", None) is not None for summary in summaries):  # counted since s6
        seen = db.execute("SELECT count(*) FROM merge_seen").fetchone()[0]
        added = sum(_counted(summary, "versions_seen") for summary in summaries)
        if seen != added:
            problems.append(ChainProblem(0, "", "", f"merge_seen holds {seen} row versions seen, but the merges added "
                                         f"{added}: versions were removed or added behind fieldkit's back"))
    return problems + check_digests(db)


def _counted(summary: str | None, key: str, missing: int | None = 0) -> int | None:
    """A count in a merge's summary (`missing` if it has none, or if the summary cannot be read: an
    edited merges row, which `audit.check_state` names)."""
    try:
        count = json.loads(summary or "{}").get(key, missing)
    except (ValueError, AttributeError):
        return missing
    return count if isinstance(count, int) else missing


def item_provenance(db: Database, item_id: str) -> list[dict[str, Any]]:
    """Which catalogs (laptops) and researchers the changes to an item and its rows came from, oldest first."""
    row_ids = [item_id]
    for table in ("markings", "components"):
        row_ids += [r[0] for r in db.execute(f"SELECT id FROM {table} WHERE item_id = ?", [item_id])]
    photos = [r[0] for r in db.execute("SELECT photo_id FROM item_photos WHERE item_id = ?", [item_id])]
    row_ids += photos + [f"{item_id}/{photo_id}" for photo_id in photos]
    marks = ", ".join("?" for _ in row_ids)
    signers = {o: (s, a) for o, s, a in db.execute("SELECT origin_catalog, signer, origin_actor FROM merges ORDER BY merged_at")}
    out = []
    for origin, actor, first, last, count in db.execute(
        f"SELECT origin_catalog, actor, min(at), max(at), count(*) FROM foreign_audit WHERE row_id IN ({marks}) "
        "GROUP BY origin_catalog, actor ORDER BY min(at)", row_ids,
    ):
        signer = signers.get(origin, (None, None))[0]
        out.append({"catalog": origin, "signer": signer, "actor": actor, "first": first, "last": last, "changes": count})
    from fieldkit.catalog.meta import catalog_id

    for actor, first, last, count in db.execute(
        f"SELECT actor, min(at), max(at), count(*) FROM audit WHERE row_id IN ({marks}) AND action NOT LIKE 'merge%' "
        "GROUP BY actor ORDER BY min(at)", row_ids,
    ):
        out.append({"catalog": catalog_id(db), "signer": "this catalog", "actor": actor, "first": first, "last": last, "changes": count})
    return out
