"""The Photos tab, the photo view and the verify screen, driven through Textual's Pilot."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, ListView, TabbedContent

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.evidence.photos import add_photos, list_photos
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.item import ItemScreen
from fieldkit.tui.screens.photos import PhotoScreen, parse_paths
from fieldkit.tui.screens.verify import VerifyScreen
from tests.photo_files import jpeg_bytes, png_bytes, write


@pytest.fixture
def app_with_item(db_path):
    catalog = open_catalog(db_path, actor="tester")
    items.add_item(catalog, {"category": "rocket", "ref": "EX-1"})
    catalog.close()
    return make_app(db_path, actor="tester", offer_example=False)


def test_parse_paths_splits_on_spaces_commas_and_lines_and_expands_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    spaced = write(tmp_path / "with space.jpg", b"x")
    assert parse_paths("a.jpg b.png, c.tif\n~/d.jpg") == [
        parse_paths("a.jpg")[0], parse_paths("b.png")[0], parse_paths("c.tif")[0], tmp_path / "d.jpg",
    ]
    assert parse_paths(f"{spaced}") == [spaced]  # an unquoted path with a space that exists
    assert parse_paths("'my photo.jpg' x.jpg") == [parse_paths("'my photo.jpg'")[0], parse_paths("x.jpg")[0]]
    assert parse_paths("  \n , ") == []


async def test_add_two_photos_to_an_item_and_see_them_listed(app_with_item, tmp_path):
    a = write(tmp_path / "IMG_0001.jpg", jpeg_bytes())
    b = write(tmp_path / "IMG_0002.png", png_bytes())
    app = app_with_item
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(ItemScreen("EX-1"))
        await pilot.pause()
        app.screen.query_one("#item-tabs", TabbedContent).active = "photos"
        await pilot.pause()
        field = app.screen.query_one("#photo-paths", Input)
        field.value = f"{a}, {b}"
        field.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        listed = app.screen.query_one("#photo-list", ListView)
        assert len(listed.children) == 2
        text = str(app.screen.query_one("#photo-results").render())
        assert "Added 2 of 2" in text
        assert [r["original_name"] for r in list_photos(app.catalog, "EX-1")] == ["IMG_0001.jpg", "IMG_0002.png"]

        listed.focus()
        listed.index = 0
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PhotoScreen)
        assert app.screen.photo["original_name"] == "IMG_0001.jpg"


async def test_a_bad_path_is_listed_as_an_error_and_the_good_one_goes_in(app_with_item, tmp_path):
    good = write(tmp_path / "good.jpg", jpeg_bytes())
    app = app_with_item
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(ItemScreen("EX-1"))
        await pilot.pause()
        app.screen.query_one("#item-tabs", TabbedContent).active = "photos"
        field = app.screen.query_one("#photo-paths", Input)
        field.value = f"{tmp_path / 'missing.jpg'} {good}"
        field.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(app.screen.query_one("#photo-results").render())
        assert "Added 1 of 2" in text and "missing.jpg does not exist" in text


async def test_a_folder_typed_adds_the_photos_inside_it(app_with_item, tmp_path):
    """The photos of a site visit are given as their folder: the photo files directly inside it go
    in, by name; other files, hidden files and sub-folders are left alone."""
    site = tmp_path / "site"
    (site / "raw").mkdir(parents=True)
    write(site / "IMG_0002.png", png_bytes())
    write(site / "IMG_0001.jpg", jpeg_bytes())
    write(site / "notes.txt", b"not a photo")
    write(site / "raw" / "IMG_0003.jpg", jpeg_bytes(size=(32, 32)))
    app = app_with_item
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ItemScreen("EX-1"))
        await pilot.pause()
        app.screen.query_one("#item-tabs", TabbedContent).active = "photos"
        field = app.screen.query_one("#photo-paths", Input)
        field.value = str(site)
        field.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Added 2 of 2" in str(app.screen.query_one("#photo-results").render())
        assert [r["original_name"] for r in list_photos(app.catalog, "EX-1")] == ["IMG_0001.jpg", "IMG_0002.png"]
        empty = tmp_path / "empty"
        empty.mkdir()
        field.value = str(empty)
        await pilot.press("enter")
        await pilot.pause()
        assert field.value == str(empty)  # kept, to be corrected
        assert len(list_photos(app.catalog, "EX-1")) == 2


async def test_verify_screen_reports_an_altered_photo(app_with_item, tmp_path):
    app = app_with_item
    [result] = add_photos(app.catalog, "EX-1", [write(tmp_path / "a.jpg", jpeg_bytes())])
    stored = app.catalog.photo_store / result.stored_path
    stored.chmod(0o600)
    stored.write_bytes(stored.read_bytes() + b"\x00")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, VerifyScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.report is not None and not app.screen.report.ok
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert table.get_row_at(0)[0] == "altered" and str(table.get_row_at(0)[1]) == "EX-1"


def test_photo_view_snapshot(snap_compare, tmp_path):
    """The full view of one fixed generated photo: image beside its EXIF, hash, size and dimensions."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "seeds"))
    from make_photos import PHOTOS, make_photo

    db_path = tmp_path / "catalog.db"
    catalog = open_catalog(db_path, actor="tester")
    items.add_item(catalog, {"category": "rocket", "ref": "EX-0002"})
    photo = make_photo(PHOTOS[0], tmp_path, size=(480, 320))
    add_photos(catalog, "EX-0002", [photo], caption=PHOTOS[0].caption)
    [row] = list_photos(catalog, "EX-0002")
    catalog.close()
    app = make_app(db_path, actor="tester", offer_example=False)

    async def open_view(pilot):
        app.push_screen(PhotoScreen(row))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 34), run_before=open_view)


async def open_photos(app, pilot):
    app.push_screen(ItemScreen("EX-1"))
    await pilot.pause()
    await pilot.press("f3")
    await app.workers.wait_for_complete()
    await pilot.pause()
    app.screen.query_one("#photo-list", ListView).focus()
    await pilot.pause()


async def test_a_photos_exif_position_and_date_are_offered_for_an_item_that_lacks_them(app_with_item, db_path, tmp_path):
    """Issue 14 point 7: one key copies the photo's GPS and capture day to the item (audited)."""
    add_photos(app_with_item.catalog, "EX-1", [write(tmp_path / "IMG_0001.jpg", jpeg_bytes())])
    app = app_with_item
    async with app.run_test(size=(120, 40)) as pilot:
        await open_photos(app, pilot)
        offer = app.screen.query_one("#photo-offer")
        assert offer.display and "found date 2024-01-03" in str(offer.render()) and "g copies" in str(offer.render())
        await pilot.press("g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        item = items.get_item(app.catalog, "EX-1")
        assert item["found_on"] == "2024-01-03"
        assert (round(item["lat"], 4), round(item["lon"], 4)) == (49.9935, 36.2304)
        assert app.screen.query_one("#f-found_on", Input).value == "2024-01-03"  # the form shows it, as saved
        assert not app.screen.query_one("#photo-offer").display
        await pilot.press("escape")  # nothing unsaved: leaves at once
        await pilot.pause()
        assert not isinstance(app.screen, ItemScreen)


async def test_the_photo_list_says_when_a_photo_disagrees_with_its_item(db_path, tmp_path):
    catalog = open_catalog(db_path, actor="tester")
    items.add_item(catalog, {"category": "rocket", "ref": "EX-1", "lat": 50.45, "lon": 30.52, "found_on": "2024-01-02"})
    add_photos(catalog, "EX-1", [write(tmp_path / "IMG_0001.jpg", jpeg_bytes())])  # Kharkiv, 2024-01-03
    catalog.close()
    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_photos(app, pilot)
        text = str(app.screen.query_one("#photo-list", ListView).children[0].query_one(".thumb-text").render())
        assert "⚠ GPS" in text and "km from the item's position" in text
        assert "⚠ taken 2024-01-03, item found 2024-01-02" in text
        assert not app.screen.query_one("#photo-offer").display


async def test_a_caption_is_set_from_the_photo_view(app_with_item, tmp_path):
    """Issue 14 point 4, in the app: `e` on the photo view sets the caption (audited)."""
    add_photos(app_with_item.catalog, "EX-1", [write(tmp_path / "IMG_0001.jpg", jpeg_bytes())])
    app = app_with_item
    async with app.run_test(size=(120, 40)) as pilot:
        await open_photos(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PhotoScreen)
        await pilot.press("e", *"fin stencil", "enter")  # `c` reads the C2PA credentials (main)
        await pilot.pause()
        assert list_photos(app.catalog, "EX-1")[0]["caption"] == "fin stencil"
        assert any("fin stencil" in str(label.render()) for label in app.screen.query(".fact-value"))


async def test_the_photo_views_footer_and_help_say_that_c_is_credentials_and_e_the_caption(app_with_item, tmp_path):
    """The keys `c` and `e` were chosen in a clash (caption was `c` once): both places say which is which."""
    from textual.widgets._footer import FooterKey

    from fieldkit.tui.screens.confirm import PromptScreen
    from fieldkit.tui.screens.help import HelpScreen

    add_photos(app_with_item.catalog, "EX-1", [write(tmp_path / "IMG_0001.jpg", jpeg_bytes())])
    app = app_with_item
    async with app.run_test(size=(80, 24)) as pilot:
        await open_photos(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        footer = {k.key: k.description for k in app.screen.query(FooterKey)}
        assert footer["c"] == "Credentials" and footer["e"] == "Caption"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = app.screen.query_one("Markdown").source
        assert "| `c` | Read the C2PA Content Credentials" in help_text
        assert "| `e` | Set or change this photo's caption" in help_text
        await pilot.press("escape", "c")
        await pilot.pause()
        assert isinstance(app.screen, PhotoScreen)  # c asks nothing: it reads the credentials
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen) and "caption" in app.screen.question.lower()


async def test_enter_on_a_marking_opens_its_photo_with_the_crop_outlined(app_with_item, tmp_path):
    """Issue 14 point 6: the Markings tab names the photo and crop, and Enter opens them."""
    from fieldkit.catalog.markings import add_marking

    add_photos(app_with_item.catalog, "EX-1", [write(tmp_path / "IMG_0001.jpg", jpeg_bytes(size=(640, 480)))])
    sha = list_photos(app_with_item.catalog, "EX-1")[0]["sha256"]
    add_marking(app_with_item.catalog, "EX-1", "9M22U", source="ocr", ocr_text="9M22U", photo_sha256=sha, crop=(40, 60, 200, 80))
    add_marking(app_with_item.catalog, "EX-1", "typed one")
    app = app_with_item
    async with app.run_test(size=(140, 40)) as pilot:
        app.push_screen(ItemScreen("EX-1"))
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        table = app.screen.query_one("#markings-table", DataTable)
        assert str(table.get_row_at(0)[3]) == f"{sha[:8]} @ 40,60,200,80" and str(table.get_row_at(1)[3]) == "typed"
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PhotoScreen) and app.screen.crop == (40, 60, 200, 80)
        assert "crop 40,60,200,80 outlined" in app.screen.sub_title


async def test_the_file_picker_goes_to_any_folder_typed_outside_home(app_with_item, tmp_path, monkeypatch):
    """Issue 14 point 13: the picker can leave the home folder (/media, /mnt, any path typed)."""
    from textual.widgets import DirectoryTree

    from fieldkit.tui.screens.photos import PhotoPickerScreen

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    stick = tmp_path / "media" / "USB"
    stick.mkdir(parents=True)
    photo = write(stick / "IMG_0101.jpg", jpeg_bytes())
    app = app_with_item
    chosen = []
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(PhotoPickerScreen(), chosen.append)
        await pilot.pause()
        picker = app.screen
        assert picker.query_one("#picker-tree", DirectoryTree).path == home
        box = picker.query_one("#picker-path", Input)
        box.value = str(stick)
        box.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert picker.query_one("#picker-tree", DirectoryTree).path == stick
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert picker.query_one("#picker-tree", DirectoryTree).path == stick.parent
        box.value = str(photo)  # a file typed is marked
        box.focus()
        await pilot.press("enter", "ctrl+s")
        await pilot.pause()
    assert chosen == [[photo]]


async def test_a_photo_on_two_items_is_captioned_on_the_item_it_was_opened_from_as_photo_edit_item(db_path, tmp_path):
    """`fieldkit photo edit SHA --caption C --item REF` sets the caption of the photo's link to REF
    (it moves nothing). In the app the item is the one whose Photos tab the photo was opened from:
    the other item's caption is untouched, and the audit event is the one the CLI writes."""
    import json

    from click.testing import CliRunner

    from fieldkit.cli import cli

    photo = write(tmp_path / "IMG_0001.jpg", jpeg_bytes())
    catalog = open_catalog(db_path, actor="tester")
    for ref in ("EX-1", "EX-2"):
        items.add_item(catalog, {"category": "rocket", "ref": ref})
        add_photos(catalog, ref, [photo])
    sha = list_photos(catalog, "EX-1")[0]["sha256"]
    catalog.close()

    def caption_events(path) -> list[tuple[str, str, dict, dict]]:
        db = open_catalog(path, actor="tester").db
        return [(action, actor, json.loads(before), json.loads(after)) for action, actor, before, after in db.execute(
            "SELECT action, actor, before_json, after_json FROM audit WHERE table_name = 'item_photos' AND action = 'update' ORDER BY seq")]

    app = make_app(db_path, actor="tester", offer_example=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(ItemScreen("EX-2"))
        await pilot.pause()
        await pilot.press("f3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one("#photo-list", ListView).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PhotoScreen) and app.screen.ref == "EX-2"
        await pilot.press("e", *"on the second item", "enter")
        await pilot.pause()
    [in_app] = caption_events(db_path)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "--actor", "tester", "photo", "edit", sha[:12],
                                      "--caption", "on the first item", "--item", "EX-1"])
    assert result.exit_code == 0, result.output
    captions = {ref: list_photos(open_catalog(db_path, actor="tester"), ref)[0]["caption"] for ref in ("EX-1", "EX-2")}
    assert captions == {"EX-1": "on the first item", "EX-2": "on the second item"}
    from_cli = caption_events(db_path)[-1]
    assert in_app[0] == from_cli[0] == "update" and in_app[1] == from_cli[1] == "tester"
    assert (in_app[2]["caption"], in_app[3]["caption"]) == (None, "on the second item")
    assert (from_cli[2]["caption"], from_cli[3]["caption"]) == (None, "on the first item")
    assert in_app[3]["photo_id"] == from_cli[3]["photo_id"] and in_app[3]["item_id"] != from_cli[3]["item_id"]


async def test_the_file_picker_is_usable_at_80x24(app_with_item, tmp_path):
    """At the smallest supported terminal the picker takes the whole screen: its path box shows a
    long path whole, every place button, the tree, what is marked and both buttons are on the
    screen; a photo is marked with the keyboard and added (the snapshot at 80x24 shows it too)."""
    from textual.widgets import Button, DirectoryTree, Label

    from fieldkit.tui.screens.photos import PhotoPickerScreen

    folder = tmp_path / "field-trip-2024-01-kharkiv-north" / "camera-2"
    folder.mkdir(parents=True)
    photo = write(folder / "IMG_0101.jpg", jpeg_bytes())
    app = app_with_item
    chosen = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PhotoPickerScreen(folder), chosen.append)
        for _ in range(3):
            await pilot.pause(0.1)
        picker = app.screen
        screen = picker.region
        box = picker.query_one("#picker-path", Input)
        assert box.region.width >= 50  # it was 12 columns, the place buttons taking the rest
        for widget in [box, *picker.query(Button), picker.query_one("#picker-chosen", Label)]:
            assert screen.contains_region(widget.region), widget
        tree = picker.query_one("#picker-tree", DirectoryTree)
        assert tree.region.height >= 10
        tree.focus()
        await pilot.press("down", "enter")  # the first file under the folder
        await pilot.pause()
        assert str(picker.query_one("#picker-chosen", Label).render()) == "Marked 1: IMG_0101.jpg"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert chosen == [[photo]]
