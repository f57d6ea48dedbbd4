"""Start-up time of a (frozen) RealMail: process start → first painted window, over several runs.

    .venv/bin/python bench/folder_open.py --messages 100000 --build-only /var/tmp/realmail-100k   # the profile
    .venv/bin/python packaging/start_time.py dist/pyinstaller/realmail/realmail --profile /var/tmp/realmail-100k

Each run starts `realmail --smoke --profile DIR` (offscreen; the store opened, the window built, shown and
painted with the folder's first page, then an orderly shutdown) and takes the time from spawning the process
to the moment its `smoke ok … window painted` line arrives. stdout is a pseudo-terminal so that line is
written as soon as it is printed. The first run is reported apart (the least cached); the last line is one
JSON object with min/median of all runs. `--cold` evicts the bundle's folder and the profile from the page
cache before each run (posix_fadvise DONTNEED on those files only: the shared machine's cache stays).
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import re
import statistics
import subprocess
import time
from pathlib import Path

_PAINTED = re.compile(rb"smoke ok: .*window painted (\d+) ms")


def evict_from_page_cache(*roots: Path) -> int:
    """Ask the kernel to drop the cached pages of every file under `roots` (POSIX_FADV_DONTNEED): a cold start
    of this app and profile without dropping the whole machine's cache. Returns how many files were evicted."""
    count = 0
    for root in roots:
        for path in [root] if root.is_file() else root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)
                count += 1
    return count


def one_start(binary: Path, profile: Path) -> tuple[float, float, float]:
    """(spawn → painted line, seconds; in-process painted, seconds; whole run until exit, seconds)."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(binary), "--smoke", "--profile", str(profile)],
        stdout=terminal,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(terminal)
    seen = b""
    painted_at = None
    in_process = float("nan")
    try:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            match = _PAINTED.search(seen)
            if match and painted_at is None:
                painted_at = time.perf_counter() - started
                in_process = int(match.group(1)) / 1000
    finally:
        os.close(controller)
    process.wait()
    total = time.perf_counter() - started
    if process.returncode != 0 or painted_at is None:
        raise SystemExit(f"{binary} --smoke failed (exit {process.returncode}): {seen.decode(errors='replace')}")
    return painted_at, in_process, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("binary", type=Path)
    parser.add_argument("--profile", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="before each run, evict the bundle's folder and the profile from the page cache (system libraries stay)",
    )
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        if args.cold:
            evict_from_page_cache(args.binary.resolve().parent, args.profile)
        runs.append(one_start(args.binary, args.profile))
    painted = [run[0] for run in runs]
    figures = {
        "runs": args.runs,
        "cold": args.cold,
        "first_run_painted_s": round(painted[0], 3),
        "painted_min_s": round(min(painted), 3),
        "painted_median_s": round(statistics.median(painted), 3),
        "in_process_painted_median_s": round(statistics.median(run[1] for run in runs), 3),
        "until_exit_median_s": round(statistics.median(run[2] for run in runs), 3),
    }
    for number, (spawn, inside, total) in enumerate(runs, 1):
        print(f"run {number}: painted {spawn:.3f} s after spawn ({inside:.3f} s in-process), exited at {total:.3f} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
