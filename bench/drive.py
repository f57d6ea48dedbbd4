"""Benchmark: one big upload to Google Drive through RealMail's resumable uploader (bridges/drive/), against
the fake Drive of tests/servers/drive.py on 127.0.0.1, in a process of its own.

    .venv/bin/python bench/drive.py [--megabytes 200] [--chunk-mb 8]

Steps: write a file of random bytes (1 MiB at a time, so the generator adds nothing to RSS); start the fake
Drive in a child process (its reads, writes and MD5 do not share our GIL); open a store in a temporary profile;
then, on a qasync loop with a 10 ms QTimer as in the app (an asyncio timer if Qt is missing), upload the file
with `DriveService.upload` and measure: throughput (mb_per_s, MiB/s), the longest gap between timer ticks
during the upload (max_stall_ms; target ≤ 50 ms; the same timer idle for 1 s before it gives the machine's own
noise, idle_max_stall_ms) and the growth of this process's peak RSS from just before
the upload to its end (rss_growth_mb; target ≤ 50 MB: nothing reads the whole file). The stored copy's MD5 is
checked against the file's. The last line printed is one JSON object with the figures.

The peer (google-api-python-client's MediaFileUpload in worker threads) is not installed on this machine, so
it is not measured here; docs/PERFORMANCE.md says why the httpx uploader was chosen.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stall import Ticker  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_file(path: Path, megabytes: int) -> str:
    """Random bytes, 1 MiB at a time; returns their MD5."""
    rng = random.Random(2026)
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("wb") as out:
        for _ in range(megabytes):
            block = rng.randbytes(1 << 20)
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as data:
        while block := data.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class _AnyToken:
    async def access_token(self) -> str:
        return "bench-token"

    async def refreshed(self) -> str:
        return "bench-token"


async def upload(args: argparse.Namespace, work: Path, base_url: str, qt: bool) -> dict[str, Any]:
    from realmail_desktop.bridges.drive import DriveService, FileSource
    from realmail_desktop.core.events import EventBus
    from realmail_desktop.store import Store

    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    store = await Store.open(work / "realmail.sqlite3", bus)
    service = DriveService(store, lambda _a: _AnyToken(), base_url=base_url, chunk_size=args.chunk_mb << 20)
    try:
        account, _ = await store.accounts.create_local()
        await service.folder(account.id)  # the folder exists before the clock starts
        source = FileSource(work / "upload.bin")
        # The same timer with nothing to do, first: what this (shared) machine's scheduling alone costs.
        idle = Ticker(qt)
        idle.start()
        await asyncio.sleep(1.0)
        idle.stop()
        ticker = Ticker(qt)
        rss_before = peak_rss_mb()
        ticker.start()
        began = time.perf_counter()
        link = await service.upload(account.id, source)
        elapsed = time.perf_counter() - began
        ticker.stop()
        rss_after = peak_rss_mb()
        retries = service.last_upload.retries if service.last_upload is not None else 0
    finally:
        await store.close()
    return {
        "file_id": link.file_id,
        "bytes": link.size,
        "seconds": round(elapsed, 2),
        "mb_per_s": round(link.size / (1 << 20) / elapsed, 1),
        "max_stall_ms": round(ticker.max_gap * 1000, 1),
        "stalls_over_50ms": ticker.long_gaps,
        "idle_max_stall_ms": round(idle.max_gap * 1000, 1),
        "ticks": ticker.ticks,
        "stall_timer": ticker.kind,
        "rss_before_mb": round(rss_before),
        "rss_growth_mb": round(rss_after - rss_before, 1),
        "chunk_mb": args.chunk_mb,
        "retries": retries,
    }


def run(args: argparse.Namespace, work: Path, base_url: str) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        import qasync
        from PySide6.QtWidgets import QApplication
    except ImportError:
        return asyncio.run(upload(args, work, base_url, qt=False))
    app = QApplication.instance() or QApplication([])
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(upload(args, work, base_url, qt=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200, help="size of the uploaded file in MiB (default 200)")
    parser.add_argument("--chunk-mb", type=int, default=8, help="upload chunk in MiB (default 8, the app's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="realmail-bench-drive-") as tmp:
        work = Path(tmp)
        expected_md5 = write_file(work / "upload.bin", args.megabytes)
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.servers.drive", "--root", str(work / "drive")],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            port = int(server.stdout.readline())
            figures = run(args, work, f"http://127.0.0.1:{port}")
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(10)
        stored = work / "drive" / str(figures.pop("file_id"))
        figures["intact"] = md5_of(stored) == expected_md5
    print(f"uploaded {figures['bytes'] / (1 << 20):.0f} MiB in {figures['seconds']} s: {figures['mb_per_s']} MiB/s")
    print(f"longest event-loop stall    {figures['max_stall_ms']:>8} ms   (≤ 50 ms; {figures['stall_timer']})")
    print(f"  gaps over 50 ms           {figures['stalls_over_50ms']:>8}      of {figures['ticks']} ticks")
    print(f"  the same timer, idle 1 s  {figures['idle_max_stall_ms']:>8} ms   (the machine's own scheduling)")
    print(f"peak RSS growth             {figures['rss_growth_mb']:>8} MB   (≤ 50 MB)")
    print(f"stored copy intact (MD5)    {figures['intact']!s:>8}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
