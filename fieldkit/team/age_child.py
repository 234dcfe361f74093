"""One age encryption or decryption of a file, run as a child process by fieldkit.team.crypt.

pyrage holds Python's GIL for the whole of each call (measured: 2.4 s for 200 MB with a passphrase,
0.8 s streaming 200 MB to a key, with the main thread stopped all that time), so run in the app's
worker thread it would freeze the screen; in a child process it does not, and the parent can show
what is happening and stop it. This file is run as a script (not `-m`): it imports only pyrage.

Usage: python age_child.py encrypt|decrypt SOURCE TARGET PARENT_PID, with the secrets as one JSON
object on stdin, never on the command line: {"passphrase": "..."}, {"recipients": ["age1..."]} or
{"identities": ["AGE-SECRET-KEY-1..."]}. Exit status 0 when done; 3 when the key or passphrase does
not open the file (or it is damaged); 1 on any other failure, its message on stderr in one line.

On Linux the child dies with its parent (PR_SET_PDEATHSIG): an app killed outright (SIGKILL, out of
memory) leaves no age working on alone. The kernel ties this to the parent *thread* that started the
child; fieldkit.team.crypt's thread waits for the child to end, so it outlives it. Elsewhere the
child runs to its end: a thread polling the parent could not run while pyrage holds the GIL.
"""

from __future__ import annotations

import json
import os
import sys

WRONG_SECRET = 3
PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_GONE = 4


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies; stop now if it died already (before the
    request was made, this process was handed to another parent). Does nothing elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl to call: run to the end, as elsewhere
        return
    if os.getppid() != parent:
        sys.exit(PARENT_GONE)


def run(mode: str, source: str, target: str, secrets: dict) -> None:
    import pyrage

    passphrase = secrets.get("passphrase")
    if mode == "encrypt" and passphrase is not None:
        with open(source, "rb") as fh:
            data = fh.read()
        data = pyrage.passphrase.encrypt(data, passphrase)
        with open(target, "wb") as fh:
            fh.write(data)
    elif mode == "encrypt":
        pyrage.encrypt_file(source, target, [pyrage.x25519.Recipient.from_str(r) for r in secrets["recipients"]])
    elif passphrase is not None:
        with open(source, "rb") as fh:
            data = fh.read()
        data = pyrage.passphrase.decrypt(data, passphrase)
        with open(target, "wb") as fh:
            fh.write(data)
    else:
        pyrage.decrypt_file(source, target, [pyrage.x25519.Identity.from_str(i) for i in secrets["identities"]])


def main(argv: list[str]) -> int:
    mode, source, target, parent = argv
    die_with_parent(int(parent))
    import pyrage

    try:
        run(mode, source, target, json.loads(sys.stdin.read()))
    except pyrage.DecryptError:
        return WRONG_SECRET
    except Exception as exc:  # noqa: BLE001 -- the parent turns it into one line naming the file
        print(" ".join(f"{type(exc).__name__}: {exc}".split()), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
