"""Fingerprint of what the frozen bundle is built from, so CI rebuilds it only when that changed.

    python3 packaging/inputs_fingerprint.py check    # exit 0: unchanged since recorded; 1: changed (or none recorded)
    python3 packaging/inputs_fingerprint.py record   # after a verified build: write packaging/inputs.sha256

The inputs are pyproject.toml (dependencies, pins), everything under packaging/ and resources/, and
realmail_desktop/core/bundle.py (how the bundle finds its files). The fingerprint is a SHA-256 over each
file's path relative to the repository and its bytes, in sorted order — never times or permissions — so a
fresh clone gets the same value as the developer's checkout. `packaging/inputs.sha256` is committed; a build
that passed its smoke test records it (`./dev package` does). Standard library only: CI decides in
milliseconds, before any set-up.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RECORD = REPO / "packaging" / "inputs.sha256"
INPUT_FILES = ("pyproject.toml", "realmail_desktop/core/bundle.py")
INPUT_TREES = ("packaging", "resources")
_SKIPPED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache"})


def input_paths(repo: Path = REPO) -> Iterator[Path]:
    """Every input file, relative to `repo`, in a stable order: in a git checkout the files git would commit
    (tracked, or new and not ignored), so a build's leftovers never count; elsewhere every file found."""
    listed = _git_files(repo)
    if listed is None:
        listed = [path.relative_to(repo) for tree in INPUT_TREES for path in (repo / tree).rglob("*")]
    found = {Path(name) for name in INPUT_FILES}
    found.update(path for path in listed if path.parts and path.parts[0] in INPUT_TREES)
    record = RECORD.relative_to(REPO)
    yield from sorted(
        (
            path
            for path in found
            if path != record
            and (repo / path).is_file()
            and not _SKIPPED_PARTS.intersection(path.parts)
            and path.suffix != ".pyc"
        ),
        key=lambda p: p.as_posix(),
    )


def _git_files(repo: Path) -> list[Path] | None:
    try:
        listed = subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                *INPUT_TREES,
            ],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return [Path(name) for name in listed.decode().split("\0") if name]


def fingerprint(repo: Path = REPO) -> str:
    digest = hashlib.sha256()
    for relative in input_paths(repo):
        digest.update(relative.as_posix().encode() + b"\0")
        digest.update((repo / relative).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def recorded(repo: Path = REPO) -> str | None:
    path = repo / RECORD.relative_to(REPO)
    return path.read_text(encoding="ascii").split()[0] if path.is_file() else None


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    current = fingerprint()
    if command == "record":
        RECORD.write_text(f"{current}  packaging inputs (packaging/inputs_fingerprint.py)\n", encoding="ascii")
        print(f"recorded packaging inputs {current[:16]}")
        return 0
    if command == "check":
        if recorded() == current:
            print(f"packaging inputs unchanged ({current[:16]})")
            return 0
        print(f"packaging inputs changed ({current[:16]}, recorded {(recorded() or 'none')[:16]})")
        return 1
    print("usage: inputs_fingerprint.py check|record", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
