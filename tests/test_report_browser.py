"""The HTML dossier and report open in a real headless Chromium: no network request, no console error.

Chromium is Debian's (`make deps` installs it); Playwright drives it without downloading a browser
of its own. A screenshot of each first page is kept in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from fieldkit.cli import cli
from fieldkit.locations import PROJECT_ROOT
from tests.report_fixtures import CYRILLIC, HANGUL, khk_with_markings

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium must be installed for these tests (make deps installs it)"
    return path


def load(html: Path, screenshot: Path) -> tuple[list[str], list[str], str]:
    """Open `html` in headless Chromium; (URLs requested, console errors, visible text)."""
    from playwright.sync_api import sync_playwright

    requests, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(html.as_uri(), wait_until="load")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(screenshot))
            text = page.inner_text("body")
            broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length")
            assert broken == 0, f"{broken} image(s) did not load"
        finally:
            browser.close()
    return requests, errors, text


@pytest.fixture(scope="module")
def khk(tmp_path_factory):
    return khk_with_markings(tmp_path_factory.mktemp("browser"))


def test_the_html_dossier_loads_offline_with_no_request_and_no_console_error(khk, tmp_path):
    out = tmp_path / "KHK-0001.html"
    assert CliRunner().invoke(cli, ["--db", str(khk), "dossier", "KHK-0001", "--html", str(out)]).exit_code == 0
    requests, errors, text = load(out, ARTIFACTS / "dossier-KHK-0001.png")
    assert requests == [out.as_uri()]
    assert errors == []
    assert HANGUL in text and CYRILLIC in text
    assert (ARTIFACTS / "dossier-KHK-0001.png").stat().st_size > 10_000


def test_the_html_report_with_its_map_loads_offline_with_no_request_and_no_console_error(khk, tmp_path):
    out = tmp_path / "report.html"
    assert CliRunner().invoke(cli, ["--db", str(khk), "report", "--all", str(out)]).exit_code == 0
    requests, errors, text = load(out, ARTIFACTS / "report.png")
    assert requests == [out.as_uri()]
    assert errors == []
    assert "Map of finds" in text and "3 find(s) with a location" in text
    for ref in ("EX-0002", "EX-0003", "KHK-0001"):
        assert f"Evidence dossier: {ref}" in text
