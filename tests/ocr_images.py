"""Synthetic marking images for the OCR tests and the OCR benchmark.

Every image is drawn with Pillow at run time (no binary fixtures in the repository), from a seed, so
a failing case can be regenerated exactly. The styles imitate what a researcher photographs:

- ``stamped``: light, slightly embossed characters on dark, grainy metal;
- ``stencil``: dark paint on an olive body, with the bridges a stencil leaves in each glyph;
- ``dark_on_light``: dark print on a light label.

Options add a rotation (a photo taken slightly askew), sensor noise and blur.

Fonts: Noto Sans CJK (Debian package ``fonts-noto-cjk``) is used for every script, because one
font covers Latin, Cyrillic and Hangul.
"""

from __future__ import annotations

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

STYLES = ("stamped", "stencil", "dark_on_light")

# Truth strings used by the tests and the benchmark, by script.
SAMPLES = {
    "latin": ["9M22U 4-23", "LOT 12-87-270", "KH-179 06-21", "BATCH 0417", "M430A1 LOT 77"],
    "cyrillic": ["9М22У 4-23", "ОФ-462", "ПАРТИЯ 12-87", "ЗАВОД 270 83", "БК-6М 1-19"],
    "hangul": ["주체112", "주체113", "제조 2023", "주체 111-4", "탄약 17"],
}
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


def font(size: int, weight: str = "bold", family: str = "sans") -> ImageFont.FreeTypeFont:
    """A Noto Sans CJK font that covers Latin, Cyrillic and Hangul."""
    path = FONT_FILES[weight]
    if not Path(path).exists():
        raise RuntimeError(f"font {path} is missing: install it with `sudo apt-get install {FONT_PACKAGE}`")
    return ImageFont.truetype(path, size, index=FONT_INDEX[family])


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
    raise ValueError(f"unknown style {style!r}; choose from {', '.join(STYLES)}")


def _glyph_mask(text: str, size: int, style: str) -> Image.Image:
    """White-on-black mask of the text, with stencil bridges cut into it for the stencil style."""
    family = "mono" if style == "stencil" else "sans"
    f = font(size, "bold", family)
    left, top, right, bottom = f.getbbox(text)
    mask = Image.new("L", (right - left + 2, bottom - top + 2), 0)
    draw = ImageDraw.Draw(mask)
    draw.text((-left + 1, -top + 1), text, font=f, fill=255)
    if style == "stencil":
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
) -> Marking:
    """Draw ``text`` in ``style``; return the image and the text's box in image coordinates.

    ``canvas`` makes a larger "photo" with the marking placed at ``at`` (top-left of the text), for
    crop tests. ``noise`` is the standard deviation of added Gaussian grain, in grey levels.
    """
    rng = random.Random(seed)
    background, ink = _palette(style, rng)
    mask = _glyph_mask(text, size, style)
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
    if style in ("stamped", "stencil"):
        # Uneven surface: low-frequency blotches.
        blotch = gaussian_noise((max(1, canvas[0] // 24), max(1, canvas[1] // 24)), 40, rng)
        blotch = blotch.resize(canvas, Image.Resampling.BICUBIC)
        image = Image.blend(image, ImageChops.add(image, blotch, 1.0, -128), 0.35)
    box = (at[0], at[1], mask.width, mask.height)

    if rotation:
        image = image.rotate(rotation, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=background)
        box = _rotated_box(box, rotation, canvas)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        grain = gaussian_noise(canvas, noise, rng)
        image = ImageChops.add(image, grain, 1.0, -128)
    return Marking(image.convert("RGB"), text, box, style, rotation, noise, seed)


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
    """A varied set of markings across scripts and styles, with known truth, for the benchmark."""
    rng = random.Random(seed)
    scripts = list(SAMPLES)
    out = []
    for i in range(count):
        script = scripts[i % len(scripts)]
        style = STYLES[(i // len(scripts)) % len(STYLES)]
        text = rng.choice(SAMPLES[script])
        out.append(
            make_marking(
                text,
                style,
                size=rng.choice([18, 24, 32, 48, 64, 96]),
                rotation=rng.choice([0.0, 0.0, 1.0, -2.0, 2.0, 3.0]),
                noise=rng.choice([0.0, 8.0, 16.0, 24.0]),
                blur=rng.choice([0.0, 0.0, 0.6, 1.0]),
                seed=rng.randrange(1 << 30),
            )
        )
    return out


if __name__ == "__main__":  # write a contact sheet to look at: python tests/ocr_images.py /tmp/sheet.png
    import sys

    items = make_set(12)
    sheet = Image.new("RGB", (900, sum(min(m.image.height, 160) + 8 for m in items)), "white")
    y = 0
    for m in items:
        im = m.image
        if im.width > 900 or im.height > 160:
            im = im.copy()
            im.thumbnail((900, 160))
        sheet.paste(im, (0, y))
        y += im.height + 8
    sheet.save(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ocr_sheet.png")
