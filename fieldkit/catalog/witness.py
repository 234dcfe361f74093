"""The witness: the audit head of a catalog, recorded outside the catalog file.

A hash chain kept only inside the catalog can be rebuilt by anyone who can write the file: delete
the newest changes with their audit rows, or rewrite a row and recompute every hash after it. So
after every committed write `Catalog.transaction()` appends one JSON line to `witness.jsonl` in
the user data dir: the catalog's id, the newest audit row's `seq` and `hash` (the head), the time
and the catalog's path. The same head record goes into every backup and export (`head_record`),
and `verify` prints its short fingerprint for a field notebook.

`check` compares a catalog with the records it is given. Records made at the catalog's own path
are the witness of that file: a head that went backwards, a witnessed row missing or different,
or another catalog id there, are problems. Records of the same catalog made elsewhere (a restored
backup, a copy) that the file does not contain are reported as notes: such copies may go their
own way.

No local check can stand against someone who controls every copy (this log too); a fingerprint
written down or sent away can. A signed checkpoint (`checkpoint`) is a record that also carries
the researcher's Ed25519 public key (`key`) and a signature of `payload(record)` (`sig`), made
when her key is unlocked: `fieldkit witness checkpoint`, a signed bundle, `backup --sign`.
`check_signatures` names a bad signature and lists the heads that are signed; `check` reads
checkpoints as plain records too.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from fieldkit.catalog import audit, meta
from fieldkit.catalog.audit import GENESIS
from fieldkit.locations import data_dir

if TYPE_CHECKING:
    from fieldkit.catalog.db import Catalog

WITNESS_FILE = "witness.jsonl"
HEAD_FILE = "audit-head.json"  # the head record in a backup or export folder
RECORD_FIELDS = ("catalog_id", "seq", "head", "at", "path")  # what a signature covers, in order
SIGNATURE_FIELDS = ("key", "sig")  # a signed checkpoint's public key and Ed25519 signature of `payload`


def fingerprint(head: str) -> str:
    """The first 64 bits of a head hash as four groups of hex digits: short enough for a notebook."""
    return "-".join(head[i:i + 4] for i in range(0, 16, 4))


def current_head(db: Database) -> tuple[int, str]:
    """The newest audit row's (seq, hash), or (0, GENESIS) for an empty log."""
    next_seq, head = audit.head(db)
    return next_seq - 1, head


def head_record(catalog: Catalog) -> dict[str, Any]:
    """The catalog's head as a record for backups, exports, bundles and dossiers.

    Keys: catalog_id (None only if someone removed it), seq (newest audit row, 0 if none), head
    (its hash), fingerprint, at, path.
    """
    return record_of(catalog.db, catalog.path)


def record_of(db: Database, path: Path | None) -> dict[str, Any]:
    """`head_record` for a database connection (e.g. a snapshot being exported or backed up)."""
    from fieldkit.catalog.db import now

    seq, head = current_head(db)
    return {
        "catalog_id": meta.get_meta(db, "catalog_id"), "seq": seq, "head": head,
        "fingerprint": fingerprint(head), "at": now(),
        "path": str(Path(path).resolve()) if path else None,
    }


HEAD_FILE_FIELDS = ("catalog_id", "seq", "head", "fingerprint")


def head_file_text(record: dict[str, Any]) -> str:
    """The text of `audit-head.json` in a backup or export folder: the head only (no time, no local
    path), so the same catalog state always gives the same bytes."""
    return json.dumps({f: record[f] for f in HEAD_FILE_FIELDS}, ensure_ascii=False, indent=1) + "\n"


def payload(record: dict[str, Any]) -> bytes:
    """The canonical bytes of a record that a signed checkpoint signs (RECORD_FIELDS, as an ASCII JSON array)."""
    return json.dumps([record.get(f) for f in RECORD_FIELDS], separators=(",", ":")).encode("ascii")


def witness_path() -> Path:
    return data_dir() / WITNESS_FILE


def append(catalog: Catalog, record: dict[str, Any] | None = None) -> bool:
    """Append the catalog's head (or `record`) to the witness log; False if the log cannot be written.

    A failure never undoes the write it follows (that is committed): `verify` then reports the
    head as not witnessed. `append_line` says how the line is made durable.
    """
    record = record or head_record(catalog)
    if catalog.path is None or record["catalog_id"] is None:  # nothing to witness it by, or nothing to name
        return False
    # ASCII JSON: a path that is not valid UTF-8 (surrogate escapes) is written as \udcxx and read back the same
    fields = (*RECORD_FIELDS, *(f for f in SIGNATURE_FIELDS if f in record))
    line = json.dumps({f: record[f] for f in fields}, separators=(",", ":")) + "\n"
    try:
        append_line(witness_path(), line.encode("ascii"))
    except (OSError, ValueError):  # ValueError: e.g. a FIELDKIT_DATA_DIR with a NUL in it
        return False
    return True


def append_line(path: Path, line: bytes) -> None:
    """Append one line to a log durably; raise OSError if it cannot be.

    - One `write` to a file opened with O_APPEND, under an exclusive lock (flock), so lines from
      several processes never interleave; a symlink in place of the log is not followed.
    - A last line left torn by a crash (no newline at the end) is closed first, so the new line is
      whole; readers skip the torn one (`read_log`).
    - The line is fsynced before this returns, and the folder too when the log is new, so a record
      reported written survives a power cut.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW
    try:
        fd, created = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600), True
    except FileExistsError:
        fd, created = os.open(path, flags), False
    try:
        _lock(fd)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            line = b"\n" + line
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(f"only {written} of {len(line)} bytes written (disk full?)")
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    if created:
        _fsync_folder(path.parent)


def _lock(fd: int) -> None:
    """Hold the log's exclusive lock (POSIX flock, as O_NOFOLLOW and pread here are POSIX too)."""
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX)


def _fsync_folder(folder: Path) -> None:
    """Make a new file's name durable: fsync the folder that holds it (where the system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some systems cannot fsync a folder; the line itself is synced
        pass
    finally:
        os.close(fd)


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The well-formed records of a witness log (JSON lines) or of a head file (`*.json`, one
    record). A file that is not there has none; one that cannot be read raises OSError."""
    yield from read_log(path).records


@dataclass
class LogContents:
    records: list[dict[str, Any]]
    bad_lines: list[int]  # 1-based numbers of lines that are not a record (torn by a crash, or edited)
    torn_end: bool = False  # the file ends in a line without its newline (a write cut short)


def read_log(path: Path) -> LogContents:
    """Every record of a witness log or head file, and the lines that are not records; never raises
    on content (a torn or garbled line is skipped and counted). A missing file is empty; one that
    cannot be read raises OSError."""
    try:
        fh = open(path, encoding="utf-8", errors="replace", newline="\n")
    except FileNotFoundError:
        return LogContents([], [])
    contents = LogContents([], [])
    with fh:
        if path.suffix == ".json":
            record = _record(_loads(fh.read(1 << 20)))
            contents.records += [record] if record else []
            return contents
        for number, line in enumerate(fh, 1):
            contents.torn_end = not line.endswith("\n")
            if not line.strip():
                continue
            record = _record(_loads(line))
            if record is None:
                contents.bad_lines.append(number)
            else:
                contents.records.append(record)
    return contents


def _record(value: Any) -> dict[str, Any] | None:
    if (isinstance(value, dict) and isinstance(value.get("catalog_id"), str)
            and type(value.get("seq")) is int and 0 <= value["seq"] < 1 << 63 and isinstance(value.get("head"), str)
            and isinstance(value.get("at", ""), str)):
        return value
    return None


def _loads(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


@dataclass(frozen=True)
class WitnessProblem:
    problem: str
    serious: bool = True  # False: a note about a copy elsewhere, not a fault of this file


def check(catalog: Catalog, records: Iterable[dict[str, Any]], *, own_path: bool | None = None) -> list[WitnessProblem]:
    """What the records say against this catalog (module docstring).

    `own_path=None` sorts records by their path; True treats every record as the file's own
    witness (a head record the user names, e.g. from a backup or a notebook).
    """
    catalog_id = meta.get_meta(catalog.db, "catalog_id")
    here = str(catalog.path.resolve()) if catalog.path else None
    seq_now, head_now = current_head(catalog.db)
    last_here: dict[str, Any] | None = None
    behind: list[dict[str, Any]] = []
    differ: list[dict[str, Any]] = []
    elsewhere: list[dict[str, Any]] = []
    witnessed = False  # the current head is in the log, at this path
    for record in records:
        mine = own_path if own_path is not None else record.get("path") == here
        if mine:
            last_here = record
        if record["catalog_id"] != catalog_id:
            continue
        witnessed = witnessed or (mine and record["seq"] == seq_now and record["head"] == head_now)
        if record["seq"] > seq_now:
            (behind if mine else elsewhere).append(record)
        elif _hash_at(catalog.db, record["seq"]) != record["head"]:
            (differ if mine else elsewhere).append(record)
    problems = []
    if last_here is not None and last_here["catalog_id"] != catalog_id:
        problems.append(WitnessProblem(
            f"catalog id mismatch: the witness last saw catalog {last_here['catalog_id']} here "
            f"(row {last_here['seq']}, {last_here.get('at')}); this file is catalog {catalog_id}"))
    if behind:
        top = max(behind, key=lambda r: r["seq"])
        problems.append(WitnessProblem(
            f"the audit head went backwards: the witness saw row {top['seq']} "
            f"(fingerprint {fingerprint(top['head'])}, {top.get('at')}); the catalog now ends at row {seq_now}"))
    if differ:
        first = min(differ, key=lambda r: r["seq"])
        missing = _hash_at(catalog.db, first["seq"]) is None
        what = "is missing" if missing else "differs from what the witness saw"
        more = f" ({len(differ)} witnessed heads do not match)" if len(differ) > 1 else ""
        problems.append(WitnessProblem(
            f"audit row {first['seq']} {what} (fingerprint {fingerprint(first['head'])}, {first.get('at')}){more}"))
    for record in elsewhere[-1:]:
        problems.append(WitnessProblem(
            f"a copy of this catalog at {record.get('path')} was at row {record['seq']} "
            f"(fingerprint {fingerprint(record['head'])}, {record.get('at')}), which this file does not contain "
            f"(a restored backup or a copy that went its own way?); {len(elsewhere)} such record(s)", serious=False))
    if own_path is None and head_now != GENESIS and not witnessed:
        problems.append(WitnessProblem(
            f"the audit head (row {seq_now}) is not in the witness log; it was written by a program other "
            "than fieldkit, or the log was lost or could not be written", serious=False))
    return problems


def checkpoint(catalog: Catalog, secret: Any) -> dict[str, Any]:
    """Sign the catalog's head with the researcher's unlocked key (fieldkit.team.keys.SecretKey) and
    append the signed record to the witness log; returns it. Raises OSError if it cannot be written."""
    import base64

    record = {f: head_record(catalog)[f] for f in RECORD_FIELDS}
    if catalog.path is None or record["catalog_id"] is None:
        raise ValueError("an in-memory catalog, or one without an id, has no head to sign")
    record["key"] = secret.public.text
    record["sig"] = base64.b64encode(secret.sign(payload(record))).decode("ascii")
    line = json.dumps(record, separators=(",", ":")) + "\n"
    append_line(witness_path(), line.encode("ascii"))
    return record


def try_checkpoint(catalog: Catalog, secret: Any) -> dict[str, Any] | None:
    """`checkpoint`, made in passing (a signed bundle or backup): None if it cannot be written, as
    the work it accompanies stands without it."""
    try:
        return checkpoint(catalog, secret)
    except (OSError, ValueError):
        return None


def is_signed(record: dict[str, Any]) -> bool:
    return any(f in record for f in SIGNATURE_FIELDS)


def signature_valid(record: dict[str, Any]) -> tuple[bytes | None, bool]:
    """(the public key's 32 bytes or None if it is not one, whether `sig` signs `payload(record)` with it)."""
    import base64
    import binascii

    from nacl.exceptions import BadSignatureError
    from nacl.signing import VerifyKey

    from fieldkit.team.keys import KeyProblem, parse_public

    try:
        raw = parse_public(record.get("key")) if isinstance(record.get("key"), str) else None
    except KeyProblem:
        raw = None
    if raw is None:
        return None, False
    try:
        sig = base64.b64decode(record.get("sig") or "", validate=True)
        VerifyKey(raw).verify(payload(record), sig)
    except (BadSignatureError, binascii.Error, ValueError, TypeError):
        return raw, False
    return raw, True


@dataclass(frozen=True)
class Signed:
    """A signed checkpoint whose head this catalog holds."""

    seq: int
    fingerprint: str
    at: Any
    signer: str | None  # a trusted colleague's name, "you", or None for a key fieldkit does not know
    key_fingerprint: str


def check_signatures(db: Database, records: Iterable[dict[str, Any]],
                     known: dict[bytes, str]) -> tuple[list[WitnessProblem], list[Signed]]:
    """Check every signed checkpoint of this catalog among `records` against `known` keys (32 bytes ->
    name). A bad signature is a problem (the line was changed after it was signed, or forged); a good
    one by a key not known is a note. Returns the problems and the signed heads this catalog holds."""
    from fieldkit.team.keys import fingerprint as key_fingerprint

    catalog_id = meta.get_meta(db, "catalog_id")
    problems: list[WitnessProblem] = []
    signed: list[Signed] = []
    unknown: set[str] = set()
    for record in records:
        if record["catalog_id"] != catalog_id or not is_signed(record):
            continue
        raw, valid = signature_valid(record)
        what = f"the signed checkpoint of row {record['seq']} (fingerprint {fingerprint(record['head'])}, {record.get('at')})"
        if raw is None:
            problems.append(WitnessProblem(f"{what} carries no valid public key: it was altered"))
            continue
        name = known.get(raw)
        if not valid:
            by = "your key" if name == "you" else f"{name}'s key" if name else "the key it names"
            problems.append(WitnessProblem(
                f"{what} has a bad signature for {by} ({key_fingerprint(raw)}): the record was changed after it was "
                "signed, or the signature forged"))
            continue
        if name is None:
            unknown.add(key_fingerprint(raw))
        if _hash_at(db, record["seq"]) == record["head"]:
            signed.append(Signed(record["seq"], fingerprint(record["head"]), record.get("at"), name, key_fingerprint(raw)))
    for key in sorted(unknown):
        problems.append(WitnessProblem(
            f"checkpoints signed by key {key}, which is neither yours nor a trusted colleague's; "
            "trust it with `fieldkit key trust` if you know whose it is", serious=False))
    return problems, signed


NOTED = re.compile(r"\s*(?:row\s*)?(\d{1,18})\s*[:,]\s*(?:fingerprint\s*)?([0-9a-fA-F]{4}(?:[-\s]?[0-9a-fA-F]{4}){3})\s*")


def parse_noted(text: str) -> tuple[int, str] | None:
    """A head noted by hand, `ROW:FINGERPRINT` (e.g. `6:3f9a-c21b-77e0-12ab`), as (row, fingerprint); else None."""
    match = NOTED.fullmatch(text)
    if not match:
        return None
    digits = re.sub(r"[-\s]", "", match.group(2)).lower()
    return int(match.group(1)), fingerprint(digits)


def check_noted(db: Database, seq: int, noted: str) -> str | None:
    """Why the catalog does not hold a head noted by hand (row `seq` with fingerprint `noted`), or None."""
    actual = _hash_at(db, seq)
    if actual is None:
        return f"the head you noted (row {seq}, fingerprint {noted}) is not in this catalog: row {seq} is missing"
    if fingerprint(actual) != noted:
        return (f"the head you noted (row {seq}, fingerprint {noted}) is not in this catalog: "
                f"row {seq} now has fingerprint {fingerprint(actual)}")
    return None


def _hash_at(db: Database, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    row = db.execute("SELECT hash FROM audit WHERE seq = ?", [seq]).fetchone()
    return row[0] if row else None
