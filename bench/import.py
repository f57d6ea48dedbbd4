"""Benchmark: import rate of a demo-like mix from an mbox into a fresh store (target ≥ 2,000 messages/s).

    .venv/bin/python bench/import.py --messages 20000

Prints figures, then one JSON line: {"messages", "msgs_per_s", ...}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpus

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import FolderRole, Store
from realmail_desktop.transfer import MailTransfer


async def run(count: int, workdir: Path) -> dict[str, float | int]:
    mbox = workdir / "bench.mbox"
    size = corpus.write_mbox(str(mbox), count)
    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    store = await Store.open(workdir / "realmail.sqlite3", bus)
    try:
        account, _ = await store.accounts.create_local()
        inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
        assert inbox is not None
        started = time.perf_counter()
        report = await MailTransfer(store, bus).import_path(mbox, inbox.id)
        elapsed = time.perf_counter() - started
    finally:
        await store.close()
    assert report.imported == count, report
    return {
        "messages": count,
        "mbox_mb": round(size / 1e6, 1),
        "seconds": round(elapsed, 2),
        "msgs_per_s": round(count / elapsed),
        "store_mb": round((workdir / "realmail.sqlite3").stat().st_size / 1e6, 1),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="realmail-bench-") as scratch:
        figures = asyncio.run(run(args.messages, Path(scratch)))
    print(
        f"imported {figures['messages']:,} messages ({figures['mbox_mb']} MB mbox) in {figures['seconds']} s:"
        f" {figures['msgs_per_s']:,} messages/s; store {figures['store_mb']} MB; peak RSS {figures['rss_mb']} MB"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
