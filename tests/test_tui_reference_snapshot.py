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


def test_reference_screen(snap_compare, tmp_path):
    shipped, user = tmp_path / "shipped", tmp_path / "user"
    shipped.mkdir()
    user.mkdir()
    (shipped / "marking_patterns.csv").write_text(PATTERNS, encoding="utf-8")
    (shipped / "factory_codes.csv").write_text(FACTORIES, encoding="utf-8")
    (user / "marking_patterns.csv").write_text(USER_PATTERNS, encoding="utf-8")
    tables = load_reference(user, shipped)
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
