"""age encryption (pyrage) of a file: to X25519 recipients, or with a passphrase.

A file encrypted to headquarters' key alone opens only with headquarters' identity: not with the
researcher's, and not with any passphrase. Used for bundles and for `fieldkit backup`.

Encryption to keys streams (pyrage.encrypt_file / decrypt_file). pyrage (1.4.0, the newest) has a
passphrase API for bytes only (`pyrage.passphrase.encrypt|decrypt`; its streaming functions take
X25519 or SSH recipients, not a passphrase), so a passphrase-encrypted file is held in memory,
plain and encrypted: it is refused above MAX_PASSPHRASE_BYTES with a one-line error, before
anything is read into memory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fieldkit.errors import FieldkitError

AGE_MAGIC = b"age-encryption.org/v1\n"
ARMOR_MAGIC = b"-----BEGIN AGE ENCRYPTED FILE-----"


MAX_PASSPHRASE_BYTES = 1 << 30  # 1 GiB: about 2 GiB in memory while it is encrypted or decrypted


class TooLargeForPassphrase(FieldkitError):
    """A file too large to encrypt or decrypt with a passphrase in memory."""


def check_passphrase_size(path: Path, what: str) -> None:
    size = path.stat().st_size
    if size > MAX_PASSPHRASE_BYTES:
        raise TooLargeForPassphrase(
            f"{what} is {size / 1e6:,.0f} MB; a passphrase-encrypted file is held in memory (age's passphrase "
            f"API in pyrage takes bytes only), so fieldkit keeps them under {MAX_PASSPHRASE_BYTES / 1e6:,.0f} MB: "
            "encrypt to a key instead (--encrypt-to), which streams")


class DecryptProblem(FieldkitError):
    """An encrypted file that this key or passphrase cannot open."""


def is_encrypted(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(len(ARMOR_MAGIC))
    return head.startswith(AGE_MAGIC) or head.startswith(ARMOR_MAGIC)


def needs_passphrase(path: Path) -> bool:
    """Whether an age file was encrypted with a passphrase (an scrypt stanza) rather than to keys."""
    with open(path, "rb") as fh:
        header = fh.read(4096)
    return b"\n-> scrypt " in header


def check_choice(recipients: list[str], passphrase: str | None) -> None:
    """Refuse recipients with a passphrase, or an empty passphrase, before anything is written."""
    if recipients and passphrase is not None:
        raise FieldkitError("age encrypts to recipients or with a passphrase, not both; choose one")
    if passphrase is not None and not passphrase:
        raise FieldkitError("the passphrase is empty; give one to encrypt with")


def opening_secrets(path: Path, key_passphrase: Callable[[], str],
                    file_passphrase: Callable[[], str]) -> tuple[list[str], str | None]:
    """What opens the age file at `path`, as (identities, passphrase): a file encrypted with a
    passphrase takes `file_passphrase()`; one encrypted to keys, your age identity, unlocked with
    `key_passphrase()`. Only the secret the file needs is asked for."""
    if needs_passphrase(path):
        return [], file_passphrase()
    from fieldkit.team import keys

    return [keys.unlock(key_passphrase()).age_identity], None


def encrypt(source: Path, target: Path, *, recipients: list[str] = (), passphrase: str | None = None) -> None:
    """Write `source` encrypted to `target`: to every recipient, or with the passphrase (not both: age
    allows a passphrase only alone)."""
    import pyrage

    check_choice(recipients, passphrase)
    if passphrase is not None:
        check_passphrase_size(source, "what would be encrypted")
        target.write_bytes(pyrage.passphrase.encrypt(source.read_bytes(), passphrase))
        return
    parsed = [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    pyrage.encrypt_file(str(source), str(target), parsed)


def decrypt(source: Path, target: Path, *, identities: list[str] = (), passphrase: str | None = None) -> None:
    """Decrypt `source` into `target`; a wrong key or passphrase is one line naming the problem."""
    import pyrage

    name = source.name
    try:
        if needs_passphrase(source):
            if passphrase is None:
                raise DecryptProblem(f"{name} is encrypted with a passphrase; give it (FIELDKIT_PASSPHRASE or --passphrase-file)")
            check_passphrase_size(source, name)
            target.write_bytes(pyrage.passphrase.decrypt(source.read_bytes(), passphrase))
            return
        if not identities:
            raise DecryptProblem(f"{name} is encrypted to age keys and you have no key here to open it (`fieldkit key new`)")
        parsed = [pyrage.x25519.Identity.from_str(i) for i in identities]
        pyrage.decrypt_file(str(source), str(target), parsed)
    except pyrage.DecryptError:
        target.unlink(missing_ok=True)
        if needs_passphrase(source):
            raise DecryptProblem(f"{name} cannot be opened with this passphrase (wrong passphrase, or the file is damaged)") from None
        raise DecryptProblem(f"{name} is not encrypted to your key (it is for another recipient), or it is damaged") from None
