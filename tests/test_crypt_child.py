"""age runs in a child process (fieldkit.team.age_child), because pyrage holds Python's GIL for the
whole of a call and would freeze the app's screen from a worker thread. The caller is told what is
happening (`stage`, with the seconds it has run) and, when age streams to a key, how many bytes are
written (`progress`); either may raise to stop it, and then nothing is left behind. The secrets go
to the child on its stdin, never on its command line."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fieldkit.errors import FieldkitError
from fieldkit.team import crypt


@pytest.fixture
def fast_polls(monkeypatch):
    monkeypatch.setattr(crypt, "POLL", 0.005)  # many looks at the child while it starts and works


def source(tmp_path, size: int = 3 << 20):
    path = tmp_path / "backup.tar"
    path.write_bytes(os.urandom(size))
    return path


def test_a_passphrase_encryption_says_what_it_is_doing_and_for_how_long(tmp_path, fast_polls):
    plain = source(tmp_path)
    stages, progress = [], []
    crypt.encrypt(plain, tmp_path / "out.age", passphrase="long walk home", what="the backup",
                  stage=stages.append, progress=lambda done, total: progress.append((done, total)))
    doing = "Encrypting the backup (3 MB) with the passphrase, in memory"
    assert stages[0] == doing and len(stages) > 1
    assert all(line.startswith(doing + ": ") and line.endswith(" s") for line in stages[1:])
    assert progress == []  # one call in memory: no steps to count
    crypt.decrypt(tmp_path / "out.age", tmp_path / "back.tar", passphrase="long walk home", stage=stages.append)
    assert (tmp_path / "back.tar").read_bytes() == plain.read_bytes()
    assert "Decrypting out.age (3 MB) with the passphrase, in memory" in stages


def test_encryption_to_a_key_counts_the_bytes_written(tmp_path, fast_polls):
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    plain = source(tmp_path)
    progress = []
    crypt.encrypt(plain, tmp_path / "out.age", recipients=[str(identity.to_public())],
                  progress=lambda done, total: progress.append((done, total)))
    total = plain.stat().st_size
    assert progress[-1] == (total, total) and all(t == total for _, t in progress)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)  # never backwards
    crypt.decrypt(tmp_path / "out.age", tmp_path / "back.tar", identities=[str(identity)])
    assert (tmp_path / "back.tar").read_bytes() == plain.read_bytes()


@pytest.fixture
def children(monkeypatch) -> list[subprocess.Popen]:
    """Every age child started, to see how it ended."""
    started, real = [], subprocess.Popen

    def spy(*args, **kwargs):
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", spy)
    return started


def sparse(tmp_path, name: str, size: int):
    """A large source that costs no disk: age still reads and encrypts every byte of it."""
    path = tmp_path / name
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


BIG = 512 << 20  # about 2 s to stream through age here: long enough to be stopped part way


def cancel_part_way(done: int, total: int) -> None:
    """The user presses escape once age has written something, long before it is done."""
    if 0 < done < total:
        raise InterruptedError("cancelled")


def test_cancelling_a_streaming_encryption_kills_the_child_and_leaves_no_file(tmp_path, fast_polls, children):
    import pyrage

    target = tmp_path / "out.age"
    with pytest.raises(InterruptedError):
        crypt.encrypt(sparse(tmp_path, "big.tar", BIG), target,
                      recipients=[str(pyrage.x25519.Identity.generate().to_public())], progress=cancel_part_way)
    [child] = children
    assert child.returncode < 0  # killed by a signal, not run to its end
    assert not target.exists()


def test_cancelling_a_streaming_decryption_kills_the_child_and_leaves_no_file(tmp_path, fast_polls, children):
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    sealed = tmp_path / "big.age"  # smaller than BIG: this one is written out in full first
    pyrage.encrypt_file(str(sparse(tmp_path, "big.tar", 128 << 20)), str(sealed), [identity.to_public()])
    target = tmp_path / "back.tar"
    with pytest.raises(InterruptedError):
        crypt.decrypt(sealed, target, identities=[str(identity)], progress=cancel_part_way)
    [child] = children
    assert child.returncode < 0
    assert not target.exists()


def test_cancelling_a_passphrase_encryption_kills_the_child_and_leaves_no_file(tmp_path, fast_polls, children):
    """In memory there is no progress to count: the cancel comes through `stage`, while age works."""
    target = tmp_path / "out.age"
    said = []

    def cancel(text: str) -> None:
        said.append(text)
        if len(said) == 3:  # the user pressed escape while it ran
            raise InterruptedError("cancelled")

    with pytest.raises(InterruptedError):
        crypt.encrypt(sparse(tmp_path, "big.tar", 64 << 20), target, passphrase="long walk home", stage=cancel)
    [child] = children
    assert child.returncode < 0
    assert not target.exists()


def test_a_wrong_passphrase_and_a_failure_in_the_child_are_one_line(tmp_path):
    plain = source(tmp_path, 1000)
    crypt.encrypt(plain, tmp_path / "out.age", passphrase="right")
    with pytest.raises(crypt.DecryptProblem, match=r"^out.age cannot be opened with this passphrase"):
        crypt.decrypt(tmp_path / "out.age", tmp_path / "back.tar", passphrase="wrong")
    assert not (tmp_path / "back.tar").exists()
    with pytest.raises(FieldkitError) as failed:  # the target's folder is not there
        crypt.encrypt(plain, tmp_path / "gone" / "out.age", passphrase="right")
    assert str(failed.value).startswith("backup.tar could not be encrypted: FileNotFoundError: ")
    assert "\n" not in str(failed.value)


def test_the_passphrase_is_never_on_the_childs_command_line(tmp_path, monkeypatch):
    seen = []
    real = subprocess.Popen

    def spy(args, **kwargs):
        seen.append(args)
        return real(args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", spy)
    crypt.encrypt(source(tmp_path, 1000), tmp_path / "out.age", passphrase="long walk home")
    assert seen and not any("long walk home" in arg for args in seen for arg in args)


def test_the_calling_thread_s_process_keeps_running_python_while_age_works(tmp_path):
    """What the child is for: while a passphrase encryption runs (in a worker thread, as in the app),
    the main thread is not stopped for the length of the call, as it was with pyrage in-process."""
    plain = tmp_path / "big.tar"
    plain.write_bytes(bytes(100 << 20))
    done = threading.Event()
    worker = threading.Thread(target=lambda: (crypt.encrypt(plain, tmp_path / "out.age", passphrase="x"), done.set()))
    worker.start()
    longest, last = 0.0, time.monotonic()
    while not done.is_set():
        time.sleep(0.01)
        now = time.monotonic()
        longest, last = max(longest, now - last), now
    worker.join()
    assert (tmp_path / "out.age").stat().st_size > plain.stat().st_size
    assert longest < 0.5, longest  # in-process, 100 MB held the GIL for about 1.2 s at once


def test_a_child_that_cannot_be_started_is_one_line(tmp_path, monkeypatch):
    import errno

    def no_memory(*args, **kwargs):
        raise OSError(errno.ENOMEM, "Cannot allocate memory")

    monkeypatch.setattr(subprocess, "Popen", no_memory)
    with pytest.raises(FieldkitError, match=r"^backup.tar could not be encrypted: age could not be started "
                                            r"\(Cannot allocate memory\); free some memory and try again$"):
        crypt.encrypt(source(tmp_path, 1000), tmp_path / "out.age", passphrase="x")
    assert not (tmp_path / "out.age").exists()


def fake_child(tmp_path, monkeypatch, body: str):
    """Put a stand-in for the age child in its place: a script with `body`."""
    script = tmp_path / "fake_child.py"
    script.write_text("import os, sys\n" + body)
    monkeypatch.setattr(crypt, "CHILD", script)


def test_a_child_that_dies_before_reading_its_secrets_is_its_own_one_line_error(tmp_path, monkeypatch):
    """The child stops at once (pyrage missing, say) and never reads stdin: writing the secrets to it
    breaks the pipe, and what it said is the error, not a BrokenPipeError traceback."""
    fake_child(tmp_path, monkeypatch, "print('ModuleNotFoundError: No module named pyrage', file=sys.stderr)\n"
                                      "sys.exit(1)\n")
    plain = source(tmp_path, 1000)
    long_secret = "x" * (1 << 20)  # more than a pipe holds: the write cannot finish before the child is gone
    with pytest.raises(FieldkitError) as failed:
        crypt.encrypt(plain, tmp_path / "out.age", passphrase=long_secret)
    assert str(failed.value) == "backup.tar could not be encrypted: ModuleNotFoundError: No module named pyrage"
    assert not (tmp_path / "out.age").exists()


def test_of_a_child_s_traceback_only_its_last_line_is_said(tmp_path, monkeypatch):
    fake_child(tmp_path, monkeypatch, "sys.stdin.read()\n"
                                      "print('Traceback (most recent call last):\\n  File \"x\", line 1\\n'\n"
                                      "      'MemoryError: out of memory\\n\\n', file=sys.stderr)\nsys.exit(1)\n")
    with pytest.raises(FieldkitError) as failed:
        crypt.encrypt(source(tmp_path, 1000), tmp_path / "out.age", passphrase="x")
    assert str(failed.value) == "backup.tar could not be encrypted: MemoryError: out of memory"


def test_the_child_does_not_inherit_fieldkit_s_passphrases(tmp_path, monkeypatch):
    """The secret it needs comes on its stdin; the ones in fieldkit's environment stay out of its own."""
    monkeypatch.setenv("FIELDKIT_PASSPHRASE", "key secret")
    monkeypatch.setenv("FIELDKIT_BUNDLE_PASSPHRASE", "bundle secret")
    monkeypatch.setenv("FIELDKIT_KEEP_ME", "1")
    fake_child(tmp_path, monkeypatch, "sys.stdin.read()\n"
                                      "open(sys.argv[3], 'w').write(' '.join(sorted(k for k in os.environ if k.startswith('FIELDKIT_'))))\n")
    crypt.encrypt(source(tmp_path, 1000), tmp_path / "out.age", passphrase="x")
    seen = (tmp_path / "out.age").read_text().split()
    assert "FIELDKIT_KEEP_ME" in seen and "FIELDKIT_PASSPHRASE" not in seen and "FIELDKIT_BUNDLE_PASSPHRASE" not in seen


def alive(pid: int) -> bool:
    """Whether a process runs still (a zombie, dead and waiting to be reaped, does not)."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


PARENT = """
import subprocess, sys
from pathlib import Path
import pyrage
from fieldkit.team import crypt
real = subprocess.Popen
def spy(*args, **kwargs):
    child = real(*args, **kwargs)
    print(child.pid, flush=True)
    return child
subprocess.Popen = spy
crypt.encrypt(Path(sys.argv[1]), Path(sys.argv[2]), recipients=[str(pyrage.x25519.Identity.generate().to_public())])
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_child_stops_when_the_app_is_killed(tmp_path):
    """The app SIGKILLed (out of memory, say) while age works: its child does not work on, alone.
    The source is a pipe nobody writes into, so age would work on it forever; the test cannot pass
    because the job ended by itself."""
    import signal

    never_ends = tmp_path / "never-ends"
    os.mkfifo(never_ends)
    root = Path(__file__).resolve().parent.parent
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(never_ends), str(tmp_path / "out.age")],
                              stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(root)})
    child = int(parent.stdout.readline())
    try:
        for _ in range(600):  # until the child is at work: pyrage loaded, age waiting on its source
            if "pyrage" in Path(f"/proc/{child}/maps").read_text():
                break
            time.sleep(0.05)
        parent.kill()
        parent.wait()
        for _ in range(400):
            if not alive(child):
                break
            time.sleep(0.05)
        assert not alive(child)  # within 20 s (it takes milliseconds)
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)
        parent.stdout.close()
