"""The chain of custody of an item, as a dossier states it at the time it is made.

It holds the item's audit trail (who changed what, when: the rows of the hash-chained audit log
that touch the item, its photo links, photos, markings and components), the result of a
verification made at that moment (the item's photo originals re-hashed, then every catalog-wide
check of `fieldkit verify` through the same core function, each named with its result), the
catalog's audit head, and the fieldkit and reference-table versions.

The head is the witness's head record (fieldkit.catalog.witness), with its short fingerprint,
so a dossier's head can be compared with a backup's, an export's or a researcher's notebook.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fieldkit.catalog.db import Catalog
from fieldkit.evidence.photos import sha256_file, stored_file


@dataclass
class Custody:
    trail: list[dict[str, Any]]  # audit rows: seq, at, actor, action, table_name, row_id, what
    checks: list[str]  # one line per check made at generation time
    problems: list[str] = field(default_factory=list)
    head: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def verdict(self) -> str:
        """One paragraph: verified or not, the problems, and every check that ran with its result."""
        if self.ok:
            return "verified at generation: " + "; ".join(self.checks)
        return (f"NOT VERIFIED at generation: {len(self.problems)} problem(s): " + "; ".join(self.problems)
                + ". Checks run: " + "; ".join(self.checks))


def head_record(catalog: Catalog) -> dict[str, Any]:
    """The catalog's witness head record (id, last sequence number, hash, fingerprint) and the
    fieldkit and reference-table versions in use."""
    from fieldkit import __version__
    from fieldkit.catalog.witness import head_record as witness_head
    from fieldkit.reference.tables import get_reference

    record = witness_head(catalog)
    return {
        "catalog_id": record["catalog_id"],
        "seq": record["seq"],
        "head": record["head"],
        "fingerprint": record["fingerprint"],
        "fieldkit_version": __version__,
        "reference_version": get_reference().version,
    }


def _what(row: dict[str, Any]) -> str:
    """A short description of what an audit row changed: the fields set or altered."""
    try:
        before = json.loads(row["before_json"]) if row["before_json"] else None
        after = json.loads(row["after_json"]) if row["after_json"] else None
    except (TypeError, ValueError):
        return "(the recorded row is not readable JSON)"
    if not isinstance(before, (dict, type(None))) or not isinstance(after, (dict, type(None))):
        return "(the recorded row is not a row)"
    if row["action"] in ("import", "migrate") and after is not None:  # one audit row for many (audit.BulkEvent)
        source = f" from {after['source_name']} (SHA-256 {str(after.get('source_sha256', ''))[:12]}…)" if after.get("source_name") else ""
        return f"{row['action']}ed {after.get('rows', '?')} {row['table_name']} rows{source}, each hashed in the audit log"
    if before is None and after is not None:
        keys = [k for k, v in after.items() if v not in (None, "") and k not in ("id", "item_id", "created_at", "updated_at")]
        label = after.get("ref") or after.get("part_number") or after.get("text") or after.get("sha256") or ""
        return f"added {label}".strip() + (f" ({len(keys)} fields)" if keys else "")
    if after is None:
        return "deleted " + str((before or {}).get("ref") or (before or {}).get("part_number") or (before or {}).get("text") or "")
    changed = [k for k in after if before.get(k) != after.get(k) and k != "updated_at"]
    return "changed " + ", ".join(f"{k}: {before.get(k)!r} → {after.get(k)!r}" for k in changed[:6]) + (
        f" and {len(changed) - 6} more" if len(changed) > 6 else "")


TRAIL_SQL = """
    SELECT seq, at, actor, action, table_name, row_id, before_json, after_json, hash FROM audit
    WHERE (table_name = 'items' AND row_id = :item)
       OR (table_name = 'item_photos' AND substr(row_id, 1, length(:item) + 1) = :item || '/')
       OR (table_name IN ('markings', 'components')
           AND coalesce(json_extract(after_json, '$.item_id'), json_extract(before_json, '$.item_id')) = :item)
       OR (table_name = 'photos' AND row_id IN (SELECT value FROM json_each(:photos)))
    ORDER BY seq"""


def item_trail(catalog: Catalog, item_id: str, photo_ids: list[str]) -> list[dict[str, Any]]:
    """The audit rows that touch item `item_id`, its photo links, photos, markings and components."""
    rows = catalog.db.execute_returning_dicts(TRAIL_SQL, {"item": item_id, "photos": json.dumps(photo_ids)})
    return [{**{k: r[k] for k in ("seq", "at", "actor", "action", "table_name", "row_id", "hash")}, "what": _what(r),
             "rows": _rows_covered(r)} for r in rows]


def _rows_covered(row: dict[str, Any]) -> int:
    """How many catalog rows an audit row records: 1, or a bulk event's count."""
    if row["action"] not in ("import", "migrate"):
        return 1
    try:
        return int(json.loads(row["after_json"]).get("rows", 0))
    except (TypeError, ValueError, AttributeError):
        return 0


@dataclass(frozen=True)
class ChainCheck:
    """The catalog-wide part of a verification, checked once per document: the same checks as
    `fieldkit verify` but the photo store's (fieldkit.evidence.verify.check_records)."""

    problems: tuple[str, ...]
    rows: int
    checks: tuple[str, ...] = ()  # one line per check: what it checks, and its result


def check_catalog(catalog: Catalog) -> ChainCheck:
    from fieldkit.evidence.verify import RECORD_CHECKS, check_records

    report = check_records(catalog)
    unreadable = any(p.kind == "encoding" for p in report.problems)
    checks = []
    for kind, what in RECORD_CHECKS:
        found = [p for p in report.problems if p.kind == kind]
        notes = [n for n in report.notices if n.kind == kind]
        if unreadable and kind != "encoding":
            result = "not run (the catalog cannot be read as text)"
        else:
            result = f"{len(found)} problem(s)" if found else "intact"
            result += f", {len(notes)} note(s): " + "; ".join(n.detail for n in notes) if notes else ""
        if kind == "audit" and not unreadable:
            what += f" ({report.audit_rows} rows)"
        if kind == "witness" and report.signed_line():
            result += f"; {report.signed_line()}"
        checks.append(f"{what}: {result}")
    return ChainCheck(tuple(p.describe() for p in report.problems), report.audit_rows, tuple(checks))


def item_custody(catalog: Catalog, item: dict[str, Any], photos: list[dict[str, Any]], *,
                 chain: ChainCheck | None = None, verify: bool = True) -> Custody:
    """The custody section for `item`: its trail, a verification made now, and the catalog head.

    `chain` is the catalog-wide check when the caller already made it (a report checks once for
    all its items); otherwise it is made here.
    """
    custody = Custody(item_trail(catalog, item["id"], [p["id"] for p in photos]), [], head=head_record(catalog))
    if not verify:
        custody.checks.append("verification not run")
        return custody
    for photo in photos:
        path = stored_file(catalog, photo)
        try:
            actual = sha256_file(path)
        except OSError:
            custody.problems.append(f"photo {photo['sha256'][:12]}… is missing or unreadable in the store")
            continue
        if actual != photo["sha256"]:
            custody.problems.append(f"photo {photo['sha256'][:12]}… has changed since ingest (now {actual[:12]}…)")
    custody.checks.append(f"{len(photos)} photo original(s) re-hashed: "
                          + (f"{len(custody.problems)} problem(s)" if custody.problems else "intact"))
    chain = chain or check_catalog(catalog)
    custody.problems += list(chain.problems)
    custody.checks += list(chain.checks)
    return custody
