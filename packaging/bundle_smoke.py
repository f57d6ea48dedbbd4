"""Smoke test of a frozen RealMail: `--smoke` in a temporary profile; any unexpected stderr line fails it.

    .venv/bin/python packaging/bundle_smoke.py dist/pyinstaller/realmail/realmail
    python3 packaging/bundle_smoke.py /usr/bin/realmail          # an installed .deb (standard library only)

It checks that the binary starts offscreen, imports the demo mailbox into the empty profile (7 folders, 44
messages), paints the window, starts the header sync's worker process (multiprocessing in a frozen build), shuts
down in order and exits 0; that stderr is empty but for lines matching
ALLOWED_STDERR; and that the profile's log holds no ERROR and no traceback. Exit 0 when all hold.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEMO_FOLDERS = 7
DEMO_MESSAGES = 44
# Nothing is expected on stderr today; a line that must be tolerated is added here with the reason.
ALLOWED_STDERR: tuple[re.Pattern[str], ...] = ()


def smoke_environment(home: Path) -> dict[str, str]:
    """The caller's environment, but a private HOME/XDG tree, so no real profile, cache or keyring is touched."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("REALMAIL_", "XDG_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def unexpected_stderr(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and not any(p.search(line) for p in ALLOWED_STDERR)]


def run_smoke(binary: Path, *, timeout: float = 180) -> list[str]:
    """Problems found (empty when the smoke test passed); prints what it ran and how long it took."""
    binary = binary.resolve()  # it runs from a scratch folder
    with tempfile.TemporaryDirectory(prefix="realmail-bundle-smoke-") as scratch:
        home, profile = Path(scratch) / "home", Path(scratch) / "profile"
        home.mkdir()
        started = time.perf_counter()
        result = subprocess.run(
            [str(binary), "--smoke", "--profile", str(profile)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=smoke_environment(home),
            cwd=scratch,
            check=False,
        )
        print(f"{binary} --smoke: exit {result.returncode} in {time.perf_counter() - started:.1f} s")
        return smoke_problems(result, profile)


def smoke_problems(result: subprocess.CompletedProcess[str], profile: Path) -> list[str]:
    """What is wrong with a finished `realmail --smoke --profile PROFILE` run (empty: nothing)."""
    problems: list[str] = []
    if result.returncode != 0:
        problems.append(f"exit status {result.returncode}")
    if not result.stdout.startswith(f"smoke ok: {DEMO_FOLDERS} folders, {DEMO_MESSAGES} messages"):
        problems.append(f"unexpected output: {result.stdout.strip()!r}")
    if "smoke ok: header sync worker process" not in result.stdout:  # multiprocessing works in this build
        problems.append(f"no header sync worker process: {result.stdout.strip()!r}")
    problems.extend(f"stderr: {line}" for line in unexpected_stderr(result.stderr))
    database = profile / "realmail.sqlite3"
    if database.is_file():
        with sqlite3.connect(database) as conn:
            count = conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
        if count != DEMO_MESSAGES:
            problems.append(f"the demo import stored {count} messages, not {DEMO_MESSAGES}")
    else:
        problems.append("no store was created in the profile")
    log = profile / "logs" / "realmail.log"
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    problems.extend(f"log: {line}" for line in text.splitlines() if " ERROR " in line or "Traceback" in line)
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: bundle_smoke.py PATH-TO-realmail", file=sys.stderr)
        return 2
    problems = run_smoke(Path(argv[0]))
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    if not problems:
        print("bundle smoke test passed")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
