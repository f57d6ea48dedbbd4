"""ComposeCommands: what the main window's New / Reply / Reply all / Forward / Edit as new actions open.

The original is read and the quote built off the GUI thread (mail/reply.py), so a reply to a big message
opens at once; the identity answering is the one the original was sent to, else the account's default.
After a send, the status bar offers Undo until the send time; undoing takes the message back out of the
outbox and reopens it in a composer.

Signals: composerOpened(ComposerWindow).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from realmail_desktop.core.errors import KnownError, NotFoundError
from realmail_desktop.mail.mailto import read_mailto
from realmail_desktop.mail.reply import Answer, AnswerKind, answer, read_original, reopen_draft
from realmail_desktop.store import Identity, Store
from realmail_desktop.ui.compose.composer_start import ComposerStart, SentMessage
from realmail_desktop.ui.compose.composer_window import ComposerWindow
from realmail_desktop.ui.compose.undo_notice import UndoSendNotice
from realmail_desktop.ui.dialogs.identities_dialog import IdentitiesDialog
from realmail_desktop.ui.ops import Ops

FetchBody = Callable[[int], Awaitable[object]]
_RICH_QUOTE_LIMIT = 200_000  # characters of quote a rich editor lays out quickly


# In the order of WindowActions.answer_actions (Reply, Reply all, Reply to list, Forward, as attachment, Edit).
ANSWER_ACTION_KINDS = (
    AnswerKind.REPLY,
    AnswerKind.REPLY_ALL,
    AnswerKind.REPLY_LIST,
    AnswerKind.FORWARD,
    AnswerKind.FORWARD_AS_ATTACHMENT,
    AnswerKind.EDIT_AS_NEW,
)


_ANSWER_MENU = (  # texts marked for pyside6-lupdate; translated where shown
    (QT_TRANSLATE_NOOP("ComposeCommands", "&Reply"), "Ctrl+R", AnswerKind.REPLY),
    (QT_TRANSLATE_NOOP("ComposeCommands", "Reply &all"), "Ctrl+Shift+R", AnswerKind.REPLY_ALL),
    (QT_TRANSLATE_NOOP("ComposeCommands", "Reply to &list"), "Ctrl+Shift+L", AnswerKind.REPLY_LIST),
    (QT_TRANSLATE_NOOP("ComposeCommands", "&Forward"), "Ctrl+L", AnswerKind.FORWARD),
    (QT_TRANSLATE_NOOP("ComposeCommands", "Forward as a&ttachment"), "", AnswerKind.FORWARD_AS_ATTACHMENT),
    (QT_TRANSLATE_NOOP("ComposeCommands", "&Edit as new message"), "", AnswerKind.EDIT_AS_NEW),
)


class NoIdentityError(KnownError):
    """No account has an address to send from."""


def _pick(identities: list[Identity], address: str | None, account_id: int | None) -> Identity | None:
    if address:
        found = next((i for i in identities if i.address.lower() == address.lower()), None)
        if found is not None:
            return found
    for candidate in identities:
        if candidate.account_id == account_id and candidate.is_default:
            return candidate
    return next((i for i in identities if i.is_default), identities[0] if identities else None)


def start_of(answered: Answer, identities: list[Identity], identity: Identity | None, row: int | None) -> ComposerStart:
    """A composer's start for an answer (or a reopened draft when `answered.message_id` is set)."""
    kind = answered.kind
    reopened = bool(answered.message_id)
    return ComposerStart(
        identities=tuple(identities),
        identity_id=identity.id if identity else None,
        to=answered.to,
        cc=answered.cc,
        bcc=answered.bcc,
        subject=answered.subject,
        text=answered.text,
        html=answered.html,
        rich=answered.html is not None if reopened else kind is AnswerKind.FORWARD_AS_ATTACHMENT,
        in_reply_to=answered.in_reply_to,
        references=answered.references,
        attachments=answered.attachments,
        inline_images=answered.inline_images,
        forwarded=answered.forwarded,
        message_id=answered.message_id,
        answers=row if kind in (AnswerKind.REPLY, AnswerKind.REPLY_ALL, AnswerKind.REPLY_LIST) else None,
        forwards=(row,) if row is not None and kind in (AnswerKind.FORWARD, AnswerKind.FORWARD_AS_ATTACHMENT) else (),
        add_signature=not reopened and kind is not AnswerKind.EDIT_AS_NEW,
    )


class ComposeCommands(QObject):
    composerOpened = Signal(object)

    def __init__(
        self,
        window: QMainWindow,
        store: Store,
        ops: Ops,
        *,
        current_account: Callable[[], int | None] = lambda: None,
        fetch_body: FetchBody | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._store = store
        self._ops = ops
        self._current_account = current_account
        self._fetch_body = fetch_body
        self.undo_notice = UndoSendNotice(window)
        window.statusBar().addPermanentWidget(self.undo_notice)
        self.undo_notice.undoRequested.connect(self.undo)

    async def identities(self) -> list[Identity]:
        identities = self._store.reader.identities.all()
        have_default = {i.account_id for i in identities if i.is_default}
        missing = [a.id for a in self._store.reader.accounts() if "@" in a.address and a.id not in have_default]
        for account_id in missing:  # once per account: later opens write nothing
            await self._store.identities.ensure_default(account_id)
        if missing:
            identities = self._store.reader.identities.all()
        if not identities:
            raise NoIdentityError(
                self.tr("There is no account to send from."),
                hint=self.tr("Add an account with File → Add account… first."),
            )
        return identities

    def _open(self, start: ComposerStart) -> None:
        composer = ComposerWindow(
            self._store,
            self._ops,
            start,
            undo_seconds=self._store.reader.preferences.undo_send_seconds(),
            parent=self._window,
        )
        composer.sent.connect(self.on_sent)
        composer.show()
        self.composerOpened.emit(composer)

    def composers(self) -> list[ComposerWindow]:
        return [w for w in self._window.findChildren(ComposerWindow) if w.isVisible()]

    # --- opening ----------------------------------------------------------------------------------
    def new_message(self) -> asyncio.Task[ComposerStart]:
        async def start() -> ComposerStart:
            identities = await self.identities()
            identity = _pick(identities, None, self._current_account())
            return ComposerStart(identities=tuple(identities), identity_id=identity.id if identity else None)

        return self._ops.run(start(), label="New message", on_done=self._open)

    def open_mailto(self, link: str) -> asyncio.Task[ComposerStart]:
        """A new message from a `mailto:` link (the desktop's e-mail link handler: `realmail mailto:…`)."""
        found = read_mailto(link)

        async def start() -> ComposerStart:
            identities = await self.identities()
            identity = _pick(identities, None, self._current_account())
            return ComposerStart(
                identities=tuple(identities),
                identity_id=identity.id if identity else None,
                to=found.to,
                cc=found.cc,
                bcc=found.bcc,
                subject=found.subject,
                text=found.body,
                rich=False,
                in_reply_to=found.in_reply_to,
                references=(found.in_reply_to,) if found.in_reply_to else (),
            )

        return self._ops.run(start(), label="New message", on_done=self._open)

    def answer(self, kind: AnswerKind, message_row: int | None) -> asyncio.Task[ComposerStart] | None:
        """Reply, reply all, reply to list, forward (inline or attached) or edit as new, for `message_row`."""
        if message_row is None:
            return None
        return self._ops.run(self._answer_start(kind, message_row), label="Reply", on_done=self._open)

    async def _raw(self, message_row: int) -> bytes:
        raw = await self._store.read(lambda r: r.raw_message(message_row))
        if raw is None and self._fetch_body is not None:
            await self._fetch_body(message_row)
            raw = await self._store.read(lambda r: r.raw_message(message_row))
        if raw is None:
            raise NotFoundError(
                self.tr("The message is not on this computer."), hint=self.tr("Connect to the server and try again.")
            )
        return raw

    async def _answer_start(self, kind: AnswerKind, message_row: int) -> ComposerStart:
        identities = await self.identities()
        raw = await self._raw(message_row)
        summary = self._store.reader.message(message_row)
        own = [i.address for i in identities]
        original = await asyncio.to_thread(read_original, raw)
        answered = await asyncio.to_thread(answer, original, kind, own)
        identity = _pick(identities, answered.from_address, summary.account_id if summary else None)
        start = start_of(answered, identities, identity, message_row)
        # An HTML original gets a rich answer; a plain (or a huge) one a plain answer, which also opens fastest.
        rich = original.html is not None and len(answered.text) < _RICH_QUOTE_LIMIT
        return replace(start, rich=rich or kind is AnswerKind.FORWARD_AS_ATTACHMENT)

    def open_draft(self, message_row: int) -> asyncio.Task[ComposerStart]:
        """A saved draft (double-clicked in Drafts) in a composer; saving replaces that row."""

        async def start() -> ComposerStart:
            identities = await self.identities()
            raw = await self._raw(message_row)
            origin = self._store.reader.drafts.origin(message_row)
            original = await asyncio.to_thread(read_original, raw)
            answered = reopen_draft(original)
            identity = next((i for i in identities if i.id == origin.identity_id), None) or _pick(
                identities, answered.from_address, None
            )
            base = start_of(answered, identities, identity, None)
            return replace(base, answers=origin.answers, forwards=origin.forwards, draft_row=message_row)

        return self._ops.run(start(), label="Open draft", on_done=self._open)

    def add_answer_menu(self, window: QMainWindow, current: Callable[[], int | None]) -> QMenu:
        """A "Message" menu with Reply, Reply all, … (and their keys) on another window: a reader window
        answers the message it shows (`current`)."""
        menu = window.menuBar().addMenu(self.tr("&Message"))
        for text, key, kind in _ANSWER_MENU:
            action = QAction(QCoreApplication.translate("ComposeCommands", str(text)), window)
            if key:
                action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _checked=False, k=kind: self.answer(k, current()))
            menu.addAction(action)
        return menu

    def edit_identities(self, account_id: int) -> IdentitiesDialog:
        """The account's identities editor (from Account settings → Identities…), window-modal."""
        dialog = IdentitiesDialog(self._store, self._ops, account_id, self._window.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # --- after sending ----------------------------------------------------------------------------
    def on_sent(self, sent: SentMessage) -> None:
        self.undo_notice.show_sent(sent)

    def undo(self, sent: SentMessage) -> asyncio.Task[ComposerStart]:
        """Take the message back out of the outbox and reopen it as it was."""

        async def take_back() -> ComposerStart:
            await self._store.outbox.cancel(sent.outbox_id)
            original = await asyncio.to_thread(read_original, sent.built.raw)
            answered = reopen_draft(original)
            base = start_of(answered, list(sent.start.identities), None, None)
            # Bcc is not in the sent bytes: the composer's start kept it.
            return replace(
                base,
                identity_id=sent.start.identity_id,
                answers=sent.start.answers,
                forwards=sent.start.forwards,
                bcc=sent.start.bcc,
                save_soon=True,
            )

        return self._ops.run(take_back(), label="Undo send", on_done=self._open)
