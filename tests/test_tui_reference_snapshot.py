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
