"""Paths given on the command line, however odd: `~` in a quoted path means the home folder for
every command (as an unquoted one would after the shell), and a path the system refuses (too long,
a symlink loop, a file standing where a folder should be) or a text argument that is not UTF-8 is
a one-line error naming it -- never a traceback, and nothing stored changes."""

from __future__ import annotations

import json
import os

import pytest

from tests.photo_files import jpeg_bytes, write


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home folder of its own, and a working folder elsewhere: a literal `~` folder would show up here."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir(), work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    return home


@pytest.fixture
def cli(run):
    assert run("item", "add", "--category", "rocket", "--ref", "EX-1", "--lat", "49.9", "--lon", "36.2").exit_code == 0
    return run


@pytest.mark.parametrize("args, written", [
    (["export", "geojson", "~/finds.geojson"], "finds.geojson"),
    (["export", "kml", "~/finds.kml"], "finds.kml"),
    (["export", "csv", "~/out"], "out/items.csv"),
    (["backup", "~/backup"], "backup/catalog.db"),
    (["report", "~/report.html"], "report.html"),
    (["dossier", "EX-1", "--html", "~/EX-1.html"], "EX-1.html"),
])
def test_a_quoted_tilde_in_an_output_path_is_the_home_folder(cli, home, args, written):
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert (home / written).is_file()
    assert not os.path.exists("~")  # no folder literally named ~ in the working folder


def test_a_quoted_tilde_in_an_input_path_is_the_home_folder(cli, home):
    write(home / "a.jpg", jpeg_bytes())
    assert cli("photo", "add", "EX-1", "~/a.jpg").exit_code == 0
    (home / "parts.csv").write_text("part_number,manufacturer\nLM317,TI\n", encoding="utf-8")
    assert cli("component", "import", "EX-1", "~/parts.csv").exit_code == 0
    assert [c["part_number"] for c in json.loads(cli("component", "list", "EX-1", "--json").output)] == ["LM317"]


def test_reference_with_a_quoted_tilde_is_the_folder_in_home(cli, home):
    from fieldkit.reference.tables import clear_cache

    folder = home / "ref"
    folder.mkdir()
    from tests.test_markings import HEADER

    (folder / "marking_patterns.csv").write_text(HEADER + "dprk-plant-112,(?P<factory>112),,KP,,,,,,notes,\n", encoding="utf-8")
    clear_cache()
    result = cli("--reference", "~/ref", "reference", "check")
    assert result.exit_code == 0 and "user row dprk-plant-112 overrides" in result.output


@pytest.mark.parametrize("args", [
    ["--reference", "~/no-such-folder", "match", "112"],
    ["--reference", "~/no-such-folder", "reference", "check"],
])
def test_a_reference_folder_that_does_not_exist_is_a_one_line_error_not_silently_ignored(cli, home, args, monkeypatch):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and len(result.output.splitlines()) == 1
    assert str(home / "no-such-folder") in result.output
    # FIELDKIT_REFERENCE may name the folder where rows saved in the app will go, not made yet
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(home / "no-such-folder"))
    assert cli(*args[2:]).exit_code == 0


def test_the_app_with_a_reference_folder_that_does_not_exist_is_a_one_line_error_before_it_opens(cli, home, monkeypatch):
    """`fieldkit --reference DIR` (no command: the app) makes DIR the app's tables as it does a
    command's: a typo is refused as the commands refuse it, not opened on tables that are not there."""
    import fieldkit.tui.app

    monkeypatch.setattr(fieldkit.tui.app, "make_app", lambda **kwargs: pytest.fail("the app was opened"))
    result = cli("--reference", "~/no-such-folder")
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"error: --reference {home / 'no-such-folder'}: no such folder; "
                                          "give the folder that holds your reference tables"]


LONG = "a" * 300  # longer than a file name may be (255 bytes on Linux)


@pytest.mark.parametrize("args", [
    ["photo", "add", "EX-1", f"/tmp/{LONG}.jpg"],
    ["ocr", f"/tmp/{LONG}.jpg"],
    ["export", "csv", f"/tmp/{LONG}"],
    ["export", "geojson", f"/tmp/{LONG}.geojson"],
    ["backup", f"/tmp/{LONG}"],
    ["report", f"/tmp/{LONG}.html"],
    ["restore", "{backup}", "--to", f"/tmp/{LONG}.db"],
    ["bundle", "create", f"/tmp/{LONG}.fkb", "--all", "--unsigned"],
    ["verify", "--witness", f"/tmp/{LONG}"],
    ["--reference", f"/tmp/{LONG}", "match", "112"],
    ["--db", f"/tmp/{LONG}.db", "item", "list"],
])
def test_a_path_the_system_refuses_is_a_one_line_error(cli, home, tmp_path, args):
    if "{backup}" in args:
        assert cli("backup", str(tmp_path / "backup")).exit_code == 0
    result = cli(*[str(tmp_path / "backup") if a == "{backup}" else a for a in args])
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, OSError) and "Traceback" not in result.output
    [line] = result.output.splitlines()
    assert line.startswith("error: ") and "name too long" in line.lower()


def test_a_symlink_loop_or_a_file_where_a_folder_should_be_is_a_one_line_error(cli, home, tmp_path):
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    (tmp_path / "afile").write_text("x")
    assert cli("backup", str(tmp_path / "backup")).exit_code == 0
    for args, named in ((["backup", str(tmp_path / "loop")], "loop: a symlink loop"),
                        (["restore", str(tmp_path / "backup"), "--to", str(tmp_path / "afile" / "x.db")], "afile/x"),
                        (["bundle", "create", str(tmp_path / "afile" / "x.fkb"), "--all", "--unsigned"], "afile/")):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        [line] = result.output.splitlines()
        assert line.startswith("error: ") and named in line, line


def test_a_text_argument_that_is_not_utf8_is_a_one_line_error(cli, home):
    not_utf8 = os.fsdecode(b"EX-\xff")  # how Python hands over argument bytes that are not UTF-8
    for args in (["item", "show", not_utf8], ["photo", "list", not_utf8], ["dossier", not_utf8],
                 ["marking", "add", "EX-1", not_utf8]):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        [line] = result.output.splitlines()
        assert line.startswith("error: ") and "is not UTF-8 text (byte 0xff)" in line, line
    assert json.loads(cli("marking", "list", "EX-1", "--json").output) == []


def test_a_long_text_argument_that_is_not_utf8_is_shown_cut_short(cli, home):
    long_text = os.fsdecode(b"X" * 5000 + b"\xfe")
    result = cli("item", "show", long_text)
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert "is not UTF-8 text (byte 0xfe)" in line and len(line) < 200, line


@pytest.mark.parametrize("args", [["export", "csv", ""], ["backup", " "], ["photo", "add", "EX-1", ""], ["--db", "", "item", "list"]])
def test_an_empty_path_is_a_one_line_error_never_the_current_folder(cli, home, args):
    result = cli(*args)
    assert result.exit_code == 2, result.output
    [line] = result.output.splitlines()
    assert line.startswith("error: ") and "an empty path" in line
    assert os.listdir(".") == []  # nothing written in the working folder


@pytest.mark.parametrize("args", [
    ["export", "geojson", "{pipe}"], ["export", "kml", "{pipe}"],
    ["report", "{pipe}", "--force"], ["dossier", "EX-1", "--html", "{pipe}", "--force"],
])
def test_an_output_that_is_a_device_or_a_pipe_is_refused_never_replaced(cli, home, tmp_path, args):
    """Outputs are written atomically, by renaming a new file over the old: run as root, that would
    replace /dev/null itself. A destination that is not a regular file is refused, --force or not."""
    import stat

    pipe = tmp_path / "pipe.html"
    os.mkfifo(pipe)
    result = cli(*[str(pipe) if a == "{pipe}" else a for a in args])
    assert result.exit_code == 2, result.output
    [line] = result.output.splitlines()
    assert line.startswith("error: ") and "not a regular file" in line
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/stderr", "/dev/fd/1", "/proc/self/fd/1"])
def test_an_output_named_by_a_system_link_to_this_process_s_own_output_is_refused(name):
    """/dev/stdout is a symlink (to /proc/self/fd/1), so a device check on the name itself lets it
    through, and the atomic rename would replace the system's /dev/stdout with a regular file (run
    as root: `fieldkit export geojson /dev/stdout` did). Checked on refuse_special itself, which
    writes nothing, so this test can never harm the machine."""
    from pathlib import Path

    from fieldkit.errors import FieldkitError
    from fieldkit.paths import refuse_special

    with pytest.raises(FieldkitError, match="give a file name to write"):
        refuse_special(Path(name))
