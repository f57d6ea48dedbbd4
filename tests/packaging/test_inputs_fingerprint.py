"""The packaging-inputs fingerprint that lets CI skip the bundle build: stable for a fresh copy, moved by a change."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.packaging.conftest import REPO, load_script

fingerprints = load_script("inputs_fingerprint.py")


def copy_inputs(target: Path) -> Path:
    """The inputs as a fresh clone would have them (no git here: every file found counts)."""
    for relative in fingerprints.input_paths(REPO):
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / relative, target / relative)
    return target


def test_a_fresh_copy_has_the_same_fingerprint(tmp_path: Path) -> None:
    copy = copy_inputs(tmp_path / "clone")
    assert fingerprints.fingerprint(copy) == fingerprints.fingerprint(REPO)
    # Times and leftovers of a run do not count; what the bundle is built from does.
    os.utime(copy / "pyproject.toml", (0, 0))
    (copy / "packaging" / "__pycache__").mkdir()
    (copy / "packaging" / "__pycache__" / "build.cpython-311.pyc").write_bytes(b"\0")
    assert fingerprints.fingerprint(copy) == fingerprints.fingerprint(REPO)


def test_a_changed_input_changes_the_fingerprint(tmp_path: Path) -> None:
    copy = copy_inputs(tmp_path / "clone")
    before = fingerprints.fingerprint(copy)
    icon = copy / "resources" / "icons" / "realmail.svg"
    icon.write_bytes(icon.read_bytes() + b"\n")
    changed = fingerprints.fingerprint(copy)
    assert changed != before
    icon.rename(icon.with_name("realmail-renamed.svg"))  # same bytes, another name
    assert fingerprints.fingerprint(copy) not in (before, changed)


def test_check_fails_until_a_build_records_the_fingerprint(tmp_path: Path) -> None:
    copy = copy_inputs(tmp_path / "clone")
    script = copy / "packaging" / "inputs_fingerprint.py"

    def run(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(script), command], capture_output=True, text=True, check=False)

    assert run("check").returncode == 1
    assert run("record").returncode == 0
    assert run("check").returncode == 0  # the recorded file itself is not an input
    (copy / "pyproject.toml").write_text((copy / "pyproject.toml").read_text() + "\n# a new pin\n")
    result = run("check")
    assert result.returncode == 1
    assert "packaging inputs changed" in result.stdout
