"""Benchmark: opening a big folder in the real main window, offscreen — first rows, jump to end, re-sort, RSS.

    .venv/bin/python bench/folder_open.py --messages 100000

A child process builds the store (so its memory is not counted); this process then opens it as the app
does, builds the MainWindow, selects the folder, and times each step up to a synchronous repaint of the
list. It also times `realmail --smoke` on the same profile (cold start). Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

from realmail_desktop.core.events import EventBus  # noqa: E402
from realmail_desktop.store import FolderRole, NewMessage, Store  # noqa: E402

_NAMES = [f"{first} {last}" for first, last in zip(corpus.FIRST_NAMES, corpus.LAST_NAMES, strict=False)]
_WORDS = corpus.WORDS


async def build(profile: Path, count: int) -> None:
    """Fill a Local Folders Inbox with `count` messages (metadata, index text and a small raw body)."""
    bus = EventBus()
    store = await Store.open(profile / "realmail.sqlite3", bus)
    try:
        account, _ = await store.accounts.create_local()
        inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
        assert inbox is not None
        batch: list[NewMessage] = []
        for i in range(count):
            name = _NAMES[i % len(_NAMES)]
            subject = " ".join(_WORDS[(i * k) % len(_WORDS)] for k in (1, 3, 7)) + f" {i}"
            batch.append(
                NewMessage(
                    message_id=f"<b{i}@example.com>",
                    # Conversations of four: each message but every fourth answers the one before it.
                    in_reply_to=f"<b{i - 1}@example.com>" if i % 4 else "",
                    date=1_600_000_000 + i * 97,
                    sender_name=name,
                    sender_address=f"user{i % 500}@example.com",
                    sender_sort=name.casefold(),
                    recipients="Alex Morgan <alex@example.org>",
                    subject=subject,
                    subject_sort=subject,
                    snippet=f"Hello, about the {subject}: please have a look before Friday.",
                    size=2_000 + i % 5_000,
                    is_seen=i % 5 != 0,
                    is_flagged=i % 37 == 0,
                    index_body=f"Hello, about the {subject}: please have a look before Friday.",
                    raw=f"From: {name} <user{i % 500}@example.com>\r\nSubject: {subject}\r\n\r\nbody\r\n".encode(),
                )
            )
            if len(batch) == 5_000:
                await store.messages.add(inbox.id, batch)
                batch = []
        await store.messages.add(inbox.id, batch)
    finally:
        await store.close()


def measure_window(profile: Path) -> dict[str, float]:
    import qasync
    from PySide6.QtWidgets import QApplication

    from realmail_desktop.app.qt_messages import route_qt_messages
    from realmail_desktop.transfer import MailTransfer
    from realmail_desktop.ui.ops import Ops
    from realmail_desktop.ui.qtbridge import EventBridge
    from realmail_desktop.ui.roles import MessageColumn
    from realmail_desktop.ui.views.main_window import MainWindow

    route_qt_messages()
    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)  # as the app does: the loop, not Qt, ends the run
    figures: dict[str, float] = {}

    async def run() -> None:
        bus = EventBus()
        bus.attach_loop(asyncio.get_running_loop())
        store = await Store.open(profile / "realmail.sqlite3", bus)
        ops, bridge = Ops(), EventBridge(bus)
        window = MainWindow(store, MailTransfer(store, bus), bridge, ops)
        window.resize(1400, 900)
        window.show()
        account = store.reader.accounts()[0]
        inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
        drafts = store.reader.folder_by_role(account.id, FolderRole.DRAFTS)
        assert inbox is not None and drafts is not None
        view = window.message_list
        window.select_folder(drafts.id)
        await asyncio.sleep(0)
        view.viewport().grab()

        async def timed(step: str, action: Callable[[], object]) -> None:
            started = time.perf_counter()
            action()
            await asyncio.sleep(0)  # let the Qt loop deliver what the action posted (never processEvents here)
            view.viewport().grab()  # a synchronous paint of the visible rows
            figures[step] = round((time.perf_counter() - started) * 1000, 1)

        await timed("first_rows_ms", lambda: window.select_folder(inbox.id))
        assert window.message_model.rowCount() == inbox.total_count
        await timed("jump_end_ms", view.scrollToBottom)
        view.select_row(window.message_model.rowCount() - 1)  # a selection the re-sort must keep
        selected = view.current_id()
        await timed("resort_ms", lambda: view.sort_by(MessageColumn.SENDER))
        assert view.current_id() == selected
        view.sort_by(MessageColumn.DATE)
        await timed("threads_first_rows_ms", lambda: window.set_grouped(True))
        assert window.message_model.rowCount() == (inbox.total_count + 3) // 4
        await timed("threads_jump_end_ms", view.scrollToBottom)
        await timed("threads_resort_ms", lambda: view.sort_by(MessageColumn.SENDER))
        view.sort_by(MessageColumn.DATE)
        shown = asyncio.get_running_loop().create_future()
        window.conversation.conversationShown.connect(lambda _t: shown.done() or shown.set_result(None))
        started = time.perf_counter()
        view.select_row(0)
        await shown
        figures["conversation_ms"] = round((time.perf_counter() - started) * 1000, 1)
        window.close()
        await ops.drain()  # the selection started a reader load; finish it before the store closes
        bridge.detach()
        await store.close()

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(run())
    figures["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def backfill_seconds(profile: Path) -> float:
    """Open the store as one written before threading (every thread dropped): the one-time backfill."""
    path = profile / "realmail.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(
        "BEGIN; UPDATE messages SET thread_id = NULL; DELETE FROM thread_links; DELETE FROM thread_subjects;"
        " DELETE FROM threads; COMMIT;"
    )
    conn.close()

    async def reopen() -> float:
        started = time.perf_counter()
        store = await Store.open(path, EventBus())
        elapsed = time.perf_counter() - started
        await store.close()
        return elapsed

    return round(asyncio.run(reopen()), 2)


def smoke_seconds(profile: Path, runs: int = 3) -> float:
    realmail = REPO / ".venv" / "bin" / "realmail"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(realmail), "--smoke", "--profile", str(profile)], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return round(min(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        asyncio.run(build(args.build_only, args.messages))
        return
    with tempfile.TemporaryDirectory(prefix="realmail-bench-") as scratch:
        profile = Path(scratch)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--messages", str(args.messages), "--build-only", scratch], check=True
        )
        build_s = time.perf_counter() - started
        figures: dict[str, float] = {"messages": args.messages}
        figures["thread_backfill_s"] = backfill_seconds(profile)
        figures.update(measure_window(profile))
        figures["smoke_s"] = smoke_seconds(profile)
    print(f"store with {args.messages:,} messages built in {build_s:.1f} s")
    print(
        f"first painted rows {figures['first_rows_ms']} ms, jump to end {figures['jump_end_ms']} ms,"
        f" re-sort by sender {figures['resort_ms']} ms, peak RSS {figures['rss_mb']} MB,"
        f" realmail --smoke {figures['smoke_s']} s"
    )
    print(
        f"by conversation: first rows {figures['threads_first_rows_ms']} ms, jump to end"
        f" {figures['threads_jump_end_ms']} ms, re-sort by sender {figures['threads_resort_ms']} ms, a conversation"
        f" shown {figures['conversation_ms']} ms; one-time thread backfill {figures['thread_backfill_s']} s"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
