"""The finds as GeoJSON or KML from the app's export dialog (`x`, then F2 or F3): the same file
`fieldkit export geojson|kml FILE` writes, over the same core function (fieldkit.report.geo),
with the CLI's own line; an existing file is replaced only when the researcher says so."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import geojson
from click.testing import CliRunner
from textual.widgets import Input, Label

from fieldkit.cli import cli
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.confirm import ConfirmScreen
from fieldkit.tui.screens.export import ExportScreen
from tests.report_fixtures import example_copy
from tests.test_tui_catalog import settle

KML = "{http://www.opengis.net/kml/2.2}"


async def export_finds_in_app(pilot, key: str, out) -> str:
    """`x`, the format key, the file; Enter; the outcome line."""
    app = pilot.app
    await settle(app, pilot)
    await pilot.press("x")
    assert isinstance(app.screen, ExportScreen)
    await pilot.press(key)
    await pilot.pause()
    app.screen.query_one("#outdir", Input).value = str(out)
    app.screen.query_one("#outdir", Input).focus()
    await pilot.press("enter")
    await settle(app, pilot)
    return str(app.screen.query_one("#result").render())


def cli_export(db, kind, out) -> str:
    result = CliRunner().invoke(cli, ["--db", str(db), "export", kind, str(out)])
    assert result.exit_code == 0, result.output
    return result.output.strip()


async def test_geojson_from_the_export_dialog_is_the_file_the_cli_writes(tmp_path):
    db = example_copy(tmp_path)
    out = tmp_path / "gis" / "finds.geojson"  # its folder is made
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("x")
        await pilot.press("f2")
        await pilot.pause()
        prompt = str(app.screen.query_one("#prompt", Label).render())
        suggested = app.screen.query_one("#outdir", Input).value
        csv_box_shown = app.screen.query_one("#full").display
        await pilot.press("escape")
        result = await export_finds_in_app(pilot, "f2", out)
    assert prompt.startswith("Write the finds") and "GeoJSON to the file:" in prompt
    assert suggested.endswith(".geojson") and not csv_box_shown
    assert result == f"wrote 3 finds to {out}" == cli_export(db, "geojson", tmp_path / "cli.geojson").replace("cli.geojson", "gis/finds.geojson")
    collection = geojson.loads(out.read_text(encoding="utf-8"))
    assert collection.is_valid, collection.errors()
    assert {f["properties"]["ref"] for f in collection["features"]} == {"EX-0002", "EX-0003", "KHK-0001"}
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads((tmp_path / "cli.geojson").read_text(encoding="utf-8"))


async def test_kml_from_the_export_dialog_is_the_file_the_cli_writes(tmp_path):
    db = example_copy(tmp_path)
    out = tmp_path / "finds.kml"
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        result = await export_finds_in_app(pilot, "f3", out)
    assert result == f"wrote 3 finds to {out}"
    marks = ET.parse(out).getroot().findall(f"./{KML}Document/{KML}Placemark")
    coords = {m.find(f"{KML}name").text.split()[0]: m.find(f"{KML}Point/{KML}coordinates").text for m in marks}
    assert coords["KHK-0001"] == "36.2304,49.9935,0" and len(marks) == 3
    cli_export(db, "kml", tmp_path / "cli.kml")
    assert out.read_bytes() == (tmp_path / "cli.kml").read_bytes()


async def test_an_existing_file_is_replaced_only_when_asked_and_a_folder_is_one_line(tmp_path):
    db = example_copy(tmp_path)
    out = tmp_path / "finds.geojson"
    out.write_text("earlier work")
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("x", "f2")
        app.screen.query_one("#outdir", Input).value = str(out)
        app.screen.query_one("#outdir", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "finds.geojson" in str(app.screen.query_one(".question").render())
        await pilot.press("n")
        await settle(app, pilot)
        assert out.read_text() == "earlier work"
        app.screen.query_one("#outdir", Input).value = str(tmp_path)  # a folder, not a file
        await pilot.press("enter")
        await settle(app, pilot)
        error = str(app.screen.query_one("#result").render())
    assert error.startswith(f"Error: cannot write {tmp_path}: ") and "\n" not in error
    assert not list(tmp_path.glob("*.geojson.*"))  # no partial file left


async def test_the_format_keys_are_in_the_help_and_not_on_the_summary_export(tmp_path):
    db = example_copy(tmp_path)
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("x", "f1")
        text = app.screen.query_one("Markdown")._markdown
        await pilot.press("escape", "escape")
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        summary_export = app.screen
        await pilot.press("f2")  # no format to choose there: the key does nothing
        await pilot.pause()
        assert app.screen is summary_export
        assert str(summary_export.query_one("#prompt", Label).render()) == "Write the summary (CSV and JSON) to the folder:"
    assert "`f2` | Write the finds as GeoJSON, one file (as `fieldkit export geojson FILE`)" in text
    assert "`f3` | Write the finds as KML, one file (as `fieldkit export kml FILE`)" in text


async def test_escape_while_the_export_is_written_keeps_the_dialog_and_the_format_chosen(tmp_path, monkeypatch):
    """Escape while the export was written closed the dialog, and the worker's outcome had nowhere
    to go (NoMatches in the app). The format and options are taken when Export is pressed, not read
    by the worker: F4 (back to CSV) pressed meanwhile changes nothing that is written."""
    import fieldkit.report.geo as geo

    db = example_copy(tmp_path)
    out = tmp_path / "finds.kml"
    real = geo.export_finds

    def keys_pressed_first(catalog, kind, path):
        app.call_from_thread(app.screen.action_format, "csv")  # F4
        app.call_from_thread(app.screen.action_close)  # escape
        return real(catalog, kind, path)

    monkeypatch.setattr(geo, "export_finds", keys_pressed_first)
    app = make_app(db, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        result = await export_finds_in_app(pilot, "f3", out)
        assert isinstance(app.screen, ExportScreen)
    assert result.startswith("wrote 3 finds to")
    assert ET.parse(out).getroot().tag == f"{KML}kml"
