"""Generate the example catalog's photos: synthetic pictures of markings on debris, made with Pillow.

No real photos are used. Each image is a textured surface (olive-drab paint, grey metal, rust)
with a stencilled, stamped or painted marking, and EXIF that is plausible but clearly an example:
camera make "fieldkit example generator", a fixed capture time and the item's coordinates.
The output is deterministic (seeded noise, fixed EXIF), so rebuilding the example gives the
same hashes.

    .venv/bin/python seeds/make_photos.py OUTDIR     # writes the files and prints their paths
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from PIL.ExifTags import GPS, IFD, Base
from PIL.TiffImagePlugin import IFDRational

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
CAMERA_MAKE = "fieldkit example generator"
CAMERA_MODEL = "synthetic marking v1 (not a real photo)"

SURFACES = {
    "olive drab": ((75, 83, 32), 10),
    "grey metal": ((128, 130, 132), 14),
    "rust": ((120, 68, 38), 22),
    "sand paint": ((176, 160, 120), 9),
}


@dataclass(frozen=True)
class ExamplePhoto:
    item_ref: str
    name: str
    text: str
    surface: str
    style: str  # stencil | stamp | paint
    taken: str  # EXIF 'YYYY:MM:DD HH:MM:SS'
    lat: float
    lon: float
    caption: str


PHOTOS = [
    ExamplePhoto("EX-0002", "IMG_0412.jpg", "9М22У 4-23", "olive drab", "stencil", "2023:05:14 10:32:07",
                 48.5132, 37.9712, "stencilled designation and lot on the motor section"),
    ExamplePhoto("EX-0002", "IMG_0413.jpg", "122 9-Н-210", "olive drab", "paint", "2023:05:14 10:33:51",
                 48.5132, 37.9712, "painted calibre and warhead marking"),
    ExamplePhoto("KHK-0001", "DSC_1207.jpg", "112", "grey metal", "stamp", "2024:01:03 14:05:22",
                 49.9935, 36.2304, "stamped «112» on a structural part"),
    ExamplePhoto("KHK-0001", "DSC_1208.png", "113", "rust", "stamp", "2024:01:03 14:07:40",
                 49.9935, 36.2304, "stamped «113» on a fragment"),
    ExamplePhoto("EX-0003", "P1030088.jpg", "OF-540 152", "sand paint", "stencil", "2022:09:21 08:12:45",
                 47.8388, 35.1396, "stencilled projectile type and calibre"),
]


def load_font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """A bold font that has Cyrillic (DejaVu or Noto CJK on Debian), or Pillow's built-in font."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def surface(size: tuple[int, int], colour: tuple[int, int, int], grain: int, rng: random.Random) -> Image.Image:
    """A painted or bare metal surface: flat colour, grain, a few scratches and stains."""
    width, height = size
    noise = Image.frombytes("L", size, rng.randbytes(width * height))
    noise = noise.filter(ImageFilter.GaussianBlur(1.2))
    base = Image.new("RGB", size, colour)
    grainy = Image.blend(base, Image.merge("RGB", [noise] * 3), grain / 100)
    draw = ImageDraw.Draw(grainy)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        shade = tuple(max(0, min(255, c + rng.randint(-45, 45))) for c in colour)
        draw.line([(x, y), (x + rng.randint(-120, 120), y + rng.randint(-12, 12))], fill=shade, width=1)
    for _ in range(6):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randint(15, 60)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(int(c * 0.8) for c in colour))
    return grainy.filter(ImageFilter.GaussianBlur(0.6))


def draw_marking(img: Image.Image, text: str, style: str, rng: random.Random) -> Image.Image:
    width, height = img.size
    font = load_font(height // 5 if style != "stamp" else height // 4)
    layer = Image.new("L", img.size, 0)
    draw = ImageDraw.Draw(layer)
    box = draw.textbbox((0, 0), text, font=font)
    x = (width - (box[2] - box[0])) // 2
    y = (height - (box[3] - box[1])) // 2 - box[1]
    draw.text((x, y), text, font=font, fill=255)
    if style == "stencil":  # stencil bridges: thin vertical gaps through the letters
        for bx in range(x, x + box[2] - box[0], max(8, font.size // 3)):
            draw.rectangle([bx, 0, bx + max(2, font.size // 18), height], fill=0)
        ink = (225, 222, 205)
    elif style == "stamp":  # struck into the metal: a dark groove with a light edge
        ink = tuple(int(c * 0.45) for c in img.getpixel((5, 5)))
        highlight = layer.transform(img.size, Image.Transform.AFFINE, (1, 0, -2, 0, 1, -2))
        img = Image.composite(Image.new("RGB", img.size, (200, 200, 200)), img, highlight.point(lambda v: v // 3))
    else:
        ink = (238, 238, 238)
    layer = layer.filter(ImageFilter.GaussianBlur(0.8)).rotate(rng.uniform(-4, 4), resample=Image.Resampling.BICUBIC)
    return Image.composite(Image.new("RGB", img.size, ink), img, layer.point(lambda v: int(v * 0.9)))


def rational(value: float, denominator: int = 10000) -> IFDRational:
    return IFDRational(round(value * denominator), denominator)


def exif_for(photo: ExamplePhoto) -> Image.Exif:
    exif = Image.Exif()
    exif[Base.Make] = CAMERA_MAKE
    exif[Base.Model] = CAMERA_MODEL
    exif[Base.Software] = "fieldkit seeds/make_photos.py"
    exif[Base.Orientation] = 1
    exif[Base.DateTime] = photo.taken
    exif[Base.ImageDescription] = "Example data: synthetic image, not a photograph of a real item."
    sub = exif.get_ifd(IFD.Exif)
    sub[Base.DateTimeOriginal] = photo.taken
    sub[Base.OffsetTimeOriginal] = "+02:00"
    gps = exif.get_ifd(IFD.GPSInfo)

    def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = (value - degrees - minutes / 60) * 3600
        return (IFDRational(degrees, 1), IFDRational(minutes, 1), rational(seconds, 100))

    gps[GPS.GPSLatitudeRef] = "N" if photo.lat >= 0 else "S"
    gps[GPS.GPSLatitude] = dms(photo.lat)
    gps[GPS.GPSLongitudeRef] = "E" if photo.lon >= 0 else "W"
    gps[GPS.GPSLongitude] = dms(photo.lon)
    return exif


def make_photo(photo: ExamplePhoto, outdir: Path, size: tuple[int, int] = (960, 640)) -> Path:
    """Write one example photo into `outdir` and return its path."""
    rng = random.Random(f"{photo.name}:{photo.text}")
    colour, grain = SURFACES[photo.surface]
    img = draw_marking(surface(size, colour, grain, rng), photo.text, photo.style, rng)
    path = outdir / photo.name
    if path.suffix.lower() == ".png":
        img.save(path, "PNG", exif=exif_for(photo))
    else:
        img.save(path, "JPEG", quality=88, exif=exif_for(photo))
    return path


def make_all(outdir: Path) -> list[tuple[ExamplePhoto, Path]]:
    outdir.mkdir(parents=True, exist_ok=True)
    return [(photo, make_photo(photo, outdir)) for photo in PHOTOS]


if __name__ == "__main__":
    for _, written in make_all(Path(sys.argv[1] if len(sys.argv) > 1 else "example-photos")):
        print(written)
