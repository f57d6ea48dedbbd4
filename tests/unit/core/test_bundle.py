"""Where shipped files are found: the repository from source, PyInstaller's folder when frozen."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from realmail_desktop.core import bundle


def test_from_source_the_repository_holds_every_shipped_file() -> None:
    assert (bundle.migrations_dir() / "0001_initial.sql").is_file()
    assert (bundle.resources_dir() / "icons" / "realmail.svg").is_file()
    assert (bundle.demo_mailbox_dir() / "cur").is_dir()
    assert bundle.bundle_root() == Path(__file__).resolve().parents[3]


def test_frozen_the_files_come_from_the_bundle_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What PyInstaller's bootloader sets before our code runs (packaging/realmail.spec lays the folder out).
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert bundle.bundle_root() == tmp_path / "_internal"
    assert bundle.migrations_dir() == tmp_path / "_internal" / "migrations"
    assert bundle.demo_mailbox_dir() == tmp_path / "_internal" / "resources" / "demo" / "mailbox"
