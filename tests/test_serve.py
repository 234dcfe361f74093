"""`fieldkit serve`: the catalog read-only in Datasette, over real HTTP on a free port."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from fieldkit.serve import CANNED_QUERIES
from tests.report_fixtures import example_copy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read()


def start_server(db) -> tuple[subprocess.Popen, str]:
    """`fieldkit serve` on a free port, once it answers; (process, base URL)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "fieldkit", "--db", str(db), "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1).read()
            return process, base
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.2)
    process.kill()
    pytest.fail("fieldkit serve did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = example_copy(tmp_path_factory.mktemp("serve"))
    process, base = start_server(db)
    before = db.read_bytes()
    yield base, db
    process.terminate()
    process.wait(timeout=10)
    assert db.read_bytes() == before  # serving never changed the catalog


def test_the_items_table_is_served_with_the_read_only_note(server):
    base, _ = server
    status, _, body = get(base + "/catalog/items.json?_shape=array&_col=ref&_sort=ref")
    assert status == 200
    assert [row["ref"] for row in json.loads(body)] == ["EX-0002", "EX-0003", "KHK-0001"]
    status, _, page = get(base + "/")
    assert "read-only copy" in page.decode()


def test_a_canned_query_answers_components_by_country(server):
    base, _ = server
    status, _, body = get(base + "/catalog/components_by_country.json?_shape=array")
    assert status == 200
    rows = {row["country"]: row["parts"] for row in json.loads(body)}
    assert rows["US"] == 48 and rows["JP"] == 14  # the example's KHK-0001, as `fieldkit summary` counts them
    assert {"components_by_firm", "date_code_window", "items_by_place", "markings_with_readings", "finds"} <= set(CANNED_QUERIES)


def test_a_photo_is_shown_as_a_thumbnail(server):
    base, db = server
    with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as conn:  # read without upgrading it
        sha = conn.execute("SELECT sha256 FROM photos ORDER BY sha256 LIMIT 1").fetchone()[0]
    status, kind, body = get(f"{base}/-/thumbnail/{sha}.jpg")
    assert status == 200 and kind == "image/jpeg" and body.startswith(b"\xff\xd8")
    from PIL import Image
    import io

    with Image.open(io.BytesIO(body)) as img:
        assert max(img.size) <= 240
    status, _, page = get(base + "/catalog/photos")
    assert f'<img src="/-/thumbnail/{sha}.jpg"' in page.decode()
    assert get(f"{base}/-/thumbnail/{'0' * 64}.jpg")[0] == 404
    assert get(f"{base}/-/thumbnail/..%2F..%2Fetc%2Fpasswd.jpg")[0] == 404


def test_a_write_is_refused(server):
    base, _ = server
    status, _, body = get(base + "/catalog.json?sql=" + urllib.parse.quote("DELETE FROM items"))
    assert status == 400 and "must be a SELECT" in body.decode()
    request = urllib.request.Request(base + "/catalog/items/-/insert", method="POST",
                                     data=json.dumps({"row": {"ref": "X"}}).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("a POST was accepted")
    except urllib.error.HTTPError as exc:
        assert exc.code == 405 and b"read-only" in exc.read()
    status, _, body = get(base + "/catalog/items.json?_shape=array&_col=ref")
    assert len(json.loads(body)) == 3


def test_serve_listens_on_localhost_by_default():
    from click.testing import CliRunner

    from fieldkit.cli import cli

    options = {p.name: p.default for p in cli.get_command(None, "serve").params}
    assert options["host"] == "127.0.0.1"
    result = CliRunner().invoke(cli, ["--db", "/nonexistent/x.db", "serve"])
    assert result.exit_code == 2 and result.output.startswith("error: no catalog at")


def test_serve_tui_serves_the_app_for_this_catalog_with_textual_serve(tmp_path, monkeypatch):
    import textual_serve.server

    from click.testing import CliRunner

    from fieldkit.cli import cli

    db = example_copy(tmp_path)
    started = {}

    class FakeServer:
        def __init__(self, command, host, port, title):
            started.update(command=command, host=host, port=port)

        def serve(self):
            started["served"] = True

    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    result = CliRunner().invoke(cli, ["--db", str(db), "serve", "--tui", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert started["served"] and started["host"] == "127.0.0.1" and started["port"] == 8123
    assert started["command"].endswith(f" -P -m fieldkit --db {db}")  # -P: no module from the current folder


def test_a_bad_query_from_a_browser_prints_no_traceback_on_the_server_terminal(tmp_path):
    process, base = start_server(example_copy(tmp_path))
    try:
        assert get(base + "/catalog.json?sql=" + urllib.parse.quote("DROP TABLE items"))[0] == 400
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert b"Traceback" not in err
