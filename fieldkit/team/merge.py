"""Merging another catalog's work (a checked bundle, or a catalog file) into this one.

Rows are matched by UUID. For each incoming row:
- not here: it is added;
- the same here: nothing to do;
- here, and this catalog has already seen the incoming version (its audit log or an earlier merge
  recorded it): this side changed since the two last agreed; ours stays;
- here, and the incoming side has seen our version: only their side changed; theirs is taken;
- otherwise both sides changed it: a conflict. Ours stays in the table, both versions are kept in
  `conflicts`, listed by `fieldkit conflicts`, and never resolved silently.
A deletion does not travel: a merge never removes a row.

An incoming item whose ref is already another item's here keeps its UUID and gets this catalog's
next ref; a photo whose original is already here under another row keeps ours, and the incoming
rows that named it are pointed at ours. A component from a bundle made before migration m012 (with
`attribution_json`) is stored in today's columns, converted as m012 converts a stored row, so it is
the row the sender's catalog holds once upgraded; the lookup rows it names are added (audited) if
new. Each such adaptation is its own audit entry after the merge entry, so the log shows the
version as it came and as it was stored.

Photo originals are copied into the store and re-hashed. The rows, their audit entries, the
origin's own audit entries (kept as written in `foreign_audit`, each origin its own chain), the
versions seen, the merge itself (a `merges` row, audited) and the SHA-256 of `foreign_audit` and
`merge_seen` as it leaves them (audited settings, fieldkit.team.provenance.record_digests) are
written in one transaction: all or nothing. A bundle already merged changes nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.catalog import audit
from fieldkit.catalog.db import Catalog, new_id, now
from fieldkit.catalog.lookups import LOOKUP_TABLES, mismatch
from fieldkit.evidence.photos import TMP_PREFIX, sha256_file
from fieldkit.team.bundle import STORED_PATH, TABLES, BundleError, Content, own_id, version_of
from fieldkit.team.provenance import record_digests

Progress = Callable[[int, int], None]
FOREIGN_FIELDS = ("origin_catalog", *audit.AUDITED_FIELDS, "hash")


@dataclass
class MergeReport:
    """What a merge brought in."""

    merge_id: str
    origin: str
    already_merged: bool = False
    added: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: int = 0
    kept_ours: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (incoming ref, ref given here)
    photos_copied: int = 0
    foreign_entries: int = 0
    versions_seen: int = 0  # rows this merge added to merge_seen (verify counts them)

    def describe(self) -> list[str]:
        if self.already_merged:
            return [f"bundle {self.merge_id} from catalog {self.origin} was merged before; nothing changed"]
        added = ", ".join(f"{n} {t}" for t, n in self.added.items() if n) or "nothing"
        updated = ", ".join(f"{n} {t}" for t, n in self.updated.items() if n) or "nothing"
        lines = [f"merged {self.merge_id} from catalog {self.origin}: added {added}; updated {updated}; "
                 f"{self.unchanged} unchanged, {self.kept_ours} changed only here (kept); "
                 f"{self.photos_copied} photo originals copied and re-hashed; {self.foreign_entries} audit entries of origin kept"]
        lines += [f"ref {old} is taken here: the incoming item is now {new}" for old, new in self.renamed]
        lines += [f"conflict {c['id'][:8]}: {c['table_name']} {c['row_id']} changed on both sides "
                  f"(`fieldkit conflicts resolve {c['id'][:8]} --keep ours|theirs`)" for c in self.conflicts]
        return lines

    def to_json(self) -> dict[str, Any]:
        return {"merge_id": self.merge_id, "origin": self.origin, "already_merged": self.already_merged,
                "added": dict(self.added), "updated": dict(self.updated), "unchanged": self.unchanged,
                "kept_ours": self.kept_ours, "renamed": [list(r) for r in self.renamed],
                "conflicts": [{"id": c["id"], "table": c["table_name"], "row_id": c["row_id"]} for c in self.conflicts],
                "photos_copied": self.photos_copied, "foreign_entries": self.foreign_entries,
                "versions_seen": self.versions_seen}


def _fetch(db, table: str, row_id: str) -> dict[str, Any] | None:
    columns = audit.AUDITED_TABLES[table]
    values = row_id.split("/")
    where = " AND ".join(f"[{c}] = ?" for c in columns)
    cursor = db.execute(f"SELECT * FROM [{table}] WHERE {where}", values)
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def _known_here(db, keys: set[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
    """Every version of these rows that this catalog has written or seen."""
    known: dict[tuple[str, str], set[str]] = {key: set() for key in keys}
    for table_name, row_id, after in db.execute("SELECT table_name, row_id, after_json FROM audit WHERE after_json IS NOT NULL"):
        if (table_name, row_id) in known:
            known[(table_name, row_id)].add(version_of(after))
    for table_name, row_id, version in db.execute("SELECT table_name, row_id, version FROM merge_seen"):
        if (table_name, row_id) in known:
            known[(table_name, row_id)].add(version)
    if audit.BULK_TABLE in db.table_names():  # rows written by a bulk event: their SHA-256 names the version
        for table_name, row_id, digest in db.execute(
                f"SELECT a.table_name, r.row_id, r.sha256 FROM {audit.BULK_TABLE} r JOIN audit a ON a.seq = r.seq"):
            if (table_name, row_id) in known:
                known[(table_name, row_id)].add(digest)
    return known


def _stage_photos(catalog: Catalog, content: Content, progress: Progress | None) -> tuple[list, dict[str, str]]:
    """Copy the incoming originals into the store, each re-hashed from the disk; returns (files placed,
    photo id map). One sync after writing them all and one after moving them into place, rather than
    two per file: the rows that name them are committed only after both."""
    db = catalog.db
    store = catalog.photo_store
    staged, id_map, placed = [], {}, []
    photos = content.rows["photos"]
    try:
        for done, photo in enumerate(photos, 1):
            local = db.execute("SELECT id, stored_path FROM photos WHERE sha256 = ?", [photo["sha256"]]).fetchone()
            if local is not None and local[0] != photo["id"]:
                id_map[photo["id"]] = local[0]
            final = store / (local[1] if local else photo["stored_path"])
            if not (final.is_file() and sha256_file(final) == photo["sha256"]):
                store.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, dir=store)
                staged.append((Path(name), final, photo["sha256"]))
                with os.fdopen(fd, "wb") as fh:
                    fh.write(content.photo_bytes(photo["stored_path"]))
            if progress:
                progress(done, len(photos))  # may raise InterruptedError: the app's cancel
        if not staged:
            return [], id_map
        os.sync()
        for tmp, final, sha256 in staged:
            if sha256_file(tmp) != sha256:
                raise BundleError(f"the copy of photo {sha256[:12]} does not hash to its SHA-256; check the disk (nothing was merged)")
        for tmp, final, _ in staged:
            final.parent.mkdir(exist_ok=True)
            if final.exists():  # a damaged copy under the right name: replace it with the good one
                final.chmod(0o600)
            tmp.chmod(0o444)
            os.replace(tmp, final)
            placed.append(final)
        os.sync()
    except BaseException:
        for tmp, _, _ in staged:
            tmp.unlink(missing_ok=True)
        _remove_unreferenced(catalog, placed)
        raise
    return placed, id_map


def _remove_unreferenced(catalog: Catalog, placed: list[Path]) -> None:
    """Take back the originals a failed merge placed, unless a photo row names them."""
    for path in placed:
        relpath = path.relative_to(catalog.photo_store).as_posix()
        if catalog.db.execute("SELECT 1 FROM photos WHERE stored_path = ?", [relpath]).fetchone() is None:
            path.chmod(0o600)
            path.unlink(missing_ok=True)


OLD_COMPONENTS = "m012_component_rows"  # a bundle made without it carries components with attribution_json


def _todays_component(row: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """A component row of a bundle made before m012, as m012 converts a stored row, with its basis
    and table version as the lookup ids every catalog gives them; and the lookup rows it names, as
    (table, text column, text)."""
    from fieldkit.catalog.components import LOOKUPS
    from fieldkit.catalog.lookups import lookup_key
    from fieldkit.catalog.migrations import m012_component_row

    try:
        shaped = m012_component_row(row)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise BundleError(f"component {str(row.get('id'))[:36]} of the bundle (made before m012) holds an "
                          "attribution_json that cannot be read; nothing was merged") from None
    lookups = []
    for _, column, table, text_column in LOOKUPS:
        text = shaped[column]
        if text is not None:
            if not isinstance(text, str):
                raise BundleError(f"component {str(row.get('id'))[:36]} of the bundle (made before m012) holds an "
                                  "attribution_json that cannot be read; nothing was merged")
            shaped[column] = lookup_key(text)
            lookups.append((table, text_column, text))
    return shaped, lookups


def _check_shape(db, content: Content) -> None:
    """Refuse rows whose columns are not this catalog's, or whose values are not plain SQLite values
    (a signed bundle from a colleague's compromised laptop must not reach the SQL as a column name).
    A component of a bundle made before m012 is checked as it will be stored (`_todays_component`)."""
    old = OLD_COMPONENTS not in content.schema
    for table in TABLES:
        columns = {c.name for c in db[table].columns}
        for row in content.rows[table]:
            shaped = _todays_component(row)[0] if old and table == "components" and "attribution_json" in row else row
            unknown = set(shaped) - columns
            if unknown:
                raise BundleError(f"a {table} row in the bundle has columns this catalog does not know "
                                  f"({', '.join(sorted(map(repr, unknown)))[:80]}); nothing was merged")
            if not all(type(v) in (str, int, float, type(None)) for v in row.values()):
                raise BundleError(f"a {table} row in the bundle holds a value that is not text or a number; nothing was merged")
            if not all(isinstance(row.get(k), str) for k in audit.AUDITED_TABLES[table]):
                raise BundleError(f"a {table} row in the bundle has no valid key; nothing was merged")
    for table in LOOKUP_TABLES:  # a lookup row's id is the hash of its text: anything else is tampering
        for row in content.rows[table]:
            if altered := mismatch(table, row):
                raise BundleError(f"{altered}; nothing was merged")
    for photo in content.rows["photos"]:
        match = STORED_PATH.fullmatch(str(photo.get("stored_path")))
        if not match or match.group(1) != photo.get("sha256"):
            raise BundleError(f"photo row {str(photo.get('id'))[:36]!r} names a stored path that is not its SHA-256; nothing was merged")


def _adapt(db, table: str, row: dict[str, Any], id_map: dict[str, str], local: dict[str, Any] | None,
           next_ref: Callable[[], str]) -> tuple[dict[str, Any], str | None]:
    """The incoming row as it can be stored here, and the name of the adaptation (or None)."""
    adapted = dict(row)
    what = None
    if adapted.get("photo_id") in id_map:  # the same original is here under our own photo row
        adapted["photo_id"] = id_map[adapted["photo_id"]]
        what = "merge-photo-remap"
    if table == "items":
        taken = db.execute("SELECT 1 FROM items WHERE ref = ? AND id != ?", [row["ref"], row["id"]]).fetchone()
        if taken:
            adapted["ref"] = local["ref"] if local is not None else next_ref()
            what = "merge-ref-renamed"
    return adapted, what


def _write(db, table: str, row: dict[str, Any], exists: bool) -> None:
    columns = [c for c in row]
    if exists:
        keys = audit.AUDITED_TABLES[table]
        sets = ", ".join(f"[{c}] = ?" for c in columns)
        db.execute(f"UPDATE [{table}] SET {sets} WHERE " + " AND ".join(f"[{k}] = ?" for k in keys),
                   [row[c] for c in columns] + [row[k] for k in keys])
    else:
        db.execute(f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' for _ in columns)})",
                   [row[c] for c in columns])


def merge_content(catalog: Catalog, content: Content, *, source: str = "bundle", signer: str | None = None,
                  fingerprint: str | None = None, unsigned: bool = False, progress: Progress | None = None) -> MergeReport:
    """Merge checked content into the catalog, all or nothing; see the module docstring."""
    from fieldkit.catalog.items import next_ref as next_item_ref

    db = catalog.db
    here = own_id(db)
    report = MergeReport(content.bundle_id, content.catalog_id)
    if content.catalog_id == here:
        raise BundleError("this bundle was made from this very catalog; there is nothing to merge")
    if db.execute("SELECT 1 FROM merges WHERE id = ?", [content.bundle_id]).fetchone():
        report.already_merged = True
        return report
    _check_shape(db, content)
    placed, id_map = _stage_photos(catalog, content, progress)
    report.photos_copied = len(placed)
    try:
        with catalog.transaction():
            _merge_rows(catalog, content, report, id_map, lambda: next_item_ref(catalog))
            report.foreign_entries = _keep_foreign(db, content, here)
            stamp = now()
            merge_row = {
                "id": content.bundle_id, "origin_catalog": content.catalog_id, "origin_actor": content.creator,
                "signer": signer, "signer_fingerprint": fingerprint, "unsigned": int(unsigned), "source": source,
                "bundle_created_at": content.created_at, "head_seq": content.head[0], "head_hash": content.head[1],
                "merged_at": stamp, "merged_by": catalog.actor,
                "summary_json": audit.to_json({k: v for k, v in report.to_json().items() if k != "conflicts"}
                                              | {"conflicts": len(report.conflicts)}),
            }
            db["merges"].insert(merge_row)
            audit.record(db, at=stamp, actor=catalog.actor, action="merge", table="merges", row_id=content.bundle_id,
                         before=None, after=merge_row)
            record_digests(db, at=stamp, actor=catalog.actor)
    except BaseException:
        _remove_unreferenced(catalog, placed)
        raise
    return report


def _merge_rows(catalog: Catalog, content: Content, report: MergeReport, id_map: dict[str, str],
                next_ref: Callable[[], str]) -> None:
    db = catalog.db
    from fieldkit.catalog.components import lookup_id

    keys = {(t, audit.row_key(t, r)) for t in TABLES for r in content.rows[t]}
    known_here = _known_here(db, keys)
    stamp = now()
    seen: list[tuple[str, str, str]] = []
    old = OLD_COMPONENTS not in content.schema
    for table in TABLES:
        merged, adapted_changes, conflicts = [], [], []
        for row in content.rows[table]:
            row_id = audit.row_key(table, row)
            incoming_json = audit.to_json(row)
            incoming = version_of(incoming_json)
            theirs_known = content.known.get((table, row_id), set()) | {incoming}
            shaped, lookups, shaped_json = row, [], incoming_json
            if old and table == "components" and "attribution_json" in row:
                shaped, lookups = _todays_component(row)  # the row their catalog holds once upgraded
                shaped_json = audit.to_json(shaped)
                theirs_known.add(version_of(shaped_json))
            seen += [(table, row_id, v) for v in theirs_known]
            target_id = audit.row_key(table, {k: id_map.get(v, v) if k == "photo_id" else v for k, v in row.items()})
            local = _fetch(db, table, target_id)
            if table == "photos" and row["id"] in id_map:
                report.unchanged += 1  # the same original is here under our own row
                continue
            if table == "photo_provenance" and row["photo_id"] in id_map and local is not None:
                report.unchanged += 1  # our own reading of the same original's provenance stays
                continue
            if local is not None and audit.to_json(local) in (incoming_json, shaped_json):
                report.unchanged += 1
                continue
            if theirs_known & {incoming, version_of(shaped_json)} & known_here[(table, row_id)]:
                report.kept_ours += 1  # we have seen theirs, and changed it since (or deleted it)
                continue
            if local is not None and version_of(audit.to_json(local)) not in theirs_known:
                conflict = {"id": new_id(), "table_name": table, "row_id": target_id, "ours_json": audit.to_json(local),
                            "theirs_json": incoming_json, "origin_catalog": content.catalog_id,
                            "merge_id": content.bundle_id, "opened_at": stamp, "resolved_at": None,
                            "resolution": None, "resolved_by": None}
                conflicts.append(conflict)
                continue
            adapted, what = _adapt(db, table, shaped, id_map, local, next_ref)
            if shaped is not row:
                for lookup_table, text_column, text in lookups:
                    lookup_id(catalog, lookup_table, text_column, text)  # added, audited, if new here
                what = "merge-m012"
            _write(db, table, adapted, exists=local is not None)
            stored = _fetch(db, table, target_id)
            (report.updated if local is not None else report.added)[table] += 1
            if what is None:
                merged.append((target_id, local, stored))
            else:
                merged.append((target_id, local, row))
                adapted_changes.append((target_id, row, stored, what))
                if what == "merge-ref-renamed" and adapted["ref"] != row["ref"]:
                    report.renamed.append((row["ref"], adapted["ref"]))
        _audit(db, catalog.actor, stamp, "merge", table, merged)
        for what in ("merge-photo-remap", "merge-ref-renamed", "merge-m012"):
            _audit(db, catalog.actor, stamp, what, table, [(i, b, a) for i, b, a, w in adapted_changes if w == what])
        for conflict in conflicts:
            db["conflicts"].insert(conflict)
        _audit(db, catalog.actor, stamp, "insert", "conflicts", [(c["id"], None, c) for c in conflicts])
        report.conflicts += conflicts
    before = db.conn.total_changes
    db.conn.executemany("INSERT OR IGNORE INTO merge_seen (table_name, row_id, version) VALUES (?, ?, ?)", seen)
    report.versions_seen = db.conn.total_changes - before


def _audit(db, actor: str, stamp: str, action: str, table: str, changes: list) -> None:
    if not changes:
        return
    entries = audit.chain_entries(db, at=stamp, actor=actor, action=action, table=table, changes=changes)
    db.conn.executemany(
        f"INSERT INTO audit ({', '.join(audit.ENTRY_FIELDS)}) VALUES ({', '.join('?' for _ in audit.ENTRY_FIELDS)})",
        [[e[f] for f in audit.ENTRY_FIELDS] for e in entries],
    )


def _keep_foreign(db, content: Content, here: str) -> int:
    """Store the origin's entries (and those it merged from others) as written; refuse a rewritten chain."""
    entries = [{"origin_catalog": content.catalog_id, **e} for e in content.audit]
    entries += [e for e in content.foreign if e["origin_catalog"] != here]
    kept = 0
    for entry in entries:
        existing = db.execute("SELECT hash FROM foreign_audit WHERE origin_catalog = ? AND seq = ?",
                              [entry["origin_catalog"], entry["seq"]]).fetchone()
        if existing is None:
            db.execute(f"INSERT INTO foreign_audit ({', '.join(FOREIGN_FIELDS)}) VALUES ({', '.join('?' for _ in FOREIGN_FIELDS)})",
                       [entry.get(f) for f in FOREIGN_FIELDS])
            kept += 1
        elif existing[0] != entry["hash"]:
            raise BundleError(f"catalog {entry['origin_catalog']}'s audit entry {entry['seq']} differs from the one merged "
                              "before: its log was rewritten; nothing was merged")
    return kept

