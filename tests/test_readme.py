"""The README's console examples are run for real, so they stay true.

Each ```console block is a session: lines starting with `$ ` are commands, the lines after
them are the expected output (stdout and stderr together). All blocks share one temporary
folder and one catalog, `FIELDKIT_DB=field.db`.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FINGERPRINT = re.compile(r"fingerprint [0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}")


def same_output(actual: str, expected: str) -> bool:
    """Equal, but for generated ids (UUIDs) and audit head fingerprints (they hash timestamps)."""
    def masked(text: str) -> str:
        return FINGERPRINT.sub("fingerprint <head>", UUID.sub("<id>", text))

    return masked(actual) == masked(expected)


def console_sessions(text: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs from every ```console block, in order."""
    pairs: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        command, output = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    pairs.append((command, "\n".join(output)))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            pairs.append((command, "\n".join(output)))
    return pairs


def test_the_readme_has_examples():
    assert len(console_sessions(README.read_text(encoding="utf-8"))) >= 5


def test_every_readme_example_gives_the_output_shown(tmp_path):
    env = {**os.environ, "FIELDKIT_DB": "field.db", "USER": "readme"}
    fieldkit = [sys.executable, "-m", "fieldkit"]
    for command, expected in console_sessions(README.read_text(encoding="utf-8")):
        argv = shlex.split(command)
        assert argv[0] == "fieldkit", command
        result = subprocess.run(
            fieldkit + argv[1:], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        actual = (result.stdout + result.stderr).rstrip("\n")
        assert same_output(actual, expected.rstrip("\n")), f"$ {command}\n{actual}"
