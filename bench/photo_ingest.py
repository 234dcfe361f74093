"""Benchmark photo ingest: N photos of about 4 MB each, against `sha256sum` over the same files.

    .venv/bin/python bench/photo_ingest.py [--count 1000] [--mb 4] [--out bench/out/photos.md]

Half the photos are random-noise JPEGs, half random-noise PNGs, sized to about `--mb` MB. A few
noise images are encoded once and each file is made unique by a comment (JPEG COM segment, PNG
tEXt chunk), so every file has its own hash and is still a valid image. Everything is written
to a temporary directory on the same disk as this repository and deleted afterwards.

Ingest does, per photo: read and hash the original while copying it into the store, fsync,
hash the copy again, decode it fully with Pillow, read EXIF, rename, and commit two audited rows
(synchronous=FULL). `sha256sum` only reads and hashes; the ratio says what the rest costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from fieldkit.catalog import items  # noqa: E402
from fieldkit.catalog.db import open_catalog  # noqa: E402
from fieldkit.evidence.photos import add_photos  # noqa: E402
from machine import cpu_model  # noqa: E402  (bench/ is on sys.path when a script runs)

BASES = 8


def noise_jpeg(target_bytes: int, seed: int) -> bytes:
    # random noise at quality 95 costs about 1.2 bytes a pixel
    side = int((target_bytes / 1.18) ** 0.5)
    img = Image.frombytes("RGB", (side * 4 // 3, side * 3 // 4), os.urandom(side * 4 // 3 * (side * 3 // 4) * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    return buf.getvalue()


def noise_png(target_bytes: int, seed: int) -> bytes:
    pixels = target_bytes // 3
    width = int((pixels * 4 / 3) ** 0.5)
    height = pixels // width
    img = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def unique_jpeg(base: bytes, n: int) -> bytes:
    comment = f"fieldkit bench photo {n}".encode()
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return base[:2] + segment + base[2:]


def unique_png(base: bytes, n: int) -> bytes:
    data = b"Comment\x00" + f"fieldkit bench photo {n}".encode()
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    return base[:33] + chunk + base[33:]  # after the 8-byte signature and the 25-byte IHDR chunk




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--mb", type=float, default=4.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "photos.md")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fieldkit-bench-photos-", dir=ROOT / "bench"))
    try:
        src = work / "originals"
        src.mkdir()
        target = int(args.mb * 1_000_000)
        t0 = time.perf_counter()
        jpegs = [noise_jpeg(target, i) for i in range(BASES)]
        pngs = [noise_png(target, i) for i in range(BASES)]
        paths = []
        for n in range(args.count):
            if n % 2:
                data, name = unique_png(pngs[n % BASES], n), f"photo-{n:05d}.png"
            else:
                data, name = unique_jpeg(jpegs[n % BASES], n), f"photo-{n:05d}.jpg"
            (src / name).write_bytes(data)
            paths.append(src / name)
        subprocess.run(["sync"], check=False)
        total_bytes = sum(p.stat().st_size for p in paths)
        print(f"generated {len(paths)} files, {total_bytes / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s", flush=True)

        t0 = time.perf_counter()
        subprocess.run(["sha256sum", *map(str, paths)], check=True, stdout=subprocess.DEVNULL)
        sha_s = time.perf_counter() - t0
        print(f"sha256sum: {sha_s:.1f} s", flush=True)

        catalog = open_catalog(work / "catalog.db", actor="bench")
        items.add_item(catalog, {"category": "benchmark", "ref": "BENCH-1"})
        t0 = time.perf_counter()
        results = add_photos(catalog, "BENCH-1", paths)
        ingest_s = time.perf_counter() - t0
        catalog.close()
        failed = [r for r in results if not r.ok]
        if failed:
            raise SystemExit(f"{len(failed)} photos failed, e.g. {failed[0].error}")
        print(f"ingest: {ingest_s:.1f} s", flush=True)
    finally:
        for path in work.rglob("*"):
            if path.is_file():
                path.chmod(0o600)
        shutil.rmtree(work)

    mb = total_bytes / 1e6
    line = (
        f"| {dt.date.today().isoformat()} | {cpu_model()} | {os.cpu_count()} | {args.count} | {mb / args.count:.1f} | "
        f"{args.count / ingest_s:.1f} | {mb / ingest_s:.0f} | {mb / sha_s:.0f} | {ingest_s / sha_s:.1f}× |"
    )
    header = (
        "# Photo ingest benchmark\n\n`bench/photo_ingest.py`: half random-noise JPEG, half PNG; ingest = hash while\n"
        "copying, fsync, re-hash the copy, full Pillow decode, EXIF, rename, two audited rows.\n\n"
        "| date | CPU | nproc | photos | MB/photo | photos/s | ingest MB/s | sha256sum MB/s | ingest time / sha256sum time |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    existing = args.out.read_text(encoding="utf-8") if args.out.exists() else header
    args.out.write_text(existing + line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
