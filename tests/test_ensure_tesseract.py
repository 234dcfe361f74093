"""scripts/ensure-tesseract.sh (run by `make run` and `make test`), with apt-get, tesseract and the
other tools it looks for replaced by stand-ins that log what they are asked: the Hangul script
model is installed pinned, else as the machine's release has it; where neither is there, apt is
tried once, not at every `make run`, since fieldkit reads Hangul without the model (and says so)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "ensure-tesseract.sh"
PINNED = "tesseract-ocr-script-hang=1:4.1.0-2"

pytestmark = pytest.mark.skipif(
    not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file()
    or not (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file() or shutil.which("python3") is None,
    reason="the script also looks for DejaVu Sans and Python's headers by their paths")


def stand_ins(tmp_path, *, apt_has: set[str]) -> Path:
    """A bin folder: root's `id`, tesseract with eng, kor and rus (and Hangul once apt installed it), the
    fonts, and an apt-get that logs each call and installs only the packages in `apt_has`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    state = tmp_path / "state"
    state.mkdir()
    scripts = {
        "id": "echo 0",
        "tesseract": f'echo "List of available languages:"; printf "eng\\nkor\\nrus\\n"; [ -f {state}/hangul ] && echo Hangul; true',
        "fc-list": 'printf "Noto Sans CJK JP\\nNanumGothic\\n"',
        "pkg-config": "exit 0",
        "chromium": "exit 0",
        "pdftoppm": "exit 0",
        "g++": "exit 0",
        "apt-get": (f'echo "$*" >> {state}/apt.log\n'
                    'for a in "$@"; do case "$a" in tesseract-ocr-script-hang*) '
                    f'case " {" ".join(sorted(apt_has))} " in *" $a "*) touch {state}/hangul; exit 0;; *) exit 100;; esac;; esac; done\n'
                    "exit 0"),
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    return bin_dir


def run(tmp_path, bin_dir) -> tuple[list[str], str]:
    """Run the script as `make run` does; what apt-get was asked (and the log is emptied), and stderr."""
    env = {"PATH": f"{bin_dir}:{os.path.dirname(shutil.which('python3'))}:/usr/bin:/bin", "HOME": str(tmp_path / "home"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    log = tmp_path / "state" / "apt.log"
    asked = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return [" ".join(word for word in a.split() if not word.startswith("-")) for a in asked], done.stderr


def test_the_hangul_model_comes_from_the_release_when_the_pinned_version_is_not_there(tmp_path):
    bin_dir = stand_ins(tmp_path, apt_has={"tesseract-ocr-script-hang"})
    asked, _ = run(tmp_path, bin_dir)
    # pinned first, else the release's own
    assert asked == ["update", f"install {PINNED}", "install tesseract-ocr-script-hang"]
    assert run(tmp_path, bin_dir)[0] == []  # installed: nothing more to do


def test_the_pinned_hangul_model_is_taken_when_apt_has_it(tmp_path):
    bin_dir = stand_ins(tmp_path, apt_has={PINNED})
    assert run(tmp_path, bin_dir)[0] == ["update", f"install {PINNED}"]
    assert run(tmp_path, bin_dir)[0] == []


def test_a_hangul_model_apt_does_not_have_is_tried_once_not_at_every_make_run(tmp_path):
    bin_dir = stand_ins(tmp_path, apt_has=set())
    asked, said = run(tmp_path, bin_dir)
    assert asked == ["update", f"install {PINNED}", "install tesseract-ocr-script-hang"]
    assert "Hangul lines will be read without tesseract's Hangul script model" in said
    for _ in range(2):
        assert run(tmp_path, bin_dir) == ([], "")  # the rest is there: apt is not run again


def test_without_root_or_sudo_the_hangul_hint_is_said_once_but_not_before_tesseract_is_there(tmp_path):
    bin_dir = stand_ins(tmp_path, apt_has=set())
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")  # not root, and no sudo on the stand-in PATH
    tesseract = bin_dir / "tesseract"
    installed = tesseract.read_text()
    tesseract.write_text('#!/bin/sh\necho "List of available languages:"\n')  # no language data yet
    said = run(tmp_path, bin_dir)[1]
    assert "OCR needs tesseract" in said and "Hangul script model" in said
    tesseract.write_text(installed)  # installed by hand: the Hangul hint is still given, once
    said = run(tmp_path, bin_dir)[1]
    assert "Hangul script model" in said and "OCR needs tesseract" not in said
    assert run(tmp_path, bin_dir) == ([], "")


def test_without_root_the_hangul_hint_is_said_once_even_where_build_headers_are_missing(tmp_path):
    bin_dir = stand_ins(tmp_path, apt_has=set())
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")
    (bin_dir / "pkg-config").write_text("#!/bin/sh\nexit 1\n")  # no libtesseract headers: not OCR's concern
    assert "Hangul script model" in run(tmp_path, bin_dir)[1]
    assert "Hangul script model" not in run(tmp_path, bin_dir)[1]
