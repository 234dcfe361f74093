"""Photos as evidence: ingest originals into a content-addressed store, hashed, with their EXIF.

`add_photos` reads each file once (read-only, in chunks), hashing it while copying it into a
temporary file inside the store; the copy is fsynced, hashed again, decoded by Pillow with only
the allowed decoders, made read-only and renamed to `<store>/ab/<sha256>.<ext>`. The stored name
is the hash, never the name the file arrived with (which is kept as text, control characters
escaped). The same photo added twice is stored once and linked to each item.

Nothing is half-stored: the photo row, its link to the item and the stored file go in together,
or not at all (a file placed by a failed call is removed unless another row references it).
Every row is written through `records.insert`, so it is in the audit log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import re
import stat
import tempfile
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, TiffImagePlugin

from fieldkit.catalog import items as items_core
from fieldkit.catalog import records
from fieldkit.catalog.db import Catalog, is_catalog_file, new_id, now
from fieldkit.errors import FieldkitError, NotFound, PhotoError
from fieldkit.evidence.limits import MAX_PIXELS, register_decoders, too_large
from fieldkit.paths import expand_user
from fieldkit.typed_text import refuse_unsafe

try:  # HEIC/HEIF (iPhone photos): optional decoder from PyPI
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the environment
    HEIF_AVAILABLE = False

CHUNK = 1 << 20

# Pillow format name -> extension of the stored original. MPO is how Pillow names JPEGs that
# carry a multi-picture extension (many phone cameras); they are JPEG files. Industrial and
# microscope cameras write BMP; GIF is read as its first frame.
EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "TIFF": "tif", "WEBP": "webp", "BMP": "bmp", "GIF": "gif"}
if HEIF_AVAILABLE:
    EXTENSIONS["HEIF"] = "heic"
DECODERS = [name for name in EXTENSIONS if name != "MPO"]
ACCEPTED = "JPEG, PNG, TIFF, WebP, BMP, GIF" + (" or HEIC" if HEIF_AVAILABLE else "")
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif", ".heic", ".heif"}

TMP_PREFIX = ".ingest-"
MAX_EXIF_BYTES = 256  # longer binary EXIF values (maker notes) are summarised; the original keeps them

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IngestResult:
    """What happened to one file: stored (or already in the store), or the one-line reason it was not."""

    source: str
    sha256: str | None = None
    stored_path: str | None = None  # relative to the photo store
    photo_id: str | None = None
    duplicate: bool = False  # the same bytes were already in the store
    already_linked: bool = False  # ... and already linked to this item
    caption_was: str | None = None  # the link's caption that a new --caption replaced
    caption_changed: bool = False  # an already linked photo got the caption given
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        if not self.ok:
            return self.error  # errors name the file themselves
        note = " (already linked to this item)" if self.already_linked else " (already in the store)" if self.duplicate else ""
        if self.caption_changed:
            note += f" (caption replaced; it was {self.caption_was!r})" if self.caption_was else " (caption set)"
        return f"{self.sha256}  {self.stored_path}  {self.source}{note}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}


# names and paths ------------------------------------------------------------------------


def escape_name(name: str) -> str:
    """A file name as safe text: control characters and undecodable bytes written as escapes."""
    out = []
    for ch in name:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not valid UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch == "\\":
            out.append("\\\\")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def stored_relpath(sha256: str, fmt: str) -> str:
    return f"{sha256[:2]}/{sha256}.{EXTENSIONS[fmt]}"


_SHA256 = re.compile(r"[0-9a-f]{64}")
_STORED_SUFFIXES = frozenset(EXTENSIONS.values())


def stored_path_problem(sha256: Any, relpath: Any) -> str | None:
    """Why a photo row's `stored_path` is not the one its SHA-256 gives (`ab/<sha256>.<ext>`), or None.

    The store is content-addressed, so a row can only name the file its hash names: a path that
    leaves the store (`../../outside/x`), is absolute, or names another file is refused.
    """
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        return "belongs to a photo row whose SHA-256 is not 64 hex digits"
    if not isinstance(relpath, str):
        return "is not text"
    stem, dot, suffix = relpath.rpartition(".")
    if not dot or stem != f"{sha256[:2]}/{sha256}" or suffix not in _STORED_SUFFIXES:
        return f"is not the store's name for SHA-256 {sha256[:12]}… ({sha256[:2]}/{sha256[:12]}….<ext>)"
    return None


def stored_file(catalog: Catalog, photo: dict[str, Any]) -> Path:
    """Where the original of a photo row is kept, checked: the name its SHA-256 gives, reached without
    a symlink. Raises PhotoError for a row or a store that someone has tampered with."""
    relpath = photo["stored_path"]
    problem = stored_path_problem(photo.get("sha256"), relpath)
    if problem:
        raise PhotoError(f"the photo's stored path {relpath} {problem}; refused (run `fieldkit verify`)")
    store = catalog.photo_store
    folder = store / relpath.split("/")[0]
    for path in (folder, store / relpath):
        if path.is_symlink():
            raise PhotoError(
                f"{path.relative_to(store).as_posix()} in the photo store is a symlink, not the "
                "original; refused (run `fieldkit verify`)")
    return store / relpath


def sha256_file(path: Path, cancel: threading.Event | None = None, *, stored: bool = False) -> str:
    """The SHA-256 of a file's bytes, read in chunks. `stored`: a file of the photo store, checked
    as it is opened (it may have been swapped since the store was listed): a symlink is not followed
    and a pipe not waited on; OSError if it is not a regular file."""
    digest = hashlib.sha256()
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK if stored else os.O_RDONLY
    fd = os.open(path, flags)
    if stored and not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    with open(fd, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if cancel is not None and cancel.is_set():
                raise InterruptedError("cancelled")
            digest.update(chunk)
    return digest.hexdigest()


# decoding and EXIF ----------------------------------------------------------------------


def open_image(path: Path | str, name: str | None = None) -> Image.Image:
    """Open and fully decode an image with only the allowed decoders; raise PhotoError if it is not one.

    `name` is how errors call the file (default: its name). The caller closes the image.
    A file over the limits of fieldkit.evidence.limits is refused as a decompression bomb, from its
    header, before any pixel is decoded.
    """
    name = name or Path(path).name
    register_decoders(DECODERS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(path, formats=DECODERS)
        except Image.UnidentifiedImageError:
            raise PhotoError(f"{name} is not a photo fieldkit accepts ({ACCEPTED}); check the file") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError(
                f"{name} claims more than {MAX_PIXELS // 1_000_000} megapixels (a decompression bomb?); refused"
            ) from None
        except (OSError, ValueError, SyntaxError) as exc:
            raise PhotoError(f"{name} cannot be read as an image ({exc}); check the file") from None
        try:
            reason = too_large(img)
            if reason:
                raise PhotoError(f"{name} {reason}")
            img.load()
        except PhotoError:
            img.close()
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            img.close()
            raise PhotoError(
                f"{name} claims more than {MAX_PIXELS // 1_000_000} megapixels (a decompression bomb?); refused"
            ) from None
        except MemoryError:
            img.close()
            raise PhotoError(f"{name} is too large to decode in the memory available here; refused") from None
        except Exception as exc:  # Pillow raises OSError, ValueError, SyntaxError, struct.error, ...
            img.close()
            reason = "truncated" if "truncated" in str(exc) else f"corrupt ({exc})"
            raise PhotoError(f"{name} is {reason}; copy the original again from the camera or card") from None
    return img


def _json_safe(value: Any) -> Any:
    if isinstance(value, TiffImagePlugin.IFDRational):
        number = float(value) if value.denominator else None
        return None if number is None or number != number else number
    if isinstance(value, bytes):
        if len(value) > MAX_EXIF_BYTES:
            return f"<{len(value)} bytes>"
        try:
            text = value.decode("ascii")
            if text.isprintable():
                return text.rstrip("\x00")
        except UnicodeDecodeError:
            pass
        return "hex:" + value.hex()
    if isinstance(value, str):
        return value.rstrip("\x00")
    if isinstance(value, (tuple, list)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return str(value)


def _named(tags: dict[int, Any], names: dict[int, str]) -> dict[str, Any]:
    return {names.get(tag, f"0x{tag:04x}"): _json_safe(value) for tag, value in tags.items()}


def _dms_to_degrees(dms: Any, ref: Any, limit: float) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if value != value or value > limit:
        return None
    if str(ref).strip("\x00").upper() in ("S", "W"):
        value = -value
    return round(value, 7)


_OFFSET = re.compile(r"[+-](\d\d):(\d\d)")


def _exif_time(text: Any, offset: Any = None, *, today: dt.date | None = None) -> tuple[str | None, str | None]:
    """EXIF 'YYYY:MM:DD HH:MM:SS' as ISO 8601 (with the offset if the camera recorded one), and a flag.

    Returns (capture time, None) for a real time; (None, flag) for one that cannot be a time (month 99,
    30 February, an offset of +99:99): it is never stored as the capture time, and stays as read in
    the EXIF JSON; (capture time, flag) for a time after `today` (the camera's clock was wrong, or
    the EXIF was edited). An empty or missing value is (None, None).
    """
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    if not isinstance(text, str) or not text.strip("\x00 "):
        return None, None
    raw = text.strip("\x00 ")
    shown = repr(raw[:40])
    try:
        when = dt.datetime.strptime(raw[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None, f"the EXIF time {shown} is not a real date and time; not used as the capture time"
    if raw.startswith("0000"):
        return None, None  # cameras write zeros when their clock was never set
    iso = when.isoformat()
    if isinstance(offset, bytes):
        offset = offset.decode("ascii", "replace")
    if isinstance(offset, str) and offset.strip("\x00 "):
        zone = offset.strip("\x00 ")
        match = _OFFSET.fullmatch(zone)
        if not match or int(match.group(1)) > 14 or int(match.group(2)) > 59:
            return None, (f"the EXIF time {shown} has an impossible time-zone offset {zone[:12]!r}; "
                          "not used as the capture time")
        iso += zone
    today = today or dt.date.today()
    if when.date() > today + dt.timedelta(days=1):  # a day's grace for time zones
        return iso, f"the capture time {iso} is after the day the photo was added ({today.isoformat()}); is the camera's clock wrong?"
    return iso, None


def exif_flags(photo: dict[str, Any]) -> list[str]:
    """What ingest flagged in a photo's EXIF (an impossible or future capture time), from its EXIF JSON."""
    try:
        return list(json.loads(photo.get("exif_json") or "{}").get("flags", []))
    except (ValueError, AttributeError):
        return []


def read_metadata(img: Image.Image) -> dict[str, Any]:
    """Format, dimensions and EXIF (capture time, GPS in decimal degrees, camera, orientation, the rest as JSON).

    A capture time that is impossible is not stored as one, and a future one is stored; both are
    flagged in the EXIF JSON's "flags" (see `_exif_time`, `exif_flags`).
    """
    exif = img.getexif()
    base = dict(exif.items())
    sub = dict(exif.get_ifd(ExifTags.IFD.Exif).items())
    gps = dict(exif.get_ifd(ExifTags.IFD.GPSInfo).items())
    base.pop(ExifTags.IFD.Exif, None)
    base.pop(ExifTags.IFD.GPSInfo, None)
    T = ExifTags.Base
    lat = lon = None
    if gps:
        lat = _dms_to_degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), 90)
        lon = _dms_to_degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), 180)
        if lat is None or lon is None:
            lat = lon = None
    if sub.get(T.DateTimeOriginal) is not None:  # when the shutter fired; never replaced by a file time
        taken, flag = _exif_time(sub.get(T.DateTimeOriginal), sub.get(T.OffsetTimeOriginal))
    else:
        taken, flag = _exif_time(base.get(T.DateTime))
    orientation = base.get(T.Orientation)
    exif_json = None
    if base or sub or gps:
        exif = {"image": _named(base, ExifTags.TAGS), "exif": _named(sub, ExifTags.TAGS), "gps": _named(gps, ExifTags.GPSTAGS)}
        if flag:
            exif["flags"] = [flag]  # what fieldkit noticed; the values themselves stay as read, above
        exif_json = json.dumps(exif, ensure_ascii=False, sort_keys=True)
    text = lambda v: (_json_safe(v) or None) if isinstance(v, (str, bytes)) else None  # noqa: E731
    return {
        "format": img.format,
        "width": img.width,
        "height": img.height,
        "exif_time": taken,
        "gps_lat": lat,
        "gps_lon": lon,
        "camera_make": text(base.get(T.Make)),
        "camera_model": text(base.get(T.Model)),
        "orientation": orientation if isinstance(orientation, int) else None,
        "exif_json": exif_json,
    }


# ingest ---------------------------------------------------------------------------------


def _open_source(path: Path) -> tuple[int, os.stat_result]:
    """Open the original read-only, refusing what is not a regular readable file."""
    shown = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise PhotoError(f"{shown} does not exist; check the path") from None
    except PermissionError:
        raise PhotoError(f"{shown} cannot be reached (permission denied); check the folder's permissions") from None
    except OSError as exc:
        raise PhotoError(f"{shown} cannot be read ({exc.strerror}); check the path") from None
    if stat.S_ISDIR(info.st_mode):
        raise PhotoError(f"{shown} is a directory; give the photo files inside it")
    if not stat.S_ISREG(info.st_mode):
        raise PhotoError(f"{shown} is not a regular file (a device, pipe or socket); give a photo file")
    if info.st_size == 0:
        raise PhotoError(f"{shown} is empty (0 bytes); copy the original again from the camera or card")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOATIME", 0))
    except PermissionError:
        try:  # O_NOATIME needs ownership of the file; without it, open plainly (still read-only)
            fd = os.open(path, os.O_RDONLY)
        except PermissionError:
            raise PhotoError(f"{shown} cannot be read (permission denied); check its permissions") from None
    except OSError as exc:
        raise PhotoError(f"{shown} cannot be read ({exc.strerror}); check the file") from None
    return fd, info


def _copy_to_temp(path: Path, store: Path, cancel: threading.Event | None) -> tuple[Path, str, int]:
    """Copy the original into a temp file in the store, hashing on the way; fsync; return (temp, sha256, size)."""
    fd, _ = _open_source(path)
    digest = hashlib.sha256()
    size = 0
    out_fd, tmp_name = tempfile.mkstemp(prefix=TMP_PREFIX, dir=store)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "rb", buffering=0) as src, os.fdopen(out_fd, "wb") as dst:
            while True:
                if cancel is not None and cancel.is_set():
                    raise InterruptedError("cancelled")
                try:
                    chunk = src.read(CHUNK)
                except OSError as exc:
                    raise PhotoError(f"{path} could not be read ({exc.strerror}); check the disk") from None
                if not chunk:
                    break
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
            dst.flush()
            os.fchmod(dst.fileno(), 0o444)  # read-only: the mode is set on the file this call created
            os.fsync(dst.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, digest.hexdigest(), size


def _place(tmp: Path, store: Path, relpath: str, sha256: str) -> bool:
    """Move the verified temp copy to its content address. Returns True if this call created the file.

    Nothing here follows a symlink: the folder is opened with O_NOFOLLOW (a symlink in its place
    is refused), a file already at the address is kept only if it is a regular file with these
    exact bytes, and the rename replaces whatever else is there (a symlink itself, not its target).
    """
    folder, name = relpath.split("/")
    store_fd = os.open(store, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o755, dir_fd=store_fd)
        try:
            folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=store_fd)
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            raise PhotoError(f"{folder} in the photo store is not a folder (a symlink?); fieldkit will not "
                             "write through it; run `fieldkit verify`") from None
        try:
            if _holds_original(folder_fd, name, sha256, relpath):  # an interrupted ingest's, or already there
                tmp.unlink()
                return False
            os.replace(tmp.name, name, src_dir_fd=store_fd, dst_dir_fd=folder_fd)
            os.fsync(folder_fd)
        finally:
            os.close(folder_fd)
    finally:
        os.close(store_fd)
    return True


def _holds_original(folder_fd: int, name: str, sha256: str, relpath: str) -> bool:
    """Whether a regular file with exactly these bytes is at `name` already (a symlink never is)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=folder_fd)
    except FileNotFoundError:
        return False
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symlink: replaced by the real original
            return False
        raise
    with os.fdopen(fd, "rb") as fh:
        if stat.S_ISDIR(os.fstat(fh.fileno()).st_mode):
            raise PhotoError(f"a folder sits at {relpath} in the photo store; run `fieldkit verify`")
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return False
        digest = hashlib.sha256()
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest() == sha256


def _referenced(catalog: Catalog, relpath: str) -> bool:
    return catalog.db.execute("SELECT 1 FROM photos WHERE stored_path = ? LIMIT 1", [relpath]).fetchone() is not None


def ingest_file(catalog: Catalog, item: dict[str, Any], path: Path, *, caption: str | None = None,
                cancel: threading.Event | None = None) -> IngestResult:
    """Ingest one file for one item; raises PhotoError (or another FieldkitError) if it cannot."""
    store = catalog.photo_store
    if is_catalog_file(catalog, path):  # reading it would drop SQLite's locks on it (fieldkit.catalog.db)
        raise PhotoError(f"{path} is the open catalog's own file, not a photo; give a photo file")
    store.mkdir(parents=True, exist_ok=True)
    tmp, sha256, size = _copy_to_temp(path, store, cancel)
    placed: Path | None = None
    try:
        if sha256_file(tmp) != sha256:
            raise PhotoError(f"the copy of {path.name} did not match the original; check the disk and try again")
        with open_image(tmp, str(path)) as img:
            meta = read_metadata(img)
        relpath = stored_relpath(sha256, meta["format"])
        if meta["format"] == "MPO":
            meta["format"] = "JPEG"
        with catalog.transaction():
            existing = list(catalog.db["photos"].rows_where("sha256 = ?", [sha256], limit=1))
            if existing:
                photo = existing[0]
                problem = stored_path_problem(photo["sha256"], photo["stored_path"])
                if problem:
                    raise PhotoError(f"the stored path of this photo's row {problem}; refused (run `fieldkit verify`)")
                final = store / photo["stored_path"]
                if final.is_symlink() or not final.is_file():  # gone missing, or replaced by a symlink:
                    if _place(tmp, store, photo["stored_path"], sha256):  # these are its exact bytes
                        placed = final
                else:  # the stored copy stays as it is; `verify` says if it was altered
                    tmp.unlink()
            else:
                if _place(tmp, store, relpath, sha256):
                    placed = store / relpath
                photo = records.insert(catalog, "photos", {
                    "id": new_id(),
                    "sha256": sha256,
                    "original_name": escape_name(path.name),
                    "stored_path": relpath,
                    "size": size,
                    **meta,
                    "added_at": now(),
                    "added_by": catalog.actor,
                })
                from fieldkit.evidence import provenance

                provenance.record(catalog, photo, store / relpath)
            link = catalog.db.execute(
                "SELECT caption FROM item_photos WHERE item_id = ? AND photo_id = ?", [item["id"], photo["id"]]
            ).fetchone()
            linked = link is not None
            caption_changed = linked and caption is not None and caption != link[0]
            if not linked:
                records.insert(catalog, "item_photos", {
                    "item_id": item["id"], "photo_id": photo["id"], "caption": caption, "added_at": now(),
                })
            elif caption_changed:  # a caption given again is kept, never dropped (the audit keeps the old one)
                records.update(catalog, "item_photos", {"item_id": item["id"], "photo_id": photo["id"]},
                               {"caption": caption})
    except BaseException:
        tmp.unlink(missing_ok=True)
        if placed is not None and not _referenced(catalog, placed.relative_to(store).as_posix()):
            placed.unlink(missing_ok=True)  # the file this call created
        raise
    return IngestResult(
        source=str(path), sha256=sha256, stored_path=photo["stored_path"], photo_id=photo["id"],
        duplicate=bool(existing), already_linked=linked,
        caption_was=link[0] if caption_changed else None, caption_changed=caption_changed,
    )


def check_ingest(catalog: Catalog, item_ref: str, caption: str | None) -> tuple[dict[str, Any], str | None]:
    """The item photos are to be added to and the caption as it will be stored; raises NotFound or
    ValidationError before anything is read, so a caller can refuse the whole ingest up front."""
    caption = refuse_unsafe("caption", (caption or "").strip() or None)  # as typed text is everywhere
    return items_core.get_item(catalog, item_ref), caption


def add_photos(
    catalog: Catalog,
    item_ref: str,
    paths: Iterable[Path | str],
    *,
    caption: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> list[IngestResult]:
    """Ingest photos for the item `item_ref`: one result per file, in order; a failure does not stop the rest.

    Raises NotFound if there is no such item. `progress(done, total)` is called after each file;
    setting `cancel` stops before the next file (and within a large one); files not reached
    get a 'cancelled' result.
    """
    item, caption = check_ingest(catalog, item_ref, caption)
    paths = [Path(p) for p in paths]
    results: list[IngestResult] = []
    for index, path in enumerate(paths):
        source = str(path)
        cancelled = IngestResult(source=source, error=f"{source} was not added: cancelled")
        if cancel is not None and cancel.is_set():
            results.append(cancelled)
            continue
        try:
            results.append(ingest_file(catalog, item, expand_user(path), caption=caption, cancel=cancel))
        except InterruptedError:
            results.append(cancelled)
        except FieldkitError as exc:
            results.append(IngestResult(source=source, error=str(exc)))
        except OSError as exc:
            results.append(IngestResult(source=source, error=(
                f"{source} could not be stored ({exc.strerror or exc}); check the disk and try again"
            )))
        if progress is not None:
            progress(index + 1, len(paths))
    return results


# reading --------------------------------------------------------------------------------

PHOTO_LIST_SQL = """
    SELECT photos.*, item_photos.caption, item_photos.added_at AS linked_at
    FROM item_photos JOIN photos ON photos.id = item_photos.photo_id
    WHERE item_photos.item_id = ?
    ORDER BY item_photos.added_at, photos.sha256"""


def list_photos(catalog: Catalog, item_ref: str) -> list[dict[str, Any]]:
    """The photos linked to an item, oldest link first, with each link's caption."""
    item = items_core.get_item(catalog, item_ref)
    cursor = catalog.db.execute(PHOTO_LIST_SQL, [item["id"]])
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in cursor]


def get_photo(catalog: Catalog, sha256_prefix: str) -> dict[str, Any]:
    """The photo whose SHA-256 starts with `sha256_prefix` (at least 6 hex digits)."""
    prefix = sha256_prefix.strip().lower()
    if len(prefix) < 6:
        raise PhotoError("give at least 6 hex digits of the photo's SHA-256")
    if prefix.strip("0123456789abcdef"):
        raise PhotoError(f"{prefix} is not a SHA-256 prefix; give hex digits (0-9, a-f)")
    rows = list(catalog.db["photos"].rows_where("substr(sha256, 1, ?) = ?", [len(prefix), prefix], limit=2))
    if not rows:
        raise NotFound(f"no photo with SHA-256 {prefix}…; `fieldkit photo list REF` shows them")
    if len(rows) > 1:
        raise PhotoError(f"several photos have SHA-256 {prefix}…; give more digits")
    return rows[0]


def set_caption(catalog: Catalog, sha256_prefix: str, caption: str | None, item_ref: str | None = None) -> dict[str, Any]:
    """Set or change (None or '' clears) the caption of a photo on an item; audited. Returns the link row.

    A caption belongs to a photo's link to one item; `item_ref` names the item, and may be left out
    when the photo is linked to exactly one.
    """
    from fieldkit.models import clean_text

    try:
        caption = clean_text(caption) or None
    except ValueError as exc:
        raise PhotoError(f"caption: {exc}") from None
    if caption is not None and len(caption) > 2000:
        raise PhotoError(f"caption: {len(caption)} characters is too long (2000 at most)")
    with catalog.transaction():
        photo = get_photo(catalog, sha256_prefix)
        refs = items_of_photo(catalog, photo["id"])
        if item_ref is None:
            if len(refs) != 1:
                raise PhotoError(
                    f"photo {photo['sha256'][:12]} is linked to {len(refs)} items ({', '.join(refs) or 'none'}); "
                    "name the item with --item REF"
                )
            item_ref = refs[0]
        item = items_core.get_item(catalog, item_ref)
        key = {"item_id": item["id"], "photo_id": photo["id"]}
        link = catalog.db.execute("SELECT caption FROM item_photos WHERE item_id = ? AND photo_id = ?",
                                  [item["id"], photo["id"]]).fetchone()
        if link is None:
            raise NotFound(f"photo {photo['sha256'][:12]} is not linked to {item['ref']}; it is linked to {', '.join(refs) or 'no item'}")
        if link[0] == caption:
            return records.fetch(catalog, "item_photos", key) | {"item_ref": item["ref"]}
        return records.update(catalog, "item_photos", key, {"caption": caption}) | {"item_ref": item["ref"]}


def items_of_photo(catalog: Catalog, photo_id: str) -> list[str]:
    """The refs of the items a photo is linked to."""
    return [ref for (ref,) in catalog.db.execute(
        "SELECT items.ref FROM item_photos JOIN items ON items.id = item_photos.item_id "
        "WHERE item_photos.photo_id = ? ORDER BY items.ref", [photo_id])]


def thumbnail(path: Path, size: tuple[int, int]) -> Image.Image:
    """A small upright RGB copy of a stored photo, for display only (the original is not touched)."""
    from PIL import ImageOps

    with open_image(path) as img:
        img.thumbnail(size)
        upright = ImageOps.exif_transpose(img)
        return upright.convert("RGB")
