"""Opening a photo registers only the decoders fieldkit accepts, not every Pillow plugin (a one-photo
command stays quick), and a format outside them is still refused."""

import subprocess
import sys

import pytest
from PIL import Image

from fieldkit.errors import PhotoError
from fieldkit.ocr.engine import open_image

SCRIPT = """
import sys
from PIL import Image
from fieldkit.ocr.engine import open_image
open_image(sys.argv[1])
plugins = sorted(m.removeprefix('PIL.') for m in sys.modules if m.startswith('PIL.') and m.endswith('ImagePlugin'))
print(' '.join(plugins))
"""


def test_opening_a_png_for_ocr_loads_only_the_accepted_decoders(tmp_path):
    photo = tmp_path / "line.png"
    Image.new("RGB", (40, 20), "white").save(photo)
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(photo)], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert {"PngImagePlugin", "TiffImagePlugin", "WebPImagePlugin"} <= loaded
    assert not loaded & {"PsdImagePlugin", "EpsImagePlugin", "PdfImagePlugin", "IcoImagePlugin", "TgaImagePlugin"}


def test_a_format_outside_the_accepted_ones_is_still_refused(tmp_path):
    photo = tmp_path / "line.tga"
    Image.new("RGB", (40, 20), "white").save(photo, format="TGA")
    with pytest.raises(PhotoError, match="not a readable image"):
        open_image(photo)
