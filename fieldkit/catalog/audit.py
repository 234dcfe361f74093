"""The audit log: every insert, update and delete in the catalog, chained by hash.

Each row holds the time, the actor, the action, the table and row, the row before and after as
JSON, the previous row's hash and its own. A row's hash covers all of those, so editing, deleting
or reordering any row of the log breaks the chain, and `check_chain` finds where.

A bulk write (a component import, a migration that rewrites rows) is one audit row instead of one
per row (`BulkEvent`): its `after_json` holds the number of rows and `rows_sha256`, a hash over
the rows it wrote, and the table `audit_rows` holds each row's own SHA-256 (of its canonical JSON),
so `check_state` can name a row edited later. The format is described in README.md ("The audit log").
"""

from __future__ import annotations

import hashlib
import json
import operator
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any

import orjson
from sqlite_utils import Database

GENESIS = "0" * 64
AUDITED_FIELDS = ("seq", "at", "actor", "action", "table_name", "row_id", "before_json", "after_json", "prev_hash")


# The canonical form is what json.dumps writes with these options; the hashes of every audit log
# ever written depend on it byte for byte. orjson writes exactly the same for text, integers and
# None (tests/test_audit_json.py checks it), several times faster, so it does those; anything else
# (a float, whose exponent orjson writes differently, a date, a lone surrogate) goes to json.
_ROW_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
_ENTRY_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_PLAIN = (str, int, type(None))
_PLAIN_SET = frozenset(_PLAIN)
_STR_SET = frozenset((str,))


def to_json(row: dict[str, Any] | None) -> str | None:
    """Canonical JSON for a row: sorted keys, no ASCII escaping, so the same row always hashes alike."""
    if row is None:
        return None
    fast = _orjson_row(row)
    return fast.decode("utf-8") if fast is not None else _ROW_JSON.encode(row)


def _orjson_row(row: dict[str, Any]) -> bytes | None:
    """`to_json(row)` as UTF-8 bytes when orjson writes it (plain values only), else None."""
    if _PLAIN_SET.issuperset(map(type, row.values())) and _STR_SET.issuperset(map(type, row)):
        try:
            return orjson.dumps(row, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits, a lone surrogate
            pass
    return None


def row_hash(entry: dict[str, Any]) -> str:
    fields = [entry.get(f) for f in AUDITED_FIELDS]
    payload = None
    if all(type(v) in _PLAIN for v in fields):
        try:
            payload = orjson.dumps(fields)
        except orjson.JSONEncodeError:
            pass
    if payload is None:
        payload = _ENTRY_JSON.encode(fields).encode("utf-8")
    return hashlib.sha256(payload).hexdigest()


ENTRY_FIELDS = (*AUDITED_FIELDS, "hash")


def head(db: Database) -> tuple[int, str]:
    """The next sequence number and the hash it must chain to. Every change to the catalog adds an
    audit entry in its own transaction, so two reads that find the same head see the same catalog."""
    last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (last[0] + 1, last[1]) if last else (1, GENESIS)


def chain_entries(
    db: Database,
    *,
    at: str,
    actor: str,
    action: str,
    table: str,
    changes: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]],
) -> list[dict[str, Any]]:
    """Audit rows for (row_id, before, after) changes, chained on from the log's newest row.

    Call inside the write transaction of the changes, and insert the rows it returns.
    """
    seq, prev_hash = head(db)
    entries = []
    for row_id, before, after in changes:
        entry = {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "table_name": table,
            "row_id": row_id,
            "before_json": to_json(before),
            "after_json": to_json(after),
            "prev_hash": prev_hash,
        }
        entry["hash"] = prev_hash = row_hash(entry)
        entries.append(entry)
        seq += 1
    return entries


def record(
    db: Database,
    *,
    at: str,
    actor: str,
    action: str,
    table: str,
    row_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    """Append one audit row. Call inside the write transaction of the change it records."""
    (entry,) = chain_entries(db, at=at, actor=actor, action=action, table=table, changes=[(row_id, before, after)])
    db["audit"].insert(entry)
    return entry


@dataclass(frozen=True)
class ChainProblem:
    seq: int  # the audit row concerned; 0 when no audit row is (a catalog row with no record of it)
    table_name: str
    row_id: str
    problem: str

    def describe(self) -> str:
        if not self.table_name:
            return f"audit log: {self.problem}"
        if self.seq == 0:
            return f"{self.table_name} row {self.row_id}: {self.problem}"
        return f"audit row {self.seq} ({self.table_name} {self.row_id}): {self.problem}"


def check_chain(db: Database) -> list[ChainProblem]:
    """Every place where the audit log has been altered: a row edited, removed or inserted.

    Each problem names the row that was altered: a row whose contents no longer give its hash,
    or a row whose hash was recomputed after an edit (the next row still chains to the old hash),
    or the gap where rows were removed. Rows removed from the end, or a log re-chained from some
    row onward, leave a valid chain: only the witness (fieldkit.catalog.witness) sees those.
    """
    problems: list[ChainProblem] = []
    prev: dict[str, Any] | None = None
    prev_intact = True
    cursor = db.execute(f"SELECT {', '.join(AUDITED_FIELDS)}, hash FROM audit ORDER BY seq")
    columns = [*AUDITED_FIELDS, "hash"]
    for values in cursor:
        entry = dict(zip(columns, values))
        intact = row_hash(entry) == entry["hash"]
        expected_seq = prev["seq"] + 1 if prev else 1
        prev_hash = prev["hash"] if prev else GENESIS
        if entry["seq"] != expected_seq:
            missing = f"row {expected_seq} is" if entry["seq"] == expected_seq + 1 else f"rows {expected_seq}..{entry['seq'] - 1} are"
            problems.append(ChainProblem(expected_seq, "", "", f"audit {missing} missing (the row after is {entry['seq']})"))
        elif intact and entry["prev_hash"] != prev_hash:  # this row is as written: the one before it is not
            if prev is None:
                problems.append(ChainProblem(entry["seq"], entry["table_name"], entry["row_id"],
                                             "does not chain to the start of the log (rows before it were removed)"))
            elif prev_intact:
                problems.append(ChainProblem(prev["seq"], prev["table_name"], prev["row_id"],
                                             "was changed after it was written and its hash recomputed "
                                             f"(audit row {entry['seq']} still chains to its old hash)"))
        if not intact:
            problems.append(ChainProblem(entry["seq"], entry["table_name"], entry["row_id"],
                                         "its contents were changed after it was written"))
        prev, prev_intact = entry, intact
    return problems


AUDITED_TABLES = {
    "items": ("id",),
    "photos": ("id",),
    "item_photos": ("item_id", "photo_id"),
    "markings": ("id",),
    "components": ("id",),
    "photo_provenance": ("photo_id",),
    "reference_versions": ("id",),  # lookup tables that component rows refer to (m012)
    "attribution_bases": ("id",),
}


def row_key(table: str, row: dict[str, Any]) -> str:
    """The audit log's name for a row: its primary key, parts joined by '/'."""
    columns = AUDITED_TABLES[table]
    if len(columns) == 1:  # most tables: no join (a bulk import names 100,000 rows)
        return str(row[columns[0]])
    return "/".join(str(row[c]) for c in columns)


def check_state(db: Database) -> list[ChainProblem]:
    """Rows whose current contents differ from what the audit log says was last written.

    This catches changes made to the catalog behind fieldkit's back, and the removal of the
    newest audit rows, which the chain alone cannot see. A row last written by a bulk event is
    compared by its SHA-256 with the one `audit_rows` holds for it, after `check_bulk` has checked
    those hashes against the event's own (chained) `rows_sha256`.
    """
    names = db.table_names()
    bulk = BULK_TABLE in names
    events = bulk_events(db) if bulk else {}
    problems: list[ChainProblem] = check_bulk(db, events)
    for table in AUDITED_TABLES:
        last: dict[str, tuple[int, str | None]] = {}
        for seq, row_id, after in db.execute(
            "SELECT seq, row_id, after_json FROM audit WHERE table_name = ? AND action NOT IN "
            f"({', '.join('?' for _ in BULK_ACTIONS)}) ORDER BY seq", [table, *BULK_ACTIONS]
        ):
            last[row_id] = (seq, after)
        digests: dict[str, tuple[int, str]] = {}
        if bulk:
            for seq, row_id, digest in db.execute(
                f"SELECT r.seq, r.row_id, r.sha256 FROM {BULK_TABLE} r JOIN audit a ON a.seq = r.seq "
                "WHERE a.table_name = ? ORDER BY r.seq", [table]
            ):
                if last.get(row_id, (0, None))[0] < seq:
                    last.pop(row_id, None)
                    digests[row_id] = (seq, digest)
        for row in db[table].rows:
            key = row_key(table, row)
            if key in digests:
                seq, digest = digests.pop(key)
                if row_digest(row) != digest:
                    problems.append(ChainProblem(seq, table, key, f"row differs from what bulk audit row {seq} recorded for it"))
                continue
            seq, after = last.pop(key, (0, None))
            if after is None:
                problems.append(ChainProblem(seq, table, key, "row has no audit record of its current state"))
            elif after != to_json(row):
                problems.append(ChainProblem(seq, table, key, "row differs from its last audit record"))
        for key, (seq, after) in last.items():
            if after is not None:
                problems.append(ChainProblem(seq, table, key, "row is in the audit log but missing from the catalog"))
        for key, (seq, _) in digests.items():
            problems.append(ChainProblem(seq, table, key, "row is in the audit log but missing from the catalog"))
    return problems + check_recorded(db, names) + check_archived(db, names, events)


# Tables of a few rows each, written one audited row at a time, and compared with their last audit
# record in one pass over the log: the catalog's settings, and the merges and conflicts of team work
# (m016). A setting's record holds its value alone, `{"value": ...}`, under its key.
RECORDED_TABLES = {"catalog_meta": "key", "merges": "id", "conflicts": "id"}
# The catalog id is made by m005 with no audit record; the witness log, backups, bundles and
# dossiers carry it (fieldkit.catalog.witness). Once fieldkit changes it, it is audited like the rest.
UNRECORDED_SETTING = "catalog_id"


def recorded_json(table: str, row: dict[str, Any]) -> str | None:
    """What the audit log records for a row of a RECORDED_TABLES table."""
    return to_json({"value": row["value"]}) if table == "catalog_meta" else to_json(row)


def check_recorded(db: Database, names: list[str] | None = None) -> list[ChainProblem]:
    """Rows of RECORDED_TABLES that differ from their last audit record, that have none, or that the
    log has and the catalog lost."""
    names = db.table_names() if names is None else names
    tables = [t for t in RECORDED_TABLES if t in names]
    if not tables:
        return []
    last: dict[tuple[str, str], tuple[int, str | None]] = {}
    for seq, table, row_id, after in db.execute(
        f"SELECT seq, table_name, row_id, after_json FROM audit WHERE table_name IN ({', '.join('?' for _ in tables)}) "
        "ORDER BY seq", tables
    ):
        last[(table, row_id)] = (seq, after)
    problems: list[ChainProblem] = []
    for table in tables:
        for row in db[table].rows:
            key = str(row[RECORDED_TABLES[table]])
            seq, after = last.pop((table, key), (0, None))
            if after is None and seq == 0 and table == "catalog_meta" and key == UNRECORDED_SETTING:
                continue
            if after is None:
                problems.append(ChainProblem(seq, table, key, "row has no audit record of its current state"))
            elif after != recorded_json(table, row):
                problems.append(ChainProblem(seq, table, key, "row differs from its last audit record"))
    for (table, key), (seq, after) in last.items():
        if after is not None:
            problems.append(ChainProblem(seq, table, key, "row is in the audit log but missing from the catalog"))
    return problems


# Each component's attribution_json as m012 found it (component_id, attribution_json): its last
# single audit record before m012's "migrate" event holds the same JSON.
ARCHIVE_TABLE = "component_attribution_m011"
M012_EVENT = "m012_component_rows"


def check_archived(db: Database, names: list[str], events: dict[int, tuple[str, str, dict[str, Any]]]) -> list[ChainProblem]:
    """Rows of component_attribution_m011 that differ from the attribution_json the log last recorded
    for the component before m012 rewrote it. Only the log before that event is read: nothing for a
    catalog made after m012 (whose archive is empty)."""
    if ARCHIVE_TABLE not in names:
        return []
    migrated = [seq for seq, (table, event_id, _) in events.items() if (table, event_id) == ("components", M012_EVENT)]
    recorded: dict[str, tuple[int, str | None]] = {}
    if migrated:
        for seq, row_id, after in db.execute(
            "SELECT seq, row_id, after_json FROM audit WHERE seq < ? AND table_name = 'components' ORDER BY seq", [min(migrated)]
        ):
            recorded[row_id] = (seq, after)
    expected: dict[str, tuple[int, str]] = {}
    for row_id, (seq, after) in recorded.items():
        try:
            value = json.loads(after).get("attribution_json") if after else None
        except (ValueError, AttributeError):
            value = None  # an altered entry: the chain names it
        if value is not None:
            expected[row_id] = (seq, value)
    problems: list[ChainProblem] = []
    for component_id, text in db.execute(f"SELECT component_id, attribution_json FROM {ARCHIVE_TABLE}"):
        seq, value = expected.pop(component_id, (0, None))
        if value is None:
            problems.append(ChainProblem(seq, ARCHIVE_TABLE, component_id, "row has no audit record of its current state"))
        elif value != text:
            problems.append(ChainProblem(seq, ARCHIVE_TABLE, component_id, "row differs from its last audit record"))
    for component_id, (seq, _) in expected.items():
        problems.append(ChainProblem(seq, ARCHIVE_TABLE, component_id, "row is in the audit log but missing from the catalog"))
    return problems


# --- bulk events ------------------------------------------------------------------------------

BULK_TABLE = "audit_rows"
BULK_ACTIONS = ("import", "migrate")


def row_digest(row: dict[str, Any]) -> str:
    """The SHA-256 (hex) of a row's canonical JSON (`to_json`), as `audit_rows` records it."""
    fast = _orjson_row(row)  # the same bytes as to_json(row).encode(), without the round trip through str
    return hashlib.sha256(fast if fast is not None else _ROW_JSON.encode(row).encode("utf-8")).hexdigest()


def row_digests(rows: list[dict[str, Any]]) -> list[str]:
    """`row_digest` of each row, with one type check for the whole batch instead of one per row:
    when every value is text, an integer or None, orjson writes each row's canonical JSON (in one
    call for the batch, `_batch_digests`); otherwise, or if orjson refuses one (a key that is not
    text -- orjson refuses every key whose type is not exactly str, so keys need no check of their
    own --, an integer beyond 64 bits, a lone surrogate), each row goes through `row_digest`."""
    if rows and _PLAIN_SET.issuperset(map(type, chain.from_iterable(map(dict.values, rows)))):
        try:
            digests = _batch_digests(rows)
        except orjson.JSONEncodeError:
            digests = None
        if digests is not None:
            return digests
    return [row_digest(row) for row in rows]


def _batch_digests(rows: list[dict[str, Any]]) -> list[str] | None:
    """The digests of plain rows (see `row_digests`) from one orjson call for the whole batch, which
    costs a fraction of one call per row; None if the batch cannot be cut into its rows.

    orjson writes the list `[row1,row2,...]` as "[" + the rows' canonical JSON joined by "," + "]".
    When every row's first key (in sorted order) is the same, K, each row's JSON begins with
    `{"K":` and the rows meet at `},{"K":`. That text occurs nowhere else: its `{` is not inside a
    string, since the `"` after it would then close the string and be followed by `,` `:` `}` or
    `]`, not by K (a key that begins with one of those is not cut); and plain values hold no
    object. So splitting at it gives each row's JSON less its head and its closing brace; a
    split into any other number of pieces (rows with other first keys) is not used."""
    text = orjson.dumps(rows, option=orjson.OPT_SORT_KEYS)  # first: it refuses a key that is not str
    first = min(rows[0], default=None)
    if first is None or first[:1] in (",", ":", "}", "]"):
        return None
    head = b'{' + orjson.dumps(first) + b':'
    if not text.startswith(b"[" + head):
        return None
    pieces = text[1 + len(head):-2].split(b"}," + head)
    if len(pieces) != len(rows):
        return None
    start = hashlib.sha256(head)
    digests = []
    for piece in pieces:
        digest = start.copy()
        digest.update(piece)
        digest.update(b"}")
        digests.append(digest.hexdigest())
    return digests


class BulkEvent:
    """One audit row for many rows written in the same transaction.

    Use inside the write transaction: `add(row)` for each row as stored (every column), in the
    order written (or `add_many(rows)` for a batch), then `finish(details)`. The rows' hashes go to `audit_rows` (seq, n, row_id,
    sha256); the audit row's `after_json` is `details` plus `rows` (how many) and `rows_sha256`:
    the SHA-256 of the lines "{row_id} {sha256}\n" in order n = 1, 2, ... Memory stays constant.
    """

    def __init__(self, db: Database, *, table: str, action: str, event_id: str):
        if action not in BULK_ACTIONS:
            raise ValueError(f"bulk action must be one of {BULK_ACTIONS}")
        self.db, self.table, self.action, self.event_id = db, table, action, event_id
        self.seq, self.prev_hash = head(db)
        self.count = 0
        self._key = AUDITED_TABLES[table]  # row_key's columns; one: its value as text, taken at C speed
        self._key_of = operator.itemgetter(self._key[0])
        self._root = hashlib.sha256()
        self._pending: list[tuple[int, int, str, str]] = []

    def add(self, row: dict[str, Any]) -> None:
        self.count += 1
        key, digest = row_key(self.table, row), row_digest(row)
        self._root.update(f"{key} {digest}\n".encode("utf-8"))
        self._pending.append((self.seq, self.count, key, digest))
        if len(self._pending) >= 5000:
            self.flush()

    def add_many(self, rows: list[dict[str, Any]]) -> None:
        """`add` each row, in order, hashed as one batch (`row_digests`): the same audit_rows and root."""
        self.flush()
        keys = [row_key(self.table, row) for row in rows] if len(self._key) > 1 else list(map(str, map(self._key_of, rows)))
        digests = row_digests(rows)
        self._root.update("".join([f"{key} {digest}\n" for key, digest in zip(keys, digests)]).encode("utf-8"))
        first = self.count + 1
        self.count += len(rows)
        self.db.conn.executemany(f"INSERT INTO {BULK_TABLE} (seq, n, row_id, sha256) VALUES (?, ?, ?, ?)",
                                 zip(repeat(self.seq), range(first, self.count + 1), keys, digests))

    def flush(self) -> None:
        self.db.conn.executemany(f"INSERT INTO {BULK_TABLE} (seq, n, row_id, sha256) VALUES (?, ?, ?, ?)", self._pending)
        self._pending.clear()

    def finish(self, *, at: str, actor: str, details: dict[str, Any]) -> dict[str, Any]:
        """Write the event's audit row (chained like any other) and return it."""
        self.flush()
        if head(self.db) != (self.seq, self.prev_hash):
            raise RuntimeError("the audit log moved during a bulk write; it must be one transaction")
        entry = {
            "seq": self.seq, "at": at, "actor": actor, "action": self.action, "table_name": self.table,
            "row_id": self.event_id, "before_json": None,
            "after_json": to_json({**details, "rows": self.count, "rows_sha256": self._root.hexdigest()}),
            "prev_hash": self.prev_hash,
        }
        entry["hash"] = row_hash(entry)
        self.db["audit"].insert(entry)
        return entry


def bulk_events(db: Database) -> dict[int, tuple[str, str, dict[str, Any]]]:
    """Every bulk audit event, by seq: (table, event id, details). Details that are not a JSON
    object (an audit row edited behind fieldkit's back, which `check_chain` names) read as {}, so
    `check_bulk` finds its row hashes unaccounted for."""
    return {
        seq: (table, row_id, _details(after))
        for seq, table, row_id, after in db.execute(
            f"SELECT seq, table_name, row_id, after_json FROM audit WHERE action IN ({', '.join('?' for _ in BULK_ACTIONS)})",
            list(BULK_ACTIONS),
        )
    }


def _details(after: str | None) -> dict[str, Any]:
    try:
        details = json.loads(after or "{}")
    except ValueError:
        return {}
    return details if isinstance(details, dict) else {}


def check_bulk(db: Database, events: dict[int, tuple[str, str, dict[str, Any]]] | None = None) -> list[ChainProblem]:
    """Bulk events whose `audit_rows` no longer match the count and `rows_sha256` their audit row holds,
    and rows of `audit_rows` that belong to no bulk event. `events`: `bulk_events(db)`, if read already."""
    if BULK_TABLE not in db.table_names():
        return []
    problems: list[ChainProblem] = []
    events = bulk_events(db) if events is None else events
    seen: set[int] = set()
    current, count, root = None, 0, hashlib.sha256()

    def close(seq: int) -> None:
        table, event_id, details = events[seq]
        if count != details.get("rows") or root.hexdigest() != details.get("rows_sha256"):
            problems.append(ChainProblem(seq, table, event_id,
                                         f"the row hashes of this bulk event ({BULK_TABLE}) were changed after it was written"))

    for seq, n, row_id, digest in db.execute(f"SELECT seq, n, row_id, sha256 FROM {BULK_TABLE} ORDER BY seq, n"):
        if seq not in events:
            problems.append(ChainProblem(seq, "?", row_id, f"{BULK_TABLE} row belongs to no bulk audit event"))
            continue
        if seq != current:
            if current is not None:
                close(current)
            current, count, root = seq, 0, hashlib.sha256()
            seen.add(seq)
        count += 1
        root.update(f"{row_id} {digest}\n".encode("utf-8"))
    if current is not None:
        close(current)
    for seq in events.keys() - seen:
        count, root = 0, hashlib.sha256()
        close(seq)
    return problems
