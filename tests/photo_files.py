"""Small image files for the photo tests: real JPEG/PNG with EXIF, and broken or hostile ones."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image
from PIL.ExifTags import GPS, IFD, Base
from PIL.TiffImagePlugin import IFDRational


def exif(*, taken="2024:01:03 14:05:22", lat=(49, 59, 36.6), lat_ref="N", lon=(36, 13, 49.44), lon_ref="E",
         orientation=6) -> Image.Exif:
    data = Image.Exif()
    data[Base.Make] = "fieldkit test camera"
    data[Base.Model] = "T-1"
    data[Base.Orientation] = orientation
    data.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken
    gps = data.get_ifd(IFD.GPSInfo)
    gps[GPS.GPSLatitudeRef] = lat_ref
    gps[GPS.GPSLatitude] = tuple(IFDRational(round(v * 100), 100) for v in lat)
    gps[GPS.GPSLongitudeRef] = lon_ref
    gps[GPS.GPSLongitude] = tuple(IFDRational(round(v * 100), 100) for v in lon)
    return data


def image(size=(64, 48), colour=(90, 100, 40), seed=0) -> Image.Image:
    img = Image.new("RGB", size, colour)
    img.putpixel((seed % size[0], 0), (seed % 256, 0, 0))
    return img


def jpeg_bytes(seed=0, *, with_exif=True, size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    kwargs = {"exif": exif()} if with_exif else {}
    image(size, seed=seed).save(buf, "JPEG", quality=90, **kwargs)
    return buf.getvalue()


def png_bytes(seed=0) -> bytes:
    buf = io.BytesIO()
    image(seed=seed).save(buf, "PNG")
    return buf.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width`×`height` pixels: a decompression bomb, cheaply."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
