"""The frozen bundle (REALMAIL_BUNDLE, built by `./dev package`): it starts, finds its resources, and works."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest

from realmail_desktop import __version__
from tests.packaging.conftest import load_script

pytestmark = pytest.mark.packaging
bundle_smoke = load_script("bundle_smoke.py")


def run_frozen(binary: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [str(binary), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=bundle_smoke.smoke_environment(home),
        check=False,
    )


def test_smoke_imports_the_demo_paints_the_window_and_stays_quiet(frozen_binary: Path) -> None:
    assert bundle_smoke.run_smoke(frozen_binary) == []


def test_the_command_line_works_frozen(frozen_binary: Path, tmp_path: Path) -> None:
    home, profile = tmp_path / "home", tmp_path / "profile"
    version = run_frozen(frozen_binary, home, "--version")
    assert version.stdout.strip() == f"RealMail {__version__}"
    mbox = tmp_path / "in.mbox"
    mbox.write_bytes(
        b"".join(
            f"From a@example.com Mon Nov  2 10:00:00 2026\nFrom: A <a@example.com>\nSubject: Note {i}\n"
            f"Message-ID: <frozen{i}@example.com>\n\nText {i}\n\n".encode()
            for i in range(3)
        )
    )
    imported = run_frozen(frozen_binary, home, "import", str(mbox), "--folder", "Archive", "--profile", str(profile))
    assert imported.returncode == 0, imported.stderr
    assert "3 imported" in imported.stdout
    assert imported.stderr == ""


def test_a_mailto_link_from_the_desktop_starts_the_app(frozen_binary: Path, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    result = run_frozen(
        frozen_binary, tmp_path / "home", "mailto:someone@example.com?subject=Hi", "--smoke", "--profile", str(profile)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("smoke ok: ") and result.stderr == ""
    log = (profile / "logs" / "realmail.log").read_text(encoding="utf-8")
    assert "started for a mailto: link" in log
    assert "someone@example.com" not in log  # the link's addresses are not written to the log


def test_the_portable_archive_unpacks_and_runs(portable_archive: Path, tmp_path: Path) -> None:
    with tarfile.open(portable_archive) as archive:
        names = archive.getnames()
        top = f"realmail-{__version__}"
        assert {f"{top}/realmail", f"{top}/share/realmail.desktop", f"{top}/share/realmail.png"} <= set(names)
        assert all(name == top or name.startswith(f"{top}/") for name in names)  # one folder, nothing beside it
        archive.extractall(tmp_path, filter="tar")
    assert bundle_smoke.run_smoke(tmp_path / top / "realmail") == []
