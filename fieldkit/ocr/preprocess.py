"""Image preprocessing before OCR: named Pillow pipelines that make a marking easy for tesseract.

A photographed marking is rarely what tesseract expects (dark, level text of about 30-40 px on a
clean light background). Each pipeline is a list of small steps:

- ``grayscale`` and ``autocontrast`` (stretch the grey levels, ignoring 1% outliers at each end);
- ``auto_invert``: light text on a dark surface (stamped or etched metal) is inverted, judged by the
  median grey level, which is the background's when text covers less than half the image;
- ``deskew``: the small rotation (within +/-5 degrees) that makes text rows sharpest;
- ``scale_text``: resize so that the measured text line is about ``TARGET_TEXT_HEIGHT`` px high;
- ``denoise``: a 3x3 median filter against sensor grain and rust speckle (after scaling, so that
  it never erases the strokes of small text);
- ``flatten``: remove uneven background (paint blotches, rust, shading) by subtracting a local
  background estimate;
- ``threshold``: Otsu binarisation;
- ``pad``: a border of the background's grey, which tesseract's layout analysis wants.

Measured on synthetic markings (bench/ocr_accuracy.py): scaling + median + flattening gave the
lowest error of any single pipeline; deskewing did not help (psm 7 copes with a few degrees).

Geometric steps record what they did in a :class:`Transform`, so that boxes found on the processed
image can be mapped back to the source image (:meth:`Transform.to_source`).

For a single-line crop, more pipelines are worth trying (bench/ocr_accuracy.py, 240 crops of two
seeds, each figure the number read exactly when the pipeline is tried alone or beside the others):

- ``thickened``: a 3x3 minimum filter thickens the dark strokes once the background is flat; it fills
  the bridges a stencil leaves in each glyph and the breaks of thin etching;
- ``closed``: the same thickening followed by a 3x3 maximum filter (a morphological closing), which
  fills the bridges but keeps the strokes' width;
- ``flattened_small``: text scaled to SMALL_TEXT_HEIGHT px instead of TARGET_TEXT_HEIGHT, which
  suits small, blurred or JPEG-damaged text better;
- ``crop_thickened`` and ``crop_streaks_closed``: text height taken from the crop (a crop drawn
  around one line: the text is about CROP_TEXT_SHARE of its height) instead of measured, for the
  crops where brushed streaks or paint texture make the measurement see text everywhere; the second
  also removes horizontal streaks (``remove_streaks``: background per row, as the brightest level
  within about one and a half text heights along the row) before flattening.

Pure Pillow: no numpy. ``apply(image, "gray")`` returns the processed image; ``prepare`` returns the
image and its transform; ``prepare_many`` runs several pipelines and computes each shared prefix of
steps (grey levels, the text-height measurement, scaling ...) once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

TARGET_TEXT_HEIGHT = 36  # px: the height of a text line tesseract reads best (cap height ~30-40 px)
SMALL_TEXT_HEIGHT = 28  # px: the alternative height of ``flattened_small``
CROP_TEXT_SHARE = 0.4  # measured text height / height of a crop drawn around one line (margins included)
STREAK_WINDOW = 1.5  # remove_streaks: the row background is sought this many text heights along the row
MIN_SCALE, MAX_SCALE = 0.25, 4.0
MAX_OUTPUT_PIXELS = 16_000_000  # never upscale beyond this
MAX_OUTPUT_SIDE = 30_000  # px; tesseract refuses an image wider or taller than 32,767 (padding included)
MAX_UNKNOWN_PIXELS = 3_000_000  # a photo whose text size cannot be measured is reduced to this
DESKEW_RANGE = 5.0  # degrees either way
DESKEW_STEP = 0.5
FLATTEN_WINDOW = 9  # px, odd: wider than a stroke of text TARGET_TEXT_HEIGHT high


@dataclass
class Transform:
    """How the processed image relates to the source: rotation, then scaling, then padding."""

    source_size: tuple[int, int]
    angle: float = 0.0  # degrees, Pillow's counter-clockwise rotation about the source centre
    scale: float = 1.0
    pad: int = 0
    text_height: int | None = None  # px on the (rotated) source, as measured by measure_text

    def to_source(self, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """Map an (x, y, w, h) box on the processed image to the bounding box on the source."""
        x, y, w, h = box
        corners = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]
        pts = []
        for px, py in corners:
            px, py = (px - self.pad) / self.scale, (py - self.pad) / self.scale
            if self.angle:
                px, py = self._unrotate(px, py)
            pts.append((px, py))
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        sw, sh = self.source_size
        x0, y0 = max(0, math.floor(min(xs))), max(0, math.floor(min(ys)))
        x1, y1 = min(sw, math.ceil(max(xs))), min(sh, math.ceil(max(ys)))
        return (x0, y0, max(0, x1 - x0), max(0, y1 - y0))

    def _unrotate(self, px: float, py: float) -> tuple[float, float]:
        # Pillow's rotate(angle) turns content counter-clockwise on screen (y down); undo it.
        cx, cy = self.source_size[0] / 2, self.source_size[1] / 2
        a = math.radians(self.angle)
        dx, dy = px - cx, py - cy
        return (cx + dx * math.cos(a) - dy * math.sin(a), cy + dx * math.sin(a) + dy * math.cos(a))


Step = Callable[[Image.Image, Transform], Image.Image]


# ---------------------------------------------------------------- measurements


def otsu_threshold(gray: Image.Image) -> int:
    """The grey level that best separates the histogram of a greyscale image into two classes."""
    hist = gray.histogram()[:256]
    total = sum(hist)
    if total == 0:
        return 128
    sum_all = sum(i * n for i, n in enumerate(hist))
    sum_b = weight_b = 0
    best, best_t = -1.0, 128
    for t in range(256):
        weight_b += hist[t]
        if weight_b == 0:
            continue
        weight_f = total - weight_b
        if weight_f == 0:
            break
        sum_b += t * hist[t]
        mean_b = sum_b / weight_b
        mean_f = (sum_all - sum_b) / weight_f
        between = weight_b * weight_f * (mean_b - mean_f) ** 2
        if between > best:
            best, best_t = between, t
    return best_t


def median_level(gray: Image.Image) -> int:
    """The median grey level of a greyscale image."""
    hist = gray.histogram()[:256]
    half, seen = sum(hist) / 2, 0
    for level, n in enumerate(hist):
        seen += n
        if seen >= half:
            return level
    return 255


def _ink_mask(gray: Image.Image) -> Image.Image:
    """255 where a (dark-text-on-light) greyscale image has ink, by Otsu's threshold."""
    t = otsu_threshold(gray)
    return gray.point(lambda v: 255 if v <= t else 0)


def _row_profile(mask: Image.Image) -> list[float]:
    """Share of ink in each row (0..255), computed by Pillow's box reduction to one column."""
    column = mask.resize((1, mask.height), Image.Resampling.BOX)
    flat = getattr(column, "get_flattened_data", None) or column.getdata  # Pillow >= 12.1 / older
    return list(flat())


def _shift_left(image: Image.Image, n: int) -> Image.Image:
    """The image moved ``n`` px left (``n`` < 0: right), the uncovered columns black."""
    out = Image.new(image.mode, image.size, 0)
    if abs(n) < image.width:
        out.paste(image.crop((max(0, n), 0, image.width + min(0, n), image.height)), (max(0, -n), 0))
    return out


def _row_max(image: Image.Image, size: int) -> Image.Image:
    """Each pixel the brightest within ``size`` (odd) px along its row, inside the image."""
    radius = size // 2
    # Black margins never win a maximum; on the padded copy, the window [x, x + size) of column x
    # is the window [x - radius, x + radius] of the image's column x.
    out = ImageOps.expand(image, border=(radius, 0, radius, 0), fill=0)
    span = 1
    while span * 2 <= size:  # out[x] = max over [x, x + span)
        out = ImageChops.lighter(out, _shift_left(out, span))
        span *= 2
    if span < size:
        out = ImageChops.lighter(out, _shift_left(out, size - span))
    return out.crop((0, 0, image.width, image.height))


def max_filter(image: Image.Image, size: int) -> Image.Image:
    """The same as ``image.filter(ImageFilter.MaxFilter(size))`` for a greyscale image, computed as a
    row pass and a column pass (a few operations per doubling of the window instead of size² per
    pixel): several times faster for the wide windows of the background estimates."""
    rows = _row_max(image, size)
    return _row_max(rows.transpose(Image.Transpose.TRANSPOSE), size).transpose(Image.Transpose.TRANSPOSE)


def _level_background(gray: Image.Image) -> Image.Image:
    """A copy with slow changes of the background (brushed-metal streaks, paint blotches, shading)
    removed, for measuring only: the local background is the brightest level within about half the
    image's height (on a copy reduced to ~40 rows), and ink is how much darker a pixel is. Without
    it, Otsu's threshold splits a textured surface instead of text from surface, and the text
    appears to fill the whole crop."""
    factor = max(1, gray.height // 40)
    small = gray.reduce(factor) if factor > 1 else gray
    window = min(31, max(3, (small.height // 2) | 1))
    background = max_filter(small, window).filter(ImageFilter.GaussianBlur(window / 3))
    background = background.resize(gray.size, Image.Resampling.BILINEAR)
    return ImageOps.autocontrast(ImageOps.invert(ImageChops.subtract(background, gray)), cutoff=1)


def text_rows(gray: Image.Image) -> list[int]:
    """Heights in px of the bands of rows that hold text in a dark-on-light image, top to bottom.

    Rows holding a good share of ink (a fifth of the inkiest row's) form bands; slivers under 3 px
    are ignored. Empty when no rows stand out (text filling the whole crop, or a textured photo).
    """
    work, factor = gray, 1.0
    if gray.width > 1600:  # measure large photos on a reduced copy
        factor = gray.width / 1600
        work = gray.resize((1600, max(1, round(gray.height / factor))), Image.Resampling.BOX)
    mask = _ink_mask(_level_background(work.filter(ImageFilter.MedianFilter(3))))
    profile = _row_profile(mask)
    peak = max(profile, default=0)
    if peak <= 0:
        return []
    if sorted(profile)[len(profile) // 5] > 0.4 * peak:
        # Even the emptiest rows hold much "ink": the threshold split a textured background, not
        # text from paper (a whole photo); no rows can be told apart as text.
        return []
    limit = peak * 0.2
    bands: list[list[int]] = []  # [start, end) row ranges
    start = None
    for i, v in enumerate(profile + [0]):
        if v > limit and start is None:
            start = i
        elif v <= limit and start is not None:
            bands.append([start, i])
            start = None
    # Join bands split by a small gap: Hangul syllables stack their letters (약), and accents or
    # the dot of a small i stand apart from the line.
    merged: list[list[int]] = []
    for band in bands:
        if merged:
            last = merged[-1]
            gap = band[0] - last[1]
            if gap <= 0.35 * max(last[1] - last[0], band[1] - band[0]):
                last[1] = band[1]
                continue
        merged.append(band)
    return [max(1, round((end - begin) * factor)) for begin, end in merged if end - begin >= 3]


def text_line_height(gray: Image.Image) -> int | None:
    """Estimated height in px of one text line (the tallest band of text rows), or None.

    None also when the bands cover under a fifth of the image: then the image is mostly not text
    (a whole photo with a small marking somewhere) and the rows say nothing reliable.
    """
    rows = text_rows(gray)
    if not rows or sum(rows) < 0.2 * gray.height:
        return None
    return max(rows)


def looks_like_one_line(gray: Image.Image) -> bool:
    """Whether a dark-on-light image is a crop around one line of text (one band, a quarter of
    the height or more)."""
    rows = text_rows(gray)
    return len(rows) == 1 and rows[0] >= 0.25 * gray.height


def skew_angle(gray: Image.Image) -> float:
    """The rotation (degrees, Pillow's sense) within +/-DESKEW_RANGE that makes text rows sharpest.

    Sharpness is the sum of squared row ink shares: level text concentrates ink in few rows.
    Measured on a copy at most 400 px wide, so it costs a few milliseconds.
    """
    work = gray
    if work.width > 400:
        work = work.resize((400, max(1, round(work.height * 400 / work.width))), Image.Resampling.BOX)
    mask = _ink_mask(work)

    def sharpness(angle: float) -> float:
        rotated = mask.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0) if angle else mask
        return sum(v * v for v in _row_profile(rotated))

    level = sharpness(0.0)
    steps = int(DESKEW_RANGE / DESKEW_STEP)
    scores = {i * DESKEW_STEP: sharpness(i * DESKEW_STEP) for i in range(-steps, steps + 1) if i}
    best_angle = max(scores, key=scores.get)
    # Rotate only when another angle is clearly sharper than leaving the image as it is.
    return best_angle if scores[best_angle] > level * 1.02 else 0.0


# ---------------------------------------------------------------- steps


def grayscale(image: Image.Image, t: Transform) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("L")


def autocontrast(image: Image.Image, t: Transform) -> Image.Image:
    return ImageOps.autocontrast(image, cutoff=1)


def auto_invert(image: Image.Image, t: Transform) -> Image.Image:
    """Invert light-on-dark text so that text is always dark on light."""
    return ImageOps.invert(image) if median_level(image) < 128 else image


def denoise(image: Image.Image, t: Transform) -> Image.Image:
    return image.filter(ImageFilter.MedianFilter(3))


def deskew(image: Image.Image, t: Transform) -> Image.Image:
    angle = skew_angle(image)
    if not angle:
        return image
    t.angle = angle
    fill = 255  # the image is dark-on-light by now
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)


def measure_text(image: Image.Image, t: Transform) -> Image.Image:
    """Measure the height of the text line (recorded in the transform; the image is unchanged)."""
    t.text_height = text_line_height(image)
    return image


def _scale_to(image: Image.Image, t: Transform, height: float | None, target: int) -> Image.Image:
    if height:
        scale = min(MAX_SCALE, max(MIN_SCALE, target / height))
    else:  # text size unknown (a whole photo): only bring a large image down to a workable size
        scale = min(1.0, math.sqrt(MAX_UNKNOWN_PIXELS / (image.width * image.height)))
    if image.width * image.height * scale * scale > MAX_OUTPUT_PIXELS:
        scale = min(scale, math.sqrt(MAX_OUTPUT_PIXELS / (image.width * image.height)))
    scale = min(scale, MAX_OUTPUT_SIDE / max(image.width, image.height))
    if abs(scale - 1.0) < 0.1:
        return image
    t.scale = scale
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    resample = Image.Resampling.BICUBIC if scale > 1 else Image.Resampling.LANCZOS
    # Record the exact scale actually applied (rounding of the size).
    t.scale = size[0] / image.width
    return image.resize(size, resample)


def scale_text(image: Image.Image, t: Transform) -> Image.Image:
    """Scale so that the text line is TARGET_TEXT_HEIGHT px high (measured here unless measure_text ran)."""
    height = t.text_height if t.text_height is not None else text_line_height(image)
    return _scale_to(image, t, height, TARGET_TEXT_HEIGHT)


def scale_text_small(image: Image.Image, t: Transform) -> Image.Image:
    """Scale so that the text line is SMALL_TEXT_HEIGHT px high."""
    height = t.text_height if t.text_height is not None else text_line_height(image)
    return _scale_to(image, t, height, SMALL_TEXT_HEIGHT)


def scale_crop(image: Image.Image, t: Transform) -> Image.Image:
    """Scale a crop drawn around one line of text as if its text were CROP_TEXT_SHARE of its height."""
    return _scale_to(image, t, CROP_TEXT_SHARE * image.height, TARGET_TEXT_HEIGHT)


def threshold(image: Image.Image, t: Transform) -> Image.Image:
    level = otsu_threshold(image)
    return image.point(lambda v: 0 if v <= level else 255)


def flatten(image: Image.Image, t: Transform) -> Image.Image:
    """Even out the background (blotchy paint, rust, uneven light) and keep the ink.

    The local background is the brightest level around each pixel (a max filter wider than a
    stroke at the target text height, computed on a copy reduced 3x to keep it cheap), smoothed;
    the ink is how much darker a pixel is than that.
    """
    small = image.reduce(3) if min(image.size) >= 3 * FLATTEN_WINDOW else image
    factor = image.width / small.width
    window = max(3, round(FLATTEN_WINDOW / factor) | 1)
    background = small.filter(ImageFilter.MaxFilter(window)).filter(ImageFilter.GaussianBlur(window / 2))
    background = background.resize(image.size, Image.Resampling.BILINEAR)
    ink = ImageChops.subtract(background, image)
    return ImageOps.autocontrast(ImageOps.invert(ink), cutoff=1)


def remove_streaks(image: Image.Image, t: Transform) -> Image.Image:
    """Even out horizontal streaks (brushed metal): the background of each pixel is the brightest
    level within STREAK_WINDOW text heights along its row, so a streak darker than the surface
    around it, which runs along the row, is not taken for ink."""
    width = max(5, round(STREAK_WINDOW * TARGET_TEXT_HEIGHT) | 1)  # the text is TARGET_TEXT_HEIGHT high by now
    background = _row_max(image, width).filter(ImageFilter.BoxBlur(2))
    ink = ImageChops.subtract(background, image)
    return ImageOps.autocontrast(ImageOps.invert(ink), cutoff=1)


def thicken(image: Image.Image, t: Transform) -> Image.Image:
    """Thicken dark strokes by a pixel each way (3x3 minimum filter): fills stencil bridges and
    breaks in thin etching."""
    return image.filter(ImageFilter.MinFilter(3))


def close(image: Image.Image, t: Transform) -> Image.Image:
    """Fill gaps of up to two pixels in dark strokes and keep their width (3x3 closing)."""
    return image.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.MaxFilter(3))


def pad(image: Image.Image, t: Transform) -> Image.Image:
    """Add a border of the background's grey level (a white frame around a grey image is an edge
    tesseract may read as a character)."""
    border = max(10, TARGET_TEXT_HEIGHT // 2)
    t.pad = border
    fill = median_level(image) if image.mode == "L" else (255, 255, 255)
    return ImageOps.expand(image, border=border, fill=fill)


def as_is(image: Image.Image, t: Transform) -> Image.Image:
    """The baseline: the image exactly as given (RGB), for comparison."""
    return image.convert("RGB") if image.mode not in ("RGB", "L") else image


_LEVELS = [grayscale, autocontrast, auto_invert]
_MEASURED = [*_LEVELS, measure_text]
PIPELINES: dict[str, list[Step]] = {
    "raw": [as_is],
    "gray": [*_MEASURED, scale_text, pad],
    "denoised": [*_MEASURED, scale_text, denoise, pad],
    "flattened": [*_MEASURED, scale_text, denoise, flatten, pad],
    "binarised": [*_MEASURED, scale_text, denoise, flatten, threshold, pad],
    "deskewed": [*_LEVELS, deskew, measure_text, scale_text, denoise, flatten, pad],
    "flattened_small": [*_MEASURED, scale_text_small, denoise, flatten, pad],
    "thickened": [*_MEASURED, scale_text, denoise, flatten, thicken, pad],
    "closed": [*_MEASURED, scale_text, denoise, flatten, close, pad],
    # For a crop around one line only: the text height is taken from the crop's height.
    "crop_thickened": [*_LEVELS, scale_crop, denoise, flatten, thicken, pad],
    "crop_streaks_closed": [*_LEVELS, scale_crop, denoise, remove_streaks, flatten, close, pad],
}


def _steps_of(pipeline: str) -> list[Step]:
    try:
        return PIPELINES[pipeline]
    except KeyError:
        raise ValueError(f"unknown preprocessing pipeline {pipeline!r}; choose from {', '.join(PIPELINES)}") from None


def prepare(image: Image.Image, pipeline: str) -> tuple[Image.Image, Transform]:
    """Run a named pipeline; return the processed image and how it maps back to ``image``."""
    return prepare_many(image, [pipeline])[0]


def prepare_many(image: Image.Image, pipelines: list[str]) -> list[tuple[Image.Image, Transform]]:
    """Run several named pipelines on ``image``, computing each prefix of steps they share once.

    The result is the same as ``[prepare(image, p) for p in pipelines]``: steps never change their
    input image, and each pipeline gets its own copy of the transform where it branches off.
    """
    done: dict[tuple[Step, ...], tuple[Image.Image, Transform]] = {(): (image, Transform(source_size=image.size))}
    out = []
    for name in pipelines:
        steps = _steps_of(name)
        k = len(steps)
        while tuple(steps[:k]) not in done:
            k -= 1
        current, t = done[tuple(steps[:k])]
        for i in range(k, len(steps)):
            t = replace(t)
            current = steps[i](current, t)
            done[tuple(steps[: i + 1])] = (current, t)
        out.append((current, replace(t)))
    return out


def apply(image: Image.Image, pipeline: str) -> Image.Image:
    """Run a named pipeline on ``image`` and return the processed image."""
    return prepare(image, pipeline)[0]


def turn(image: Image.Image, degrees: float) -> Image.Image:
    """The image turned ``degrees`` counter-clockwise, grown to hold all of it; the corners
    filled with the image's median grey (right angles are exact transposes)."""
    degrees = degrees % 360
    exact = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
    if degrees in exact:
        return image.transpose(exact[degrees])
    rgb = image.convert("RGB")
    fill = tuple(int(v) for v in ImageStat.Stat(rgb).median)
    return rgb.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def unroll_ring(image: Image.Image, centre: tuple[float, float], inner: float, outer: float, start: float = 90.0) -> Image.Image:
    """The ring between radii ``inner`` and ``outer`` around ``centre`` (text around a circle, such
    as a cartridge headstamp) unrolled into a strip: the outer edge along the top, clockwise from
    ``start`` degrees (0 = 3 o'clock, 90 = 6 o'clock, in image coordinates) from left to right.

    The strip is as wide as the ring's middle circle is long, and as high as the ring; built with
    Pillow's MESH transform, one narrow quadrilateral of the ring per column block.
    """
    cx, cy = centre
    if not 0 <= inner < outer:
        raise ValueError("the ring's inner radius must be at least 0 and less than its outer radius")
    height = max(1, round(outer - inner))
    width = max(8, round(math.pi * (inner + outer)))
    steps = min(width, 720)
    mesh = []
    for i in range(steps):
        x0, x1 = round(i * width / steps), round((i + 1) * width / steps)
        a0 = math.radians(start + 360.0 * x0 / width)
        a1 = math.radians(start + 360.0 * x1 / width)

        def at(angle: float, radius: float) -> tuple[float, float]:
            return cx + radius * math.cos(angle), cy + radius * math.sin(angle)

        # MESH quads list the source corners for the box's top left, bottom left, bottom right, top right
        quad = (*at(a0, outer), *at(a0, inner), *at(a1, inner), *at(a1, outer))
        mesh.append(((x0, 0, x1, height), quad))
    return image.transform((width, height), Image.Transform.MESH, mesh, resample=Image.Resampling.BICUBIC)
