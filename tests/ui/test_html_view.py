"""The QtWebEngine reader: JavaScript off, every remote request blocked unless allowed, links never navigate.

A loopback HTTP server counts requests: a blocked message must cause none, whatever tricks its HTML uses.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFontInfo, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu, QMessageBox, QPlainTextEdit, QPushButton

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import FolderRole, MessageSummary, NewMessage, Store
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.html_view import HtmlMailView
from realmail_desktop.ui.views.mail_document import mail_document
from realmail_desktop.ui.views.message_reader import MessageReader
from realmail_desktop.ui.views.reader_window import ReaderWindow
from realmail_desktop.ui.views.rendered_body import TOO_LONG
from realmail_desktop.ui.views.source_window import SourceWindow
from realmail_desktop.ui.views.web_engine import MESSAGE_SCHEME, web_engine_ready

from .mail_samples import raw_mail, stored
from .qt_async import activate, idle, next_emit, wait_for
from .web_support import CountingServer, counting_server, page_html, page_text

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(not web_engine_ready(), reason="QtWebEngine is not available here"),
]


@pytest.fixture
def http() -> Iterator[CountingServer]:
    yield from counting_server()


def tricks(base: str) -> str:
    """Every way we know for HTML to make a request by itself, each to its own path."""
    return f"""<html><head>
<meta http-equiv="refresh" content="0; url={base}/refresh">
<link rel="stylesheet" href="{base}/link.css">
<style>.hero {{ background-image: url({base}/style-sheet.png) }}</style>
</head><body>
<p class="hero">Newsletter</p>
<img src="{base}/img.png" alt="tracker" width="1" height="1">
<img src="data:image/png;base64,iVBORw0KGgo=" srcset="{base}/srcset.png 2x">
<div style="background: url('{base}/style-attr.png')">styled</div>
<table background="{base}/background.png"><tr><td>cell</td></tr></table>
<iframe src="{base}/iframe"></iframe>
<object data="{base}/object"></object>
<svg width="10" height="10"><image href="{base}/svg.png" width="10" height="10"/></svg>
<a href="https://example.org/safe">a safe link</a>
</body></html>"""


@dataclass
class WebReading:
    store: Store
    ops: Ops
    reader: MessageReader
    inbox: int

    async def show(self, message: NewMessage) -> MessageSummary:
        [message_id], _ = await self.store.messages.add(self.inbox, [message])
        summary = self.store.reader.message(message_id)
        assert summary is not None
        shown = next_emit(self.reader.messageShown)
        self.reader.show_message(summary)
        await wait_for(shown)
        return summary

    @property
    def view(self) -> HtmlMailView:
        view = self.reader.body_view.html_view
        assert view is not None
        return view


async def open_reader(qtbot: Any, store: Store, *, web: bool = True) -> WebReading:
    account = store.reader.accounts()[0] if store.reader.accounts() else (await store.accounts.create_local())[0]
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    ops = Ops()
    reader = MessageReader(store, ops, web_engine=web)
    qtbot.addWidget(reader)
    reader.resize(900, 700)
    reader.show()
    return WebReading(store, ops, reader, inbox.id)


@pytest.fixture
async def reading(qtbot: Any, store: Store) -> AsyncIterator[WebReading]:
    opened = await open_reader(qtbot, store)
    yield opened
    await opened.ops.drain()


def html_mail(subject: str, html: str, **kwargs: Any) -> NewMessage:
    sender = kwargs.pop("sender", ("Alice Smith", "alice@example.com"))
    return stored(raw_mail(subject, text=None, html=html, sender=sender, **kwargs), subject, sender=sender)


async def load_document(reading: WebReading, html: str, *, remote_allowed: bool = False) -> HtmlMailView:
    """Show `html` as it is (NOT sanitised) in the reader's web view, as a mail body would be shown."""
    if reading.reader.message_id is None:  # the reader shows its body area only with a message on screen
        await reading.show(html_mail("Page", "<p>page</p>"))
    shown = next_emit(reading.reader.body_view.shown)
    reading.reader.body_view.show_html(html, {}, remote_allowed=remote_allowed)
    await wait_for(shown)
    return reading.view


# --- remote content ---------------------------------------------------------------------------------------
async def test_a_blocked_message_makes_no_request_and_an_allowed_one_loads_images(
    reading: WebReading, http: CountingServer
) -> None:
    await reading.show(html_mail("News", tricks(http.base)))
    assert reading.reader.body_view.showing_web_view
    assert "Newsletter" in await page_text(reading.view.page())
    bar = reading.reader.remote_bar_text()
    assert bar is not None and bar.startswith("Remote content blocked (") and "items)" in bar
    assert http.paths == []

    shown = next_emit(reading.reader.messageShown)
    button = reading.reader.findChild(QPushButton, "loadRemote")
    assert button is not None and button.isVisible()
    button.click()
    await wait_for(shown)
    await http.saw("/img.png", "/style-attr.png", "/background.png", "/style-sheet.png")
    # Frames, objects, refreshes, <link> and SVG are removed by the sanitiser even when remote content is allowed.
    assert not {"/refresh", "/link.css", "/iframe", "/object", "/svg.png"} & set(http.paths)
    assert reading.reader.remote_bar_text() == "Remote content is shown for this message."


async def test_the_interceptor_blocks_every_remote_request_of_unsanitised_html(
    reading: WebReading, http: CountingServer
) -> None:
    # Defence in depth: even HTML that skipped the sanitiser makes no request while nothing is allowed.
    view = reading.reader.body_view.web_view()
    assert view is not None
    blocked: list[str] = []
    view.mail_profile.interceptor.blocked.connect(blocked.append)
    await load_document(reading, tricks(http.base))
    assert http.paths == []
    assert any(url.startswith(http.base) for url in blocked)

    # Allowed: images and style sheets load; the refresh, frames and objects still do not.
    await load_document(reading, tricks(http.base), remote_allowed=True)
    await http.saw("/img.png", "/background.png", "/link.css")
    assert not {"/refresh", "/iframe", "/object"} & set(http.paths)
    assert view.url().scheme() == MESSAGE_SCHEME


async def test_a_script_never_runs(reading: WebReading) -> None:
    view = await load_document(
        reading,
        "<html><head><title>original</title>"
        "<script>document.title = 'pwned'; document.write('<p id=injected>injected</p>')</script></head>"
        "<body onload=\"document.title='onload'\"><p>body</p></body></html>",
    )
    assert view.page().title() == "original"
    html = await page_html(view.page())
    assert "<p>body</p>" in html and 'id="injected"' not in html


async def test_trusting_a_sender_persists_across_a_reopened_store(
    qtbot: Any, http: CountingServer, tmp_path: Path, bus: EventBus
) -> None:
    bus.attach_loop(asyncio.get_running_loop())
    path = tmp_path / "trust.sqlite3"
    sender = ("Shop", "News@Shop.Example")
    first = await Store.open(path, bus)
    try:
        reading = await open_reader(qtbot, first)
        await reading.show(html_mail("Sale", f'<p>Sale</p><img src="{http.base}/sale.png">', sender=sender))
        assert http.paths == []
        shown = next_emit(reading.reader.messageShown)
        trust = reading.reader.findChild(QPushButton, "trustSender")
        assert trust is not None and trust.isVisible()
        trust.click()
        await wait_for(shown)
        await http.saw("/sale.png")
        assert reading.reader.remote_bar_text() == "Remote content is shown: you trust News@Shop.Example."
        await reading.ops.drain()
    finally:
        await first.close()

    # Reopen the same file: the choice is remembered, and the next mail from the sender loads at once.
    reopened = await Store.open(path, bus)
    try:
        assert reopened.reader.trusts_remote_content("NEWS@shop.example ")
        again = await open_reader(qtbot, reopened)
        await again.show(html_mail("Sale 2", f'<img src="{http.base}/sale-2.png">', sender=sender))
        await http.saw("/sale-2.png")
        assert again.reader.remote_bar_text() == "Remote content is shown: you trust News@Shop.Example."

        # "Stop trusting" blocks it again, for this and later messages.
        shown = next_emit(again.reader.messageShown)
        distrust = again.reader.findChild(QPushButton, "distrustSender")
        assert distrust is not None and distrust.isVisible()
        distrust.click()
        await wait_for(shown)
        assert not reopened.reader.trusts_remote_content("news@shop.example")
        assert again.reader.remote_bar_text() == "Remote content blocked (1 item)"
        await again.ops.drain()
    finally:
        await reopened.close()


# --- links ------------------------------------------------------------------------------------------------
BIG_LINK = 'style="display:block;width:600px;height:120px"'


async def test_a_click_opens_the_system_browser_and_never_navigates_the_view(
    reading: WebReading, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    view = await load_document(
        reading,
        f"<a href=\"javascript:document.title='pwned'\" {BIG_LINK}>script link</a>"
        f'<a href="https://example.org/story" {BIG_LINK}>the story</a>'
        f'<a href="mailto:bob@example.org" {BIG_LINK}>write to Bob</a>',
    )
    document_url = view.url()
    target = view.focusProxy()
    assert target is not None
    shown: list[int] = []
    reading.reader.messageShown.connect(shown.append)
    for y, expected in ((60, None), (200, "https://example.org/story"), (320, "mailto:bob@example.org")):
        clicked = next_emit(reading.reader.body_view.linkOpened)
        QTest.mouseMove(target, QPoint(100, y))
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(100, y))
        if expected is None:
            clicked.cancel()  # the javascript: link: nothing to wait for; the next click proves it was passed
            continue
        (url,) = await wait_for(clicked)
        assert url == QUrl(expected)
    # The javascript: link (clicked first) did nothing; the others went to the desktop, not into the view.
    assert opened == ["https://example.org/story", "mailto:bob@example.org"]
    assert view.url() == document_url
    assert view.page().title() != "pwned"
    assert "the story" in await page_text(view.page())
    assert shown == []  # a refused navigation is not a new message on screen


async def test_hovering_a_link_shows_its_target_and_warns_about_another_domain(reading: WebReading) -> None:
    await reading.show(
        html_mail(
            "Your account",
            f'<a href="https://evil.example/login" {BIG_LINK}>Log in at www.PayPal.com</a>'
            f'<a href="https://www.paypal.com/help" {BIG_LINK}>paypal.com help</a>',
        )
    )
    view = reading.view
    target = view.focusProxy()
    assert target is not None
    hovered = next_emit(view.linkHovered)
    QTest.mouseMove(target, QPoint(100, 80))
    await wait_for(hovered)
    line = reading.reader.body_view.link_line_text()
    assert line is not None
    assert "The link says www.paypal.com but goes to evil.example" in line and "https://evil.example/login" in line

    hovered = next_emit(view.linkHovered)
    QTest.mouseMove(target, QPoint(100, 220))
    await wait_for(hovered)
    assert reading.reader.body_view.link_line_text() == "https://www.paypal.com/help"


# --- inline images, big and international mail ---------------------------------------------------------------
async def test_cid_images_are_served_by_the_scheme_handler(reading: WebReading) -> None:
    view = reading.reader.body_view.web_view()
    assert view is not None
    served: list[tuple[str, bool]] = []
    view.mail_profile.schemes.served.connect(lambda url, found: served.append((url, found)))
    raw = raw_mail(
        "Logo",
        text=None,
        html='<p>Logo:</p><img src="cid:logo@example.test" alt="logo">',
        inline_png_cid="logo@example.test",
    )
    await reading.show(stored(raw, "Logo"))
    assert ("cid:logo@example.test", True) in served
    html = await page_html(view.page())
    assert 'src="cid:logo@example.test"' in html


async def test_right_to_left_and_cjk_text_render(reading: WebReading) -> None:
    await reading.show(
        html_mail(
            "International",
            '<p dir="rtl" lang="ar">مرحبا بالعالم</p><p dir="rtl" lang="he">שלום עולם</p>'
            '<p lang="zh">你好，世界</p><p lang="ja">こんにちは</p>',
        )
    )
    text = await page_text(reading.view.page())
    for words in ("مرحبا بالعالم", "שלום עולם", "你好，世界", "こんにちは"):
        assert words in text
    assert 'dir="rtl"' in await page_html(reading.view.page())
    assert not reading.view.grab().isNull()


async def test_a_20_mb_html_message_shows_without_blocking_the_loop(reading: WebReading) -> None:
    paragraph = "<p>Paragraph {i}: <b>news</b> &amp; more text of a very long newsletter, line after line.</p>\n"
    html = "".join(paragraph.format(i=i) for i in range(220_000)) + "<p>THE END</p>"
    assert len(html) > 20_000_000
    message = html_mail("Huge", html)
    [message_id], _ = await reading.store.messages.add(reading.inbox, [message])
    summary = reading.store.reader.message(message_id)
    assert summary is not None

    gaps = LoopGaps()
    shown = next_emit(reading.reader.messageShown)
    reading.reader.show_message(summary)
    await wait_for(shown)
    gaps.stop()
    # It shows its beginning (Chromium needs ~1 s per 1-2 MB of HTML here), and says so.
    text = await page_text(reading.view.page())
    assert TOO_LONG in text and "Paragraph 0: news & more text" in text and "THE END" not in text
    assert reading.reader.body is not None and reading.reader.body.shortened
    # Parsing and sanitising ran in worker threads: the GUI loop kept turning (generous bound: a shared machine).
    assert gaps.longest < 2.0, gaps.longest


class LoopGaps:
    """The longest time between two turns of the event loop, measured with a 10 ms timer (DESIGN.md §7)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._loop = asyncio.get_running_loop()
        self._last = self._loop.time()
        self._handle = self._loop.call_later(0.01, self._tick)

    def _tick(self) -> None:
        now = self._loop.time()
        self.longest = max(self.longest, now - self._last)
        self._last = now
        self._handle = self._loop.call_later(0.01, self._tick)

    def stop(self) -> None:
        self._handle.cancel()


# --- reader actions ----------------------------------------------------------------------------------------
ALTERNATIVE = raw_mail("Both", text="Plain words here.", html="<p>Rich <b>words</b> here.</p>")


async def test_plain_text_toggle_and_full_headers(reading: WebReading) -> None:
    await reading.show(stored(ALTERNATIVE, "Both"))
    assert reading.reader.body_view.showing_web_view
    shown = next_emit(reading.reader.messageShown)
    reading.reader.reader_actions.plain_text.setChecked(True)
    await wait_for(shown)
    assert not reading.reader.body_view.showing_web_view
    assert "Plain words here." in reading.reader.browser.toPlainText()

    shown = next_emit(reading.reader.messageShown)
    reading.reader.reader_actions.plain_text.setChecked(False)
    await wait_for(shown)
    assert "Rich words here." in await page_text(reading.view.page())

    headers = reading.reader.findChild(QPlainTextEdit, "fullHeaders")
    assert headers is not None and headers.isHidden()
    reading.reader.reader_actions.full_headers.setChecked(True)
    assert headers.isVisible()
    assert "Message-ID: <" in headers.toPlainText() and "Subject: Both" in headers.toPlainText()


async def test_view_source_opens_the_raw_message_in_a_monospace_window(reading: WebReading) -> None:
    await reading.show(stored(ALTERNATIVE, "Both"))
    window = await wait_for(reading.reader.reader_actions.open_source())
    assert isinstance(window, SourceWindow)
    try:
        text = window.text.toPlainText()
        assert (
            text.startswith("From: Alice Smith <alice@example.com>") and "Content-Type: multipart/alternative" in text
        )
        assert window.text.font().fixedPitch() or QFontInfo(window.text.font()).fixedPitch()
        assert window.text.isReadOnly()
    finally:
        window.close()


async def test_zoom_in_out_and_reset_by_shortcut(reading: WebReading) -> None:
    await reading.show(stored(ALTERNATIVE, "Both"))
    await activate(reading.reader)
    view = reading.view
    QTest.keyClick(reading.reader, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(reading.reader, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.zoomFactor() == pytest.approx(1.25)
    QTest.keyClick(reading.reader, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoomFactor() == pytest.approx(1.1)
    QTest.keyClick(reading.reader, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoomFactor() == pytest.approx(1.0)


@pytest.mark.parametrize("web", [True, False], ids=["web-view", "fallback"])
async def test_save_as_pdf(qtbot: Any, store: Store, tmp_path: Path, web: bool) -> None:
    reading = await open_reader(qtbot, store, web=web)
    await reading.show(stored(ALTERNATIVE, "Both"))
    target = tmp_path / "message.pdf"
    ok = await asyncio.wait_for(reading.reader.body_view.save_pdf(str(target)), 60)
    assert ok
    assert target.read_bytes().startswith(b"%PDF") and target.stat().st_size > 500
    await reading.ops.drain()


@pytest.mark.parametrize("web", [True, False], ids=["web-view", "fallback"])
async def test_set_highlight_marks_the_terms_in_the_message_shown(qtbot: Any, store: Store, web: bool) -> None:
    reading = await open_reader(qtbot, store, web=web)
    await reading.show(
        html_mail("Budget", "<p>The <i>Budget</i> for 2025 &amp; the budgets after.</p><style>p{}</style>")
    )
    shown = next_emit(reading.reader.messageShown) if web else None
    reading.reader.set_highlight(["budget", "2025"])
    if shown is not None:
        await wait_for(shown)
        html = await page_html(reading.view.page())
    else:
        html = reading.reader.browser.toHtml()
    assert html.count("#ffe066") == 3  # Budget, 2025, budget(s); never inside the style sheet or a tag
    await reading.ops.drain()


async def test_dark_mode_draws_mail_on_a_light_paper_card(reading: WebReading) -> None:
    dark = QPalette(reading.reader.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    reading.reader.setPalette(dark)
    await reading.show(html_mail("Dark", '<p style="color:#333333">Readable text</p>'))
    html = await page_html(reading.view.page())
    assert "html{background:#202124}" in html
    assert ".realmail-paper{background:#ffffff;color:#1a1a1a;" in html
    assert "Readable text" in await page_text(reading.view.page())


async def test_switching_to_a_dark_palette_redraws_the_message_on_paper(reading: WebReading) -> None:
    await reading.show(html_mail("Theme", "<p>Some text</p>"))
    assert "html{background:#ffffff}" in await page_html(reading.view.page())
    dark = QPalette(reading.reader.palette())
    dark.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    shown = next_emit(reading.reader.messageShown)
    reading.reader.setPalette(dark)
    await wait_for(shown)
    assert "html{background:#202124}" in await page_html(reading.view.page())


async def test_a_reader_window_lists_the_reader_actions_in_its_view_menu(reading: WebReading) -> None:
    summary = await reading.show(stored(ALTERNATIVE, "Both"))
    window = ReaderWindow(reading.store, reading.ops, summary)
    try:
        menus = {action.text(): action.menu() for action in window.menuBar().actions()}
        view = menus["&View"]
        assert isinstance(view, QMenu)
        texts = [action.text() for action in view.actions() if not action.isSeparator()]
        assert texts[:3] == ["&Plain text", "All &headers", "Message &source"] and "Save as P&DF…" in texts
    finally:
        window.close()
        await idle(reading.ops)


def test_the_document_wrapper_keeps_direction_and_escapes_notes() -> None:
    document = mail_document('<p dir="rtl">שלום</p>', dark=False, note="<b>not markup</b>")
    assert '<p dir="rtl">שלום</p>' in document and "&lt;b&gt;not markup&lt;/b&gt;" in document


SHUTDOWN_SCRIPT = """
import asyncio, os, sys
from pathlib import Path
import qasync
import shiboken6
from realmail_desktop.ui.views.web_engine import prepare_web_engine
assert prepare_web_engine()
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import qInstallMessageHandler
qInstallMessageHandler(lambda kind, context, message: None)  # offscreen GPU notes; exit problems are not Qt messages
app = QApplication([])
app.setQuitOnLastWindowClosed(False)  # as the app does: the loop decides when we are done
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import FolderRole, Store
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.message_reader import MessageReader
from tests.ui.mail_samples import raw_mail, stored

async def main() -> None:
    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    store = await Store.open(Path(sys.argv[1]), bus)
    account, _ = await store.accounts.create_local()
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    [message_id], _ = await store.messages.add(inbox.id, [stored(raw_mail("Hi", text=None, html="<p>hi</p>"), "Hi")])
    window = QMainWindow()
    ops = Ops()
    reader = MessageReader(store, ops, window, web_engine=True)
    window.setCentralWidget(reader)
    window.show()
    shown = asyncio.get_running_loop().create_future()
    reader.messageShown.connect(lambda i: shown.done() or shown.set_result(i))
    reader.show_message(store.reader.message(message_id))
    await asyncio.wait_for(shown, 30)
    assert reader.body_view.showing_web_view
    window.close()
    if sys.argv[2] == "delete":
        shiboken6.delete(window)  # now, with the loop running: the view, its page and profile with it
    else:
        window.deleteLater()  # as app/gui.py does; what is left goes at interpreter exit
    await ops.drain()
    await store.close()
    print("closed cleanly")

with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
    runner.run(main())
"""


@pytest.mark.parametrize("how", ["delete", "at-exit"])
def test_closing_a_window_with_the_web_view_exits_cleanly(tmp_path: Path, how: str) -> None:
    # The page must go before its profile, or Chromium crashes (or complains) at exit.
    result = subprocess.run(
        [sys.executable, "-c", SHUTDOWN_SCRIPT, str(tmp_path / "store.sqlite3"), how],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox --log-level=3"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "closed cleanly"
    assert "Release of profile requested" not in result.stderr and "still not deleted" not in result.stderr
    assert result.stderr == ""


async def test_clicking_a_deceptive_link_asks_before_opening(
    reading: WebReading, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    await reading.show(html_mail("Verify", f'<a href="https://evil.example/login" {BIG_LINK}>paypal.com/verify</a>'))
    target = reading.view.focusProxy()
    assert target is not None
    clicked = next_emit(reading.view.linkClicked)
    QTest.mouseMove(target, QPoint(100, 60))
    QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(100, 60))
    await wait_for(clicked)
    box = reading.reader.findChild(QMessageBox, "deceptiveLinkBox")
    assert box is not None and box.isVisible()
    assert box.text() == "The link says paypal.com but goes to evil.example."
    assert opened == []
    go = next(button for button in box.buttons() if button.text() == "Open evil.example")
    go.click()
    assert opened == ["https://evil.example/login"]


@pytest.mark.parametrize("web", [True, False], ids=["web-view", "fallback"])
async def test_save_as_pdf_into_a_missing_folder_says_it_failed(
    qtbot: Any, store: Store, tmp_path: Path, web: bool
) -> None:
    reading = await open_reader(qtbot, store, web=web)
    await reading.show(stored(ALTERNATIVE, "Both"))
    target = tmp_path / "no such folder" / "message.pdf"
    assert not await asyncio.wait_for(reading.reader.body_view.save_pdf(str(target)), 60)
    assert not target.exists()
    await reading.ops.drain()
