"""Benchmark: the evidence dossier of one item with 20 photos and 300 components (issue 16: < 5 s).

Builds a catalog in a temporary folder: one item, 20 camera-sized JPEG photos (4000×3000, with
EXIF), 300 components of real firms with date codes, and 4 markings cut from the photos. Then
times, each best of 3: gathering the dossier (which re-hashes the 20 originals and checks the
audit chain), rendering the PDF, rendering the HTML, and `fieldkit dossier` end to end.
Baseline in the same run: SHA-256 of the 20 originals alone, the least a verified dossier does.

Usage: python bench/dossier.py [--real DIR]
With --real, the 20 photos are the first 20 JPEGs of DIR (e.g. ../shared/data/ocr-real: real
photographs of markings), read where they lie, instead of the synthetic camera-sized ones.
"""

from __future__ import annotations

import hashlib
import os
import io
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import cpu_model  # noqa: E402

from PIL import Image  # noqa: E402

from fieldkit.catalog import items  # noqa: E402
from fieldkit.catalog.components import add_component  # noqa: E402
from fieldkit.catalog.db import open_catalog  # noqa: E402
from fieldkit.catalog.markings import add_marking  # noqa: E402
from fieldkit.evidence.photos import add_photos, list_photos  # noqa: E402
from fieldkit.report.dossier import build_dossier  # noqa: E402
from fieldkit.report.html import dossier_html  # noqa: E402
from fieldkit.report.pdf import dossier_pdf  # noqa: E402

PHOTOS, COMPONENTS = 20, 300
FIRMS = [("TI", "US"), ("Analog Devices", "US"), ("Murata", "JP"), ("Nexperia", "NL"), ("Infineon", "DE"),
         ("STMicroelectronics", "CH"), ("Winbond", "TW"), ("GigaDevice", "CN"), ("Microchip", "US"), ("onsemi", "US")]


def photo(n: int) -> bytes:
    """A 4000×3000 JPEG (about 12 MP, like a phone camera's) with a capture time and camera in EXIF."""
    rng = random.Random(n)
    small = Image.frombytes("RGB", (200, 150), bytes(rng.randrange(256) for _ in range(200 * 150 * 3)))
    img = small.resize((4000, 3000), Image.BILINEAR)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "bench camera", "B-1"
    exif.get_ifd(0x8769)[0x9003] = "2024:01:03 14:05:22"
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


def best_of(runs: int, fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its children), each the best of `runs`."""
    walls, cpus = [], []
    for _ in range(runs):
        before, start = os.times(), time.perf_counter()
        fn()
        after = os.times()
        walls.append(time.perf_counter() - start)
        cpus.append(sum(after[:4]) - sum(before[:4]))
    return min(walls), min(cpus)


def main() -> None:
    real = Path(sys.argv[sys.argv.index("--real") + 1]) if "--real" in sys.argv else None
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        files = sorted(real.glob("*.jpg"))[:PHOTOS] if real else []
        for n in range(0 if real else PHOTOS):
            path = folder / f"DSC_{n:04d}.jpg"
            path.write_bytes(photo(n))
            files.append(path)
        with Image.open(files[0]) as first:
            shape = f"{first.width}×{first.height}" + (" and others (real photographs)" if real else "")
        db = folder / "bench.db"
        catalog = open_catalog(db, actor="bench")
        items.add_item(catalog, {"ref": "BEN-0001", "category": "missile debris", "lat": 49.99, "lon": 36.23})
        assert all(r.ok for r in add_photos(catalog, "BEN-0001", files))
        rng = random.Random(16)
        for n in range(COMPONENTS):
            firm, country = FIRMS[n % len(FIRMS)]
            add_component(catalog, "BEN-0001", {"part_number": f"PN{n:05d}", "manufacturer": firm, "country": country,
                                                "date_code": f"{rng.randrange(19, 24):02d}{rng.randrange(1, 53):02d}"})
        shas = [p["sha256"] for p in list_photos(catalog, "BEN-0001")]
        for n in range(4):
            add_marking(catalog, "BEN-0001", f"주체11{n} 9М22У", photo_sha256=shas[n], crop=(10, 10, 300, 100))
        total_mb = sum(f.stat().st_size for f in files) / 1e6

        baseline = best_of(3, lambda: [hashlib.sha256(f.read_bytes()).hexdigest() for f in files])
        gather = best_of(3, lambda: build_dossier(catalog, "BEN-0001"))
        dossier = build_dossier(catalog, "BEN-0001")
        pdf = best_of(3, lambda: dossier_pdf(dossier))
        html = best_of(3, lambda: dossier_html(dossier))
        pdf_size = len(dossier_pdf(dossier))
        html_size = len(dossier_html(dossier).encode())
        catalog.close()
        out = folder / "d.pdf"

        def cli() -> None:
            out.unlink(missing_ok=True)
            subprocess.run([sys.executable, "-m", "fieldkit", "--db", str(db), "dossier", "BEN-0001", "--pdf", str(out)],
                           check=True, capture_output=True)

        end_to_end = best_of(3, cli)

    load = os.getloadavg()[0]
    rows = [("Baseline: SHA-256 of the originals", baseline),
            ("Gather (re-hash photos, check audit chain, thumbnails, crops, summary, trail)", gather),
            (f"Render PDF ({pdf_size / 1e6:.1f} MB)", pdf), (f"Render HTML ({html_size / 1e6:.1f} MB)", html),
            ("`fieldkit dossier --pdf`, end to end (process start, gather, render, write)", end_to_end)]
    table = "\n".join(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {wall / baseline[0]:.1f}× |" for name, (wall, cpu) in rows)
    print(f"""## Dossier (issue 16): bench/dossier.py

{time.strftime('%Y-%m-%d %H:%M')} UTC, {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()},
load average {load:.1f} when it ended. One item, {len(files)} photos of {shape} ({total_mb:.0f} MB), {COMPONENTS}
components, 4 markings with crops. Best of 3. CPU time (this process and its children) is given beside wall
time because the wall time on a shared, loaded machine is mostly waiting for a core.

| Step | Wall | CPU | Wall, ratio to baseline |
| --- | --- | --- | --- |
{table}

Target: under 5 s end to end: wall {end_to_end[0]:.2f} s, CPU {end_to_end[1]:.2f} s.
""")


if __name__ == "__main__":
    main()
