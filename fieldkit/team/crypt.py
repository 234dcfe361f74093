"""age encryption (pyrage) of a file: to X25519 recipients, or with a passphrase.

A file encrypted to headquarters' key alone opens only with headquarters' identity: not with the
researcher's, and not with any passphrase. Used for bundles and for `fieldkit backup`.
"""

from __future__ import annotations

from pathlib import Path

from fieldkit.errors import FieldkitError

AGE_MAGIC = b"age-encryption.org/v1\n"
ARMOR_MAGIC = b"-----BEGIN AGE ENCRYPTED FILE-----"


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


def encrypt(source: Path, target: Path, *, recipients: list[str] = (), passphrase: str | None = None) -> None:
    """Write `source` encrypted to `target`: to every recipient, or with the passphrase (not both: age
    allows a passphrase only alone)."""
    import pyrage

    if recipients and passphrase:
        raise FieldkitError("age encrypts to recipients or with a passphrase, not both; choose one")
    if passphrase is not None:
        if not passphrase:
            raise FieldkitError("the passphrase is empty; give one to encrypt with")
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
