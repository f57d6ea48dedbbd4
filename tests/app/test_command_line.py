"""The `realmail` command: import/export subcommands, --profile everywhere, --smoke, and bad profiles."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from realmail_desktop.app.main import main


def run_realmail(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "realmail_desktop", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        check=False,
    )


def write_mbox(path: Path, count: int) -> None:
    path.write_bytes(
        b"".join(
            f"From a@example.com Mon Nov  2 10:00:00 2026\nFrom: A <a@example.com>\nSubject: Note {i}\n"
            f"Message-ID: <n{i}@example.com>\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nText {i}\n\n".encode()
            for i in range(count)
        )
    )


def test_import_then_export_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "profile"
    write_mbox(tmp_path / "in.mbox", 3)
    # --profile is accepted after the subcommand as well as before it.
    assert main(["import", str(tmp_path / "in.mbox"), "--folder", "Archive/2019", "--profile", str(profile)]) == 0
    assert "3 imported" in capsys.readouterr().out
    assert main(["--profile", str(profile), "export", "--folder", "Archive/2019", str(tmp_path / "out.mbox")]) == 0
    assert "3 exported" in capsys.readouterr().out
    assert (tmp_path / "out.mbox").read_bytes().count(b"\nSubject: Note ") == 3
    assert main(["--profile", str(profile), "import", str(tmp_path / "out.mbox"), "--folder", "Archive/2019"]) == 0
    assert "0 imported, 3 already there" in capsys.readouterr().out


def test_command_line_errors_are_plain_sentences(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = str(tmp_path / "profile")
    assert main(["import", str(tmp_path / "missing.mbox"), "--profile", profile]) == 1
    err = capsys.readouterr().err
    assert err.startswith("realmail: ") and "Traceback" not in err
    assert main(["export", "--folder", "Nope", str(tmp_path / "x.mbox"), "--profile", profile]) == 1
    assert "no folder “Nope”" in capsys.readouterr().err
    assert main(["import", str(tmp_path), "--account", "Work", "--profile", profile]) == 1
    assert "no account named “Work”" in capsys.readouterr().err


def test_smoke_starts_imports_the_demo_and_exits_cleanly(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    result = run_realmail("--smoke", "--profile", str(profile))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("smoke ok: 7 folders, ")
    assert "smoke ok: header sync worker process" in result.stdout  # the sync's worker process can start
    assert result.stderr == ""  # no Qt noise, no warnings at exit
    with sqlite3.connect(profile / "realmail.sqlite3") as conn:
        assert conn.execute("SELECT name FROM accounts").fetchall() == [("Local Folders",)]
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] > 30
    log = (profile / "logs" / "realmail.log").read_text(encoding="utf-8")
    assert "ERROR" not in log and "Traceback" not in log


def test_smoke_without_profile_leaves_no_profile_behind(tmp_path: Path) -> None:
    scratch, cwd = tmp_path / "tmp", tmp_path / "cwd"
    scratch.mkdir()
    cwd.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "realmail_desktop", "--smoke"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(scratch), "REALMAIL_PROFILE_DIR": ""},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert list(scratch.iterdir()) == []  # the temporary profile is gone
    assert list(cwd.iterdir()) == []  # and an empty REALMAIL_PROFILE_DIR did not mean "here"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"definitely not SQLite " * 200, "cannot be opened"),
        (None, "newer RealMail"),
    ],
)
def test_a_damaged_or_newer_profile_gives_a_clear_message(tmp_path: Path, content: bytes | None, expected: str) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    database = profile / "realmail.sqlite3"
    if content is None:
        with sqlite3.connect(database) as conn:
            conn.execute("PRAGMA user_version = 99")
    else:
        database.write_bytes(content)
    result = run_realmail("--smoke", "--profile", str(profile))
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
