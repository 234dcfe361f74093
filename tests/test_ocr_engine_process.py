"""The OCR engine process the user starts on purpose (`fieldkit ocr-engine start|stop|status`,
fieldkit.ocr.resident): while it runs, `fieldkit ocr FILE` prints exactly what it prints when it reads
in its own process, without importing an engine; when none runs, or it runs other code, tables or
settings, or the socket is stale or not private, `fieldkit ocr` reads in-process as before.

One engine is started for this module (in a private runtime folder of its own) and stopped at the
end; the socket and peer checks use a server with no engines loaded, in this process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from fieldkit.ocr import resident, resident_server
from tests.ocr_images import make_marking
from tests.test_pixel_bombs import png_bomb

ROOT = Path(__file__).resolve().parent.parent
DATA = next((d for d in (ROOT.parent / "shared" / "data" / "ocr-real", ROOT.parent.parent / "shared" / "data" / "ocr-real")
             if d.is_dir()), ROOT.parent / "shared" / "data" / "ocr-real")  # beside the checkout, or beside a worktree's folder
# what `fieldkit ocr FILE` must not load when the engine reads for it
ENGINE_MODULES = ("numpy", "onnxruntime", "PIL", "textual", "pytesseract", "tesserocr", "rapidocr", "fieldkit.ocr.engine",
                  "fieldkit.ocr.reading", "fieldkit.ocr.ppocr", "fieldkit.ocr.inprocess", "fieldkit.ocr.preprocess",
                  "fieldkit.ocr.choice", "fieldkit.ocr.correction", "fieldkit.tui")


def private_dir() -> Path:
    """A runtime folder short enough for a socket path (pytest's tmp_path can be too long)."""
    return Path(tempfile.mkdtemp(prefix="fk-rt-"))


def env_for(runtime: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (resident.ENV, "FIELDKIT_REFERENCE")}
    return {**env, "XDG_RUNTIME_DIR": str(runtime), "PYTHONPATH": str(ROOT), **extra}


def fieldkit(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fieldkit", *args], capture_output=True, text=True, env=env,
                          cwd=cwd or ROOT, timeout=300)


@pytest.fixture(scope="module")
def engine():
    """A running engine: (its environment, its pid); stopped (or killed) at the end."""
    runtime = private_dir()
    env = env_for(runtime)
    started = fieldkit(env, "ocr-engine", "start", "--idle", "10")
    assert started.returncode == 0, started.stderr
    pid = int(started.stdout.split("pid ")[1].split(",")[0])
    yield env, pid
    fieldkit(env, "ocr-engine", "stop")
    try:
        os.kill(pid, 9)  # only if stop failed
    except ProcessLookupError:
        pass
    shutil.rmtree(runtime, ignore_errors=True)


def readings(env) -> int:
    status = fieldkit(env, "ocr-engine", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    return int(status.stdout.split("readings: ")[1].split()[0])


def timeless(data):
    """--json without its timings (every key ending in "seconds": they differ from run to run)."""
    if isinstance(data, dict):
        return {k: timeless(v) for k, v in data.items() if not k.endswith("seconds")}
    if isinstance(data, list):
        return [timeless(v) for v in data]
    return data


def tuning_lines(count: int) -> list[tuple[Path, str]]:
    """The first labelled real lines of the tuning split (bench/ocr_real.py's split), as (photo, crop)."""
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    sources = sorted({v["source"] for v in labels.values()})
    tuning = {s for i, s in enumerate(sources) if i % 2 == 0}
    names = [n for n in sorted(labels) if labels[n]["source"] in tuning][:count]
    return [(DATA / n, ",".join(str(v) for v in labels[n]["crop"])) for n in names]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ocr-inputs")
    line = folder / "line.png"
    make_marking("9M22U 4-23", "stamped", size=40).image.save(line)
    cyrillic = folder / "cyr.png"
    make_marking("ЗАВОД 17 1987", "dark_on_light", size=40).image.save(cyrillic)
    photo = folder / "photo.png"
    make_marking("KP580BM80A", "stamped", size=40, canvas=(800, 400), at=(300, 250)).image.save(photo)
    truncated = folder / "cut.png"
    truncated.write_bytes(line.read_bytes()[:600])
    return folder


def compare(env, args, cwd):
    """`fieldkit ocr ARGS` served and in-process: (served, in-process) results."""
    served = fieldkit(env, "ocr", *args, cwd=cwd)
    alone = fieldkit({**env, resident.ENV: "off"}, "ocr", *args, cwd=cwd)
    return served, alone


def test_served_readings_print_exactly_what_an_in_process_reading_prints(engine, inputs):
    env, _ = engine
    cases = [
        ["line.png"],  # a line image given whole
        ["line.png", "--json"],
        ["photo.png", "--crop", "280,230,420,110", "--json"],
        ["cyr.png", "--engine", "tesseract"],
        ["photo.png", "--json"],  # a whole photo: lines detected
        ["--", "-dash.png"],  # a name that looks like an option
    ]
    shutil.copyfile(inputs / "line.png", inputs / "-dash.png")
    before = readings(env)
    for args in cases:
        served, alone = compare(env, args, inputs)  # relative names: read in the client's folder
        assert (served.returncode, served.stderr) == (alone.returncode, alone.stderr) == (0, ""), args
        if "--json" in args:
            assert timeless(json.loads(served.stdout)) == timeless(json.loads(alone.stdout)), args
        else:
            assert served.stdout == alone.stdout, args
    assert readings(env) == before + len(cases)  # every case was served


def test_a_batch_is_read_in_the_commands_own_process_with_the_same_output(engine, inputs):
    """Several images or boxes load the engines once in the command itself and print each reading as
    it is made; through the engine nothing would print until the last, and a batch outlasting the
    client's wait would be read twice."""
    env, _ = engine
    before = readings(env)
    for args in (["line.png", "photo.png", "--crop", "0,0,200,60", "--crop", "280,230,420,110", "--json"],
                 ["photo.png", "--crop", "0,0,200,60", "--crop", "280,230,420,110"]):
        served, alone = compare(env, args, inputs)
        assert (served.returncode, served.stderr) == (alone.returncode, alone.stderr) == (0, ""), args
        if "--json" in args:
            assert timeless(json.loads(served.stdout)) == timeless(json.loads(alone.stdout)), args
        else:
            assert served.stdout == alone.stdout, args
    assert readings(env) == before  # the engine read none of them


@pytest.mark.skipif(not (DATA / "labels.json").is_file(), reason="the real OCR lines are not here")
def test_served_readings_of_real_tuning_lines_are_the_in_process_ones(engine):
    env, _ = engine
    for photo, crop in tuning_lines(2):
        served, alone = compare(env, [str(photo), "--crop", crop, "--json"], ROOT)
        assert served.returncode == alone.returncode == 0, served.stderr + alone.stderr
        assert timeless(json.loads(served.stdout)) == timeless(json.loads(alone.stdout)), photo.name
        served, alone = compare(env, [str(photo), "--crop", crop], ROOT)
        assert served.stdout == alone.stdout, photo.name


def test_errors_come_back_as_the_same_one_line_errors(engine, inputs):
    env, _ = engine
    bomb = png_bomb(inputs / "bomb.png", 1, 200_000_000)
    (inputs / "notes.txt").write_text("not an image\n", encoding="utf-8")
    before = readings(env)
    for args in (["cut.png"], ["bomb.png"], ["notes.txt"], ["line.png", "--crop", "0,0,5000,10"], ["line.png", "--crop", "1,2"],
                 ["line.png", "--crop=-5,0,10,10"], ["line.png", "--ring", "10,10,5,900"]):
        served, alone = compare(env, args, inputs)
        assert served.returncode == alone.returncode == 2, args
        assert served.stderr == alone.stderr, args
        assert served.stderr.startswith("error: ") and served.stderr.count("\n") == 1, served.stderr
        assert "Traceback" not in served.stderr and served.stdout == alone.stdout == ""
    assert readings(env) == before + 7
    assert bomb.exists()


def test_a_file_named_by_the_client_s_own_descriptors_is_read_in_the_client_s_process(engine, inputs):
    """/dev/stdin and /dev/fd/N (a shell's <(...)) name the client's own open files: in the engine
    process they are its own (/dev/null, or nothing), so the engine must not read them; the
    reading is the in-process one."""
    env, _ = engine
    before = readings(env)
    results = []
    for mode in (None, "off"):
        with open(inputs / "line.png", "rb") as stdin:
            results.append(subprocess.run([sys.executable, "-m", "fieldkit", "ocr", "/dev/stdin"], stdin=stdin,
                                          capture_output=True, text=True, timeout=300,
                                          env={**env, resident.ENV: mode} if mode else env))
    served, alone = results
    assert alone.returncode == 0 and alone.stdout.startswith("text: "), alone.stderr
    assert served.returncode == 0 and served.stdout == alone.stdout, served.stderr
    assert readings(env) == before
    piped = subprocess.run(["bash", "-c", 'exec "$0" -m fieldkit ocr <(cat "$1")', sys.executable, str(inputs / "line.png")],
                           capture_output=True, text=True, env=env, timeout=300)
    assert piped.returncode == 0 and piped.stdout == alone.stdout, piped.stderr


def test_a_client_whose_working_folder_was_removed_still_reads_a_file_given_by_its_full_path(engine, inputs, tmp_path):
    env, _ = engine
    gone = tmp_path / "gone"
    gone.mkdir()
    done = subprocess.run(["sh", "-c", 'cd "$1" && rmdir "$1" && exec "$2" -m fieldkit ocr "$3"', "sh", str(gone),
                           sys.executable, str(inputs / "line.png")], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0 and done.stdout.startswith("text: 9M22U"), done.stderr


def test_a_served_reading_imports_no_engine(engine, inputs):
    env, _ = engine
    code = (
        "import sys, json, contextlib, io\n"
        "from fieldkit.cli import cli\n"
        "out = io.StringIO()\n"
        "try:\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        cli.main(['ocr', 'photo.png', '--crop', '280,230,420,110', '--json'], standalone_mode=False)\n"
        "    status = 0\n"
        "except SystemExit as exc:\n"
        "    status = exc.code or 0\n"
        "print(json.dumps([status, json.loads(out.getvalue())['corrected'], sorted(sys.modules)]))\n"
    )
    before = readings(env)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=inputs, timeout=120)
    assert done.returncode == 0, done.stderr
    status, corrected, modules = json.loads(done.stdout.splitlines()[-1])
    assert status == 0 and corrected
    assert readings(env) == before + 1
    assert [m for m in modules if any(m == p or m.startswith(p + ".") for p in ENGINE_MODULES)] == []


def test_start_status_stop_and_start_again(engine):
    env, pid = engine
    again = fieldkit(env, "ocr-engine", "start")
    assert again.returncode == 0 and f"already runs: pid {pid}" in again.stdout
    status = fieldkit(env, "ocr-engine", "status")
    import fieldkit as package
    from fieldkit.reference.plain import load_tables
    from fieldkit.locations import shipped_reference_dir

    assert f"running, pid {pid}" in status.stdout
    assert f"fieldkit: {package.__version__} " in status.stdout
    assert f"reference tables: version {load_tables(shipped_reference_dir(), None, lazy=True)[0].version}" in status.stdout
    assert "used by `fieldkit ocr FILE` here" in status.stdout
    socket_file = Path(env["XDG_RUNTIME_DIR"]) / "fieldkit" / resident.SOCKET_NAME
    assert oct(socket_file.stat().st_mode & 0o777) == "0o600"
    assert oct(socket_file.parent.stat().st_mode & 0o777) == "0o700"


def test_a_client_with_other_tables_or_settings_reads_in_process_and_says_why(engine, inputs, tmp_path):
    env, _ = engine
    tables = tmp_path / "my-tables"
    tables.mkdir()
    for extra, why in (({"FIELDKIT_REFERENCE": str(tables)}, "reference tables"),
                       ({"FIELDKIT_TESSERACT": "process"}, "OCR settings")):
        before = readings(env)
        done = fieldkit({**env, **extra}, "ocr", "line.png", cwd=inputs)
        assert done.returncode == 0 and done.stdout.startswith("text: ")
        assert done.stderr.startswith("note: the OCR engine process") and why in done.stderr
        assert done.stderr.count("\n") == 1 and readings(env) == before
        status = fieldkit({**env, **extra}, "ocr-engine", "status")
        assert f"not used by this fieldkit: it runs other {why}" in status.stdout


def test_a_client_naming_other_tables_with_the_reference_option_reads_in_process_and_says_why(engine, inputs, tmp_path):
    env, _ = engine
    tables = tmp_path / "my-tables"
    tables.mkdir()
    before = readings(env)
    done = fieldkit(env, "--reference", str(tables), "ocr", "line.png", cwd=inputs)
    assert done.returncode == 0 and done.stdout.startswith("text: ")
    assert done.stderr.startswith("note: the OCR engine process") and "reference tables" in done.stderr
    assert readings(env) == before
    status = fieldkit(env, "--reference", str(tables), "ocr-engine", "status")
    assert "not used by this fieldkit: it runs other reference tables" in status.stdout


def test_an_engine_started_with_the_reference_option_serves_those_tables_only(inputs, tmp_path):
    runtime = private_dir()
    env = env_for(runtime)
    tables = tmp_path / "my-tables"
    tables.mkdir()
    try:
        started = fieldkit(env, "--reference", str(tables), "ocr-engine", "start", "--idle", "5")
        assert started.returncode == 0, started.stderr
        served = fieldkit(env, "--reference", str(tables), "ocr", "line.png", cwd=inputs)
        assert served.returncode == 0 and served.stderr == "" and readings(env) == 1
        shipped_only = fieldkit(env, "ocr", "line.png", cwd=inputs)
        assert shipped_only.returncode == 0 and "reference tables" in shipped_only.stderr and readings(env) == 1
    finally:
        fieldkit(env, "ocr-engine", "stop")
        shutil.rmtree(runtime, ignore_errors=True)


def test_an_engine_started_with_a_relative_reference_folder_serves_that_folder(inputs, tmp_path):
    """`fieldkit --reference my-tables ocr-engine start`: the folder is the one beside the researcher,
    not one below / where the engine process runs; a client naming it by its full path is served."""
    runtime = private_dir()
    env = env_for(runtime)
    tables = tmp_path / "my-tables"
    tables.mkdir()
    try:
        started = fieldkit(env, "--reference", "my-tables", "ocr-engine", "start", "--idle", "5", cwd=tmp_path)
        assert started.returncode == 0, started.stderr
        served = fieldkit(env, "--reference", str(tables), "ocr", "line.png", cwd=inputs)
        assert served.returncode == 0 and served.stderr == "" and readings(env) == 1
    finally:
        fieldkit(env, "ocr-engine", "stop")
        shutil.rmtree(runtime, ignore_errors=True)


def test_with_no_engine_ocr_reads_in_process_and_status_says_so(inputs):
    runtime = private_dir()
    env = env_for(runtime)
    status = fieldkit(env, "ocr-engine", "status")
    assert status.returncode == 1 and "not running" in status.stdout
    assert fieldkit(env, "ocr-engine", "stop").stdout == "no OCR engine process runs\n"
    done = fieldkit(env, "ocr", "line.png", cwd=inputs)
    assert done.returncode == 0 and done.stdout.startswith("text: ") and done.stderr == ""
    shutil.rmtree(runtime)


def test_an_idle_time_that_is_not_a_number_is_refused_not_an_engine_that_never_ends(inputs):
    runtime = private_dir()
    env = env_for(runtime)
    try:
        done = fieldkit(env, "ocr-engine", "start", "--idle", "nan")
        assert done.returncode == 2 and done.stderr.startswith("error: --idle") and done.stderr.count("\n") == 1, done.stderr
        assert fieldkit(env, "ocr-engine", "status").returncode == 1  # none was started
    finally:
        fieldkit(env, "ocr-engine", "stop")
        shutil.rmtree(runtime)


def test_a_stale_socket_is_removed_and_the_reading_done_in_process(inputs):
    runtime = private_dir()
    (runtime / "fieldkit").mkdir(mode=0o700)
    path = runtime / "fieldkit" / resident.SOCKET_NAME
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(path))
    dead.close()  # the file stays, with no process behind it
    assert path.exists()
    done = fieldkit(env_for(runtime), "ocr", "line.png", cwd=inputs)
    assert done.returncode == 0 and done.stdout.startswith("text: ") and done.stderr == ""
    assert not path.exists()
    shutil.rmtree(runtime)


def test_a_runtime_folder_open_to_others_or_a_symlink_is_not_used(inputs, tmp_path):
    runtime = private_dir()
    folder = runtime / "fieldkit"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    env = env_for(runtime)
    done = fieldkit(env, "ocr", "line.png", cwd=inputs)
    assert done.returncode == 0 and done.stdout.startswith("text: ")
    assert done.stderr == f"note: the OCR engine process is not used: {folder} is open to other users (mode 755); run chmod 700 on it\n"
    refused = fieldkit(env, "ocr-engine", "start")
    assert refused.returncode == 2 and refused.stderr.startswith("error: ") and "open to other users" in refused.stderr
    folder.rmdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    folder.symlink_to(elsewhere)
    refused = fieldkit(env, "ocr-engine", "start")
    assert refused.returncode == 2 and "is not a folder (a symlink or a file)" in refused.stderr
    assert list(elsewhere.iterdir()) == []
    shutil.rmtree(runtime)
    missing = fieldkit(env_for(runtime / "gone"), "ocr-engine", "start")
    assert (missing.returncode, missing.stderr) == (2, f"error: cannot make {runtime}/gone/fieldkit: No such file or directory\n")


@pytest.mark.skipif(os.getuid() != 0, reason="making a file another user's needs root")
def test_a_socket_of_another_user_is_not_used(inputs):
    runtime = private_dir()
    (runtime / "fieldkit").mkdir(mode=0o700)
    path = runtime / "fieldkit" / resident.SOCKET_NAME
    planted = socket.socket(socket.AF_UNIX)
    planted.bind(str(path))
    os.chown(path, 65534, 65534)
    done = fieldkit(env_for(runtime), "ocr", "line.png", cwd=inputs)
    assert done.returncode == 0 and done.stdout.startswith("text: ")
    assert "is not a socket of this user" in done.stderr and path.exists()  # not ours: not removed either
    planted.close()
    shutil.rmtree(runtime)


# ---------------------------------------------------------------- a server with no engines, in this process


@pytest.fixture
def bare(monkeypatch):
    """A server in a thread of this process (no engines: readings are refused), in a private folder."""
    runtime = private_dir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv(resident.ENV, raising=False)
    monkeypatch.setattr(resident_server, "warm_up", lambda: "tables-version")
    path = resident.socket_path(create=True)
    said: list[str] = []
    thread = threading.Thread(target=resident_server.serve, args=(path, 0.05, {"code": "other"}, said.append), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not said and time.monotonic() < deadline:
        time.sleep(0.01)
    assert said and said[0].startswith("ready "), said
    yield path, thread
    if thread.is_alive():
        resident.ask("stop")
        thread.join(10)
    shutil.rmtree(runtime)


def test_the_server_answers_status_and_stops_on_request(bare):
    path, thread = bare
    status = resident.ask("status")
    assert status["pid"] == os.getpid() and status["reference_version"] == "tables-version" and status["readings"] == 0
    assert resident.ask("stop") == {"stopping": True, "pid": os.getpid()}
    thread.join(10)
    assert not thread.is_alive() and not path.exists()


def test_the_server_ends_when_its_socket_file_is_removed(bare):
    path, thread = bare
    path.unlink()
    thread.join(10)
    assert not thread.is_alive()


def test_the_server_ends_after_its_idle_time(bare):
    path, thread = bare  # 0.05 minutes: 3 s
    thread.join(15)
    assert not thread.is_alive() and not path.exists()


def test_a_peer_of_another_user_gets_no_answer(bare, monkeypatch):
    path, _ = bare
    me = os.getuid()
    with monkeypatch.context() as patched:
        patched.setattr(resident, "peer", lambda sock: (1, me + 1))  # what the kernel would say of another user
        with pytest.raises(resident.Unsafe, match="another user's process"):
            resident.ask("status")  # the client refuses a server of another user
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(str(path))
        try:
            resident.send(sock, {"op": "status"})
            answer = sock.recv(100)
        except (ConnectionResetError, BrokenPipeError):  # closed with the request unread
            answer = b""
        assert answer == b""  # and the server closes on a client of another user without a word
        sock.close()
    assert resident.ask("status")["readings"] == 0  # the same server answers its own user


def test_a_request_over_the_size_bound_is_refused(bare):
    path, _ = bare
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(path))
    sock.settimeout(10)
    try:
        sock.sendall(b"x" * (resident.MAX_REQUEST + 10))
    except BrokenPipeError:
        pass
    with sock.makefile("rb") as stream:
        answer = resident.receive(stream, resident.MAX_REQUEST)
    assert answer == {"accepted": False, "why": f"bad request: message longer than {resident.MAX_REQUEST} bytes"}
    sock.close()


def test_a_reading_by_an_engine_of_other_code_is_declined_and_done_here(bare, capsys):
    assert resident.read(files=["x.png"], crops=[], languages="eng", ring=None, engine="auto", psm=None, as_json=False) is None
    assert "did not read this: it runs other fieldkit code" in capsys.readouterr().err


def test_an_engine_that_does_not_answer_in_time_is_left_for_an_in_process_reading(monkeypatch, capsys):
    runtime = private_dir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv(resident.ENV, raising=False)
    monkeypatch.setattr(resident, "ANSWER_TIMEOUT", 0.2)
    silent = socket.socket(socket.AF_UNIX)
    silent.bind(str(resident.socket_path(create=True)))
    silent.listen()  # accepts (the kernel does) but never answers
    started = time.monotonic()
    assert resident.read(files=["x.png"], crops=[], languages="eng", ring=None, engine="auto", psm=None, as_json=False) is None
    assert time.monotonic() - started < 5
    assert capsys.readouterr().err == f"note: the OCR engine process (pid {os.getpid()}) did not answer in time; read in this process\n"
    silent.close()
    shutil.rmtree(runtime)


def test_requests_name_only_image_files_to_read():
    request = {"files": ["a.png"], "crops": ["1,2,3,4"], "languages": "eng", "ring": None, "engine": "auto", "psm": 7, "json": True}
    assert resident_server.arguments(request) == ["--lang=eng", "--engine=auto", "--psm=7", "--crop=1,2,3,4", "--json",
                                                  "--", "a.png"]
    for bad in ({"engine": "--save"}, {"psm": "7; rm"}, {"files": []}, {"files": ["a\0b"]}, {"languages": 3}):
        with pytest.raises(ValueError):
            resident_server.arguments(request | bad)


def test_an_upgraded_package_in_the_python_installation_changes_the_identity(tmp_path, monkeypatch):
    """`pip install -U onnxruntime` (or rapidocr, tesserocr, numpy) in the same environment: the
    engine still holds the old one loaded, so it must no longer count as the same installation."""
    site = tmp_path / "site-packages"
    (site / "onnxruntime-1.32.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    before = resident.identity()
    (site / "onnxruntime-1.32.0.dist-info").rename(site / "onnxruntime-1.33.0.dist-info")
    after = resident.identity()
    assert resident.differences(before, after) == ["Python installation"]
