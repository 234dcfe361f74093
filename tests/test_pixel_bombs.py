"""Pixel bombs (issue 19, point 14): total pixels and decoding memory are capped from the header.

Every bomb is made here, in the test: a PNG is written row block by row block through zlib (a
389 KB file can claim 200 megapixels), a WebP is encoded by Pillow. The memory tests run the
command in a child process under an address-space limit (RLIMIT_AS), so a decoder that goes
past the bound fails the test instead of swapping the machine.
"""

from __future__ import annotations

import resource
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from fieldkit.errors import PhotoError
from fieldkit.evidence.limits import MAX_DECODED_BYTES, MAX_PIXELS
from fieldkit.evidence.photos import open_image
from fieldkit.ocr.engine import open_image as open_for_ocr
from tests.stress.harness import fieldkit_cmd
from tests.conftest import khk_catalog


def png_bomb(path: Path, width: int, height: int, color_type: int = 0) -> Path:
    """A valid PNG of `width` x `height` black pixels (grey, or RGB with color_type 2), written
    in blocks so that making it takes little memory."""
    bands = {0: 1, 2: 3}[color_type]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    total = (1 + width * bands) * height  # each row: filter byte 0, then black pixels: all zero bytes
    block = bytes(16 << 20)
    compressor = zlib.compressobj(6)
    with path.open("wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)))
        data = [compressor.compress(block[:min(len(block), total - start)]) for start in range(0, total, len(block))]
        data.append(compressor.flush())
        fh.write(chunk(b"IDAT", b"".join(data)) + chunk(b"IEND", b""))
    return path


def run_limited(args: list[str], limit_bytes: int) -> subprocess.CompletedProcess:
    """Run a command with its address space capped at `limit_bytes`."""
    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    return subprocess.run(args, capture_output=True, text=True, timeout=300, preexec_fn=cap,
                          env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})


def one_line(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return lines[0]


def test_a_png_of_1_by_200_million_pixels_is_refused_from_its_header(tmp_path):
    bomb = png_bomb(tmp_path / "strip.png", 1, 200_000_000)
    assert bomb.stat().st_size < 400_000  # the 389 KB file
    for opener in (open_image, open_for_ocr):
        with pytest.raises(PhotoError, match="megapixels"):
            opener(bomb)


def test_photo_add_and_ocr_refuse_the_200_megapixel_strip_in_one_line_with_bounded_memory(tmp_path):
    db = khk_catalog(tmp_path / "catalog.db")
    bomb = png_bomb(tmp_path / "strip.png", 1, 200_000_000)
    message = one_line(run_limited(fieldkit_cmd(db, "photo", "add", "KHK-0001", str(bomb)), 1 << 30))
    assert "200 megapixels" in message or "200,000,000" in message or "megapixels" in message
    assert not list((tmp_path / "catalog.db.photos").rglob("*.png"))
    one_line(run_limited(fieldkit_cmd(db, "ocr", str(bomb)), 1 << 30))


def test_a_webp_that_would_take_more_than_the_memory_bound_is_refused_before_decoding(tmp_path):
    """WebP decodes through several full-size buffers (16 MP took 260 MB): a 36 MP WebP of a few
    hundred bytes would take about 580 MB, and is refused from its header."""
    bomb = tmp_path / "bomb.webp"
    Image.new("L", (6000, 6000)).save(bomb, lossless=True)
    assert bomb.stat().st_size < 20_000
    with pytest.raises(PhotoError, match="to decode"):
        open_image(bomb)
    probe = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent.parent)!r});"
             "from fieldkit.evidence.photos import open_image;"
             "from fieldkit.errors import PhotoError\n"
             f"try: open_image({str(bomb)!r})\n"
             "except PhotoError: sys.exit(7)")
    # under a 700 MB address space: refused (exit 7), neither decoded nor killed by a MemoryError
    assert run_limited([sys.executable, "-c", probe], 700 << 20).returncode == 7


def test_a_bomb_just_under_the_limits_is_decoded_within_the_memory_bound(tmp_path):
    """An RGB PNG of 119.9 megapixels (1.5 MB on disk) is a real photo size: it is accepted, and
    ingesting it stays within the bound plus the interpreter (under 1.2 GB of address space)."""
    width, height = 10_900, 11_000
    assert width * height <= MAX_PIXELS and width * height * 4 <= MAX_DECODED_BYTES
    db = khk_catalog(tmp_path / "catalog.db")
    bomb = png_bomb(tmp_path / "large.png", width, height, color_type=2)
    proc = run_limited(fieldkit_cmd(db, "photo", "add", "KHK-0001", str(bomb)), 1200 << 20)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(list((tmp_path / "catalog.db.photos").rglob("*.png"))) == 1


def test_the_refusal_names_the_limit_it_passed(tmp_path):
    with pytest.raises(PhotoError, match="more than 120 megapixels"):
        open_image(png_bomb(tmp_path / "wide.png", 12_000, 10_001))
    webp = tmp_path / "bomb.webp"
    Image.new("L", (6000, 6000)).save(webp, lossless=True)
    with pytest.raises(PhotoError, match=r"6000×6000 pixels of WEBP .* more than 512 MB"):
        open_image(webp)
