"""Photo provenance read at ingest: C2PA Content Credentials, and notes on signs of EXIF editing.

Recent phones and cameras sign their photos with C2PA Content Credentials. At ingest fieldkit
reads and validates them with c2pa-python (the Content Authenticity Initiative's library, which
checks the claim signature, the certificate chain and the hash of the image data) and records:
the signer (certificate common name and issuer), the claim generator, the capture time the
manifest states, the signing time, and the validation status:

- "none": the file carries no credentials (most photos);
- "trusted": valid, and the signer's certificate chains to a trust anchor the researcher set
  (a PEM file, `c2pa-trust.pem` in the user data dir);
- "valid": the signature and hashes are valid but the signer is not trusted (unknown CA);
- "invalid": the manifest does not match the file (e.g. its pixels were changed after signing),
  with the failure codes;
- "unreadable": credentials are present but cannot be parsed, or c2pa-python is not installed.

It also notes, never as a verdict, whether the EXIF looks edited: a Software tag, or a
modification time (DateTime) that differs from the capture time (DateTimeOriginal).

The result is stored in the `photo_provenance` table (migration m017), one row per photo,
written through the audited `records.insert`.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, BinaryIO

from fieldkit.catalog import records
from fieldkit.catalog.db import Catalog, now
from fieldkit.locations import data_dir

TRUST_FILE = "c2pa-trust.pem"
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff", "WEBP": "image/webp", "HEIF": "image/heic"}


def trust_anchors() -> str | None:
    """The researcher's C2PA trust anchors (PEM), or None when none are set."""
    path = data_dir() / TRUST_FILE
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None


def _capture_time(manifest: dict[str, Any]) -> str | None:
    for assertion in manifest.get("assertions", []):
        if assertion.get("label", "").startswith("c2pa.actions"):
            for action in assertion.get("data", {}).get("actions", []):
                if action.get("action") == "c2pa.created" and action.get("when"):
                    return action["when"]
    return None


def read_c2pa(data: bytes | BinaryIO, fmt: str, anchors: str | None = None) -> dict[str, Any]:
    """The C2PA credentials of an image (its bytes or an open binary file; `fmt` as Pillow names it), validated."""
    try:
        import c2pa
    except ImportError:
        return {"status": "unreadable", "detail": "c2pa-python is not installed; credentials not checked"}
    mime = MIME.get(fmt)
    if mime is None:
        return {"status": "none"}
    settings: dict[str, Any] = {"verify": {"verify_trust": True}}
    if anchors:
        settings["trust"] = {"trust_anchors": anchors}
    try:
        stream = io.BytesIO(data) if isinstance(data, bytes) else data
        reader = c2pa.Reader.try_create(mime, stream, context=c2pa.Context.from_dict(settings))
        if reader is None:
            return {"status": "none"}
        with reader:
            store = json.loads(reader.json())
    except Exception as exc:  # c2pa.C2paError and kin: the credentials are there but cannot be read
        return {"status": "unreadable", "detail": str(exc)[:300]}
    manifest = store.get("manifests", {}).get(store.get("active_manifest"), {})
    signature = manifest.get("signature_info", {})
    generators = manifest.get("claim_generator_info") or []
    generator = " ".join(str(g.get(k)) for g in generators[:1] for k in ("name", "version") if g.get(k)) or manifest.get("claim_generator")
    codes = [s.get("code") for s in store.get("validation_status", []) or []]
    state = (store.get("validation_state") or "").lower()
    if state == "invalid" or any(c and not c.startswith("signingCredential.untrusted") for c in codes):
        status = "invalid"
    elif state == "trusted":
        status = "trusted"
    else:
        status = "valid"
    return {
        "status": status,
        "signer": signature.get("common_name"),
        "issuer": signature.get("issuer"),
        "signed_at": signature.get("time"),
        "claim_generator": generator,
        "capture_time": _capture_time(manifest),
        "untrusted": "signingCredential.untrusted" in codes,
        "codes": codes,
        "title": manifest.get("title"),
    }


def exif_notes(exif: dict[str, Any]) -> list[str]:
    """Notes (not verdicts) on whether a photo's EXIF looks edited."""
    notes = []
    image = exif.get("image", {}) or {}
    sub = exif.get("exif", {}) or {}
    if image.get("Software"):
        notes.append(f"EXIF Software tag: {str(image['Software'])[:80]!r} (the file passed through that program)")
    modified, taken = image.get("DateTime"), sub.get("DateTimeOriginal")
    if modified and taken and modified != taken:
        notes.append(f"EXIF modification time {modified} differs from capture time {taken}")
    return notes


def examine(path: Path, fmt: str, exif_json: str | None) -> dict[str, Any]:
    """The provenance of the stored original at `path`: C2PA result and EXIF notes."""
    exif = json.loads(exif_json) if exif_json else {}
    with path.open("rb") as fh:
        c2 = read_c2pa(fh, fmt, trust_anchors())
    return {"c2pa": c2, "exif_notes": exif_notes(exif)}


def record(catalog: Catalog, photo: dict[str, Any], path: Path) -> dict[str, Any]:
    """Examine a newly ingested photo and store the result (audited). Call inside its transaction."""
    result = examine(path, photo.get("format") or "", photo.get("exif_json"))
    c2 = result["c2pa"]
    return records.insert(catalog, "photo_provenance", {
        "photo_id": photo["id"],
        "c2pa_status": c2["status"],
        "signer": c2.get("signer"),
        "claim_generator": c2.get("claim_generator"),
        "capture_time": c2.get("capture_time"),
        "exif_edited": 1 if result["exif_notes"] else 0,
        "result_json": json.dumps(result, ensure_ascii=False, sort_keys=True),
        "checked_at": now(),
    })


def examine_unexamined(catalog: Catalog, item_ref: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Read and record the provenance of item `item_ref`'s photos that have none recorded (photos
    ingested before fieldkit read credentials); returns (photo, provenance) for every photo."""
    from fieldkit.evidence.photos import list_photos, stored_file

    return [(photo, examine_photo(catalog, photo, stored_file(catalog, photo))) for photo in list_photos(catalog, item_ref)]


def examine_photo(catalog: Catalog, photo: dict[str, Any], path: Path) -> dict[str, Any]:
    """The recorded provenance of a stored photo, read and recorded first if it has none."""
    found = of_photo(catalog, photo["id"])
    if found is None:
        with catalog.transaction():
            record(catalog, photo, path)
        found = of_photo(catalog, photo["id"])
    return found


def of_photo(catalog: Catalog, photo_id: str) -> dict[str, Any] | None:
    """The stored provenance of a photo, or None if it was ingested before provenance was read."""
    row = catalog.db.execute("SELECT result_json FROM photo_provenance WHERE photo_id = ?", [photo_id]).fetchone()
    if row is None:
        return None
    try:
        found = json.loads(row[0])
        found["c2pa"]["status"]
        return found
    except (TypeError, ValueError, KeyError):  # a catalog edited behind fieldkit's back; verify reports it
        return {"c2pa": {"status": "unreadable", "detail": "the recorded result is not readable"}, "exif_notes": []}


def status_line(provenance: dict[str, Any] | None) -> str:
    """One line: what the credentials say."""
    if provenance is None:
        return "not examined (ingested before fieldkit read credentials)"
    c2 = provenance["c2pa"]
    status = c2["status"]
    if status == "none":
        return "no Content Credentials"
    if status == "unreadable":
        return f"Content Credentials present but unreadable: {c2.get('detail', '')}"
    who = f"signed by {c2.get('signer') or 'unknown signer'}" + (f" ({c2['issuer']})" if c2.get("issuer") else "")
    tool = f", claim generator {c2['claim_generator']}" if c2.get("claim_generator") else ""
    if status == "invalid":
        return f"Content Credentials INVALID ({', '.join(c2.get('codes') or [])}): {who}{tool}"
    trust = "signature valid, signer trusted" if status == "trusted" else "signature valid, signer NOT trusted (unknown certificate authority)"
    return f"Content Credentials: {trust}; {who}{tool}"


def describe(provenance: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, text) rows for a photo's provenance, as the dossier and photo details show them."""
    rows = [("Content Credentials (C2PA)", status_line(provenance))]
    if provenance is None:
        return rows
    c2 = provenance["c2pa"]
    if c2.get("capture_time"):
        rows.append(("Capture time (C2PA)", c2["capture_time"]))
    if c2.get("signed_at"):
        rows.append(("Signed at (C2PA)", c2["signed_at"]))
    for note in provenance.get("exif_notes", []):
        rows.append(("EXIF note", note))
    return rows
