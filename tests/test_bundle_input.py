"""Bundles as bad input: a file that is not a bundle at all is exit 2 with one line, a damaged one is
a failed check (exit 1); a passphrase-encrypted file too large to hold in memory is refused."""

from __future__ import annotations

import pytest

from fieldkit.errors import FieldkitError
from fieldkit.team import crypt
from tests.test_cli_team import one_line_error, people  # noqa: F401 (a fixture)


@pytest.mark.parametrize("content", [b"", b"hello, not a bundle\n", b"%PDF-1.7\n" + b"x" * 500, b"\x89PNG\r\n\x1a\n"])
@pytest.mark.parametrize("command", [("bundle", "verify"), ("merge",)])
def test_a_file_that_is_not_a_bundle_is_bad_input_exit_2_in_one_line(people, tmp_path, content, command):  # noqa: F811
    path = tmp_path / "not-a-bundle.fkb"
    path.write_bytes(content)
    before = people("hq", "item", "list").output
    error = one_line_error(people("hq", *command, str(path)))
    assert error.startswith(f"error: {path} is not a fieldkit bundle (neither a zip file nor age-encrypted)")
    assert people("hq", "item", "list").output == before


def test_a_cut_short_bundle_is_still_a_failed_check_exit_1(people, tmp_path):  # noqa: F811
    bundle = tmp_path / "a.fkb"
    people("amina", "bundle", "create", str(bundle), "--all")
    cut = tmp_path / "cut.fkb"
    cut.write_bytes(bundle.read_bytes()[:300])
    assert people("hq", "bundle", "verify", str(cut)).exit_code == 1


def test_a_passphrase_file_too_large_for_memory_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(crypt, "MAX_PASSPHRASE_BYTES", 1000)
    big = tmp_path / "big.tar"
    big.write_bytes(b"x" * 1001)
    with pytest.raises(FieldkitError, match=r"held in memory .* encrypt to a key instead \(--encrypt-to\), which streams"):
        crypt.encrypt(big, tmp_path / "out.age", passphrase="secret")
    assert not (tmp_path / "out.age").exists()
    small = tmp_path / "small.tar"
    small.write_bytes(b"x" * 1000)
    crypt.encrypt(small, tmp_path / "small.age", passphrase="secret")
    monkeypatch.setattr(crypt, "MAX_PASSPHRASE_BYTES", 100)  # the encrypted file is larger still
    with pytest.raises(FieldkitError, match="small.age is"):
        crypt.decrypt(tmp_path / "small.age", tmp_path / "back.tar", passphrase="secret")
    assert not (tmp_path / "back.tar").exists()


def test_a_too_large_passphrase_backup_is_one_line_and_leaves_nothing(people, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(crypt, "MAX_PASSPHRASE_BYTES", 1000)
    dest = tmp_path / "backup.age"
    result = people("amina", "backup", str(dest), "--passphrase", env={"FIELDKIT_BUNDLE_PASSPHRASE": "shared"})
    assert "held in memory" in one_line_error(result)
    assert not dest.exists()
