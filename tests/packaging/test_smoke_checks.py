"""The frozen-build smoke checker, run on the app from source: it passes a clean run and fails a noisy one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.packaging.conftest import REPO, load_script

bundle_smoke = load_script("bundle_smoke.py")


def smoke_from_source(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    home, profile = tmp_path / "home", tmp_path / "profile"
    home.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "realmail_desktop", "--smoke", "--profile", str(profile)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**bundle_smoke.smoke_environment(home), "PYTHONPATH": str(REPO)},
        check=False,
    )
    return result, profile


def test_a_clean_smoke_run_passes_and_any_stderr_line_fails_it(tmp_path: Path) -> None:
    result, profile = smoke_from_source(tmp_path)
    assert bundle_smoke.smoke_problems(result, profile) == []
    noisy = subprocess.CompletedProcess(
        result.args, 0, result.stdout, 'qt.qpa.plugin: Could not load the Qt platform plugin "xcb"\n'
    )
    assert bundle_smoke.smoke_problems(noisy, profile) == [
        'stderr: qt.qpa.plugin: Could not load the Qt platform plugin "xcb"'
    ]


def test_a_crash_or_an_empty_profile_fails_the_smoke_check(tmp_path: Path) -> None:
    crashed = subprocess.CompletedProcess(["realmail"], -11, "", "")
    problems = bundle_smoke.smoke_problems(crashed, tmp_path / "never-created")
    assert "exit status -11" in problems
    assert "no store was created in the profile" in problems
