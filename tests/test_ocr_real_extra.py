"""The extra real tuning lines (bench/ocr_real_extra.json): labels only, each naming the public
photo it was read from, pinned to a commit; the bench reads the photo from a fetched snapshot and
says what to fetch when there is none."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench")]

from ocr_real_extra import LABELS, photo_bytes  # noqa: E402

SCRIPTS = {"latin", "cyrillic", "hangul", "mixed"}


def test_every_line_names_its_photo_at_a_commit_with_its_licence():
    lines = json.loads(LABELS.read_text(encoding="utf-8"))["lines"]
    assert lines
    for name, line in lines.items():
        assert re.fullmatch(r"[\w.-]+/[\w.-]+ \S+@[0-9a-f]{40}", line["source"]), name
        assert line["licence"] and line["text"].strip() and line["script"] in SCRIPTS
        x, y, w, h = line["crop"]
        assert min(x, y) >= 0 and min(w, h) > 0


def test_a_missing_snapshot_is_named_with_what_to_fetch(tmp_path):
    said = photo_bytes("owner/repo img/a.jpg@" + "0" * 40, tmp_path)
    assert said == f"no snapshot of owner/repo under {tmp_path} (fetch github:owner/repo first)"


def test_the_photo_is_read_from_the_snapshot_at_the_commit(tmp_path):
    repo = tmp_path / "owner+repo" / "repo"
    repo.mkdir(parents=True)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (repo / "img").mkdir()
    (repo / "img" / "a.jpg").write_bytes(b"first")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    (repo / "img" / "a.jpg").write_bytes(b"second")
    subprocess.run([*git, "commit", "-qam", "two"], check=True)
    assert photo_bytes(f"owner/repo img/a.jpg@{commit}", tmp_path) == b"first"
    assert "is not in the snapshot" in photo_bytes(f"owner/repo img/b.jpg@{commit}", tmp_path)
