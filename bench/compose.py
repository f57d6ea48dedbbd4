"""Benchmark: opening a reply to a 1 MB message in the real composer, offscreen — time to a painted window.

    .venv/bin/python bench/compose.py --size-kb 1024 --runs 5

Three 1 MB originals are stored: plain text only, HTML only, and a short text with a big PDF. For each, the
time from Reply (`ComposeCommands.answer`) to the composer painted (the original read and the quote built in
worker threads, the window filled on the GUI thread) is measured `--runs` times, with the longest stall of a
10 ms QTimer ticking meanwhile (DESIGN §7). Target: ≤ 200 ms. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import qasync  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

from realmail_desktop.core.events import EventBus  # noqa: E402
from realmail_desktop.ingest.conversion import new_message  # noqa: E402
from realmail_desktop.mail.compose import Draft, FileAttachment, build_message  # noqa: E402
from realmail_desktop.mail.envelope import read_envelope  # noqa: E402
from realmail_desktop.mail.headers import Address  # noqa: E402
from realmail_desktop.mail.reply import AnswerKind  # noqa: E402
from realmail_desktop.mail.sources import Flag  # noqa: E402
from realmail_desktop.store import FolderRole, ImapSecurity, ImapSettings, Store  # noqa: E402
from realmail_desktop.ui.compose import ComposeCommands, ComposerWindow  # noqa: E402
from realmail_desktop.ui.ops import Ops  # noqa: E402

LINE = "The quarterly numbers look fine, but the shipping costs went up again in March. "


def originals(size: int) -> dict[str, bytes]:
    sender, me = Address("Kim Lee", "kim@example.com"), (Address("", "ann@example.com"),)
    lines = (LINE * (size // len(LINE) + 1))[:size]
    text = "\n".join(lines[i : i + 76] for i in range(0, len(lines), 76))
    # The HTML original carries its plain alternative too: half the size each.
    html = "".join(f"<p>{text[i : i + 400]}</p>" for i in range(0, len(text) // 2, 400))
    pdf = FileAttachment("report.pdf", b"%PDF-1.4\n" + os.urandom(size * 3 // 4))
    return {
        "plain_1mb": build_message(Draft(sender=sender, to=me, subject="Numbers", text=text)).raw,
        "html_1mb": build_message(Draft(sender=sender, to=me, subject="Numbers", html=html)).raw,
        "pdf_1mb": build_message(
            Draft(sender=sender, to=me, subject="Numbers", text=text[:2000], attachments=(pdf,))
        ).raw,
    }


async def measure(size: int, runs: int) -> dict[str, object]:
    profile = Path(tempfile.mkdtemp(prefix="realmail-bench-compose-"))
    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    store = await Store.open(profile / "realmail.sqlite3", bus)
    settings = ImapSettings(host="imap.example.com", port=993, security=ImapSecurity.TLS, username="ann")
    await store.accounts.create_imap("Work", "ann@example.com", settings)
    local, _ = await store.accounts.create_local()
    inbox = store.reader.folder_by_role(local.id, FolderRole.INBOX)
    assert inbox is not None
    rows: dict[str, int] = {}
    for name, raw in originals(size).items():
        ids, _ = await store.messages.add(inbox.id, [new_message(read_envelope(raw), raw, Flag(0))])
        rows[name] = ids[0]
    ops = Ops()
    window = QMainWindow()
    window.show()
    commands = ComposeCommands(window, store, ops)
    results: dict[str, object] = {"size_bytes": {n: len(r) for n, r in originals(size).items()}}
    gaps: list[float] = []
    last = [time.perf_counter()]
    ticker = QTimer()
    ticker.setInterval(10)

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    ticker.timeout.connect(tick)
    for name, row in rows.items():
        times: list[float] = []
        stalls: list[float] = []
        for _ in range(runs + 1):  # the first run warms imports and caches: not counted
            opened: asyncio.Future[ComposerWindow] = asyncio.get_running_loop().create_future()
            commands.composerOpened.connect(lambda c, f=opened: f.done() or f.set_result(c))
            gaps.clear()
            last[0] = time.perf_counter()
            ticker.start()
            start = time.perf_counter()
            commands.answer(AnswerKind.REPLY, row)
            composer = await asyncio.wait_for(opened, 30)
            composer.repaint()
            times.append((time.perf_counter() - start) * 1000)
            ticker.stop()
            stalls.append(max(gaps, default=0.0) * 1000)
            commands.composerOpened.disconnect()
            composer.autosave_timer.stop()
            composer.discard()
        results[f"{name}_open_ms"] = round(statistics.median(times[1:]), 1)
        results[f"{name}_open_max_ms"] = round(max(times[1:]), 1)
        results[f"{name}_max_stall_ms"] = round(max(stalls[1:]), 1)
    await ops.drain()
    window.close()
    await store.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-kb", type=int, default=1024, help="size of each original (default 1024)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)  # the bench closes its windows before it closes the store
    loop = qasync.QEventLoop(app)
    with loop:
        results = loop.run_until_complete(measure(args.size_kb * 1024, args.runs))
    for key, value in results.items():
        print(f"{key:28} {value}")
    print(json.dumps({"bench": "compose", "size_kb": args.size_kb, "runs": args.runs, **results}))


if __name__ == "__main__":
    main()
