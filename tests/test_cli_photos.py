"""The `fieldkit photo add | list` contract: output per file, one-line errors, exit codes, JSON."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

from fieldkit.cli import cli
from tests.photo_files import jpeg_bytes, png_bytes, png_claiming, write


@pytest.fixture
def run(db_path):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, ["--db", str(db_path), "--actor", "tester", *args])

    assert invoke("item", "add", "--category", "rocket", "--ref", "EX-1").exit_code == 0
    return invoke


def test_photo_add_prints_sha256_and_stored_name_per_file(run, tmp_path):
    a = write(tmp_path / "a.jpg", jpeg_bytes())
    b = write(tmp_path / "b.png", png_bytes())
    result = run("photo", "add", "EX-1", str(a), str(b), "--caption", "stencil")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for line, path, ext in zip(lines, (a, b), ("jpg", "png")):
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        assert line.split()[:2] == [sha, f"{sha[:2]}/{sha}.{ext}"]


def test_photo_add_with_a_bad_file_stores_the_rest_and_exits_2(run, tmp_path):
    good = write(tmp_path / "good.jpg", jpeg_bytes())
    bomb = write(tmp_path / "bomb.png", png_claiming(30000, 30000))
    result = run("photo", "add", "EX-1", str(bomb), str(good))
    assert result.exit_code == 2
    assert "error:" in result.output and "bomb.png" in result.output and "decompression bomb" in result.output
    assert "Traceback" not in result.output
    assert len(json.loads(run("photo", "list", "EX-1", "--json").output)) == 1


def test_photo_add_of_a_folder_adds_the_photos_directly_inside_it(run, tmp_path):
    (tmp_path / "site").mkdir()
    write(tmp_path / "site" / "b.png", png_bytes())
    write(tmp_path / "site" / "a.jpg", jpeg_bytes())
    write(tmp_path / "site" / "notes.txt", b"not a photo")
    result = run("photo", "add", "EX-1", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    assert [p["original_name"] for p in json.loads(run("photo", "list", "EX-1", "--json").output)] == ["a.jpg", "b.png"]
    (tmp_path / "empty").mkdir()
    refused = run("photo", "add", "EX-1", str(tmp_path / "empty"))
    assert refused.exit_code == 2 and refused.output.startswith("error:") and "no photos in this folder" in refused.output


def test_photo_add_to_an_unknown_item_is_a_one_line_error(run, tmp_path):
    result = run("photo", "add", "NOPE", str(write(tmp_path / "a.jpg", jpeg_bytes())))
    assert result.exit_code == 2
    assert result.output.startswith("error: no item with ref 'NOPE'")


def test_photo_list_json_has_hashes_and_exif(run, tmp_path):
    run("photo", "add", "EX-1", str(write(tmp_path / "a.jpg", jpeg_bytes())))
    [row] = json.loads(run("photo", "list", "EX-1", "--json").output)
    assert row["sha256"] == hashlib.sha256(jpeg_bytes()).hexdigest()
    assert row["camera_make"] == "fieldkit test camera"
    assert row["exif_time"] == "2024-01-03T14:05:22"
    text = run("photo", "list", "EX-1").output
    assert row["sha256"] in text and "a.jpg" in text


def test_photos_csv_carries_hashes_and_exif(run, tmp_path):
    import csv

    run("photo", "add", "EX-1", str(write(tmp_path / "a.jpg", jpeg_bytes())))
    assert run("export", "csv", str(tmp_path / "out")).exit_code == 0
    with open(tmp_path / "out" / "photos.csv", newline="", encoding="utf-8") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["item_ref"] == "EX-1"
    assert row["sha256"] == hashlib.sha256(jpeg_bytes()).hexdigest()
    for column in ("stored_path", "exif_time", "gps_lat", "gps_lon", "camera_make", "camera_model", "exif_json"):
        assert row[column], column


def test_a_caption_given_again_for_a_linked_photo_is_kept_and_reported(run, tmp_path):
    a = write(tmp_path / "a.jpg", jpeg_bytes())
    assert run("photo", "add", "EX-1", str(a)).exit_code == 0
    again = run("photo", "add", "EX-1", str(a), "--caption", "stencil on motor section")
    assert again.exit_code == 0 and "already linked to this item" in again.output and "caption set" in again.output
    assert json.loads(run("photo", "list", "EX-1", "--json").output)[0]["caption"] == "stencil on motor section"
    changed = run("photo", "add", "EX-1", str(a), "--caption", "fin stencil")
    assert "caption replaced; it was 'stencil on motor section'" in changed.output
    assert json.loads(run("photo", "list", "EX-1", "--json").output)[0]["caption"] == "fin stencil"


def test_photo_edit_sets_changes_and_clears_a_caption(run, tmp_path):
    a = write(tmp_path / "a.jpg", jpeg_bytes())
    sha = hashlib.sha256(a.read_bytes()).hexdigest()
    assert run("photo", "add", "EX-1", str(a)).exit_code == 0
    result = run("photo", "edit", sha[:8], "--caption", "fuze well")
    assert result.exit_code == 0 and "EX-1" in result.output and "'fuze well'" in result.output
    assert json.loads(run("photo", "list", "EX-1", "--json").output)[0]["caption"] == "fuze well"
    assert run("photo", "edit", sha[:8], "--caption", "").exit_code == 0
    assert json.loads(run("photo", "list", "EX-1", "--json").output)[0]["caption"] is None


def test_photo_edit_of_a_photo_on_two_items_needs_the_item(run, tmp_path):
    a = write(tmp_path / "a.jpg", jpeg_bytes())
    sha = hashlib.sha256(a.read_bytes()).hexdigest()
    assert run("item", "add", "--category", "rocket", "--ref", "EX-2").exit_code == 0
    assert run("photo", "add", "EX-1", str(a)).exit_code == 0
    assert run("photo", "add", "EX-2", str(a)).exit_code == 0
    vague = run("photo", "edit", sha[:8], "--caption", "x")
    assert vague.exit_code == 2 and vague.stderr.startswith("error: ") and "--item REF" in vague.stderr
    assert run("photo", "edit", sha[:8], "--caption", "on two", "--item", "ex-2").exit_code == 0
    assert json.loads(run("photo", "list", "EX-2", "--json").output)[0]["caption"] == "on two"
    assert json.loads(run("photo", "list", "EX-1", "--json").output)[0]["caption"] is None


def test_photo_list_says_where_a_photo_disagrees_with_its_item(run, tmp_path):
    assert run("item", "edit", "EX-1", "--lat", "50.45", "--lon", "30.52", "--found-at", "2024-01-02").exit_code == 0
    a = write(tmp_path / "a.jpg", jpeg_bytes())  # EXIF: Kharkiv, 2024-01-03
    assert run("photo", "add", "EX-1", str(a)).exit_code == 0
    text = run("photo", "list", "EX-1").output
    assert "! GPS" in text and "km from the item's position" in text
    assert "! taken 2024-01-03, item found 2024-01-02" in text
    [row] = json.loads(run("photo", "list", "EX-1", "--json").output)
    assert len(row["disagreements"]) == 2
    assert run("item", "edit", "EX-1", "--lat", "49.9935", "--lon", "36.2304", "--found-at", "2024-01-03").exit_code == 0
    assert json.loads(run("photo", "list", "EX-1", "--json").output)[0]["disagreements"] == []



def stopping_at(monkeypatch, name: str, raised: BaseException) -> None:
    """Three photos a.jpg, b.jpg, c.jpg whose ingest raises `raised` at `name` (a bug, a failing disk, Ctrl-C)."""
    from fieldkit.evidence import photos as photos_core

    real = photos_core.ingest_file

    def ingest_file(catalog, item, path, **kwargs):
        if path.name == name:
            raise raised
        return real(catalog, item, path, **kwargs)

    monkeypatch.setattr(photos_core, "ingest_file", ingest_file)


@pytest.mark.parametrize("raised, code, headline", [
    (RuntimeError("the disk went away"), 2, "Stopped by an error: added 1 of 3. the disk went away; run `fieldkit verify`"),
    (KeyboardInterrupt(), 130, "Stopped: added 1 of 3."),
])
def test_photo_add_stopped_part_way_says_how_many_went_in_and_names_each_photo_not_added(
        run, tmp_path, monkeypatch, raised, code, headline):
    """An unexpected error (a bug, a failing disk) or Ctrl-C part-way: no traceback; the photos
    stored stay stored, each photo not added has its own line, and the exit code says it stopped."""
    paths = [write(tmp_path / f"{n}.jpg", jpeg_bytes(seed=i + 1)) for i, n in enumerate("abc")]
    stopping_at(monkeypatch, "b.jpg", raised)
    result = run("photo", "add", "EX-1", *map(str, paths))
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (RuntimeError, KeyboardInterrupt))
    first, b, c, last = result.output.splitlines()
    assert first.split()[0] == hashlib.sha256(paths[0].read_bytes()).hexdigest()
    assert b.startswith("error: ") and "b.jpg was not added" in b
    assert c.startswith("error: ") and "c.jpg was not added" in c
    assert last == f"error: {headline}"
    assert [p["original_name"] for p in json.loads(run("photo", "list", "EX-1", "--json").output)] == ["a.jpg"]


def test_photo_add_json_has_one_object_per_file_given_even_when_stopped(run, tmp_path, monkeypatch):
    from pathlib import Path

    paths = [write(tmp_path / f"{n}.jpg", jpeg_bytes(seed=i + 1)) for i, n in enumerate("abc")]
    stopping_at(monkeypatch, "b.jpg", RuntimeError("boom"))
    result = run("photo", "add", "EX-1", *map(str, paths), "--json")
    assert result.exit_code == 2
    rows = json.loads(result.stdout)
    assert [(Path(r["source"]).name, r["ok"]) for r in rows] == [("a.jpg", True), ("b.jpg", False), ("c.jpg", False)]
    assert rows[1]["error"].endswith("b.jpg was not added: not reached")


def test_ctrl_c_just_after_a_photo_went_in_never_names_that_photo_as_not_added(run, tmp_path, monkeypatch):
    """Ctrl-C (a real SIGINT) arriving once b.jpg is stored -- its transaction committed, the
    witness log written -- stops the ingest before c.jpg; b.jpg is reported as added, as it is."""
    import os
    import signal

    from fieldkit.evidence import photos as photos_core

    paths = [write(tmp_path / f"{n}.jpg", jpeg_bytes(seed=i + 1)) for i, n in enumerate("abc")]
    real = photos_core.ingest_file

    def ingest_file(catalog, item, path, **kwargs):
        result = real(catalog, item, path, **kwargs)
        if path.name == "b.jpg":
            os.kill(os.getpid(), signal.SIGINT)  # the user presses Ctrl-C now
        return result

    monkeypatch.setattr(photos_core, "ingest_file", ingest_file)
    handler = signal.getsignal(signal.SIGINT)
    result = run("photo", "add", "EX-1", *map(str, paths))
    assert result.exit_code == 130, result.output
    stored = [p["original_name"] for p in json.loads(run("photo", "list", "EX-1", "--json").output)]
    assert stored == ["a.jpg", "b.jpg"]
    not_added = [line for line in result.output.splitlines() if "was not added" in line]
    assert len(not_added) == 1 and "c.jpg was not added" in not_added[0]
    assert result.output.splitlines()[-1] == "error: Stopped: added 2 of 3."
    assert signal.getsignal(signal.SIGINT) is handler  # as it was before the command


def test_ctrl_c_after_the_last_photo_went_in_is_a_complete_ingest(run, tmp_path, monkeypatch):
    import os
    import signal

    from fieldkit.evidence import photos as photos_core

    paths = [write(tmp_path / f"{n}.jpg", jpeg_bytes(seed=i + 1)) for i, n in enumerate("ab")]
    real = photos_core.ingest_file

    def ingest_file(catalog, item, path, **kwargs):
        result = real(catalog, item, path, **kwargs)
        if path.name == "b.jpg":
            os.kill(os.getpid(), signal.SIGINT)  # too late: nothing is left to stop
        return result

    monkeypatch.setattr(photos_core, "ingest_file", ingest_file)
    result = run("photo", "add", "EX-1", *map(str, paths))
    assert result.exit_code == 0, result.output
    assert "error" not in result.output and len(result.output.splitlines()) == 2
