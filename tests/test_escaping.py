"""Escaping is unambiguous: a stored ESC and the typed four characters `\\x1b` never look the same.

`visible` doubles every backslash and writes each control, bidi control and lone surrogate as
`\\xHH` or `\\uHHHH`, so the text shown can be read back to exactly the text stored: the escaping
is injective. Messages carry raw text and are escaped once, where they are shown.
"""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from fieldkit.catalog import items
from fieldkit.catalog.db import open_catalog
from fieldkit.cli import cli
from fieldkit.safe_text import UNSAFE, json_visible, visible
from tests.tampering import shell

ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})")


def unescape(shown: str) -> str:
    """The reader's side: every escape `visible` writes, read back."""
    return ESCAPE.sub(lambda m: "\\" if m.group(1) == "\\" else chr(int(m.group(1)[1:], 16)), shown)


# The characters the escaping touches, the ones its escapes are made of, and any others.
touched = st.sampled_from(["\\", "\x1b", "\x00", "\x7f", "\x9b", "\u202e", "\u2066", "\u061c", "\udc80", "\ud800",
                           "x", "u", "1", "b", "2", "0", "e", "f", "\n"])
texts = st.text(alphabet=touched | st.characters(), max_size=40)


@given(texts)
def test_visible_can_be_read_back_exactly_so_it_is_injective(text):
    shown = visible(text)
    assert unescape(shown) == text
    assert not UNSAFE.search(shown)


@given(texts, texts)
def test_two_different_texts_never_look_the_same(a, b):
    if a != b:
        assert visible(a) != visible(b)
        assert visible(a, multiline=True) != visible(b, multiline=True)


@given(texts)
def test_json_output_parses_back_to_the_stored_text(text):
    shown = json_visible(json.dumps(text, ensure_ascii=False))
    assert json.loads(shown) == text and not UNSAFE.search(shown.replace("\n", ""))


def test_a_stored_esc_and_a_typed_backslash_x1b_are_told_apart_in_cli_output(db_path):
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "TYPED-1", "category": "rocket", "designation": r"9M22\x1b[31m"})
    items.add_item(catalog, {"ref": "STORED-1", "category": "rocket", "designation": "placeholder"})
    catalog.close()
    shell(db_path, "UPDATE items SET designation = '9M22' || char(27) || '[31m' WHERE ref = 'STORED-1'")
    typed = CliRunner().invoke(cli, ["--db", str(db_path), "item", "show", "TYPED-1"]).output
    stored = CliRunner().invoke(cli, ["--db", str(db_path), "item", "show", "STORED-1"]).output
    assert r"9M22\\x1b[31m" in typed and "\x1b" not in typed
    assert r"9M22\x1b[31m" in stored and r"9M22\\x1b" not in stored and "\x1b" not in stored


def test_a_message_naming_a_hostile_file_is_escaped_once(db_path, tmp_path):
    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "KHK-0001", "category": "fuze"})
    catalog.close()
    hostile = tmp_path / "a\\b\x1b]0;PWNED\x07.jpg"
    hostile.write_bytes(b"")
    result = CliRunner().invoke(cli, ["--db", str(db_path), "photo", "add", "KHK-0001", str(hostile)])
    assert result.exit_code == 2
    line = result.output.strip().splitlines()[-1]
    assert line.endswith(r"a\\b\x1b]0;PWNED\x07.jpg is empty (0 bytes); copy the original again from the camera or card")
    assert "\x1b" not in result.output


def test_verify_names_a_stray_file_with_a_backslash_and_an_esc_escaped_once(db_path, tmp_path):
    from tests.photo_files import jpeg_bytes, write
    from fieldkit.evidence.photos import add_photos

    catalog = open_catalog(db_path)
    items.add_item(catalog, {"ref": "KHK-0001", "category": "fuze"})
    add_photos(catalog, "KHK-0001", [write(tmp_path / "p.jpg", jpeg_bytes())])
    catalog.close()
    (db_path.with_name("catalog.db.photos") / "x\\y\x1b.jpg").write_bytes(b"stray")
    result = CliRunner().invoke(cli, ["--db", str(db_path), "verify"])
    assert result.exit_code == 1
    assert "unreferenced: x\\\\y\\x1b.jpg is not referenced by any photo" in result.output
    data = json.loads(CliRunner().invoke(cli, ["--db", str(db_path), "verify", "--json"]).output)
    assert data["problems"][0]["path"] == "x\\y\x1b.jpg"  # JSON carries the name itself, escaped by JSON
