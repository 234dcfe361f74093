"""Benchmark bundles: create, verify and merge 1,000 items with 5,000 photos, against `tar` plus
`sha256sum` of the same files in the same run.

    .venv/bin/python bench/team_bundles.py [--items 1000] [--photos-per-item 5]

The catalog is built once with fieldkit's own ingest (small distinct PNGs, each a few hundred
bytes, so the run takes minutes and measures fieldkit's own work rather than the disk), with a
marking and a component per item. Then, each timed:
- create: `bundle create --all`, signed (Ed25519, the passphrase's Argon2id included);
- verify: `bundle verify` (the signature, every member's SHA-256, each photo against its row, every
  audit entry's hash and links, each row against its last audit entry);
- merge: into an empty catalog: the photos copied and re-hashed, every row and audit entry written
  in one transaction (synchronous=FULL);
- baseline: `tar -cf` of the catalog file and its photo store, then `sha256sum` of every photo.
Everything is written to a temporary directory and deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from fieldkit.catalog import components, items  # noqa: E402
from fieldkit.catalog.db import open_catalog  # noqa: E402
from fieldkit.catalog.markings import add_marking  # noqa: E402
from fieldkit.evidence.photos import add_photos  # noqa: E402
from machine import cpu_model  # noqa: E402

PASSPHRASE = "bench passphrase"


def tiny_png(n: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (n % 251, (n // 251) % 251, (n // 63001) % 251)).save(buffer, "PNG")
    return buffer.getvalue()


def build(path: Path, source: Path, n_items: int, per_item: int) -> None:
    catalog = open_catalog(path, actor="bench")
    items.set_ref_prefix(catalog, "BN")
    n = 0
    for i in range(n_items):
        ref = items.add_item(catalog, {"category": "missile debris", "place": f"site {i}"})["ref"]
        files = []
        for _ in range(per_item):
            n += 1
            file = source / f"p{n}.png"
            file.write_bytes(tiny_png(n))
            files.append(file)
        add_photos(catalog, ref, files)
        add_marking(catalog, ref, "112")
        components.add_component(catalog, ref, {"part_number": "LM358", "manufacturer": "TI"})
    catalog.close()


def timed(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--photos-per-item", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fieldkit-bench-", dir=ROOT / "bench") as tmp:
        tmp = Path(tmp)
        os.environ["FIELDKIT_CONFIG_DIR"] = str(tmp / "config")
        from fieldkit.team import keys
        from fieldkit.team.bundle import create_bundle, read_bundle
        from fieldkit.team.merge import merge_content

        (tmp / "source").mkdir()
        build_time, _ = timed(lambda: build(tmp / "field.db", tmp / "source", args.items, args.photos_per_item))
        keys.new_key(PASSPHRASE, name="bench")
        keys.trust(keys.own_public(), "bench")
        field = open_catalog(tmp / "field.db", actor="bench")
        photos = field.db.execute("SELECT count(*) FROM photos").fetchone()[0]
        store_bytes = sum(p.stat().st_size for p in field.photo_store.rglob("*") if p.is_file())

        def create():
            return create_bundle(field, tmp / "out.fkb", everything=True, secret=keys.unlock(PASSPHRASE))

        def verify():
            report, content = read_bundle(tmp / "out.fkb")
            assert report.ok, report.problems
            return content

        create_s, manifest = timed(create)
        verify_s, content = timed(verify)
        hq = open_catalog(tmp / "hq.db", actor="hq")
        merge_s, report = timed(lambda: merge_content(hq, content, signer="bench"))
        assert report.added["items"] == args.items and report.photos_copied == photos
        field.close()
        hq.close()

        files = sorted(str(p) for p in (tmp / "field.db.photos").rglob("*") if p.is_file())

        def baseline():
            subprocess.run(["tar", "-cf", str(tmp / "out.tar"), "-C", str(tmp), "field.db", "field.db.photos"], check=True)
            for start in range(0, len(files), 1000):
                subprocess.run(["sha256sum", *files[start:start + 1000]], check=True, stdout=subprocess.DEVNULL)

        baseline_s, _ = timed(baseline)
        bundle_mb = (tmp / "out.fkb").stat().st_size / 1e6
    rows = [("create (signed, --all)", create_s), ("verify", verify_s), ("merge into an empty catalog", merge_s)]
    print(f"## Team bundles (issue 15): bench/team_bundles.py\n")
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}, {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, load average {os.getloadavg()[0]:.1f} at the end. "
          f"Command: `.venv/bin/python bench/team_bundles.py --items {args.items} --photos-per-item {args.photos_per_item}`.\n")
    print(f"Catalog: {args.items:,} items, {photos:,} photos ({store_bytes / 1e6:.1f} MB of originals), "
          f"{args.items:,} markings, {args.items:,} components; built in {build_time:.0f} s (not timed below). "
          f"Bundle: {bundle_mb:.1f} MB, {manifest['counts']['audit']:,} audit entries.\n")
    print("| Step | Time | Baseline: tar + sha256sum (same run) | Ratio |")
    print("| --- | --- | --- | --- |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} s | {baseline_s:.2f} s | {seconds / baseline_s:.1f}× |")
    total = create_s + verify_s + merge_s
    print(f"| all three | {total:.2f} s | {baseline_s:.2f} s | {total / baseline_s:.1f}× |")


if __name__ == "__main__":
    main()
