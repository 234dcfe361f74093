"""How large an image fieldkit will decode, checked from its header before a pixel is decoded.

A decompression bomb is a small file that claims a huge image: a 389 KB PNG of 1 x 200,000,000
pixels, a 7.5 KB WebP that took 3.1 GB to decode. Two limits, both read from the header that
`Image.open` parses (it decodes nothing):
- MAX_PIXELS, the total number of pixels (not only the sides): 120 megapixels, above every camera
  a researcher carries (a 24 MP camera, a 50 MP or 108 MP phone, a 102 MP medium format back).
- MAX_DECODED_BYTES, the memory that decoding would take, so that memory stays bounded for the
  bombs just under the pixel limit too. Pillow keeps 1 byte a pixel for 1/L/P images, 2 for 16-bit
  grey, 4 for every other mode (RGB is stored as RGBX); its WebP decoder holds about four such
  copies at once (measured: 16 MP took 260 MB), so a WebP counts four times.
"""

from __future__ import annotations

import importlib

from PIL import Image

MAX_PIXELS = 120_000_000
MAX_DECODED_BYTES = 512 * 2**20
_WORKING_COPIES = {"WEBP": 4}  # decoders that hold several full-size buffers while decoding

# Pillow's own check, which runs inside Image.open: it warns above this and refuses above twice
# it; the callers turn the warning into an error as well.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def bytes_per_pixel(mode: str) -> int:
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def decoded_bytes(image: Image.Image) -> int:
    """About how much memory decoding `image` (opened, not loaded) will take at its peak."""
    return image.width * image.height * bytes_per_pixel(image.mode) * _WORKING_COPIES.get(image.format or "", 1)


def too_large(image: Image.Image) -> str | None:
    """Why `image` (opened, not yet loaded) must not be decoded, or None if it may be."""
    pixels = image.width * image.height
    if pixels > MAX_PIXELS:
        return (f"is {image.width}×{image.height} pixels ({pixels / 1e6:,.0f} megapixels), more than "
                f"{MAX_PIXELS // 1_000_000} megapixels (a decompression bomb?); refused")
    if decoded_bytes(image) > MAX_DECODED_BYTES:
        return (f"is {image.width}×{image.height} pixels of {image.format or 'image'} {image.mode}, which would take "
                f"about {decoded_bytes(image) / 2**20:,.0f} MB to decode, more than {MAX_DECODED_BYTES // 2**20} MB "
                "(a decompression bomb?); refused")
    return None


# The Pillow plugin of each decoder fieldkit accepts. Pillow's `Image.open(..., formats=[...])` loads
# every plugin it has (about 40, 0.05 s) when one of the formats asked for is not yet registered;
# importing just these keeps a one-photo command quick (issue 17.7, 18 time per line).
_PLUGINS = {"JPEG": "JpegImagePlugin", "PNG": "PngImagePlugin", "TIFF": "TiffImagePlugin", "WEBP": "WebPImagePlugin",
            "BMP": "BmpImagePlugin", "GIF": "GifImagePlugin", "MPO": "MpoImagePlugin"}


def register_decoders(formats: list[str]) -> None:
    """Register the Pillow decoders of `formats` (names as in `Image.open(formats=...)`), and no others."""
    for name in formats:
        if name.upper() not in Image.OPEN and name.upper() in _PLUGINS:
            importlib.import_module(f"PIL.{_PLUGINS[name.upper()]}")
