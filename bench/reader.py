"""Benchmark: selection → body on screen in the reader, for a typical ~60 KB HTML newsletter, offscreen.

    .venv/bin/python bench/reader.py --messages 50

Builds a store of N newsletters (each ~60 KB of HTML: nested tables, inline styles, a <style> sheet,
~40 remote images — blocked, as by default — and ~60 links), then shows them one after another in a real
`MessageReader` with the QtWebEngine view, timing `show_message` → `messageShown` (which the reader emits
after the web view's loadFinished). The first showing also starts Chromium and is reported apart
(`cold_ms`). The same messages are then timed in the QTextBrowser fallback. Last line: one JSON object.
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
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --log-level=3")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from realmail_desktop.ui.views.web_engine import prepare_web_engine  # noqa: E402

prepare_web_engine()

import qasync  # noqa: E402
from PySide6.QtCore import qInstallMessageHandler  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from realmail_desktop.core.events import EventBus  # noqa: E402
from realmail_desktop.store import FolderRole, MessageSummary, NewMessage, Store  # noqa: E402
from realmail_desktop.ui.ops import Ops  # noqa: E402
from realmail_desktop.ui.views.message_reader import MessageReader  # noqa: E402

WORDS = (
    *("quarterly", "update", "product", "launch", "community", "event", "release", "notes", "pricing"),
    *("webinar", "customer", "story", "design", "engineering", "roadmap", "feedback", "survey", "discount"),
    *("offer", "members", "newsletter", "weekly", "highlights", "team"),
)


def newsletter(i: int) -> str:
    """~60 KB of HTML shaped like a marketing newsletter (what mail clients meet most)."""
    head = (
        "<html><head><style>body{font-family:Helvetica,Arial,sans-serif;color:#333}"
        ".btn{background:#0b57d0;color:#fff;padding:10px 16px;border-radius:4px;text-decoration:none}"
        "td.card{padding:16px;border:1px solid #ddd}@media (max-width:600px){td.card{display:block}}</style></head>"
        '<body><table width="100%" cellpadding="0" cellspacing="0" bgcolor="#f4f4f4"><tr><td align="center">'
        '<table width="600" cellpadding="0" cellspacing="0" bgcolor="#ffffff"><tr><td>'
        f'<img src="https://news.example/{i}/logo.png" width="600" height="120" alt="Logo"></td></tr>'
    )
    cards = []
    for k in range(40):
        words = " ".join(WORDS[(i + k * j) % len(WORDS)] for j in range(120))
        cards.append(
            f'<tr><td class="card" style="font-size:15px;line-height:22px">'
            f'<img src="https://cdn.example/{i}/{k}.jpg" width="560" height="200" alt="Story {k}">'
            f'<h2 style="margin:12px 0;color:#111">Story {k}: {WORDS[k % len(WORDS)]}</h2><p>{words}</p>'
            f'<a class="btn" href="https://news.example/{i}/story/{k}?utm_source=mail">Read more</a> '
            f'<a href="https://news.example/{i}/share/{k}">Share</a></td></tr>'
        )
    foot = (
        '<tr><td style="font-size:12px;color:#777;padding:16px">You receive this because you subscribed. '
        '<a href="https://news.example/unsubscribe">Unsubscribe</a>'
        f'<img src="https://track.example/open/{i}.gif" width="1" height="1"></td></tr></table>'
        "</td></tr></table></body></html>"
    )
    return head + "".join(cards) + foot


def raw_message(i: int, html: str) -> bytes:
    return (
        f"From: News <news@news.example>\r\nTo: you@example.org\r\nSubject: Newsletter {i}\r\n"
        f"Date: Mon, 6 Jan 2025 10:00:00 +0000\r\nMessage-ID: <n{i}@news.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + html.encode()


async def build(store: Store, count: int) -> list[MessageSummary]:
    account, _ = await store.accounts.create_local()
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    rows = []
    for i in range(count):
        raw = raw_message(i, newsletter(i))
        rows.append(
            NewMessage(
                message_id=f"<n{i}@news.example>",
                date=1_736_157_600 + i,
                sender_name="News",
                sender_address="news@news.example",
                sender_sort="news",
                subject=f"Newsletter {i}",
                subject_sort=f"newsletter {i}",
                size=len(raw),
                raw=raw,
            )
        )
    ids, _ = await store.messages.add(inbox.id, rows)
    summaries = [store.reader.message(message_id) for message_id in ids]
    return [summary for summary in summaries if summary is not None]


async def time_showing(reader: MessageReader, summary: MessageSummary) -> float:
    shown: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_shown(message_id: int) -> None:
        if message_id == summary.id and not shown.done():
            shown.set_result(None)

    reader.messageShown.connect(on_shown)
    started = time.perf_counter()
    reader.show_message(summary)
    await asyncio.wait_for(shown, 60)
    elapsed = (time.perf_counter() - started) * 1000
    reader.messageShown.disconnect(on_shown)
    return elapsed


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(count: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="realmail-bench-reader-") as scratch:
        bus = EventBus()
        bus.attach_loop(asyncio.get_running_loop())
        store = await Store.open(Path(scratch) / "realmail.sqlite3", bus)
        try:
            summaries = await build(store, count + 1)
            html_kb = len(newsletter(0).encode()) / 1024
            figures: dict[str, object] = {"messages": count, "html_kb": round(html_kb, 1)}
            for name, web in (("", True), ("fallback_", False)):
                ops = Ops()
                reader = MessageReader(store, ops, web_engine=web)
                reader.resize(1000, 800)
                reader.show()
                cold = await time_showing(reader, summaries[0])
                times = [await time_showing(reader, summary) for summary in summaries[1:]]
                assert reader.remote_bar_text() is not None  # remote images were blocked, as by default
                figures[f"{name}cold_ms"] = round(cold, 1)
                figures[f"{name}p50_ms"] = round(statistics.median(times), 1)
                figures[f"{name}p95_ms"] = round(percentile(times, 95), 1)
                figures[f"{name}max_ms"] = round(max(times), 1)
                await ops.drain()
                reader.close()
                reader.deleteLater()
            return figures
        finally:
            await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=50, help="newsletters to show one after another")
    args = parser.parse_args()
    qInstallMessageHandler(lambda kind, context, message: None)  # offscreen GPU notes
    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        figures = runner.run(run(args.messages))
    web_ok = "meets" if float(str(figures["p95_ms"])) <= 150 else "misses"
    print(
        f"reader, {figures['messages']} newsletters of {figures['html_kb']} KB: QtWebEngine p50 "
        f"{figures['p50_ms']} ms, p95 {figures['p95_ms']} ms ({web_ok} the 150 ms target), first "
        f"{figures['cold_ms']} ms; QTextBrowser p50 {figures['fallback_p50_ms']} ms, "
        f"p95 {figures['fallback_p95_ms']} ms"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
