"""Generate a large, realistic catalog for benchmarks and scale tests.

    python bench/generate_catalog.py OUT.db [--items 100000] [--components 1000000]
                                            [--photos 20000] [--markings 200000] [--seed 1]

Rows go in through `records.insert_many` (components through `records.BulkInsert`, as an import
would), so the catalog is what fieldkit itself would have written: audited, hash-chained,
search-indexed. Photo records point to small real PNG files
in the photo store (each distinct, so `verify` is clean).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from fieldkit.catalog import records  # noqa: E402
from fieldkit.catalog.db import Catalog, new_id, now, open_catalog  # noqa: E402

CHUNK = 50_000

CATEGORIES = ["rocket", "artillery projectile", "missile debris", "cartridge case", "fuze", "mortar bomb", "grenade", "drone debris"]
DESIGNATIONS = ["9M22U", "OF-540", "OF-462", "9M27F", "Hwasong-11", "Shahed-136", "VOG-17", "M-21OF", "3OF56", "KN-23", "9M723", "Kh-101"]
CALIBRES = ["122 mm", "152 mm", "220 mm", "300 mm", "30 mm", "7.62 mm", "82 mm", "120 mm", ""]
PLACES = ["Kharkiv", "Kyiv", "Zaporizhzhia", "Odesa", "Dnipro", "Mykolaiv", "Sumy", "Chernihiv", "Kherson", "Izium"]
FIRMS = [
    ("Texas Instruments", "US", "TPS"), ("Analog Devices", "US", "ADXL"), ("Microchip Technology", "US", "PIC"),
    ("STMicroelectronics", "CH", "STM32"), ("Infineon Technologies", "DE", "IRF"), ("NXP Semiconductors", "NL", "LPC"),
    ("Renesas Electronics", "JP", "R5F"), ("onsemi", "US", "NCP"), ("Xilinx", "US", "XC"), ("Nordic Semiconductor", "NO", "nRF"),
    ("u-blox", "CH", "NEO-"), ("Winbond", "TW", "W25Q"), ("GigaDevice", "CN", "GD32"), ("Murata", "JP", "GRM"),
]
TYPES = ["microcontroller", "FPGA", "ADC", "gyroscope", "voltage regulator", "flash memory", "GNSS receiver", "MOSFET", "capacitor"]


def _items(rng: random.Random, n: int, start: int) -> list[dict]:
    rows = []
    stamp = now()
    for i in range(start, start + n):
        rows.append({
            "id": new_id(), "ref": f"G-{i:06d}", "category": rng.choice(CATEGORIES),
            "designation": rng.choice(DESIGNATIONS), "calibre": rng.choice(CALIBRES) or None,
            "origin": None, "found_on": f"20{rng.randint(22, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "place": rng.choice(PLACES), "lat": round(rng.uniform(44, 52), 5), "lon": round(rng.uniform(22, 40), 5),
            "recorded_by": "generator", "condition": None, "sample_type": "unattributed", "holder": None,
            "acquisition": None, "custody": None, "notes": f"generated item {i}", "created_at": stamp, "updated_at": stamp,
        })
    return rows


def _components(rng: random.Random, item_ids: list[str], n: int) -> list[dict]:
    rows, stamp = [], now()
    for _ in range(n):
        firm, country, prefix = rng.choice(FIRMS)
        year, week = rng.randint(15, 23), rng.randint(1, 52)
        rows.append({
            "id": new_id(), "item_id": rng.choice(item_ids), "part_number": f"{prefix}{rng.randint(100, 99999)}",
            "marking_text": None, "manufacturer": firm, "country": country, "type": rng.choice(TYPES),
            "date_code": f"{year:02d}{week:02d}", "date_start": None, "date_end": None, "quantity": rng.randint(1, 4),
            "photo_id": None, "crop_x": None, "crop_y": None, "crop_w": None, "crop_h": None, "notes": None,
            "firm_id": None, "attributed_by": "researcher", "basis_id": None, "reference_version_id": None,
            "candidates": None, "entered_manufacturer": firm, "entered_country": country, "date_form": None,
            "created_at": stamp, "updated_at": stamp,
        })
    return rows


def _markings(rng: random.Random, item_ids: list[str], n: int) -> list[dict]:
    rows, stamp = [], now()
    texts = ["9М22У 4-23", "112", "OF-540 12-87-270", "주체112", "LOT 23-05", "113", "9M27F 3-22"]
    for _ in range(n):
        rows.append({
            "id": new_id(), "item_id": rng.choice(item_ids), "photo_id": None, "crop_x": None, "crop_y": None,
            "crop_w": None, "crop_h": None, "text": rng.choice(texts), "ocr_text": None, "source": "manual",
            "confidence": None, "engine_json": None, "position": None, "readings_json": None,
            "reference_version": None, "created_at": stamp, "updated_at": stamp,
        })
    return rows


def _photos(catalog: Catalog, rng: random.Random, n: int) -> list[dict]:
    rows, stamp = [], now()
    for i in range(n):
        image = Image.new("L", (32, 32), color=rng.randint(0, 255))
        image.putpixel((i % 32, (i // 32) % 32), 255 - image.getpixel((0, 0)))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", pnginfo=None)
        data = buffer.getvalue() + i.to_bytes(4, "big")  # trailing bytes make each file distinct
        sha = hashlib.sha256(data).hexdigest()
        relative = f"{sha[:2]}/{sha}.png"
        target = catalog.photo_store / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.chmod(0o444)
        rows.append({
            "id": new_id(), "sha256": sha, "original_name": f"IMG_{i:05d}.png", "stored_path": relative,
            "size": len(data), "width": 32, "height": 32, "format": "PNG", "exif_time": None, "gps_lat": None,
            "gps_lon": None, "camera_make": None, "camera_model": None, "orientation": None, "exif_json": None,
            "added_at": stamp, "added_by": "generator",
        })
    return rows


def generate(path: Path, *, items: int, components: int, photos: int, markings: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    catalog = open_catalog(path, actor="generator")
    started = time.perf_counter()
    item_ids: list[str] = []
    for start in range(0, items, CHUNK):
        rows = _items(rng, min(CHUNK, items - start), start + 1)
        records.insert_many(catalog, "items", rows)
        item_ids.extend(r["id"] for r in rows)
    for start in range(0, components, CHUNK):
        with catalog.transaction():
            bulk = records.BulkInsert(catalog, "components", event_id=new_id())
            for row in _components(rng, item_ids, min(CHUNK, components - start)):
                bulk.add(row)
            bulk.finish({"source_name": "generate_catalog.py"})
    for start in range(0, markings, CHUNK):
        records.insert_many(catalog, "markings", _markings(rng, item_ids, min(CHUNK, markings - start)))
    photo_rows = _photos(catalog, rng, photos)
    for start in range(0, len(photo_rows), CHUNK):
        chunk = photo_rows[start:start + CHUNK]
        records.insert_many(catalog, "photos", chunk)
        links = [{"item_id": rng.choice(item_ids), "photo_id": p["id"], "caption": None, "added_at": p["added_at"]} for p in chunk]
        records.insert_many(catalog, "item_photos", links)
    catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    catalog.db.execute("ANALYZE")
    catalog.close()
    print(f"generated {path} in {time.perf_counter() - started:.1f} s: {items} items, {components} components, "
          f"{markings} markings, {photos} photos")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--components", type=int, default=1_000_000)
    parser.add_argument("--photos", type=int, default=20_000)
    parser.add_argument("--markings", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.out.exists():
        sys.exit(f"error: {args.out} exists; give a new path")
    generate(args.out, items=args.items, components=args.components, photos=args.photos, markings=args.markings, seed=args.seed)


if __name__ == "__main__":
    main()
