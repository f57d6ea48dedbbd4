"""Settings from REALMAIL_* variables and where a profile keeps its files."""

from __future__ import annotations

from pathlib import Path

import pytest

from realmail_desktop.core.config import ProfilePaths, Settings


def test_environment_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REALMAIL_PROFILE_DIR", str(tmp_path / "env-profile"))
    monkeypatch.setenv("REALMAIL_LOG_LEVEL", "DEBUG")
    settings = Settings()
    assert settings.log_level == "DEBUG"
    assert ProfilePaths.resolve(None, settings).root == (tmp_path / "env-profile").resolve()


def test_command_line_profile_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REALMAIL_PROFILE_DIR", str(tmp_path / "env-profile"))
    paths = ProfilePaths.resolve(tmp_path / "cli", Settings())
    assert paths.root == (tmp_path / "cli").resolve()
    assert paths.database == paths.root / "realmail.sqlite3"
    paths.ensure()
    assert paths.logs.is_dir()


def test_default_profile_is_the_platform_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REALMAIL_PROFILE_DIR", raising=False)
    root = ProfilePaths.resolve(None, Settings()).root
    assert root.name == "RealMail"


def test_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALMAIL_PROFILE_DIR", "")
    assert Settings().profile_dir is None
