"""MessageReader: one message — its headers, the remote-content bar, the sanitised body and its attachments.

The raw message is read in a worker thread and parsed and sanitised off the GUI thread; a newer
`show_message` cancels the load in flight, so a slow message never replaces a newer choice. Remote content
stays blocked: "Load for this message" keeps remote references in the sanitised HTML, but the body view does
not fetch them until the QtWebEngine reader replaces it (see ui/views/mail_browser.py). A body that is not
stored yet is downloaded (`fetch_body`) and shown once the store says it arrived (`on_store_changed`).
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QDateTime, QLocale, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import Changes
from realmail_desktop.mail import AttachmentInfo, ParsedMessage, inline_parts, parse_message, sanitize_html
from realmail_desktop.store import MessageSummary, Store
from realmail_desktop.ui.icons import app_icon
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.mail_browser import MailBrowser, plain_text_html

NOT_STORED = "The body of this message is not stored locally."
DOWNLOADING = "Downloading it from the server…"

FetchBody = Callable[[int], Awaitable[object]]
"""Downloads one message's body into the store (the sync engine's `fetch_body`)."""
EMPTY = "No message selected"


@dataclass(frozen=True, slots=True)
class RenderedBody:
    """What the body view shows for one message, prepared off the GUI thread."""

    message_id: int
    parsed: ParsedMessage | None  # None: no body stored locally
    html: str
    remote_blocked: int
    inline: Mapping[str, tuple[str, bytes]]
    remote_allowed: bool = False


def human_size(size: int) -> str:
    """1234567 → "1.2 MB" (binary multiples, the way mail clients and file managers count)."""
    if size < 1024:
        return f"{size} bytes" if size != 1 else "1 byte"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def format_date(epoch_seconds: int) -> str:
    """A message date in the person's time zone and locale, e.g. "Tuesday, March 5, 2024 2:03 PM"."""
    moment = QDateTime.fromSecsSinceEpoch(epoch_seconds).toLocalTime()
    locale = QLocale()
    day = locale.toString(moment.date(), QLocale.FormatType.LongFormat)
    return f"{day} {locale.toString(moment.time(), QLocale.FormatType.ShortFormat)}"


def render_body(message_id: int, raw: bytes | None, *, allow_remote: bool = False) -> RenderedBody:
    """Parse and sanitise one message (blocking: call it in a worker thread)."""
    if raw is None:
        return RenderedBody(message_id, None, "", 0, {})
    parsed = parse_message(raw)
    if parsed.html is not None:
        clean = sanitize_html(parsed.html, allow_remote=allow_remote)
        inline = inline_parts(raw) if "cid:" in parsed.html.lower() else {}
        return RenderedBody(message_id, parsed, clean.html, clean.remote_blocked, inline, allow_remote)
    text = parsed.text if parsed.text is not None else ""
    return RenderedBody(message_id, parsed, plain_text_html(text), 0, {})


def _address_line(name: str, address: str) -> str:
    return f"{name} <{address}>" if name and address and name != address else name or address


class _SelectableLabel(QLabel):
    """Header text: plain (a sender's name is not markup), selectable, wrapped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWordWrap(True)


class MessageReader(QWidget):
    """Shows one message at a time (`show_message`), or "No message selected" (`clear`).

    Signals: messageShown(int message_id) once a message's body (or its "not stored" note) is on screen — again
    when a body downloaded with `fetch_body` replaces the note.
    """

    messageShown = Signal(int)

    def __init__(
        self, store: Store, ops: Ops, parent: QWidget | None = None, *, fetch_body: FetchBody | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._ops = ops
        self._fetch_body = fetch_body
        self._fetched: int | None = None  # the message whose body download was started for this showing
        self._fetch_note = ""  # what the "not stored" note adds: downloading, or why that failed
        self._summary: MessageSummary | None = None
        self._body: RenderedBody | None = None
        self._load: asyncio.Task[RenderedBody] | None = None

        self._stack = QStackedWidget(self)
        self._empty = QLabel(EMPTY, self._stack)
        self._empty.setObjectName("readerEmpty")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setEnabled(False)
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._build_message_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self.clear()

    # --- public face ------------------------------------------------------------------------------
    @property
    def message_id(self) -> int | None:
        return None if self._summary is None else self._summary.id

    @property
    def summary(self) -> MessageSummary | None:
        return self._summary

    @property
    def browser(self) -> MailBrowser:
        return self._browser

    def show_message(self, summary: MessageSummary) -> asyncio.Task[RenderedBody]:
        """Show `summary`'s headers now and its body once read and parsed (the returned task)."""
        self._cancel_load()
        self._summary = summary
        self._body = None
        self._fetched = None
        self._fetch_note = ""
        self._show_headers(summary, None)
        self._remote_bar.hide()
        self._attachments.hide()
        self._browser.clear_body()
        self._stack.setCurrentIndex(1)
        self._load = self._ops.run(self._read_and_render(summary.id), label="Open message", on_done=self._on_body_ready)
        return self._load

    def clear(self) -> None:
        self._cancel_load()
        self._summary = None
        self._body = None
        self._browser.clear_body()
        self._stack.setCurrentIndex(0)

    def header_text(self) -> dict[str, str]:
        """What the header block shows, by field (From, To, Cc, Date, Subject); for tests and accessibility."""
        return {name: label.text() for name, label in self._header_fields.items()} | {"Subject": self._subject.text()}

    def remote_bar_text(self) -> str | None:
        return self._remote_label.text() if not self._remote_bar.isHidden() else None

    def attachment_lines(self) -> list[str]:
        return [self._attachments.item(row).text() for row in range(self._attachments.count())]

    def load_remote_content(self) -> asyncio.Task[RenderedBody] | None:
        """The "Load for this message" button: re-render keeping remote references (never fetched here)."""
        body, summary = self._body, self._summary
        if body is None or summary is None or body.parsed is None or body.parsed.html is None:
            return None
        self._cancel_load()
        raw_html = body.parsed.html
        parsed, inline, message_id = body.parsed, body.inline, summary.id

        def rerender() -> RenderedBody:
            clean = sanitize_html(raw_html, allow_remote=True)
            return RenderedBody(message_id, parsed, clean.html, clean.remote_blocked, inline, True)

        self._load = self._ops.run(
            asyncio.to_thread(rerender), label="Show remote content", on_done=self._on_body_ready
        )
        return self._load

    def on_store_changed(self, changes: Changes) -> None:
        """Show the body of the message on screen once it arrived (it was not stored when it was opened)."""
        summary, body = self._summary, self._body
        if summary is None or body is None or body.parsed is not None:
            return
        if summary.id in changes.messages_updated:
            self._cancel_load()
            self._load = self._ops.run(
                self._read_and_render(summary.id), label="Open message", on_done=self._on_body_ready
            )

    # --- loading ----------------------------------------------------------------------------------
    async def _read_and_render(self, message_id: int) -> RenderedBody:
        raw = await self._store.read(lambda reader: reader.raw_message(message_id))
        return await asyncio.to_thread(render_body, message_id, raw)

    def _cancel_load(self) -> None:
        if self._load is not None and not self._load.done():
            self._load.cancel()
        self._load = None

    def _on_body_ready(self, body: RenderedBody) -> None:
        summary = self._summary
        if summary is None or summary.id != body.message_id:
            return  # a newer selection won; its own load will render
        self._body = body
        self._show_headers(summary, body.parsed)
        if body.parsed is None:
            if self._fetch_body is not None and self._fetched != summary.id:
                self._start_fetch(summary.id)
            self._show_not_stored(summary, self._fetch_note if self._fetched == summary.id else "")
        else:
            self._browser.show_body(body.html, body.inline, remote_allowed=body.remote_allowed)
        self._show_remote_bar(body)
        self._show_attachments(body.parsed.attachments if body.parsed else ())
        self.messageShown.emit(body.message_id)

    def _start_fetch(self, message_id: int) -> None:
        self._fetched = message_id  # once per showing: a body the server cannot give must not loop
        self._fetch_note = DOWNLOADING
        self._ops.run(self._fetch_quietly(message_id), label="Download message", on_done=self._on_fetch_done)

    async def _fetch_quietly(self, message_id: int) -> tuple[int, KnownError | None]:
        # Offline or refused is the world's answer, shown in the reader rather than as a box per message.
        assert self._fetch_body is not None
        try:
            await self._fetch_body(message_id)
        except KnownError as exc:
            return message_id, exc
        return message_id, None

    def _on_fetch_done(self, result: tuple[int, KnownError | None]) -> None:
        message_id, error = result
        summary = self._summary
        if summary is None or summary.id != message_id or self._body is None or self._body.parsed is not None:
            return
        if error is not None:
            self._fetch_note = f"RealMail could not download it: {error}"
            self._show_not_stored(summary, self._fetch_note)
            self.messageShown.emit(message_id)
        else:
            # The store has it now; its Changes may have re-rendered it already (then we returned above).
            self._fetch_note = ""
            self.on_store_changed(Changes(messages_updated=frozenset({message_id})))

    # --- drawing ----------------------------------------------------------------------------------
    def _show_not_stored(self, summary: MessageSummary, note: str) -> None:
        snippet = plain_text_html(summary.snippet) if summary.snippet else ""
        line = html.escape(f"{NOT_STORED} {note}".strip())
        self._browser.show_body(f"{snippet}<p><i>{line}</i></p>", {})

    def _build_message_page(self) -> QWidget:
        page = QWidget(self._stack)
        self._browser = MailBrowser(page)
        self._browser.setFrameShape(QFrame.Shape.NoFrame)
        self._attachments = QListWidget(page)
        self._attachments.setObjectName("attachments")
        self._attachments.setFlow(QListWidget.Flow.LeftToRight)
        self._attachments.setWrapping(True)
        # Two rows of attachments, then it scrolls: the body keeps the room.
        self._attachments.setMaximumHeight((max(self.fontMetrics().height(), 16) + 8) * 2 + 6)
        self._attachments.setEditTriggers(QListWidget.EditTrigger.NoEditTriggers)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header(page))
        layout.addWidget(self._build_remote_bar(page))
        layout.addWidget(self._browser, 1)
        layout.addWidget(self._attachments)
        return page

    def _build_header(self, page: QWidget) -> QWidget:
        header = QFrame(page)
        header.setObjectName("readerHeader")
        self._subject = _SelectableLabel(header)
        self._subject.setObjectName("readerSubject")
        subject_font = QFont(self._subject.font())
        subject_font.setPointSizeF(subject_font.pointSizeF() * 1.25)
        subject_font.setBold(True)
        self._subject.setFont(subject_font)

        self._form = QFormLayout()
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setHorizontalSpacing(12)
        self._form.setVerticalSpacing(2)
        self._header_fields: dict[str, _SelectableLabel] = {}
        for name in ("From", "To", "Cc", "Date"):
            value = _SelectableLabel(header)
            value.setObjectName(f"header{name}")
            self._header_fields[name] = value
            caption = QLabel(f"{name}:", header)
            caption.setEnabled(False)
            self._form.addRow(caption, value)

        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(12, 10, 12, 8)
        header_layout.addWidget(self._subject)
        header_layout.addLayout(self._form)
        return header

    def _build_remote_bar(self, page: QWidget) -> QWidget:
        self._remote_bar = QFrame(page)
        self._remote_bar.setObjectName("remoteBar")
        self._remote_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self._remote_label = QLabel(self._remote_bar)
        self._remote_button = QPushButton("Load for this message", self._remote_bar)
        self._remote_button.setObjectName("loadRemote")
        self._remote_button.clicked.connect(self.load_remote_content)
        bar = QHBoxLayout(self._remote_bar)
        bar.setContentsMargins(12, 4, 12, 4)
        bar.addWidget(self._remote_label, 1)
        bar.addWidget(self._remote_button)
        return self._remote_bar

    def _show_headers(self, summary: MessageSummary, parsed: ParsedMessage | None) -> None:
        if parsed is not None and parsed.sender is not None:
            sender = parsed.sender.display()
        else:
            sender = _address_line(summary.sender_name, summary.sender_address)
        to = ", ".join(a.display() for a in parsed.to) if parsed is not None else summary.recipients
        cc = ", ".join(a.display() for a in parsed.cc) if parsed is not None else summary.cc
        subject = parsed.subject if parsed is not None and parsed.subject else summary.subject
        self._subject.setText(subject or "(no subject)")
        values = {"From": sender, "To": to, "Cc": cc, "Date": format_date(summary.date)}
        for name, value in values.items():
            self._header_fields[name].setText(value)
            self._form.setRowVisible(self._header_fields[name], bool(value))

    def _show_remote_bar(self, body: RenderedBody) -> None:
        if body.remote_allowed:
            self._remote_label.setText(
                "Remote content is allowed for this message, but this version of RealMail cannot show it yet."
            )
            self._remote_button.hide()
            self._remote_bar.show()
        elif body.remote_blocked > 0:
            self._remote_label.setText(f"Remote content blocked ({body.remote_blocked})")
            self._remote_button.show()
            self._remote_bar.show()
        else:
            self._remote_bar.hide()

    def _show_attachments(self, attachments: tuple[AttachmentInfo, ...]) -> None:
        self._attachments.clear()
        icon = app_icon("paperclip")
        for attachment in attachments:
            if attachment.inline and attachment.content_id:
                continue  # an image the body shows in place
            name = attachment.filename or "Unnamed attachment"
            QListWidgetItem(icon, f"{name} — {human_size(attachment.size)}", self._attachments)
        self._attachments.setVisible(self._attachments.count() > 0)
