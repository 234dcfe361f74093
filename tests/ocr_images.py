"""Synthetic marking images for the OCR tests and the OCR benchmark.

Every image is drawn with Pillow at run time (no binary fixtures in the repository), from a seed, so
a failing case can be regenerated exactly. The styles imitate what a researcher photographs:

- ``stamped``: light, slightly embossed characters on dark, grainy metal;
- ``stencil``: dark paint on an olive body, with the bridges a stencil leaves in each glyph;
- ``dark_on_light``: dark print on a light label;
- ``brushed``: dark engraved characters on brushed metal (fine horizontal streaks);
- ``painted``: light or dark paint stencilled on a painted body (brush marks, chipped paint), with
  stencil bridges;
- ``etched``: light, thin, low-contrast laser etching on a dark chip package ("ADXL345 2310").

Options add a rotation (a photo taken slightly askew), sensor noise, blur, low resolution (the
finished image reduced) and JPEG artefacts (the image saved as a low-quality JPEG and decoded).

Fonts: by default Noto Sans CJK (Debian package ``fonts-noto-cjk``), which covers Latin, Cyrillic
and Hangul. ``make_set`` also draws with other fonts (:data:`FONTS`): NanumGothic, NanumSquare,
NanumMyeongjo and NanumGothicCoding (``fonts-nanum``, the Hangul fonts the benchmark asks for) and
DejaVu Sans / Sans Mono (Latin and Cyrillic only).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT_FILES = {
    "bold": "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "regular": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
}
FONT_INDEX = {"sans": 1, "mono": 6}  # Noto Sans CJK KR, Noto Sans Mono CJK KR inside the .ttc
FONT_PACKAGE = "fonts-noto-cjk"

_NANUM = "/usr/share/fonts/truetype/nanum/"
_DEJAVU = "/usr/share/fonts/truetype/dejavu/"
# name -> (file, index in a collection, package, scripts it covers)
FONTS = {
    "noto-sans": (FONT_FILES["bold"], FONT_INDEX["sans"], "fonts-noto-cjk", "latin cyrillic hangul"),
    "noto-mono": (FONT_FILES["bold"], FONT_INDEX["mono"], "fonts-noto-cjk", "latin cyrillic hangul"),
    "noto-sans-regular": (FONT_FILES["regular"], FONT_INDEX["sans"], "fonts-noto-cjk", "latin cyrillic hangul"),
    "nanum-gothic": (_NANUM + "NanumGothicBold.ttf", 0, "fonts-nanum", "latin hangul"),
    "nanum-square": (_NANUM + "NanumSquareB.ttf", 0, "fonts-nanum", "latin hangul"),
    "nanum-myeongjo": (_NANUM + "NanumMyeongjoBold.ttf", 0, "fonts-nanum", "latin hangul"),
    "nanum-coding": (_NANUM + "NanumGothicCodingBold.ttf", 0, "fonts-nanum", "latin hangul"),
    "dejavu-sans": (_DEJAVU + "DejaVuSans-Bold.ttf", 0, "fonts-dejavu-core", "latin cyrillic"),
    "dejavu-mono": (_DEJAVU + "DejaVuSansMono-Bold.ttf", 0, "fonts-dejavu-core", "latin cyrillic"),
}

STYLES = ("stamped", "stencil", "dark_on_light", "brushed", "painted", "etched")
STENCIL_STYLES = ("stencil", "painted")

# Truth strings used by the tests and the benchmark, by script.
SAMPLES = {
    "latin": ["9M22U 4-23", "LOT 12-87-270", "KH-179 06-21", "BATCH 0417", "M430A1 LOT 77"],
    "cyrillic": ["9М22У 4-23", "ОФ-462", "ПАРТИЯ 12-87", "ЗАВОД 270 83", "БК-6М 1-19"],
    "hangul": ["주체112", "주체113", "제조 2023", "주체 111-4", "탄약 17"],
}
# Light-on-dark etched markings on electronic parts found in debris.
CHIP_SAMPLES = ["ADXL345 2310", "STM32F405 RGT6", "LM358 2241", "AD620AR 1947", "MAX232 CPE"]
LANGUAGE_FOR = {"latin": "eng", "cyrillic": "rus", "hangul": "kor"}


@dataclass
class Marking:
    """A generated image with the text drawn on it and where the text is (x, y, w, h)."""

    image: Image.Image
    text: str
    box: tuple[int, int, int, int]
    style: str
    rotation: float
    noise: float
    seed: int
    font: str = "noto-sans"
    jpeg: int | None = None  # JPEG quality the image went through, if any
    downscale: float = 1.0  # the finished image was reduced by this factor


def font(size: int, weight: str = "bold", family: str = "sans") -> ImageFont.FreeTypeFont:
    """A Noto Sans CJK font that covers Latin, Cyrillic and Hangul."""
    path = FONT_FILES[weight]
    if not Path(path).exists():
        raise RuntimeError(f"font {path} is missing: install it with `sudo apt-get install {FONT_PACKAGE}`")
    return ImageFont.truetype(path, size, index=FONT_INDEX[family])


def named_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """One of :data:`FONTS` by name."""
    path, index, package, _ = FONTS[name]
    if not Path(path).exists():
        raise RuntimeError(f"font {path} is missing: install it with `sudo apt-get install {package}`")
    return ImageFont.truetype(path, size, index=index)


def fonts_for(script: str) -> list[str]:
    """Names of the fonts in :data:`FONTS` that cover a script and are installed."""
    return [n for n, (path, _, _, scripts) in FONTS.items() if script in scripts.split() and Path(path).exists()]


def gaussian_noise(size: tuple[int, int], sigma: float, rng: random.Random) -> Image.Image:
    """Grey image of Gaussian noise around 128, reproducible from ``rng`` (Pillow's effect_noise is not)."""
    normal = NormalDist(128, sigma)
    lut = [max(0, min(255, round(normal.inv_cdf((u + 0.5) / 256)))) for u in range(256)]
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).point(lut)


def _palette(style: str, rng: random.Random) -> tuple[int, int]:
    """(background, ink) grey levels for a style."""
    if style == "stamped":
        return rng.randint(45, 80), rng.randint(170, 215)
    if style == "stencil":
        return rng.randint(120, 150), rng.randint(20, 45)  # olive paint seen in grey, black stencil
    if style == "dark_on_light":
        return rng.randint(200, 235), rng.randint(15, 50)
    if style == "brushed":
        return rng.randint(150, 195), rng.randint(35, 75)  # engraved, dark in the grooves
    if style == "painted":
        # Painted body; the marking in light paint on a dark body or dark paint on a light one.
        if rng.random() < 0.5:
            return rng.randint(50, 90), rng.randint(190, 235)
        return rng.randint(150, 190), rng.randint(20, 50)
    if style == "etched":
        return rng.randint(22, 45), rng.randint(115, 165)  # faint etching on a black package
    raise ValueError(f"unknown style {style!r}; choose from {', '.join(STYLES)}")


def _glyph_mask(text: str, size: int, style: str, font_name: str | None = None) -> Image.Image:
    """White-on-black mask of the text, with stencil bridges cut into it for the stencil styles."""
    if font_name is not None:
        f = named_font(font_name, size)
    else:
        family = "mono" if style == "stencil" else "sans"
        f = font(size, "regular" if style == "etched" else "bold", family)
    left, top, right, bottom = f.getbbox(text)
    mask = Image.new("L", (right - left + 2, bottom - top + 2), 0)
    draw = ImageDraw.Draw(mask)
    draw.text((-left + 1, -top + 1), text, font=f, fill=255)
    if style in STENCIL_STYLES:
        # A stencil cannot hold enclosed islands: cut a vertical bridge through the top and bottom of
        # each glyph, as painted stencil markings show.
        x = 1
        bridge = max(2, size // 14)
        for ch in text:
            advance = f.getlength(ch)
            if not ch.isspace():
                cx = int(x + advance / 2)
                h = mask.height
                draw.rectangle([cx - bridge // 2, 0, cx + bridge // 2, int(h * 0.22)], fill=0)
                draw.rectangle([cx - bridge // 2, int(h * 0.78), cx + bridge // 2, h], fill=0)
            x += advance
    return mask


def make_marking(
    text: str,
    style: str = "dark_on_light",
    *,
    size: int = 48,
    rotation: float = 0.0,
    noise: float = 0.0,
    blur: float = 0.0,
    margin: int | None = None,
    canvas: tuple[int, int] | None = None,
    at: tuple[int, int] | None = None,
    seed: int = 0,
    font_name: str | None = None,
    jpeg: int | None = None,
    downscale: float = 1.0,
) -> Marking:
    """Draw ``text`` in ``style``; return the image and the text's box in image coordinates.

    ``canvas`` makes a larger "photo" with the marking placed at ``at`` (top-left of the text), for
    crop tests. ``noise`` is the standard deviation of added Gaussian grain, in grey levels.
    ``font_name`` picks one of :data:`FONTS` (default: Noto Sans CJK, mono for stencils);
    ``downscale`` > 1 reduces the finished image (low resolution; the box is scaled too) and
    ``jpeg`` passes it through a JPEG of that quality.
    """
    rng = random.Random(seed)
    background, ink = _palette(style, rng)
    mask = _glyph_mask(text, size, style, font_name)
    margin = size // 2 if margin is None else margin
    if canvas is None:
        canvas = (mask.width + 2 * margin, mask.height + 2 * margin)
    if at is None:
        at = ((canvas[0] - mask.width) // 2, (canvas[1] - mask.height) // 2)

    full_mask = Image.new("L", canvas, 0)
    full_mask.paste(mask, at)
    image = Image.new("L", canvas, background)
    if style == "stamped":
        # Embossed look: a darker shadow one or two pixels below-right of the raised characters.
        shadow = ImageChops.offset(full_mask, 2, 2)
        image.paste(max(0, background - 35), (0, 0), shadow)
        full_mask = full_mask.filter(ImageFilter.GaussianBlur(0.8))
    image.paste(ink, (0, 0), full_mask)
    if style in ("stamped", "stencil", "painted"):
        # Uneven surface: low-frequency blotches.
        blotch = gaussian_noise((max(1, canvas[0] // 24), max(1, canvas[1] // 24)), 40, rng)
        blotch = blotch.resize(canvas, Image.Resampling.BICUBIC)
        image = Image.blend(image, ImageChops.add(image, blotch, 1.0, -128), 0.35)
    if style == "brushed":
        # Brushed metal: fine streaks along x (noise stretched along the rows) and a soft sheen.
        streaks = gaussian_noise((max(1, canvas[0] // 40), canvas[1]), 30, rng).resize(canvas, Image.Resampling.BICUBIC)
        fine = gaussian_noise((max(1, canvas[0] // 6), canvas[1]), 18, rng).resize(canvas, Image.Resampling.BILINEAR)
        image = ImageChops.add(image, streaks, 1.0, -128)
        image = ImageChops.add(image, fine, 1.0, -128)
        sheen = Image.linear_gradient("L").rotate(rng.choice([90, -90]), expand=True).resize(canvas)
        image = Image.blend(image, ImageChops.add(image, sheen, 1.0, -160), 0.3)
    if style == "painted":
        # Brush marks (streaks at an angle) and chips where the paint has flaked off to metal.
        strokes = gaussian_noise((max(1, canvas[0] // 30), max(1, canvas[1] // 3)), 25, rng)
        strokes = strokes.resize(canvas, Image.Resampling.BICUBIC)
        image = ImageChops.add(image, strokes, 1.0, -128)
        chips = ImageDraw.Draw(image)
        for _ in range(rng.randint(2, 8)):
            cx, cy = rng.randrange(canvas[0]), rng.randrange(canvas[1])
            r = rng.randint(1, max(2, size // 8))
            chips.ellipse([cx - r, cy - r // 2, cx + r, cy + r // 2], fill=rng.randint(100, 170))
    if style == "etched":
        # Moulded package texture: fine grain, and an uneven etch (some strokes fainter).
        image = ImageChops.add(image, gaussian_noise(canvas, 6, rng), 1.0, -128)
    box = (at[0], at[1], mask.width, mask.height)

    if rotation:
        image = image.rotate(rotation, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=background)
        box = _rotated_box(box, rotation, canvas)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        grain = gaussian_noise(canvas, noise, rng)
        image = ImageChops.add(image, grain, 1.0, -128)
    image = image.convert("RGB")
    if style == "painted":
        tint = rng.choice([(0.85, 1.0, 0.7), (0.8, 0.9, 1.0), (1.0, 0.95, 0.8)])  # olive, grey-blue, sand
        image = Image.merge("RGB", [band.point(lambda v, k=k: round(v * k)) for band, k in zip(image.split(), tint)])
    if downscale and downscale > 1:
        small = (max(1, round(canvas[0] / downscale)), max(1, round(canvas[1] / downscale)))
        image = image.resize(small, Image.Resampling.BOX)
        f = small[0] / canvas[0]
        box = (int(box[0] * f), int(box[1] * f), max(1, round(box[2] * f)), max(1, round(box[3] * f)))
    if jpeg:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=jpeg)
        buffer.seek(0)
        image = Image.open(buffer)
        image.load()
        image = image.convert("RGB")
    return Marking(image, text, box, style, rotation, noise, seed, font_name or "noto-sans", jpeg, downscale or 1.0)


def _rotated_box(box, degrees, size):
    """Bounding box of ``box`` after Pillow's counter-clockwise rotation about the image centre."""
    import math

    x, y, w, h = box
    cx, cy = size[0] / 2, size[1] / 2
    a = math.radians(degrees)
    corners = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]
    pts = [
        (cx + (px - cx) * math.cos(a) + (py - cy) * math.sin(a), cy - (px - cx) * math.sin(a) + (py - cy) * math.cos(a))
        for px, py in corners
    ]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (int(min(xs)), int(min(ys)), int(max(xs) - min(xs) + 0.5), int(max(ys) - min(ys) + 0.5))


def make_set(count: int = 60, seed: int = 2024) -> list[Marking]:
    """A varied set of markings with known truth, for the benchmark (reproducible from ``seed``).

    Scripts in turn: Latin, Cyrillic, Hangul, and etched chip markings (Latin on a dark package).
    Each marking gets a style (chip markings are always ``etched``), a font that covers its script
    (Hangul half the time from fonts-nanum when installed), a size, a rotation of up to 3 degrees,
    noise, blur, sometimes low resolution (reduced 1.5-3x, capitals never below ~11 px) and JPEG
    artefacts (quality 30-70). The image is a small "photo" with surface around the marking; crop
    with :func:`crop_box`.
    """
    rng = random.Random(seed)
    scripts = ["latin", "cyrillic", "hangul", "chip"]
    surface_styles = ["stamped", "stencil", "dark_on_light", "brushed", "painted"]
    out = []
    for i in range(count):
        script = scripts[i % len(scripts)]
        if script == "chip":
            style, text = "etched", rng.choice(CHIP_SAMPLES)
            fonts = [f for f in fonts_for("latin") if f in ("noto-sans-regular", "dejavu-sans", "dejavu-mono", "nanum-gothic")]
        else:
            style = surface_styles[(i // len(scripts)) % len(surface_styles)]
            text = rng.choice(SAMPLES[script])
            fonts = fonts_for(script)
            nanum = [f for f in fonts if f.startswith("nanum")]
            if script == "hangul" and nanum and rng.random() < 0.5:
                fonts = nanum
        size = rng.choice([20, 24, 32, 48, 64, 96])
        downscale = rng.choice([1.0, 1.0, 1.0, 1.5, 2.0, 3.0])
        downscale = min(downscale, max(1.0, size / 16))  # keep capitals at least ~11 px high
        out.append(
            make_marking(
                text,
                style,
                size=size,
                margin=size,
                rotation=rng.choice([0.0, 0.0, 1.0, -1.0, -2.0, 2.0, 3.0, -3.0]),
                noise=rng.choice([0.0, 8.0, 16.0, 24.0]),
                blur=rng.choice([0.0, 0.0, 0.6, 1.0]),
                seed=rng.randrange(1 << 30),
                font_name=rng.choice(fonts),
                jpeg=rng.choice([None, None, 30, 50, 70]),
                downscale=downscale,
            )
        )
    return out


# Words of Korean rating and maker plates (everyday Korean: model name, serial number, rated voltage,
# maker, date of make, AC, single- and three-phase, telephone...) and the Latin letters and digits
# written beside them, for :func:`make_nameplates`; made up, not copied from any photograph
PLATE_WORDS = ["모델명", "제조번호", "정격전압", "정격전류", "제조사", "제조년월", "형식", "주파수", "중량", "교류",
               "단상", "삼상", "전화", "고객센터", "정격출력", "사용전압", "제조국", "한국", "전력량계", "계기정수"]


def _plate_value(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    shapes = [
        lambda: "".join(rng.choice(letters) for _ in range(rng.randint(2, 3))) + "-" + str(rng.randint(100, 9999)),
        lambda: f"{rng.choice([110, 220, 380, 440])}V",
        lambda: f"{rng.choice([5, 10, 20, 40, 60])}({rng.choice([1, 2, 10])})A",
        lambda: f"{rng.choice([50, 60])}Hz",
        lambda: f"{rng.randint(2001, 2024)}.{rng.randint(1, 12):02d}",
        lambda: f"0{rng.randint(2, 64)}){rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        lambda: "".join(rng.choice(letters) for _ in range(3)) + str(rng.randint(1000, 9999)),
        lambda: f"{rng.randint(1, 9)}.{rng.randint(0, 9)}kg",
    ]
    return rng.choice(shapes)()


def make_nameplates(count: int = 40, seed: int = 11) -> list[Marking]:
    """Printed Korean nameplate lines (issue 18's held-out misses are of this kind): one or two
    Hangul words from :data:`PLATE_WORDS`, a colon sometimes, and a Latin/digit value (a model
    code, 220V, 60Hz, 2019.05, a telephone number), or the words alone; dark print on a light plate
    or engraved on brushed metal, 18-32 px high, at most 2 degrees off level, with noise, blur and
    JPEG artefacts as in :func:`make_set`. A slice of its own, on its own seeds."""
    rng = random.Random(seed)
    fonts = fonts_for("hangul")
    out = []
    for _ in range(count):
        words = " ".join(rng.sample(PLATE_WORDS, rng.choice([1, 1, 2])))
        form = rng.random()
        if form < 0.45:
            text = f"{words} : {_plate_value(rng)}"
        elif form < 0.8:
            text = f"{words} {_plate_value(rng)}"
        else:
            text = words
        size = rng.choice([18, 20, 24, 28, 32])
        out.append(make_marking(
            text, rng.choice(["dark_on_light", "dark_on_light", "brushed"]), size=size, margin=size,
            rotation=rng.choice([0.0, 0.0, 1.0, -1.0, 2.0, -2.0]), noise=rng.choice([0.0, 8.0, 16.0]),
            blur=rng.choice([0.0, 0.6, 1.0]), seed=rng.randrange(1 << 30), font_name=rng.choice(fonts),
            jpeg=rng.choice([None, 50, 70]), downscale=1.0))
    return out


def crop_box(marking: Marking, margin: float = 0.4) -> tuple[int, int, int, int]:
    """A crop (x, y, w, h) around the marking's text, ``margin`` times its height on each side,
    as a researcher would draw it; kept inside the image."""
    x, y, w, h = marking.box
    pad = max(3, round(margin * h))
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(marking.image.width, x + w + pad), min(marking.image.height, y + h + pad)
    return (x0, y0, x1 - x0, y1 - y0)


if __name__ == "__main__":  # write a contact sheet to look at: python tests/ocr_images.py /tmp/sheet.png
    import sys

    items = make_set(int(sys.argv[2]) if len(sys.argv) > 2 else 12)
    sheet = Image.new("RGB", (900, sum(min(crop_box(m)[3], 160) + 8 for m in items)), "white")
    y = 0
    for m in items:
        x0, y0, w0, h0 = crop_box(m)
        im = m.image.crop((x0, y0, x0 + w0, y0 + h0))
        if im.width > 900 or im.height > 160:
            im = im.copy()
            im.thumbnail((900, 160))
        sheet.paste(im, (0, y))
        y += im.height + 8
    sheet.save(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ocr_sheet.png")
