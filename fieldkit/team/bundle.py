"""Evidence bundles: the work on some items, as one signed file that can travel and be merged.

A bundle (`.fkb`) is a zip. It holds, each as its own member:
- `rows/<table>.jsonl`: the chosen items and their photo links, photos (with their provenance
  rows), markings and components, and the lookup rows (attribution bases, reference-table
  versions) the components refer to, whose ids are the same in every catalog (catalog.lookups);
- `photos/<stored path>`: the photo originals, byte for byte, named by their SHA-256;
- `audit.jsonl`: the source catalog's own audit entries for those rows, as written;
- `audit_rows.jsonl`: for the bulk audit events among them (a component import, a migration),
  the per-row hashes the event chained, so each row they wrote can be checked like the others;
- `foreign_audit.jsonl`: entries the source got from other catalogs by merging, with their origin;
- `known_versions.jsonl`: per row, the hashes of every version the source has seen (merge uses it
  to tell a one-side change from a conflict);
- `manifest.json`: the bundle id, the source catalog's id and audit head, the creator, the time,
  the schema, what was chosen, the counts, and the SHA-256 of every other member;
- `manifest.sig`: the Ed25519 signature of manifest.json's exact bytes, with the public key.
Members are written in a fixed order with fixed timestamps, and the bundle id is the hash of the
content, so the same content gives the same bytes apart from the signature and the creation time.

`read_bundle` checks everything a bundle claims (signature, signer, each member's hash, the photos'
hashes, the audit entries' own hashes and links, each row against its last audit entry) and names
every problem; only a bundle without problems yields content to merge.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from fieldkit.catalog import audit, witness
from fieldkit.catalog.db import Catalog, now
from fieldkit.catalog.lookups import LOOKUP_TABLES, mismatch
from fieldkit.catalog.meta import catalog_id
from fieldkit.catalog.migrations import known_names
from fieldkit.errors import FieldkitError
from fieldkit.locations import photo_store_path

FORMAT = "fieldkit-bundle/1"
# In the order a merge writes them: a row after the rows it refers to.
TABLES = ("items", "photos", "photo_provenance", "item_photos", "markings", "attribution_bases", "reference_versions",
          "components")
LOOKUP_COLUMNS = (("attribution_bases", "basis_id"), ("reference_versions", "reference_version_id"))
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
STORED_PATH = re.compile(r"[0-9a-f]{2}/([0-9a-f]{64})\.(jpg|png|tif|webp)")
CHUNK_IDS = 500
MAX_TEXT_MEMBER = 512 << 20  # a bundle's text members are read whole; refuse a zip bomb's claim
# What a damaged or hostile zip can raise while being read (a bad CRC, a bad deflate stream, a
# flag for an encryption or compression fieldkit never writes, a length past the end).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError,
              struct.error, UnicodeDecodeError)

Progress = Callable[[int, int], None]


class BundleError(FieldkitError):
    """A bundle that cannot be made or read; the message names the problem."""


def version_of(row_json: str) -> str:
    """The name of one version of a row: the SHA-256 of its canonical JSON."""
    return hashlib.sha256(row_json.encode("utf-8")).hexdigest()


@dataclass
class Content:
    """The work a bundle carries, read from a catalog or from a bundle file."""

    catalog_id: str
    head: tuple[int, str]  # the source's last audit seq and its hash
    schema: list[str]
    creator: str
    rows: dict[str, list[dict[str, Any]]]
    audit: list[dict[str, Any]]
    foreign: list[dict[str, Any]]
    known: dict[tuple[str, str], set[str]]
    photo_bytes: Callable[[str], bytes]  # stored path -> the original's bytes
    bundle_id: str = ""
    created_at: str | None = None
    bulk_rows: list[dict[str, Any]] = field(default_factory=list)  # audit_rows of the bulk events in `audit`

    def item_refs(self) -> list[str]:
        return sorted(row["ref"] for row in self.rows["items"])

    def counts(self) -> dict[str, int]:
        return {table: len(self.rows[table]) for table in TABLES} | {
            "audit": len(self.audit), "foreign_audit": len(self.foreign)}


# reading a catalog -------------------------------------------------------------------------


def _select(db: Database, sql: str, params: list[Any] = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor]


def _in_chunks(db: Database, table: str, column: str, values: list[str]) -> list[dict[str, Any]]:
    rows = []
    for start in range(0, len(values), CHUNK_IDS):
        chunk = values[start:start + CHUNK_IDS]
        rows += _select(db, f"SELECT * FROM [{table}] WHERE [{column}] IN ({', '.join('?' for _ in chunk)})", chunk)
    return rows


def own_id(db: Database) -> str:
    """The catalog's id; a catalog without one (edited behind fieldkit's back) cannot send or receive work."""
    try:
        return catalog_id(db)
    except LookupError:
        raise BundleError("the catalog has no id in catalog_meta (was it edited outside fieldkit?); "
                          "run `fieldkit verify`") from None


def check_since(since: str | None) -> None:
    """Refuse a `since` that is not a YYYY-MM-DD date, in one line."""
    if since is not None:
        import datetime as dt

        try:
            dt.date.fromisoformat(since)
        except ValueError:
            raise BundleError(f"--since {since!r} is not a date; give YYYY-MM-DD") from None


def created_line(out: Path, manifest: dict[str, Any], secret=None, *, recipients: int = 0, passphrase: bool = False) -> str:
    """What `fieldkit bundle create` (and the Team screen) says it wrote."""
    counts = manifest["counts"]
    how = f", encrypted to {recipients} recipient(s)" if recipients else ", encrypted with a passphrase" if passphrase else ""
    signed = "unsigned" if secret is None else "signed " + secret.public.fingerprint
    return (f"wrote {out}: bundle {manifest['bundle_id']}, {counts['items']} items, {counts['photos']} photos, "
            f"{counts['audit']} audit entries, {signed}{how}")


def choose_items(db: Database, *, refs: list[str] = (), since: str | None = None, everything: bool = False) -> list[str]:
    """The ids of the items to bundle: those named, those changed since a date, or all."""
    check_since(since)
    if everything:
        return [r[0] for r in db.execute("SELECT id FROM items ORDER BY id")]
    chosen: set[str] = set()
    for ref in refs:
        row = db.execute("SELECT id FROM items WHERE ref = ?", [ref]).fetchone()
        if row is None:
            raise BundleError(f"no item with ref {ref!r}; `fieldkit item list` shows the refs")
        chosen.add(row[0])
    if since is not None:
        chosen |= {r[0] for r in db.execute(
            "SELECT id FROM items WHERE updated_at >= :s UNION SELECT item_id FROM markings WHERE updated_at >= :s "
            "UNION SELECT item_id FROM components WHERE updated_at >= :s UNION SELECT item_id FROM item_photos WHERE added_at >= :s",
            {"s": since})}
    if not chosen and not refs and since is None:
        raise BundleError("choose what to bundle: --item REF (repeatable), --since DATE or --all")
    return sorted(chosen)


def collect(db: Database, store: Path, item_ids: list[str], *, creator: str, everything: bool = False) -> Content:
    """The content of a bundle of these items, read from a catalog (never written to)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    rows["items"] = _in_chunks(db, "items", "id", item_ids)
    rows["item_photos"] = _in_chunks(db, "item_photos", "item_id", item_ids)
    rows["markings"] = _in_chunks(db, "markings", "item_id", item_ids)
    rows["components"] = _in_chunks(db, "components", "item_id", item_ids)
    for table, column in LOOKUP_COLUMNS:
        rows[table] = _in_chunks(db, table, "id", sorted({r[column] for r in rows["components"] if r[column] is not None}))
    photo_ids = sorted({r["photo_id"] for r in rows["item_photos"]}
                       | {r["photo_id"] for t in ("markings", "components") for r in rows[t] if r["photo_id"]})
    rows["photos"] = _in_chunks(db, "photos", "id", photo_ids)
    rows["photo_provenance"] = _in_chunks(db, "photo_provenance", "photo_id", photo_ids)
    for table in TABLES:
        rows[table].sort(key=lambda r, t=table: audit.row_key(t, r))
    keys = {(table, audit.row_key(table, r)) for table in TABLES for r in rows[table]}
    known: dict[tuple[str, str], set[str]] = {key: set() for key in keys}
    events, bulk_rows = _bulk_rows(db, keys, everything)
    for row in bulk_rows:  # a row's SHA-256 in audit_rows is the name of its version (version_of)
        key = (row.pop("table_name"), row["row_id"])
        if key in known:
            known[key].add(row["sha256"])
    entries = []
    columns = [*audit.AUDITED_FIELDS, "hash"]
    for values in db.execute(f"SELECT {', '.join(columns)} FROM audit ORDER BY seq"):
        entry = dict(zip(columns, values))
        key = (entry["table_name"], entry["row_id"])
        if everything or key in keys or entry["seq"] in events:
            entries.append(entry)
        if key in known and entry["after_json"] is not None:
            known[key].add(version_of(entry["after_json"]))
    foreign = [e for e in _select(db, "SELECT * FROM foreign_audit ORDER BY origin_catalog, seq")
               if everything or (e["table_name"], e["row_id"]) in keys]
    for entry in foreign:
        key = (entry["table_name"], entry["row_id"])
        if key in known and entry["after_json"] is not None:
            known[key].add(version_of(entry["after_json"]))
    for table_name, row_id, version in db.execute("SELECT table_name, row_id, version FROM merge_seen"):
        if (table_name, row_id) in known:
            known[(table_name, row_id)].add(version)
    seq, prev = audit.head(db)
    schema = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'fieldkit' ORDER BY id")]

    def photo_bytes(stored_path: str) -> bytes:
        if not STORED_PATH.fullmatch(stored_path):
            raise BundleError(f"the photo path {stored_path[:80]!r} is not a stored original's name")
        try:  # never through a symbolic link planted in the other catalog's store
            fd = os.open(store / stored_path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as exc:
            raise BundleError(f"the original {stored_path} cannot be read ({exc.strerror}); run `fieldkit verify` there") from None
        with os.fdopen(fd, "rb") as fh:
            return fh.read()

    return Content(own_id(db), (seq - 1, prev), schema, creator, rows, entries, foreign, known, photo_bytes,
                   bulk_rows=bulk_rows)


def _bulk_rows(db: Database, keys: set[tuple[str, str]], everything: bool) -> tuple[set[int], list[dict[str, Any]]]:
    """The bulk audit events that wrote any of these rows (all of them with `everything`), and
    every row of `audit_rows` of those events (seq, n, row_id, sha256, and the event's table_name)."""
    if audit.BULK_TABLE not in db.table_names():
        return set(), []
    join = f"FROM {audit.BULK_TABLE} r JOIN audit a ON a.seq = r.seq"
    events = {seq for seq, table, row_id in db.execute(f"SELECT r.seq, a.table_name, r.row_id {join}")
              if everything or (table, row_id) in keys}
    rows = []
    for seq in sorted(events):
        rows += _select(db, f"SELECT r.seq, r.n, r.row_id, r.sha256, a.table_name {join} WHERE r.seq = ? ORDER BY r.n", [seq])
    return events, rows


@contextlib.contextmanager
def read_catalog_file(path: Path) -> Iterator[Content]:
    """Another catalog file as bundle content, opened read-only; refused if its own checks fail."""
    from fieldkit.catalog.db import _check_file, connect_reader

    if not path.is_file():
        raise BundleError(f"{path} is not a file; give a bundle (.fkb) or a catalog file")
    _check_file(path)
    try:
        conn = connect_reader(path)  # as `open_read_only` reads: a WAL catalog is left without -wal/-shm
    except sqlite3.Error as exc:
        raise BundleError(f"{path} cannot be read as a catalog ({exc}); check the path") from None
    try:
        db = Database(conn)
        if "_sqlite_migrations" not in db.table_names():
            raise BundleError(f"{path} is a SQLite database but not a fieldkit catalog; check the path")
        # the same steps, in any order: a catalog written before m012 was placed before m016 and m017
        # has m012 after them once upgraded
        applied = {r[0] for r in db.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'fieldkit'")}
        if applied != set(known_names()):
            raise BundleError(f"{path} has another schema than this fieldkit's; open it once with this fieldkit "
                              f"(`fieldkit --db {path} init`) to upgrade it, then merge")
        problems = [*audit.check_chain(db), *audit.check_state(db)]
        if problems:
            raise BundleError(f"{path} fails its own audit check ({problems[0].describe()}); "
                              f"run `fieldkit --db {path} verify`, nothing was merged")
        ids = [r[0] for r in db.execute("SELECT id FROM items ORDER BY id")]
        content = collect(db, photo_store_path(path), ids, creator="(catalog file)", everything=True)
        content.bundle_id = _content_id(content.catalog_id, _members(content) | {
            "photos/" + p["stored_path"]: p["sha256"] for p in content.rows["photos"]})
        yield content
    except sqlite3.Error as exc:
        raise BundleError(f"{path} cannot be read as a catalog ({exc}); check the path") from None
    finally:
        conn.close()


# writing -----------------------------------------------------------------------------------


@contextlib.contextmanager
def new_file(out: Path, what: str = "the bundle") -> Iterator[Path]:
    """A partial file beside `out` to write; synced and moved onto `out` when the block succeeds,
    removed otherwise, so `out` is never a half-written file."""
    if out.exists():
        raise BundleError(f"{out} already exists; give a new file name for {what}")
    partial = out.with_name(f".{out.name}.partial")
    try:
        yield partial
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, out)
    except InterruptedError:  # the app's cancel (an OSError too): not a failure to write
        raise
    except OSError as exc:
        raise BundleError(f"{what} {out} could not be written: {exc.strerror}; check the space and permissions "
                          "(nothing was kept)") from None
    finally:
        partial.unlink(missing_ok=True)


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(audit.to_json(row) + "\n" for row in rows).encode("utf-8")


def _members(content: Content) -> dict[str, bytes]:
    """The text members of a bundle (not the photos), name -> bytes."""
    members = {f"rows/{table}.jsonl": _jsonl(content.rows[table]) for table in TABLES}
    members["audit.jsonl"] = _jsonl(content.audit)
    members["audit_rows.jsonl"] = _jsonl(content.bulk_rows)
    members["foreign_audit.jsonl"] = _jsonl(content.foreign)
    members["known_versions.jsonl"] = _jsonl([
        {"table": t, "row_id": r, "versions": sorted(v)} for (t, r), v in sorted(content.known.items())
    ])
    return members


def _content_id(source_id: str, hashes: dict[str, bytes | str]) -> str:
    lines = [source_id] + [f"{name} {h if isinstance(h, str) else hashlib.sha256(h).hexdigest()}" for name, h in sorted(hashes.items())]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:32]


def _zip_info(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    info.create_system = 3  # unix, whatever the machine, so the bytes do not depend on it
    return info


def write_bundle(content: Content, out: Path, *, secret=None, selection: dict[str, Any] | None = None,
                 progress: Progress | None = None, created_at: str | None = None) -> dict[str, Any]:
    """Write `content` as a bundle at `out` (a new file), signed with `secret` if given; returns the manifest."""
    members = _members(content)
    files = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    photos = content.rows["photos"]
    with new_file(out) as tmp:
        with zipfile.ZipFile(tmp, "w") as zf:
            for name in sorted(members):
                zf.writestr(_zip_info(name, zipfile.ZIP_DEFLATED), members[name])
            for done, photo in enumerate(sorted(photos, key=lambda p: p["stored_path"]), 1):
                data = content.photo_bytes(photo["stored_path"])
                digest = hashlib.sha256(data).hexdigest()
                if digest != photo["sha256"]:
                    raise BundleError(f"the stored original {photo['stored_path']} no longer matches its SHA-256; "
                                      "run `fieldkit verify` (nothing was written)")
                files["photos/" + photo["stored_path"]] = digest
                zf.writestr(_zip_info("photos/" + photo["stored_path"], zipfile.ZIP_STORED), data)
                if progress:
                    progress(done, len(photos))
            manifest = {
                "format": FORMAT,
                "bundle_id": _content_id(content.catalog_id, files),
                "catalog_id": content.catalog_id,
                "creator": content.creator,
                "created_at": created_at or now(),
                "audit_head": {"seq": content.head[0], "hash": content.head[1]},
                "schema": content.schema,
                "selection": selection or {},
                "items": content.item_refs(),
                "counts": content.counts(),
                "files": dict(sorted(files.items())),
            }
            if secret is not None:
                manifest["signer"] = {"public_key": secret.public.text, "fingerprint": secret.public.fingerprint}
            manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")
            zf.writestr(_zip_info("manifest.json", zipfile.ZIP_DEFLATED), manifest_bytes)
            if secret is not None:
                import base64

                signature = {"public_key": secret.public.text,
                             "signature": base64.b64encode(secret.sign(manifest_bytes)).decode("ascii")}
                zf.writestr(_zip_info("manifest.sig", zipfile.ZIP_STORED), json.dumps(signature, sort_keys=True))
    return manifest


# reading and checking ----------------------------------------------------------------------


@dataclass
class BundleReport:
    """What `bundle verify` says: what the bundle holds, who signed it, and every problem found."""

    path: str
    manifest: dict[str, Any] = field(default_factory=dict)
    signer: str | None = None  # a trusted name, "you", or None
    fingerprint: str | None = None
    unsigned: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> list[str]:
        m = self.manifest
        lines = []
        if m:
            counts = m.get("counts", {})
            who = "unsigned" if self.unsigned else f"signed by {self.signer or 'an untrusted key'} ({self.fingerprint})"
            lines.append(f"bundle {m.get('bundle_id')} from catalog {m.get('catalog_id')}, made by {m.get('creator')} "
                         f"at {m.get('created_at')}, {who}")
            lines.append(f"items {counts.get('items', 0)}, photos {counts.get('photos', 0)}, markings {counts.get('markings', 0)}, "
                         f"components {counts.get('components', 0)}, audit entries {counts.get('audit', 0)}")
            lines.append("refs: " + (", ".join(m.get("items", [])) or "(none)"))
        lines += [f"problem: {p}" for p in self.problems]
        lines.append("bundle intact" if self.ok else f"bundle refused: {len(self.problems)} problem(s)")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "path": self.path, "signer": self.signer, "fingerprint": self.fingerprint,
                "unsigned": self.unsigned, "problems": self.problems,
                **{k: self.manifest.get(k) for k in ("bundle_id", "catalog_id", "creator", "created_at", "items", "counts")}}


@contextlib.contextmanager
def plain_file(path: Path, *, identities: list[str] = (), passphrase: str | None = None,
               stage: Callable[[str], None] | None = None, progress: Progress | None = None) -> Iterator[Path]:
    """The bundle as a plain zip: itself, or decrypted into a private temporary file (`stage` and
    `progress` say how the decryption goes: fieldkit.team.crypt)."""
    from fieldkit.team import crypt

    try:
        encrypted = crypt.is_encrypted(path)
    except OSError as exc:
        raise BundleError(f"cannot read {path}: {exc.strerror}; check the path") from None
    if not encrypted:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="fieldkit-bundle-") as tmp:
        target = Path(tmp) / "bundle.zip"
        crypt.decrypt(path, target, identities=identities, passphrase=passphrase, stage=stage, progress=progress)
        yield target


def _check_signature(report: BundleReport, manifest_bytes: bytes, signature_bytes: bytes | None) -> None:
    import base64

    from nacl.exceptions import BadSignatureError
    from nacl.signing import VerifyKey

    from fieldkit.team import keys

    if signature_bytes is None:
        report.unsigned = True
        return
    try:
        sig = json.loads(signature_bytes)
        public = keys.parse_public(sig["public_key"])
        VerifyKey(public).verify(manifest_bytes, base64.b64decode(sig["signature"]))
    except BadSignatureError:
        report.problems.append("the manifest's signature does not match it (the manifest was changed after signing)")
        return
    except (ValueError, KeyError, TypeError, FieldkitError):
        report.problems.append("manifest.sig is damaged (not a signature fieldkit can read)")
        return
    report.fingerprint = keys.fingerprint(public)
    report.signer = keys.signer_name(public)
    if report.signer is None:
        report.problems.append(f"signed by a key you do not trust (fingerprint {report.fingerprint}); if it is your "
                               "colleague's, check the fingerprint with them and `fieldkit key trust` it")


def _parse_jsonl(data: bytes, name: str, problems: list[str]) -> list[dict[str, Any]]:
    try:
        rows = [json.loads(line) for line in data.decode("utf-8").splitlines() if line]
    except (UnicodeDecodeError, ValueError):
        problems.append(f"{name} is not valid JSON lines")
        return []
    if not all(isinstance(r, dict) for r in rows):
        problems.append(f"{name} holds something other than rows")
        return []
    return rows


def _check_audit(content: Content, problems: list[str]) -> None:
    """The source's entries: each hashes to itself, consecutive ones link, none beyond the signed head."""
    head_seq, head_hash = content.head
    previous = None
    for entry in content.audit:
        try:
            if audit.row_hash(entry) != entry["hash"]:
                problems.append(f"audit entry {entry['seq']} was changed after it was written")
            if previous is not None and entry["seq"] == previous["seq"] + 1 and entry["prev_hash"] != previous["hash"]:
                problems.append(f"audit entry {entry['seq']} does not follow entry {previous['seq']}")
            if previous is not None and entry["seq"] <= previous["seq"]:
                problems.append(f"audit entry {entry['seq']} is out of order")
            if entry["seq"] > head_seq or (entry["seq"] == head_seq and entry["hash"] != head_hash):
                problems.append(f"audit entry {entry['seq']} is not in the chain the manifest's audit head ends")
        except (KeyError, TypeError):
            problems.append("audit.jsonl holds an entry without the audit fields")
            return
        previous = entry
    for entry in content.foreign:
        try:
            if audit.row_hash(entry) != entry["hash"] or not entry.get("origin_catalog"):
                problems.append(f"foreign audit entry {entry['origin_catalog']}/{entry['seq']} was changed after it was written")
        except (KeyError, TypeError):
            problems.append("foreign_audit.jsonl holds an entry without the audit fields")
            return
    last = _last_written(content, problems)
    for table in TABLES:
        for row in content.rows[table]:
            try:
                key = (table, audit.row_key(table, row))
            except KeyError:
                problems.append(f"rows/{table}.jsonl holds a row without its key")
                continue
            kind, recorded = last.get(key, ("json", None))
            if recorded != (audit.to_json(row) if kind == "json" else audit.row_digest(row)):
                problems.append(f"{table} row {key[1]} differs from its last audit entry in the bundle")
            if table in LOOKUP_TABLES and (altered := mismatch(table, row)):
                problems.append(altered)


def _last_written(content: Content, problems: list[str]) -> dict[tuple[str, str], tuple[str, str | None]]:
    """What the bundle's audit entries last wrote for each row: ("json", after_json) from a row's own
    entry, or ("sha256", digest) from a bulk event, whose audit_rows must give its rows_sha256."""
    bulk: dict[int, list[dict[str, Any]]] = {}
    try:
        for row in sorted(content.bulk_rows, key=lambda r: (int(r["seq"]), int(r["n"]))):
            bulk.setdefault(row["seq"], []).append(row)
    except (KeyError, TypeError, ValueError):
        problems.append("audit_rows.jsonl holds a row without seq, n, row_id and sha256")
        return {}
    last: dict[tuple[str, str], tuple[str, str | None]] = {}
    for entry in content.audit:
        key = (entry["table_name"], entry["row_id"])
        if entry["action"] not in audit.BULK_ACTIONS:
            last[key] = ("json", entry["after_json"])
            continue
        rows = bulk.pop(entry["seq"], [])
        root = hashlib.sha256("".join(f"{r['row_id']} {r['sha256']}\n" for r in rows).encode("utf-8")).hexdigest()
        try:
            details = json.loads(entry["after_json"] or "{}")
            intact = (len(rows), root) == (details.get("rows"), details.get("rows_sha256"))
        except (ValueError, AttributeError):
            intact = False
        if not intact:
            problems.append(f"the row hashes of bulk audit entry {entry['seq']} (audit_rows.jsonl) do not match it")
        for row in rows:
            last[(entry["table_name"], str(row["row_id"]))] = ("sha256", row["sha256"])
    for seq in bulk:
        problems.append(f"audit_rows.jsonl holds rows of audit entry {seq}, which is not a bulk entry of the bundle")
    return last


def is_zip(path: Path) -> bool:
    """Whether a file starts as every bundle does: a zip's first local file header (PK\\3\\4)."""
    with open(path, "rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


ALLOW_UNSIGNED = "merge it with --allow-unsigned"  # how the CLI allows an unsigned bundle


def read_bundle(zip_path: Path, *, shown: str | None = None, allow_unsigned: bool = False,
                how_to_allow: str = ALLOW_UNSIGNED) -> tuple[BundleReport, Content | None]:
    """Check a (decrypted) bundle: its report, and its content if it has no problem.

    `how_to_allow` is what the "not signed" problem tells the researcher to do to accept it, in the
    words of where she is: the CLI's option by default; the app names its own checkbox."""
    report = BundleReport(shown or str(zip_path))
    problems = report.problems
    try:
        zf = zipfile.ZipFile(zip_path)
    except ZIP_ERRORS as exc:
        problems.append(f"the file is truncated or is not a fieldkit bundle ({exc})")
        return report, None
    with zf:
        names = [i.filename for i in zf.infolist()]
        if len(names) != len(set(names)):
            problems.append("the bundle holds two members with the same name")
            return report, None
        data: dict[str, bytes] = {}
        for info in zf.infolist():
            name = info.filename
            if name.startswith("photos/"):
                continue  # read one at a time below
            if info.file_size > MAX_TEXT_MEMBER:
                problems.append(f"{name} claims {info.file_size:,} bytes, more than a bundle's text ever holds")
                continue
            try:
                data[name] = zf.read(name)
            except ZIP_ERRORS as exc:
                problems.append(f"{name} is damaged or cut short ({exc})")
        if "manifest.json" not in data:
            problems.append("the bundle has no manifest.json (truncated, or not a fieldkit bundle)")
            return report, None
        try:
            manifest = json.loads(data["manifest.json"])
            assert isinstance(manifest, dict) and manifest.get("format") == FORMAT
            files = manifest["files"]
            head = (int(manifest["audit_head"]["seq"]), str(manifest["audit_head"]["hash"]))
        except (ValueError, AssertionError, KeyError, TypeError):
            problems.append(f"manifest.json is not a {FORMAT} manifest")
            return report, None
        report.manifest = manifest
        _check_signature(report, data["manifest.json"], data.get("manifest.sig"))
        if report.unsigned and not allow_unsigned:
            problems.append(f"the bundle is not signed; {how_to_allow} only if you know where it came from")
        unknown = [s for s in manifest.get("schema", []) if s not in known_names()]
        if unknown:
            problems.append(f"the bundle was made by a newer fieldkit (schema step {unknown[-1]}); upgrade fieldkit")
        for name in sorted(set(names) - set(files) - {"manifest.json", "manifest.sig"}):
            problems.append(f"{name} is in the bundle but not in the manifest")
        for name, digest in sorted(files.items()):
            if name not in names:
                problems.append(f"{name} is listed in the manifest but missing from the bundle (removed)")
                continue
            try:
                blob = data[name] if name in data else zf.read(name)
            except ZIP_ERRORS as exc:
                problems.append(f"{name} is damaged or cut short ({exc})")
                continue
            if hashlib.sha256(blob).hexdigest() != digest:
                problems.append(f"{name} does not match its SHA-256 in the manifest (altered or swapped)")
        if problems:
            return report, None
        rows = {t: _parse_jsonl(data.get(f"rows/{t}.jsonl", b""), f"rows/{t}.jsonl", problems) for t in TABLES}
        known_rows = _parse_jsonl(data.get("known_versions.jsonl", b""), "known_versions.jsonl", problems)
        try:
            known = {(k["table"], k["row_id"]): set(k["versions"]) for k in known_rows}
        except (KeyError, TypeError):
            problems.append("known_versions.jsonl holds a row without table, row_id and versions")
            known = {}
        content = Content(
            str(manifest.get("catalog_id")), head, list(manifest.get("schema", [])), str(manifest.get("creator")),
            rows, _parse_jsonl(data.get("audit.jsonl", b""), "audit.jsonl", problems),
            _parse_jsonl(data.get("foreign_audit.jsonl", b""), "foreign_audit.jsonl", problems),
            known, lambda p: b"", str(manifest.get("bundle_id")), manifest.get("created_at"),
            _parse_jsonl(data.get("audit_rows.jsonl", b""), "audit_rows.jsonl", problems),
        )
        if content.bundle_id != _content_id(content.catalog_id, files):
            problems.append("the bundle id does not match its content")
        for photo in rows["photos"]:
            match = STORED_PATH.fullmatch(str(photo.get("stored_path")))
            if not match or match.group(1) != photo.get("sha256"):
                problems.append(f"photo row {photo.get('id')} names a stored path that is not its SHA-256")
            elif files.get("photos/" + photo["stored_path"]) != photo["sha256"]:
                problems.append(f"the original of photo {photo['sha256'][:12]} is not in the bundle, or is another file (swapped)")
        _check_audit(content, problems)
        if problems:
            return report, None
    originals = {"photos/" + p["stored_path"]: p["sha256"] for p in rows["photos"]}
    opened: list[zipfile.ZipFile] = []  # one reader for every photo, not one per photo

    def photo_bytes(stored_path: str) -> bytes:
        name = "photos/" + stored_path
        if name not in originals:
            raise BundleError(f"{name} is not an original of this bundle")
        if not opened:
            opened.append(zipfile.ZipFile(zip_path))
        data = opened[0].read(name)
        if hashlib.sha256(data).hexdigest() != originals[name]:  # the file changed since it was checked
            raise BundleError(f"{name} changed since the bundle was checked; nothing was merged")
        return data

    content.photo_bytes = photo_bytes
    return report, content


def create_bundle(catalog: Catalog, out: Path, *, refs: list[str] = (), since: str | None = None,
                  everything: bool = False, secret=None, recipients: list[str] = (), passphrase: str | None = None,
                  progress: Progress | None = None, stage: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Choose items, collect them from the catalog and write the bundle at `out`, signed with `secret`
    and, given recipients or a passphrase, encrypted with age; returns the manifest. `progress` counts
    the photos written, then the bytes encrypted; `stage` says when the encryption starts and how long
    it has run (fieldkit.team.crypt)."""
    from fieldkit.team import crypt

    db = catalog.db
    item_ids = choose_items(db, refs=list(refs), since=since, everything=everything)
    content = collect(db, catalog.photo_store, item_ids, creator=catalog.actor, everything=everything)
    selection = {"all": everything, "items": sorted(refs), "since": since}
    if not recipients and passphrase is None:
        manifest = write_bundle(content, out, secret=secret, selection=selection, progress=progress)
    else:
        with new_file(out) as partial, tempfile.TemporaryDirectory(prefix="fieldkit-bundle-") as tmp:
            plain = Path(tmp) / "bundle.fkb"
            manifest = write_bundle(content, plain, secret=secret, selection=selection, progress=progress)
            crypt.encrypt(plain, partial, recipients=list(recipients), passphrase=passphrase, what="the bundle",
                          stage=stage, progress=progress)
    if secret is not None:  # the key is unlocked: sign a witness checkpoint of the head too
        witness.try_checkpoint(catalog, secret)
    return manifest
