"""age encryption (pyrage) of a file: to X25519 recipients, or with a passphrase.

A file encrypted to headquarters' key alone opens only with headquarters' identity: not with the
researcher's, and not with any passphrase. Used for bundles and for `fieldkit backup`.

Encryption to keys streams (pyrage.encrypt_file / decrypt_file). pyrage (1.4.0, the newest) has a
passphrase API for bytes only (`pyrage.passphrase.encrypt|decrypt`; its streaming functions take
X25519 or SSH recipients, not a passphrase), so a passphrase-encrypted file is held in memory,
plain and encrypted: it is refused above MAX_PASSPHRASE_BYTES with a one-line error, before
anything is read into memory.

Each encryption or decryption runs in a child process (fieldkit.team.age_child), since pyrage holds
the GIL throughout: the app stays responsive and shows what is happening (`stage`) and, when age
streams, how far it is (`progress`, in bytes); a passphrase's in-memory call has no steps to count.
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


def encrypt(source: Path, target: Path, *, recipients: list[str] = (), passphrase: str | None = None,
            what: str | None = None, stage: Stage | None = None, progress: Progress | None = None) -> None:
    """Write `source` encrypted to `target`: to every recipient, or with the passphrase (not both: age
    allows a passphrase only alone). `what` names the file in `stage`'s lines (see `_in_child`)."""
    import pyrage

    check_choice(recipients, passphrase)
    what = what or source.name
    if passphrase is not None:
        check_passphrase_size(source, "what would be encrypted")
        doing = f"Encrypting {what} ({_size(source)}) with the passphrase, in memory"
        _in_child("encrypt", source, target, {"passphrase": passphrase}, doing, stage, None)
        return
    for r in recipients:  # a bad recipient is said here, in this process, before the child starts
        pyrage.x25519.Recipient.from_str(r)
    doing = f"Encrypting {what} ({_size(source)}) to {len(recipients)} key{'s' if len(recipients) != 1 else ''}"
    _in_child("encrypt", source, target, {"recipients": list(recipients)}, doing, stage, progress)


def decrypt(source: Path, target: Path, *, identities: list[str] = (), passphrase: str | None = None,
            stage: Stage | None = None, progress: Progress | None = None) -> None:
    """Decrypt `source` into `target`; a wrong key or passphrase is one line naming the problem."""
    name = source.name
    with_passphrase = needs_passphrase(source)
    if with_passphrase:
        if passphrase is None:
            raise DecryptProblem(f"{name} is encrypted with a passphrase; give it (FIELDKIT_PASSPHRASE or --passphrase-file)")
        check_passphrase_size(source, name)
        doing = f"Decrypting {name} ({_size(source)}) with the passphrase, in memory"
        secrets, progress = {"passphrase": passphrase}, None
    else:
        if not identities:
            raise DecryptProblem(f"{name} is encrypted to age keys and you have no key here to open it (`fieldkit key new`)")
        doing = f"Decrypting {name} ({_size(source)}) with your key"
        secrets = {"identities": list(identities)}
    try:
        _in_child("decrypt", source, target, secrets, doing, stage, progress)
    except _WrongSecret:
        target.unlink(missing_ok=True)
        if with_passphrase:
            raise DecryptProblem(f"{name} cannot be opened with this passphrase (wrong passphrase, or the file is damaged)") from None
        raise DecryptProblem(f"{name} is not encrypted to your key (it is for another recipient), or it is damaged") from None


Stage = Callable[[str], None]
Progress = Callable[[int, int], None]
CHILD = Path(__file__).with_name("age_child.py")
POLL = 0.25  # seconds between looks at the child: how often stage and progress are called
SECRET_VARIABLES = ("FIELDKIT_PASSPHRASE", "FIELDKIT_BUNDLE_PASSPHRASE")  # not passed on: its secret is on stdin


class _WrongSecret(Exception):
    """The child could not open the file with the key or passphrase given."""


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:,.0f} MB" if size >= 10**6 else f"{size / 1e3:,.0f} kB"


def _in_child(mode: str, source: Path, target: Path, secrets: dict, doing: str,
              stage: Stage | None, progress: Progress | None) -> None:
    """Run age in a child process (fieldkit.team.age_child: pyrage holds the GIL, so a thread would
    freeze the app), the secrets on its stdin. While it runs, every POLL seconds: `stage(doing: N s)`
    (what is happening, and for how long) and, when it streams, `progress(bytes written, bytes to
    write)`. Either may raise (the app's cancel): the child is then stopped, `target` removed, and
    the exception passes on. A failure in the child is one line naming `source`: the last line it
    wrote to stderr. fieldkit's passphrases are kept out of the child's environment."""
    import contextlib
    import json
    import os
    import subprocess
    import sys
    import tempfile
    import time

    total = source.stat().st_size
    started = time.monotonic()
    if stage:
        stage(doing)
    env = {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}
    # the child's stderr goes to a file, not a pipe: a child that wrote more than a pipe holds would
    # otherwise block until cancelled, its parent reading only once it has ended
    with tempfile.TemporaryFile() as errors:
        try:  # -P: the script's folder (which holds crypt.py, a standard module's name) is not put on sys.path
            child = subprocess.Popen(
                [sys.executable, "-P", str(CHILD), mode, str(source), str(target), str(os.getpid())],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        except OSError as exc:
            raise FieldkitError(f"{source.name} could not be {mode}ed: age could not be started ({exc.strerror}); "
                                "free some memory and try again") from None
        try:
            try:
                child.stdin.write(json.dumps(secrets).encode())
                child.stdin.close()
            except BrokenPipeError:  # the child stopped before reading them: what it said is below
                with contextlib.suppress(OSError):
                    child.stdin.close()  # the pipe's fd is closed even though the flush fails
            while True:
                try:
                    child.wait(POLL)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if stage:
                    stage(f"{doing}: {time.monotonic() - started:.0f} s")
                if progress:
                    progress(min(_written(target), total), total)
        except BaseException:
            child.kill()
            child.wait()
            target.unlink(missing_ok=True)
            raise
        errors.seek(0)
        said = [line.strip() for line in errors.read().decode(errors="replace").splitlines() if line.strip()]
    error = said[-1] if said else ""  # a traceback's last line names the error
    if child.returncode == 3:  # age_child.WRONG_SECRET
        raise _WrongSecret()
    if child.returncode != 0:
        target.unlink(missing_ok=True)
        raise FieldkitError(f"{source.name} could not be {mode}ed: {error or f'age stopped (status {child.returncode})'}")
    if progress:
        progress(total, total)


def _written(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
