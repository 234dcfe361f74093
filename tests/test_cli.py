"""The command line contract: commands, JSON shapes, exit codes and one-line errors."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from fieldkit.cli import cli


ALL_FIELDS = {
    "--category": "missile debris",
    "--designation": "Hwasong-11 (KN-23)",
    "--calibre": "~900 mm",
    "--origin": "DPRK",
    "--ref": "KHK-0001",
    "--found-at": "2024-01-02",
    "--place": "Kharkiv, Ukraine",
    "--lat": "49.9935",
    "--lon": "36.2304",
    "--recorded-by": "A. Researcher",
    "--condition": "fragmented",
    "--sample-type": "unattributed",
    "--holder": "",
    "--acquisition": "documented on site",
    "--custody": "SBU evidence store",
    "--notes": "Example data. Stamped «112»; -1 lot",
}


def test_item_add_then_list_json_round_trips_every_field(run):
    args = [a for pair in ALL_FIELDS.items() for a in pair]
    result = run("item", "add", *args)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "KHK-0001"
    listed = json.loads(run("item", "list", "--json").output)
    assert len(listed) == 1
    row = listed[0]
    expected = {opt[2:].replace("-", "_"): value for opt, value in ALL_FIELDS.items()}
    expected["found_on"] = expected.pop("found_at")
    expected["lat"], expected["lon"] = float(expected["lat"]), float(expected["lon"])
    expected["holder"] = None  # an empty value is stored as no value
    for field, value in expected.items():
        assert row[field] == value, field
    assert row["photos"] == row["markings"] == row["components"] == row["parts"] == 0


def test_item_show_and_edit(run):
    run("item", "add", "--category", "rocket", "--designation", "9M22U")
    result = run("item", "edit", "FK-0001", "--designation", "9M22", "--place", "Kharkiv")
    assert result.exit_code == 0, result.output
    shown = json.loads(run("item", "show", "FK-0001", "--json").output)
    assert (shown["designation"], shown["place"], shown["category"]) == ("9M22", "Kharkiv", "rocket")
    human = run("item", "show", "FK-0001").output
    assert "designation" in human and "9M22" in human


def test_item_list_prints_a_readable_table(run):
    run("item", "add", "--category", "rocket", "--designation", "9M22U")
    lines = run("item", "list").output.splitlines()
    assert lines[0].split() == ["ref", "category", "designation", "place", "found_on", "photos", "markings", "parts"]
    assert lines[1].split() == ["FK-0001", "rocket", "9M22U", "0", "0", "0"]


def test_item_delete_asks_first(run):
    run("item", "add", "--category", "rocket")
    assert run("item", "delete", "FK-0001", input="n\n").exit_code == 1
    assert len(json.loads(run("item", "list", "--json").output)) == 1
    assert run("item", "delete", "FK-0001", input="y\n").exit_code == 0
    assert json.loads(run("item", "list", "--json").output) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["item", "add", "--category", "x", "--lat", "123", "--lon", "0"], "error: --lat: Input should be less than or equal to 90"),
        (["item", "add", "--category", "x", "--found-at", "yesterday"], "error: --found-at: 'yesterday' is not a date; use YYYY-MM-DD"),
        (["item", "add", "--category", "x", "--lat", "1"], "error: item: lat and lon go together"),
        (["item", "add"], "error: --category: is required"),
        (["item", "show", "NOPE"], "error: no item with ref 'NOPE'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(run, args, message):
    assert run("init").exit_code == 0
    result = run(*args)
    assert result.exit_code == 2
    assert result.output.strip().startswith(message)
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_corrupt_db_is_refused_with_exit_2_and_left_untouched(tmp_path):
    path = tmp_path / "corrupt.db"
    data = b"SQLite format 3\x00" + bytes(range(256)) * 20
    path.write_bytes(data)
    result = CliRunner().invoke(cli, ["--db", str(path), "item", "list"])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "Traceback" not in result.output
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.db"]


def test_a_non_sqlite_db_is_refused_with_exit_2_and_left_untouched(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("field notes, not a catalog")
    result = CliRunner().invoke(cli, ["--db", str(path), "item", "list"])
    assert result.exit_code == 2
    assert "is not a SQLite database" in result.output
    assert path.read_text() == "field notes, not a catalog"


def test_fieldkit_db_environment_variable_selects_the_catalog(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDKIT_DB", str(tmp_path / "env.db"))
    result = CliRunner().invoke(cli, ["item", "add", "--category", "shell"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env.db").exists()


def test_export_csv_writes_the_items(run, tmp_path):
    run("item", "add", "--category", "rocket", "--designation", "9M22U")
    result = run("export", "csv", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "items.csv (1 row)" in result.output
    assert "9M22U" in (tmp_path / "out" / "items.csv").read_text()


def _all_commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _all_commands(command, (*prefix, name))


def test_every_command_and_option_has_help_text():
    missing = []
    for path, command in _all_commands(cli):
        if not (command.help or "").strip():
            missing.append(" ".join(path))
        for param in command.params:
            if isinstance(param, click.Option) and not (param.help or "").strip():
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert missing == []


def test_the_command_list_in_help_is_each_commands_own_help_and_loads_nothing():
    """`fieldkit --help` lists every command without importing it, with the help the command itself has."""
    import importlib

    from fieldkit.cli.base import LAZY_COMMANDS

    for name, (module, attr, short_help) in LAZY_COMMANDS.items():
        command = getattr(importlib.import_module(module), attr)
        assert command.get_short_help_str(1000) == short_help, name


def test_export_into_a_folder_holding_an_export_asks_before_replacing(run, tmp_path):
    run("item", "add", "--category", "rocket")
    out = tmp_path / "out"
    assert run("export", "csv", str(out)).exit_code == 0
    before = (out / "items.csv").read_bytes()
    run("item", "add", "--category", "projectile")
    refused = run("export", "csv", str(out), input="n\n")
    assert refused.exit_code == 1
    assert "already holds an export" in refused.output and "items.csv" in refused.output
    assert (out / "items.csv").read_bytes() == before
    assert run("export", "csv", str(out), input="y\n").exit_code == 0
    assert b"projectile" in (out / "items.csv").read_bytes()
    forced = run("export", "csv", str(out), "--force")
    assert forced.exit_code == 0 and "already holds" not in forced.output


def test_exported_files_get_the_users_normal_file_mode(run, tmp_path):
    import os

    run("item", "add", "--category", "rocket")
    old = os.umask(0o022)
    try:
        assert run("export", "csv", str(tmp_path / "out")).exit_code == 0
    finally:
        os.umask(old)
    for name in ("items.csv", "photos.csv", "markings.csv", "components.csv", "README.txt"):
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == 0o644, name


def test_item_show_lists_photos_markings_and_components_with_counts(run, tmp_path):
    from tests.photo_files import jpeg_bytes, write

    run("item", "add", "--category", "missile debris", "--ref", "KHK-0002")
    photo = write(tmp_path / "stencil.jpg", jpeg_bytes())
    assert run("photo", "add", "KHK-0002", str(photo), "--caption", "stencil").exit_code == 0
    sha = json.loads(run("photo", "list", "KHK-0002", "--json").output)[0]["sha256"]
    assert run("marking", "add", "KHK-0002", "112").exit_code == 0
    assert run("component", "add", "KHK-0002", "--part", "LM358", "--quantity", "6").exit_code == 0
    text = run("item", "show", "khk-0002").output
    assert "missile debris" in text
    assert "1 photo:" in text and sha[:12] in text and "stencil" in text
    assert "1 marking:" in text and "'112'" in text
    assert "1 component row, 6 parts:" in text and "LM358" in text and "×6" in text
    shown = json.loads(run("item", "show", "KHK-0002", "--json").output)
    assert shown["ref"] == "KHK-0002"
    assert shown["counts"] == {"photos": 1, "markings": 1, "components": 1, "parts": 6}
    assert shown["photos"][0]["sha256"] == sha and shown["photos"][0]["caption"] == "stencil"
    assert shown["markings"][0]["text"] == "112" and shown["markings"][0]["photo_sha256"] is None
    assert shown["components"][0]["part_number"] == "LM358" and shown["components"][0]["quantity"] == 6


def test_item_show_caps_long_lists_and_names_the_command_that_lists_them(run):
    run("item", "add", "--category", "drone", "--ref", "D-1")
    for n in range(23):
        run("marking", "add", "D-1", f"LOT {n}")
    text = run("item", "show", "D-1").output
    assert "23 markings:" in text and "'LOT 19'" in text and "'LOT 20'" not in text
    assert "... and 3 more: `fieldkit marking list D-1`" in text
    assert "'LOT 22'" in run("item", "show", "D-1", "--all").output


def test_marking_list_and_show_name_the_photo_and_crop_it_was_read_from(run, db_path, tmp_path):
    from fieldkit.catalog.db import open_catalog
    from fieldkit.catalog.markings import add_marking
    from tests.photo_files import jpeg_bytes, write

    run("item", "add", "--category", "rocket", "--ref", "R-1")
    photo = write(tmp_path / "p.jpg", jpeg_bytes())
    run("photo", "add", "R-1", str(photo))
    sha = json.loads(run("photo", "list", "R-1", "--json").output)[0]["sha256"]
    catalog = open_catalog(db_path, actor="t")
    stored = add_marking(catalog, "R-1", "9M22U", source="ocr", ocr_text="9M22U", photo_sha256=sha, crop=(4, 5, 30, 12))
    catalog.close()
    listing = run("marking", "list", "R-1").output
    assert f"from photo {sha[:12]} crop 4,5,30,12" in listing
    shown = run("marking", "show", stored["id"][:8])
    assert shown.exit_code == 0
    assert f"photo: {sha}" in shown.output and "crop: 4,5,30,12" in shown.output
    data = json.loads(run("marking", "show", stored["id"][:8], "--json").output)
    assert data["photo_sha256"] == sha and data["crop"] == "4,5,30,12"
    assert f"crop 4,5,30,12" in run("item", "show", "R-1").output


def test_found_on_is_accepted_as_item_list_names_the_column(run):
    """A new user reads `found_on` in `item list` and types --found-on: it is the same as --found-at."""
    assert run("item", "add", "--category", "rocket", "--found-on", "2024-05-01").exit_code == 0
    assert run("item", "edit", "FK-0001", "--found-on", "2024-05-02").exit_code == 0
    assert json.loads(run("item", "list", "--json").output)[0]["found_on"] == "2024-05-02"
