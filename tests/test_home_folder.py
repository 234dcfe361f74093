"""A `~user` path whose user has no home folder on this machine (Path.expanduser() raises
RuntimeError) is a one-line error naming the `~user`, in the core, the CLI and the app; never a
traceback, and nothing is created."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input

from fieldkit.errors import FieldkitError
from fieldkit.paths import expand_user

NOBODY = "~nosuchuser9-fk"
ROOT = Path(__file__).resolve().parent.parent


def test_a_tilde_path_is_expanded_as_pathlib_does():
    assert expand_user("~/notes/a.csv") == Path("~/notes/a.csv").expanduser()
    assert expand_user(Path("/tmp/x")) == Path("/tmp/x")
    assert expand_user("relative/x") == Path("relative/x")


def test_a_user_with_no_home_folder_is_a_one_line_fieldkit_error():
    with pytest.raises(FieldkitError) as raised:
        expand_user(f"{NOBODY}/usb/c.db")
    message = str(raised.value)
    assert "\n" not in message
    assert message == f"cannot find the home folder of {NOBODY} on this machine; give the full path"


@pytest.mark.parametrize("variable, where", [
    ("FIELDKIT_DATA_DIR", "data_dir"), ("FIELDKIT_CONFIG_DIR", "config_dir"), ("FIELDKIT_DB", "default_catalog_path"),
    ("FIELDKIT_REFERENCE", "user_reference_dir"), ("FIELDKIT_REFERENCE", "user_reference_save_dir"),
])
def test_an_environment_variable_naming_such_a_user_is_the_same_one_line(monkeypatch, variable, where):
    from fieldkit import locations

    monkeypatch.setenv(variable, f"{NOBODY}/fieldkit")
    with pytest.raises(FieldkitError, match=f"^cannot find the home folder of {NOBODY} on this machine"):
        getattr(locations, where)()


def run_fieldkit(tmp_path, *args, **env):
    return subprocess.run([sys.executable, "-m", "fieldkit", *args], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "FIELDKIT_DATA_DIR": str(tmp_path / "data"),
                               "FIELDKIT_CONFIG_DIR": str(tmp_path / "config"), **env})


@pytest.mark.parametrize("args, env", [
    (["export", "csv", f"{NOBODY}/out"], {"FIELDKIT_DB": "{tmp}/c.db"}),
    (["item", "list"], {"FIELDKIT_DB": f"{NOBODY}/c.db"}),
    (["item", "list"], {"FIELDKIT_DATA_DIR": f"{NOBODY}/data"}),
    (["--db", f"{NOBODY}/c.db", "item", "list"], {}),
], ids=["export-outdir", "FIELDKIT_DB", "FIELDKIT_DATA_DIR", "--db"])
def test_the_cli_says_one_line_and_creates_nothing(tmp_path, args, env):
    env = {k: v.replace("{tmp}", str(tmp_path)) for k, v in env.items()}
    done = run_fieldkit(tmp_path, *args, **env)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr == f"error: cannot find the home folder of {NOBODY} on this machine; give the full path\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# The app: the dialogs that take a typed path show the error in their own outcome line.

async def test_the_export_dialog_names_the_home_folder_and_the_app_goes_on(tmp_path):
    from fieldkit.tui.app import make_app
    from fieldkit.tui.screens.export import ExportScreen
    from tests.report_fixtures import example_copy
    from tests.test_tui_catalog import settle

    db = example_copy(tmp_path)
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("x")
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#outdir", Input).value = f"{NOBODY}/out"
        app.screen.query_one("#outdir", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        said = str(app.screen.query_one("#result").render())
        assert app.is_running and isinstance(app.screen, ExportScreen)
    assert said.startswith(f"Error: cannot find the home folder of {NOBODY}"), said


@pytest.mark.usefixtures("fixture_firms")
async def test_the_component_import_dialog_names_the_home_folder_and_the_app_goes_on(tmp_path):
    from conftest import khk_catalog
    from tests.test_tui_component_import import open_import, run_import
    from fieldkit.tui.app import make_app
    from fieldkit.tui.screens.component_import import ComponentImportScreen

    db = khk_catalog(tmp_path / "c.db")
    app = make_app(db, actor="t", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_import(pilot)
        pilot.app.screen.query_one("#import-path", Input).value = f"{NOBODY}/parts.csv"
        said = await run_import(pilot)
        assert app.is_running and isinstance(app.screen, ComponentImportScreen)
    assert f"cannot find the home folder of {NOBODY}" in said, said


def test_a_typed_photo_piece_under_such_a_user_does_not_exist_and_the_list_is_one_line():
    """The photo box asks whether a whole piece names a file (a pasted path with spaces): a `~user`
    piece does not; the paths, once split, are refused in one line, which the box shows."""
    from fieldkit.tui.screens.photos import _names_a_file, parse_paths

    assert _names_a_file(f"{NOBODY}/a b.jpg") is False
    with pytest.raises(FieldkitError, match=f"home folder of {NOBODY}"):
        parse_paths(f"{NOBODY}/a b.jpg")
