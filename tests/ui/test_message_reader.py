"""MessageReader over the QTextBrowser fallback (no QtWebEngine): headers, sanitised HTML that never loads remote
content, cid: images, plain text, loading. The QtWebEngine reader is tested in test_html_view.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QImage, QTextDocument
from PySide6.QtWidgets import QLabel, QPushButton

from realmail_desktop.store import FolderRole, MessageSummary, NewMessage, Store
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.mail_browser import BLOCKED_IMAGE, MailBrowser
from realmail_desktop.ui.views.message_reader import EMPTY, NOT_STORED, MessageReader, human_size

from .mail_samples import HOSTILE_HTML, mail, raw_mail, stored
from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui


@dataclass
class Reading:
    store: Store
    ops: Ops
    reader: MessageReader
    inbox: int

    async def add(self, message: NewMessage) -> MessageSummary:
        [message_id], _ = await self.store.messages.add(self.inbox, [message])
        summary = self.store.reader.message(message_id)
        assert summary is not None
        return summary

    async def show(self, message: NewMessage) -> MessageSummary:
        summary = await self.add(message)
        await wait_for(self.reader.show_message(summary))
        return summary


@pytest.fixture
async def reading(qtbot: Any, store: Store) -> AsyncIterator[Reading]:
    account, _ = await store.accounts.create_local()
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    ops = Ops()
    reader = MessageReader(store, ops, web_engine=False)
    qtbot.addWidget(reader)
    reader.resize(800, 600)
    reader.show()
    yield Reading(store, ops, reader, inbox.id)
    await ops.drain()


class ResourceSpy:
    """Every loadResource call the document makes, with what the browser answered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, object]] = []
        original = MailBrowser.loadResource

        def spy(browser: MailBrowser, kind: int, url: QUrl) -> object:
            answer = original(browser, kind, url)
            self.calls.append((QUrl(url).toString(), answer))
            return answer

        monkeypatch.setattr(MailBrowser, "loadResource", spy)

    def answered(self, prefix: str) -> list[object]:
        return [answer for url, answer in self.calls if url.startswith(prefix)]


def refused(answer: object) -> bool:
    return answer is None or answer is BLOCKED_IMAGE


def render(browser: MailBrowser) -> None:
    # Painting lays the document out, which is when QTextDocument asks for images.
    browser.document().adjustSize()
    browser.grab()


async def test_starts_empty(reading: Reading) -> None:
    assert reading.reader.message_id is None
    empty = reading.reader.findChild(QLabel, "readerEmpty")
    assert empty is not None and empty.text() == EMPTY


async def test_shows_headers_and_plain_text_with_links(reading: Reading) -> None:
    text = "Hi <b>Bob</b>,\nthe plan is at https://example.org/plan?a=1&b=2.\nAlice"
    shown = next_emit(reading.reader.messageShown)
    summary = await reading.show(mail("Weekly plan", text=text, cc="Carol <carol@example.net>"))
    assert (await wait_for(shown)) == (summary.id,)

    headers = reading.reader.header_text()
    assert headers["Subject"] == "Weekly plan"
    assert headers["From"] == "Alice Smith <alice@example.com>"
    assert headers["To"] == "Bob <bob@example.org>"
    assert headers["Cc"] == "Carol <carol@example.net>"
    assert "2023" in headers["Date"]
    body = reading.reader.browser
    # Markup in a plain-text body is text, not markup.
    assert "Hi <b>Bob</b>," in body.toPlainText()
    assert body.document().find("Bob").charFormat().fontWeight() < 700
    assert 'href="https://example.org/plan?a=1&amp;b=2"' in body.toHtml()
    assert reading.reader.remote_bar_text() is None


async def test_hostile_html_is_sanitised_and_nothing_remote_is_loaded(
    reading: Reading, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = ResourceSpy(monkeypatch)
    blocked: list[str] = []
    reading.reader.browser.remoteBlocked.connect(blocked.append)
    raw = raw_mail("Hostile", text=None, html=HOSTILE_HTML, inline_png_cid="logo@example.test")
    await reading.show(stored(raw, "Hostile"))
    browser = reading.reader.browser
    render(browser)

    html = browser.toHtml()
    for forbidden in ("alert", "script", "javascript:", "onclick", "127.0.0.1", "evil.css"):
        assert forbidden not in html
    assert "a safe link" in browser.toPlainText()
    assert reading.reader.remote_bar_text() == "Remote content blocked (1 item)"
    # The inline image is answered from the message itself…
    [logo] = spy.answered("cid:")
    assert isinstance(logo, QImage) and not logo.isNull()
    # …and nothing else was ever answered with data (a refused image gets the blank pixel).
    assert all(refused(answer) for url, answer in spy.calls if not url.startswith("cid:"))
    assert spy.answered("http") == []

    # "Load for this message" keeps the remote reference, but this browser still refuses it.
    button = reading.reader.findChild(QPushButton, "loadRemote")
    assert button is not None and button.isVisible()
    shown = next_emit(reading.reader.messageShown)
    button.click()
    await wait_for(shown)
    render(browser)
    assert "http://127.0.0.1:9/x.png" in browser.toHtml()
    assert spy.answered("http") and all(refused(answer) for answer in spy.answered("http"))
    assert "http://127.0.0.1:9/x.png" in blocked
    image = QTextDocument.ResourceType.ImageResource.value
    assert refused(browser.loadResource(image, QUrl("file:///etc/passwd")))
    assert (
        browser.loadResource(QTextDocument.ResourceType.StyleSheetResource.value, QUrl("https://x.test/a.css")) is None
    )
    bar = reading.reader.remote_bar_text()
    assert bar is not None and "allowed" in bar


async def test_links_open_only_when_clicked_and_only_web_or_mail(
    reading: Reading, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    await reading.show(stored(raw_mail("Links", text=None, html=HOSTILE_HTML), "Links"))
    assert opened == []
    browser = reading.reader.browser
    for url in ("javascript:alert(1)", "file:///etc/passwd", "https://example.org/safe", "mailto:a@b.example"):
        browser.anchorClicked.emit(QUrl(url))
    assert opened == ["https://example.org/safe", "mailto:a@b.example"]


async def test_message_without_stored_body_shows_snippet_and_says_so(reading: Reading) -> None:
    summary = await reading.show(stored(None, "Headers only", snippet="The first lines of it"))
    assert reading.reader.message_id == summary.id
    text = reading.reader.browser.toPlainText()
    assert "The first lines of it" in text
    assert NOT_STORED in text
    assert reading.reader.header_text()["Subject"] == "Headers only"


async def test_attachments_are_listed_with_human_sizes(reading: Reading) -> None:
    data = b"%PDF" + b"x" * (1_258_291 - 4)
    await reading.show(mail("Report", attachment=("report.pdf", data)))
    assert reading.reader.attachment_lines() == ["report.pdf — 1.2 MB"]


def test_human_size() -> None:
    assert [human_size(n) for n in (0, 1, 999, 1536, 1_258_291, 25 * 1024**3)] == [
        "0 bytes",
        "1 byte",
        "999 bytes",
        "1.5 KB",
        "1.2 MB",
        "25 GB",
    ]


async def test_newer_selection_cancels_the_older_load(reading: Reading) -> None:
    first = await reading.add(mail("First"))
    second = await reading.add(mail("Second"))
    shown: list[int] = []
    reading.reader.messageShown.connect(shown.append)
    first_load = reading.reader.show_message(first)
    second_load = reading.reader.show_message(second)
    await wait_for(second_load)
    await idle(reading.ops)
    assert first_load.cancelled()
    assert shown == [second.id]
    assert reading.reader.header_text()["Subject"] == "Second"
    reading.reader.clear()
    assert reading.reader.message_id is None
