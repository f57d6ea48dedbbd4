"""ConversationView: a thread's messages in order, as cards — the newest open, older ones folded to one line.

Each card's body is read and rendered off the GUI thread the way the reader does (`message_reader.
render_body`: parsed, nh3-sanitised, shown in a `MailBrowser` that fetches nothing), with its quoted text
(mail/quoting.py: `>` lines and "On … wrote:" blocks, HTML `<blockquote>`) folded behind "Show quoted
text". A card whose body is not stored says "Downloading…" and asks `fetch_body` once it is opened; the
body shows when the store says it arrived (`on_store_changed`). j/k ask the window for the next/previous
thread (`moveRequested`).
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import Changes
from realmail_desktop.mail.quoting import collapse_quoted_html, without_quoted_text
from realmail_desktop.store import MessageSummary, Store
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.mail_browser import MailBrowser, plain_text_html
from realmail_desktop.ui.views.message_reader import RenderedBody, format_date, render_body

FetchBody = Callable[[int], Awaitable[object]]
# Marked for pyside6-lupdate; translated where shown.
SHOW_QUOTED = str(QT_TRANSLATE_NOOP("ConversationView", "Show quoted text"))
HIDE_QUOTED = str(QT_TRANSLATE_NOOP("ConversationView", "Hide quoted text"))
DOWNLOADING = str(QT_TRANSLATE_NOOP("ConversationView", "Downloading…"))


@dataclass(frozen=True, slots=True)
class CardBody:
    """One card's body, prepared off the GUI thread: the full sanitised HTML, and without its quoted text
    (None when it quotes nothing)."""

    message_id: int
    rendered: RenderedBody
    folded_html: str | None

    @property
    def stored(self) -> bool:
        return self.rendered.parsed is not None


def render_card_body(message_id: int, raw: bytes | None) -> CardBody:
    """Parse, sanitise and fold one message's body (blocking: call it in a worker thread)."""
    rendered = render_body(message_id, raw)
    parsed = rendered.parsed
    folded: str | None = None
    if parsed is not None and parsed.html is not None:
        collapsed, removed = collapse_quoted_html(rendered.html)
        folded = collapsed if removed else None
    elif parsed is not None:
        text = parsed.text or ""
        own = without_quoted_text(text)
        folded = plain_text_html(own) if own.rstrip() != text.rstrip() else None
    return CardBody(message_id, rendered, folded)


class _BodyBrowser(MailBrowser):
    """A MailBrowser as tall as its document: the conversation scrolls, not each card."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = self.document().documentLayout()
        layout.documentSizeChanged.connect(self._fit)

    def _fit(self, size: QSizeF) -> None:
        self.setFixedHeight(int(size.height()) + 2 * self.frameWidth() + 2)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.height())


class MessageCard(QFrame):
    """One message of a conversation. Clicking its header opens or folds it.

    Signals: toggled(int message_id, bool expanded).
    """

    toggled = Signal(int, bool)

    def __init__(self, summary: MessageSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.summary = summary
        self.body: CardBody | None = None
        self._expanded = False
        self._quoted_shown = False
        self.note = ""  # "Downloading…", or why it could not be downloaded

        self._sender = QLabel(summary.sender_display or self.tr("(unknown sender)"), self)
        self._sender.setTextFormat(Qt.TextFormat.PlainText)
        bold = QFont(self._sender.font())
        bold.setBold(True)
        self._sender.setFont(bold)
        self._line = QLabel(self)  # folded: the snippet
        self._line.setTextFormat(Qt.TextFormat.PlainText)
        self._line.setEnabled(False)
        self._line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._date = QLabel(format_date(summary.date), self)
        self._date.setEnabled(False)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self._sender)
        header.addWidget(self._line, 1)
        header.addWidget(self._date)

        self._browser: _BodyBrowser | None = None  # made when first opened: long threads stay cheap
        self._quote_button = QPushButton(QCoreApplication.translate("ConversationView", SHOW_QUOTED), self)
        self._quote_button.setObjectName("showQuoted")
        self._quote_button.setFlat(True)
        self._quote_button.clicked.connect(self.toggle_quoted)
        self._quote_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 10, 6)
        self._layout.addLayout(header)
        self._layout.addWidget(self._quote_button)
        self._update()

    # --- state ------------------------------------------------------------------------------------
    @property
    def message_id(self) -> int:
        return self.summary.id

    @property
    def expanded(self) -> bool:
        return self._expanded

    @property
    def quoted_shown(self) -> bool:
        return self._quoted_shown

    @property
    def has_quoted_text(self) -> bool:
        return self.body is not None and self.body.folded_html is not None

    @property
    def browser(self) -> MailBrowser:
        if self._browser is None:
            self._browser = _BodyBrowser(self)
            self._layout.insertWidget(1, self._browser)
        return self._browser

    def body_text(self) -> str:
        """What the body shows now, as plain text ("" while folded; for tests and accessibility)."""
        return self._browser.toPlainText() if self._browser is not None and self._expanded else ""

    def set_expanded(self, expanded: bool) -> None:
        if expanded != self._expanded:
            self._expanded = expanded
            self._update()
            self.toggled.emit(self.message_id, expanded)

    def toggle_quoted(self) -> None:
        self._quoted_shown = not self._quoted_shown
        self._update()

    def set_body(self, body: CardBody) -> None:
        self.body = body
        if body.stored:
            self.note = ""
        self._update()

    def set_note(self, note: str) -> None:
        self.note = note
        self._update()

    # --- drawing ----------------------------------------------------------------------------------
    def _update(self) -> None:
        body = self.body
        self._line.setText("" if self._expanded else self.summary.snippet)
        self._quote_button.setVisible(self._expanded and self.has_quoted_text)
        self._quote_button.setText(
            QCoreApplication.translate("ConversationView", HIDE_QUOTED if self._quoted_shown else SHOW_QUOTED)
        )
        if not self._expanded:
            if self._browser is not None:
                self._browser.hide()
            return
        browser = self.browser
        browser.show()
        if body is None or not body.stored:
            snippet = plain_text_html(self.summary.snippet) if self.summary.snippet else ""
            note = html.escape(
                self.note or ("" if body is None else self.tr("The body of this message is not stored."))
            )
            browser.show_body(f"{snippet}<p><i>{note}</i></p>", {})
            return
        shown = body.rendered.html if self._quoted_shown or body.folded_html is None else body.folded_html
        browser.show_body(shown, body.rendered.inline)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # A click on the header line (above the body) opens or folds the card.
        header_bottom = max(w.geometry().bottom() for w in (self._sender, self._line, self._date))
        if event.button() == Qt.MouseButton.LeftButton and event.position().y() <= header_bottom + 4:
            self.set_expanded(not self._expanded)
            event.accept()
            return
        super().mousePressEvent(event)


class ConversationView(QWidget):
    """Shows one thread (`show_thread`), or nothing (`clear`).

    Signals: conversationShown(int thread_id) once the open cards' bodies (or notes) are on screen — again after
    each later render (a card opened for the first time, a downloaded body); moveRequested(int step) when j
    (+1) or k (-1) is pressed here.
    """

    conversationShown = Signal(int)
    moveRequested = Signal(int)

    def __init__(
        self, store: Store, ops: Ops, parent: QWidget | None = None, *, fetch_body: FetchBody | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conversationView")
        self._store = store
        self._ops = ops
        self._fetch_body = fetch_body
        self._thread_id: int | None = None
        self._folder_ids: tuple[int, ...] = ()
        self._cards: list[MessageCard] = []
        self._fetching: set[int] = set()
        self._load: asyncio.Task[list[CardBody]] | None = None

        self._subject = QLabel(self)
        self._subject.setObjectName("conversationSubject")
        self._subject.setTextFormat(Qt.TextFormat.PlainText)
        self._subject.setWordWrap(True)
        subject_font = QFont(self._subject.font())
        subject_font.setPointSizeF(subject_font.pointSizeF() * 1.25)
        subject_font.setBold(True)
        self._subject.setFont(subject_font)
        self._cards_box = QWidget(self)
        self._cards_layout = QVBoxLayout(self._cards_box)
        self._cards_layout.setContentsMargins(8, 8, 8, 8)
        self._cards_layout.setSpacing(6)
        self._cards_layout.addStretch(1)
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidget(self._cards_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._subject)
        layout.addWidget(self._scroll, 1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    # --- public face ------------------------------------------------------------------------------
    @property
    def thread_id(self) -> int | None:
        return self._thread_id

    @property
    def cards(self) -> list[MessageCard]:
        return list(self._cards)

    def show_thread(self, thread_id: int, folder_ids: tuple[int, ...] = ()) -> asyncio.Task[list[CardBody]]:
        """Show a thread's messages (read now: a handful of rows), the newest one's body once rendered (the
        task); older bodies are rendered when their cards are opened."""
        self.clear()
        self._thread_id = thread_id
        self._folder_ids = folder_ids
        messages = self._store.reader.threads.messages(thread_id, folder_ids)
        self._subject.setText((messages[-1].subject if messages else "") or self.tr("(no subject)"))
        for summary in messages:
            card = MessageCard(summary, self._cards_box)
            card.toggled.connect(self._on_card_toggled)
            self._cards_layout.insertWidget(self._cards_layout.count() - 1, card)
            self._cards.append(card)
        if self._cards:
            self._cards[-1].set_expanded(True)
        self._load = self._ops.run(
            self._render([card.message_id for card in self._cards if card.expanded]),
            label="Open conversation",
            on_done=self._on_bodies_ready,
        )
        return self._load

    def clear(self) -> None:
        if self._load is not None and not self._load.done():
            self._load.cancel()
        self._load = None
        self._thread_id = None
        self._fetching.clear()
        for card in self._cards:
            self._cards_layout.removeWidget(card)
            card.deleteLater()
        self._cards = []
        self._subject.clear()

    def on_store_changed(self, changes: Changes) -> None:
        """Show the thread again when messages joined or left it; re-render cards whose body arrived."""
        thread = self._thread_id
        if thread is not None and (changes.messages_added or changes.messages_removed or changes.folders):
            now = [m.id for m in self._store.reader.threads.messages(thread, self._folder_ids)]
            if now != [card.message_id for card in self._cards]:
                self.show_thread(thread, self._folder_ids)
                return
        waiting = [
            card.message_id
            for card in self._cards
            if card.message_id in changes.messages_updated and card.body is not None and not card.body.stored
        ]
        if waiting and self._thread_id is not None:
            self._ops.run(self._render(waiting), label="Open conversation", on_done=self._on_bodies_ready)

    # --- loading ----------------------------------------------------------------------------------
    async def _render(self, message_ids: list[int]) -> list[CardBody]:
        raws = await self._store.read(lambda reader: [reader.raw_message(mid) for mid in message_ids])

        def render() -> list[CardBody]:
            return [render_card_body(mid, raw) for mid, raw in zip(message_ids, raws, strict=True)]

        return await asyncio.to_thread(render)

    def _on_bodies_ready(self, bodies: list[CardBody]) -> None:
        by_id = {card.message_id: card for card in self._cards}
        for body in bodies:
            card = by_id.get(body.message_id)
            if card is None:
                continue  # another thread is shown now
            card.set_body(body)
            if not body.stored and card.expanded:
                self._start_fetch(card)
        if self._thread_id is not None and any(body.message_id in by_id for body in bodies):
            self.conversationShown.emit(self._thread_id)

    def _on_card_toggled(self, message_id: int, expanded: bool) -> None:
        card = next((c for c in self._cards if c.message_id == message_id), None)
        if card is None or not expanded:
            return
        if card.body is None:
            self._ops.run(self._render([message_id]), label="Open message", on_done=self._on_bodies_ready)
        elif not card.body.stored:
            self._start_fetch(card)

    def _start_fetch(self, card: MessageCard) -> None:
        if self._fetch_body is None or card.message_id in self._fetching:
            return
        self._fetching.add(card.message_id)  # once per showing: a body the server cannot give must not loop
        card.set_note(QCoreApplication.translate("ConversationView", DOWNLOADING))
        self._ops.run(self._fetch_quietly(card.message_id), label="Download message", on_done=self._on_fetched)

    async def _fetch_quietly(self, message_id: int) -> tuple[int, KnownError | None]:
        assert self._fetch_body is not None
        try:
            await self._fetch_body(message_id)
        except KnownError as exc:  # offline or refused: said on the card, not in a box per message
            return message_id, exc
        return message_id, None

    def _on_fetched(self, result: tuple[int, KnownError | None]) -> None:
        message_id, error = result
        card = next((c for c in self._cards if c.message_id == message_id), None)
        if card is None or (card.body is not None and card.body.stored):
            return
        if error is not None:
            card.set_note(self.tr("RealMail could not download it: {error}").format(error=error))
            if self._thread_id is not None:
                self.conversationShown.emit(self._thread_id)
        else:
            self.on_store_changed(Changes(messages_updated=frozenset({message_id})))

    # --- keyboard ---------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {Qt.Key.Key_J: 1, Qt.Key.Key_K: -1}
        step = steps.get(Qt.Key(event.key()))
        if step is not None and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.moveRequested.emit(step)
            event.accept()
            return
        super().keyPressEvent(event)
