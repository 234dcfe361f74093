"""Snapshot of the reference browser, over small fixed tables so that it never changes by accident."""

from __future__ import annotations

from fieldkit.reference.tables import load_reference
from fieldkit.tui.app import make_app
from fieldkit.tui.screens.reference import ReferenceScreen

PATTERNS = """\
id,regex,year_calendar,country,producer,category,description,example_positive,example_negative,source,confidence_notes
dprk-juche-year-bare,(?<![\\d.-])(?P<year>1[01]\\d)(?![\\d.-]),juche,KP,,missile component,Bare Juche year,112,2023,KBS World reporting CAR,Medium
su-grad-9m22u-designation,\\b(?P<designation>9M22Y?)\\b,,SU,,rocket,Grad rocket index 9M22U,9M22Y,9M221,evz.ro,High
"""
FACTORIES = """\
country,code,factory,products,source
SU,539,Tula cartridge works,small-arms cartridges,cartridgecollector.net
"""
USER_PATTERNS = """\
id,regex,year_calendar,country,producer,category,description,example_positive,example_negative,source,confidence_notes
su-grad-9m22u-designation,\\b(?P<designation>9M22[YU]?)\\b,,SU,,rocket,Grad index incl. Latin U,9M22U,9M221,my field notes,High
"""


def small_tables(tmp_path):
    """The small fixed tables above, as shipped and user tables in tmp_path."""
    shipped, user = tmp_path / "shipped", tmp_path / "user"
    shipped.mkdir()
    user.mkdir()
    (shipped / "marking_patterns.csv").write_text(PATTERNS, encoding="utf-8")
    (shipped / "factory_codes.csv").write_text(FACTORIES, encoding="utf-8")
    (user / "marking_patterns.csv").write_text(USER_PATTERNS, encoding="utf-8")
    return load_reference(user, shipped)


def test_reference_screen(snap_compare, tmp_path):
    tables = small_tables(tmp_path)
    app = make_app(tmp_path / "snapshot.db", actor="t", offer_example=False)

    async def open_reference(pilot):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        pilot.app.push_screen(ReferenceScreen(tables))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 24), run_before=open_reference)


MANUFACTURERS = """\
id,firm,country,aliases,prefixes,former_names,source,notes
texas-instruments,Texas Instruments,US,TI|Texas Instruments,,National Semiconductor@2011,test fixture,
stmicroelectronics,STMicroelectronics,CH,ST|STMicro,,,test fixture,
onsemi,onsemi,US,ON Semiconductor,,Fairchild Semiconductor@2016,test fixture,
u-blox,u-blox,CH,u-blox,,,test fixture,
analog-devices,Analog Devices,US,ADI,MAX,Maxim Integrated@2021,test fixture,
"""
FAMILIES = """\
family,firm_id,kind,brand,line_from,source,notes
TPS,texas-instruments,family,,,test fixture,
MAX-M10,u-blox,exception,,,test fixture,
LM317,texas-instruments,multi,,,test fixture,
LM317,stmicroelectronics,multi,,,test fixture,
LM317,onsemi,multi,,,test fixture,
"""


def manufacturer_tables(tmp_path):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "marking_patterns.csv").write_text(PATTERNS, encoding="utf-8")
    (shipped / "factory_codes.csv").write_text(FACTORIES, encoding="utf-8")
    (shipped / "manufacturers.csv").write_text(MANUFACTURERS, encoding="utf-8")
    (shipped / "part_families.csv").write_text(FAMILIES, encoding="utf-8")
    return load_reference(None, shipped)


async def show(pilot, screen):
    """Wait for the app to settle, then put `screen` on top."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    pilot.app.push_screen(screen)
    await pilot.pause()


def test_manufacturers_tab_explains_a_multi_source_part_number(snap_compare, tmp_path):
    tables = manufacturer_tables(tmp_path)
    app = make_app(tmp_path / "snapshot.db", actor="t", offer_example=False)

    async def search(pilot):
        await show(pilot, ReferenceScreen(tables))
        pilot.app.screen.query_one("#ref-tabs").active = "ref-manufacturers"
        await pilot.press("slash", *"LM317T")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 24), run_before=search)


def test_family_form_checked_as_typed(snap_compare, tmp_path):
    from fieldkit.components.attribution import ManufacturerIndex
    from fieldkit.tui.screens.manufacturers import FamilyFormScreen

    tables = manufacturer_tables(tmp_path)
    app = make_app(tmp_path / "snapshot.db", actor="t", offer_example=False)

    async def fill(pilot):
        await show(pilot, FamilyFormScreen(ManufacturerIndex.from_tables(tables)))
        await pilot.press(*"ZQX7", "tab", *"texas-instruments", "tab", *"ZQX7100", "tab", *"TI ordering guide")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 30), run_before=fill)


def realistic_tables(tmp_path):
    """Fixed tables as long as the shipped ones (60 patterns, 30 factory codes): long enough that a
    table that pushed the search box, counts and tabs off the top would show in the snapshot."""
    shipped = tmp_path / "long"
    shipped.mkdir()
    rows = [PATTERNS.splitlines()[0]] + [
        f"test-pattern-{n:02d},\\bT{n:02d}-(?P<lot>\\d{{2}})\\b,,SU,,rocket,Test pattern {n} for the layout,T{n:02d}-23,X{n:02d},fixture,High"
        for n in range(60)
    ]
    (shipped / "marking_patterns.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    codes = ["country,code,factory,products,source"] + [f"SU,{100 + n},Works {n},cartridges,fixture" for n in range(30)]
    (shipped / "factory_codes.csv").write_text("\n".join(codes) + "\n", encoding="utf-8")
    empty_user = tmp_path / "no-user"
    empty_user.mkdir()
    return load_reference(empty_user, shipped)


def _reference_snapshot(snap_compare, tmp_path, size):
    tables = realistic_tables(tmp_path)
    app = make_app(tmp_path / "snapshot.db", actor="t", offer_example=False)

    async def open_reference(pilot):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        pilot.app.push_screen(ReferenceScreen(tables))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_reference)


def test_reference_screen_with_long_tables_at_80x24(snap_compare, tmp_path):
    _reference_snapshot(snap_compare, tmp_path, (80, 24))


def test_reference_screen_with_long_tables_at_160x45(snap_compare, tmp_path):
    _reference_snapshot(snap_compare, tmp_path, (160, 45))


async def test_the_reference_screen_opens_at_its_top_with_the_shipped_tables(tmp_path):
    """Issue 14 point 12: search box, counts and tabs in view from 80x24 up; Enter shows the whole row."""
    from textual.widgets import Input, Static, TabbedContent

    from fieldkit.tui.screens.reference import ReferenceRowScreen

    for size in ((80, 24), (100, 30), (160, 45)):
        app = make_app(tmp_path / f"r{size[0]}.db", actor="t", offer_example=False)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            app.push_screen(ReferenceScreen())
            await pilot.pause()
            screen = app.screen
            assert screen.scroll_offset.y == 0, size
            for widget in (screen.query_one("#ref-search", Input), screen.query_one("#ref-status", Static),
                           screen.query_one("#ref-tabs", TabbedContent).query_one("Tabs")):
                assert 0 <= widget.region.y < size[1] - 2 and widget.region.height > 0, (size, widget)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ReferenceRowScreen)
            shown = " ".join(str(s.render()) for s in app.screen.query(".reference-value"))
            row = app.screen.row
            assert row.source and row.source[:30] in shown and (row.description or "")[:30] in shown
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen


def test_match_dialog_reads_a_text_as_fieldkit_match(snap_compare, tmp_path):
    """`t` on the Reference screen, over the small fixed tables: 주체112 read as a Juche year."""
    from fieldkit.tui.screens.match import MatchScreen

    tables = small_tables(tmp_path)
    app = make_app(tmp_path / "snapshot.db", actor="t", offer_example=False)

    async def read(pilot):
        await show(pilot, ReferenceScreen(tables))
        await show(pilot, MatchScreen(tables, "주체112"))
        pilot.app.screen.query_one("#match-text").cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 30), run_before=read)


def test_reference_check_names_every_problem(snap_compare, tmp_path, monkeypatch):
    """`c` on the Reference screen, over the small fixed tables and a user folder at a fixed path
    (it is named on screen) holding an override and a bad regex."""
    import shutil
    from pathlib import Path

    from fieldkit.tui.screens.reference_check import ReferenceCheckScreen

    shipped, user = tmp_path / "shipped", Path("/tmp/fieldkit-snapshot-reference")
    shipped.mkdir()
    shutil.rmtree(user, ignore_errors=True)
    user.mkdir()
    (shipped / "marking_patterns.csv").write_text(PATTERNS, encoding="utf-8")
    (shipped / "factory_codes.csv").write_text(FACTORIES, encoding="utf-8")
    (user / "marking_patterns.csv").write_text(USER_PATTERNS + "bad-one,(?P<factory>112,,KP,,,,,,my notes,\n",
                                               encoding="utf-8")
    monkeypatch.setenv("FIELDKIT_REFERENCE", str(user))
    app = make_app(tmp_path / "snapshot.db", actor="t", offer_example=False)

    async def check(pilot):
        await show(pilot, ReferenceCheckScreen(shipped))
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 30), run_before=check)
