"""MessageReader: one message — its headers, the remote-content bar, the sanitised body and its attachments.

The raw message is read in a worker thread and parsed and sanitised off the GUI thread; a newer
`show_message` cancels the load in flight, so a slow message never replaces a newer choice. The body shows
in `ReaderBody` (QtWebEngine for HTML mail, built with the first one; a QTextBrowser otherwise). Remote
content stays blocked unless the person allows it for this message or trusts the sender (`store.trust`).
The reader's own actions (plain text, full headers, source, zoom, print, PDF) are in `reader_actions.py`.
A body that is not stored yet is downloaded (`fetch_body`) and shown once the store says it arrived
(`on_store_changed`).
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime, QLocale, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import Changes
from realmail_desktop.mail import AttachmentInfo, ParsedMessage
from realmail_desktop.store import MessageSummary, Store
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.attachment_tile import human_size  # noqa: F401 (was defined here)
from realmail_desktop.ui.views.attachments_bar import AttachmentsBar
from realmail_desktop.ui.views.mail_browser import MailBrowser, plain_text_html
from realmail_desktop.ui.views.reader_actions import ReaderActions
from realmail_desktop.ui.views.reader_body import ReaderBody
from realmail_desktop.ui.views.remote_content_bar import RemoteContentBar
from realmail_desktop.ui.views.rendered_body import TOO_LONG, sanitize_parsed

# Re-exported (`X as X`, for mypy): conversation_view.py imports these from here, where they used to live.
from realmail_desktop.ui.views.rendered_body import RenderedBody as RenderedBody  # noqa: PLC0414
from realmail_desktop.ui.views.rendered_body import render_body as render_body  # noqa: PLC0414
from realmail_desktop.ui.views.web_engine import web_engine_ready

# Marked for pyside6-lupdate; translated where shown.
NOT_STORED = str(QT_TRANSLATE_NOOP("MessageReader", "The body of this message is not stored locally."))
DOWNLOADING = str(QT_TRANSLATE_NOOP("MessageReader", "Downloading it from the server…"))

FetchBody = Callable[[int], Awaitable[object]]
"""Downloads one message's body into the store (the sync engine's `fetch_body`)."""
EMPTY = str(QT_TRANSLATE_NOOP("MessageReader", "No message selected"))  # translated where shown


def format_date(epoch_seconds: int) -> str:
    """A message date in the person's time zone and locale, e.g. "Tuesday, March 5, 2024 2:03 PM"."""
    moment = QDateTime.fromSecsSinceEpoch(epoch_seconds).toLocalTime()
    locale = QLocale()
    day = locale.toString(moment.date(), QLocale.FormatType.LongFormat)
    return f"{day} {locale.toString(moment.time(), QLocale.FormatType.ShortFormat)}"


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
        self,
        store: Store,
        ops: Ops,
        parent: QWidget | None = None,
        *,
        fetch_body: FetchBody | None = None,
        web_engine: bool | None = None,
    ) -> None:
        super().__init__(parent)
        # QtWebEngine for HTML mail when it was prepared before the QApplication (app/gui.py, tests/conftest.py).
        self._web_engine = web_engine_ready() if web_engine is None else web_engine
        self._prefer_text = False  # View ▸ Plain text
        self.load_remote_always = False  # Settings ▸ Reading ▸ Remote images: Always load
        self._store = store
        self._ops = ops
        self._fetch_body = fetch_body
        self._fetched: int | None = None  # the message whose body download was started for this showing
        self._fetch_note = ""  # what the "not stored" note adds: downloading, or why that failed
        self._summary: MessageSummary | None = None
        self._body: RenderedBody | None = None
        self._load: asyncio.Task[RenderedBody] | None = None

        self._stack = QStackedWidget(self)
        self._empty = QLabel(self.tr(EMPTY), self._stack)
        self._empty.setObjectName("readerEmpty")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setEnabled(False)
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._build_message_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self.reader_actions = ReaderActions(self)
        self.browser.setAccessibleName(self.tr("Message text"))
        self.body_view.setAccessibleName(self.tr("Message text"))
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
        """The QTextBrowser: plain-text bodies, notes, and HTML mail where QtWebEngine cannot run."""
        return self._body_view.browser

    @property
    def body_view(self) -> ReaderBody:
        return self._body_view

    @property
    def store(self) -> Store:
        return self._store

    @property
    def ops(self) -> Ops:
        return self._ops

    @property
    def body(self) -> RenderedBody | None:
        """What the body view shows for the message on screen (None while it loads)."""
        return self._body

    def show_message(self, summary: MessageSummary) -> asyncio.Task[RenderedBody]:
        """Show `summary`'s headers now and its body once read and parsed (the returned task)."""
        self._cancel_load()
        self._summary = summary
        self._body = None
        self._fetched = None
        self._fetch_note = ""
        self._show_headers(summary, None)
        self._remote_bar.hide()
        self._attachments.clear()
        self._body_view.clear()
        self._stack.setCurrentIndex(1)
        self.reader_actions.set_enabled(True)
        self._load = self._ops.run(self._read_and_render(summary.id), label="Open message", on_done=self._on_body_ready)
        return self._load

    def clear(self) -> None:
        self._cancel_load()
        self._summary = None
        self._body = None
        self._body_view.clear()
        self._stack.setCurrentIndex(0)
        self.reader_actions.set_enabled(False)

    def header_text(self) -> dict[str, str]:
        """What the header block shows, by field (From, To, Cc, Date, Labels, Subject); for tests and accessibility."""
        return {name: label.text() for name, label in self._header_fields.items()} | {"Subject": self._subject.text()}

    def remote_bar_text(self) -> str | None:
        return self._remote_bar.text()

    def attachment_lines(self) -> list[str]:
        return self._attachments.lines()

    def load_remote_content(self) -> asyncio.Task[RenderedBody] | None:
        """ "Load for this message": re-render keeping remote references; the web view fetches them."""
        return self._rerender(allow_remote=True, label="Show remote content")

    def trust_sender(self) -> asyncio.Task[RenderedBody] | None:
        """ "Always for this sender": remember the sender, then show this message's remote content."""
        body = self._body
        if body is None or not body.sender:
            return None
        return self._rerender(allow_remote=True, trusted=True, before=self._store.trust.trust(body.sender))

    def distrust_sender(self) -> asyncio.Task[RenderedBody] | None:
        """ "Stop trusting": forget the sender and block this message's remote content again."""
        body = self._body
        if body is None or not body.sender:
            return None
        return self._rerender(allow_remote=False, before=self._store.trust.distrust(body.sender))

    def _rerender(
        self,
        *,
        allow_remote: bool,
        trusted: bool = False,
        before: Awaitable[object] | None = None,
        label: str = "Remote content",
    ) -> asyncio.Task[RenderedBody] | None:
        body, summary = self._body, self._summary
        if body is None or summary is None or body.parsed is None or body.parsed.html is None:
            return None
        self._cancel_load()
        parsed, inline, message_id = body.parsed, body.inline, summary.id

        async def rerender() -> RenderedBody:
            if before is not None:
                await before
            again = await asyncio.to_thread(sanitize_parsed, message_id, parsed, None, allow_remote=allow_remote)
            return replace(again, inline=inline, trusted=trusted)  # cid: parts were read with the message

        self._load = self._ops.run(rerender(), label=label, on_done=self._on_body_ready)
        return self._load

    # --- reader actions (View menu; see reader_actions.py) -----------------------------------------
    def set_plain_text(self, on: bool) -> None:
        """Show the plain-text alternative (or the HTML's text) instead of the HTML."""
        self._prefer_text = on
        if self._body is not None and self._body.parsed is not None:
            self._present(self._body)

    def set_full_headers(self, on: bool) -> None:
        """Every header of the message under the short ones (From, To, Cc, Date)."""
        self._full_headers.setVisible(on and bool(self._full_headers.toPlainText()))
        self._full_headers_wanted = on

    def set_highlight(self, terms: Sequence[str]) -> None:
        """Highlight `terms` (search words) in the message shown, and in those shown after, until cleared."""
        self._body_view.set_highlight(terms)

    def _show_delivery(self, message_id: int) -> None:
        """What bounces said about a message we sent, or why the Outbox has not sent it (store/outbox_reader)."""
        outbox = self._store.reader.outbox
        lines = [
            self.tr("Not delivered to {recipient}: {diagnostic}").format(recipient=p.recipient, diagnostic=p.diagnostic)
            for p in outbox.delivery_problems(message_id)
        ]
        item = outbox.item_for_message(message_id)
        if item is not None and item.last_error:  # sent: the recipients the server refused while taking the rest
            prefix = {"failed": self.tr("Not sent: "), "sent": ""}.get(item.state.value, self.tr("Waiting to send: "))
            lines.insert(0, prefix + item.last_error)
        self._delivery.setText("\n".join(lines))
        self._delivery.setVisible(bool(lines))
        self._failed_outbox_id: int | None = item.id if item is not None and item.state.value == "failed" else None
        self._outbox_actions.setVisible(self._failed_outbox_id is not None)

    def _on_outbox_action(self, action: str) -> None:
        """A failed message's "Send again" / "Move to Drafts" (Edit: the composer opens it from Drafts)."""
        if self._failed_outbox_id is None:
            return
        outbox = self._store.outbox
        if action == "resend":
            self._ops.run(outbox.resend(self._failed_outbox_id), label="Send again")
        else:
            self._ops.run(outbox.return_to_drafts(self._failed_outbox_id), label="Move to Drafts")

    def delivery_text(self) -> str | None:
        return None if self._delivery.isHidden() else self._delivery.text()

    def on_store_changed(self, changes: Changes) -> None:
        """Show the body of the message on screen once it arrived (it was not stored when it was opened)."""
        summary, body = self._summary, self._body
        if summary is not None and summary.id in changes.messages_updated:
            self._show_delivery(summary.id)  # a bounce linked, or the Outbox tried again
            self._show_labels(summary.id)  # Gmail labels changed here or on the server
        if summary is None or body is None or body.parsed is not None:
            return
        if summary.id in changes.messages_updated:
            self._cancel_load()
            self._load = self._ops.run(
                self._read_and_render(summary.id), label="Open message", on_done=self._on_body_ready
            )

    # --- loading ----------------------------------------------------------------------------------
    async def _read_and_render(self, message_id: int) -> RenderedBody:
        summary = self._summary
        sender = summary.sender_address if summary is not None and summary.id == message_id else ""
        raw, trusted = await self._store.read(
            lambda reader: (reader.raw_message(message_id), bool(sender) and reader.trusts_remote_content(sender))
        )
        allow = self.load_remote_always
        return await asyncio.to_thread(render_body, message_id, raw, allow_remote=allow, trusted=trusted)

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
        self._show_remote_bar(body)
        self._show_attachments(body.parsed.attachments if body.parsed else ())
        if body.parsed is not None:
            self._present(body)  # messageShown follows once the body view has drawn it

    def _present(self, body: RenderedBody) -> None:
        if self._prefer_text or body.parsed is None or body.parsed.html is None:
            self._body_view.show_text(body.text_html or body.html)
        else:
            self._body_view.show_html(
                body.html,
                body.inline,
                remote_allowed=body.remote_allowed,
                deceptive=body.deceptive,
                note=QCoreApplication.translate("RenderedBody", TOO_LONG) if body.shortened else "",
            )

    def _on_body_shown(self) -> None:
        if self._body is not None and self._summary is not None and self._body.message_id == self._summary.id:
            self.messageShown.emit(self._body.message_id)

    def _start_fetch(self, message_id: int) -> None:
        self._fetched = message_id  # once per showing: a body the server cannot give must not loop
        self._fetch_note = self.tr(DOWNLOADING)
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
            self._fetch_note = self.tr("RealMail could not download it: {error}").format(error=error)
            self._show_not_stored(summary, self._fetch_note)
        else:
            # The store has it now; its Changes may have re-rendered it already (then we returned above).
            self._fetch_note = ""
            self.on_store_changed(Changes(messages_updated=frozenset({message_id})))

    # --- drawing ----------------------------------------------------------------------------------
    def _show_not_stored(self, summary: MessageSummary, note: str) -> None:
        snippet = plain_text_html(summary.snippet) if summary.snippet else ""
        line = html.escape(f"{self.tr(NOT_STORED)} {note}".strip())
        self._body_view.show_text(f"{snippet}<p><i>{line}</i></p>")

    def _build_message_page(self) -> QWidget:
        page = QWidget(self._stack)
        self._body_view = ReaderBody(page, web_engine=self._web_engine)
        self._body_view.shown.connect(self._on_body_shown)
        self._attachments = AttachmentsBar(self._ops, page)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header(page))
        layout.addWidget(self._build_remote_bar(page))
        layout.addWidget(self._attachments.invitation_card)
        layout.addWidget(self._body_view, 1)
        layout.addWidget(self._attachments.image_previews)
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
        captions = {  # Labels: Gmail's (store/gmail_labels.py)
            "From": self.tr("From:"),
            "To": self.tr("To:"),
            "Cc": self.tr("Cc:"),
            "Date": self.tr("Date:"),
            "Labels": self.tr("Labels:"),
        }
        for name, caption_text in captions.items():
            value = _SelectableLabel(header)
            value.setObjectName(f"header{name}")
            self._header_fields[name] = value
            caption = QLabel(caption_text, header)
            caption.setEnabled(False)
            self._form.addRow(caption, value)

        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(12, 10, 12, 8)
        header_layout.addWidget(self._subject)
        header_layout.addLayout(self._form)
        self._delivery = QLabel(header)  # "Not delivered to …" (a bounce) or why the Outbox could not send it
        self._delivery.setObjectName("readerDelivery")
        self._delivery.setWordWrap(True)
        self._delivery.hide()
        header_layout.addWidget(self._delivery)
        self._outbox_actions = QLabel(
            self.tr('<a href="resend">Send again</a> · <a href="edit">Move to Drafts</a>'), header
        )
        self._outbox_actions.setObjectName("readerOutboxActions")
        self._outbox_actions.linkActivated.connect(self._on_outbox_action)
        self._outbox_actions.hide()
        self._failed_outbox_id = None
        header_layout.addWidget(self._outbox_actions)
        self._full_headers = QPlainTextEdit(header)
        self._full_headers.setObjectName("fullHeaders")
        self._full_headers.setReadOnly(True)
        self._full_headers.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._full_headers.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._full_headers.setMaximumHeight(self.fontMetrics().height() * 10)
        self._full_headers.hide()
        self._full_headers_wanted = False
        header_layout.addWidget(self._full_headers)
        return header

    def _build_remote_bar(self, page: QWidget) -> QWidget:
        self._remote_bar = RemoteContentBar(page)
        self._remote_bar.loadForMessage.connect(self.load_remote_content)
        self._remote_bar.trustSender.connect(self.trust_sender)
        self._remote_bar.distrustSender.connect(self.distrust_sender)
        return self._remote_bar

    def _show_headers(self, summary: MessageSummary, parsed: ParsedMessage | None) -> None:
        if parsed is not None and parsed.sender is not None:
            sender = parsed.sender.display()
        else:
            sender = _address_line(summary.sender_name, summary.sender_address)
        to = ", ".join(a.display() for a in parsed.to) if parsed is not None else summary.recipients
        cc = ", ".join(a.display() for a in parsed.cc) if parsed is not None else summary.cc
        subject = parsed.subject if parsed is not None and parsed.subject else summary.subject
        self._subject.setText(subject or self.tr("(no subject)"))
        values = {"From": sender, "To": to, "Cc": cc, "Date": format_date(summary.date)}
        for name, value in values.items():
            self._header_fields[name].setText(value)
            self._form.setRowVisible(self._header_fields[name], bool(value))
        self._show_labels(summary.id)
        self._show_delivery(summary.id)
        lines = "\n".join(f"{name}: {value}" for name, value in parsed.headers) if parsed is not None else ""
        self._full_headers.setPlainText(lines)
        self._full_headers.setVisible(self._full_headers_wanted and bool(lines))

    def _show_labels(self, message_id: int) -> None:
        """The Gmail labels that show the message (their folders' names); the row is hidden when none."""
        labels = ", ".join(path.rsplit("/", 1)[-1] for _id, path in self._store.reader.gmail_labels(message_id))
        self._header_fields["Labels"].setText(labels)
        self._form.setRowVisible(self._header_fields["Labels"], bool(labels))

    def _show_remote_bar(self, body: RenderedBody) -> None:
        self._remote_bar.show_state(
            blocked=body.remote_blocked,
            allowed=body.remote_allowed,
            trusted=body.trusted,
            sender=body.sender,
            can_fetch=self._web_engine,
        )

    def _show_attachments(self, attachments: tuple[AttachmentInfo, ...]) -> None:
        body = self._body
        if body is None or not attachments:
            self._attachments.clear()
            return
        message_id = body.message_id

        async def read_raw() -> bytes | None:
            # Read again rather than kept with the body: most messages are shown without touching a part.
            return await self._store.read(lambda reader: reader.raw_message(message_id))

        self._attachments.show_attachments(attachments, read_raw)
