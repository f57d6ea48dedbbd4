"""ComposerWindow: writing one message — From, To/Cc/Bcc, subject, body, attachments; send, later, or keep a draft.

Sending builds the bytes off the GUI thread (mail/compose.py) and hands them to the outbox with the send time
now + the undo delay (or the time picked for Send later); the window then closes and `sent` tells the main
window, which offers Undo. The draft is saved every few seconds while something changed, and on close, into
the account's Drafts folder (store/drafts.py), each save replacing the previous one.

Signals: sent(SentMessage), draftSaved(int message row).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QFont, QKeySequence, QTextCharFormat
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.ingest.outgoing import queue_draft
from realmail_desktop.mail.attachment_mentions import mentions_attachment
from realmail_desktop.mail.compose import (
    Draft,
    FileAttachment,
    new_message_id,
)
from realmail_desktop.mail.headers import Address, parse_addresses
from realmail_desktop.mail.recipients import format_recipients, is_valid_address
from realmail_desktop.store import DriveSettings, Identity, Store
from realmail_desktop.ui.compose.address_field import AddressField
from realmail_desktop.ui.compose.attachment_panel import DEFAULT_SIZE_LIMIT, AttachmentPanel, human_size
from realmail_desktop.ui.compose.composer_start import ComposerStart, SentMessage, with_signature
from realmail_desktop.ui.compose.draft_saver import DraftSaver
from realmail_desktop.ui.compose.rich_editor import MessageEditor
from realmail_desktop.ui.compose.send_checks import SendLaterDialog, ask, invalid_address_box
from realmail_desktop.ui.ops import Ops

AUTOSAVE_MS = 5_000


class ComposerWindow(QMainWindow):
    sent = Signal(object)
    draftSaved = Signal(int)

    def __init__(
        self,
        store: Store,
        ops: Ops,
        start: ComposerStart,
        *,
        undo_seconds: int = 10,
        autosave_ms: int = AUTOSAVE_MS,
        size_limit: int | None = None,  # None: what the From account's server takes (tests fix one)
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("composerWindow")
        self._store = store
        self._ops = ops
        self._start = start
        self._undo_seconds = undo_seconds
        self._forwarded = start.forwarded
        self.drafts = DraftSaver(
            store, ops, row=start.draft_row, answers=start.answers, forwards=start.forwards, parent=self
        )
        self.drafts.saved.connect(self.draftSaved)
        self._done = False  # sent or discarded: close without saving
        self._closing = False
        identity = self._identity_by_id(start.identity_id)
        self._signed_as = identity  # whose signature the text holds
        self._message_id = start.message_id or new_message_id(identity.address if identity else "")

        self.from_box = QComboBox(self)
        self.from_box.setObjectName("fromBox")
        for item in start.identities:
            shown = format_recipients([Address(item.name, item.address)])
            self.from_box.addItem(shown, item.id)
        if identity is not None:
            self.from_box.setCurrentIndex(self.from_box.findData(identity.id))
        suggest = store.reader.suggest_contacts
        self.to_field, self.cc_field, self.bcc_field = (
            AddressField(suggest, self),
            AddressField(suggest, self),
            AddressField(suggest, self),
        )
        for name, fld, value in (
            ("to", self.to_field, start.to),
            ("cc", self.cc_field, start.cc),
            ("bcc", self.bcc_field, start.bcc),
        ):
            fld.setObjectName(f"{name}Field")
            fld.setText(format_recipients(list(value)))
        self.subject_field = QLineEdit(start.subject, self)
        self.subject_field.setObjectName("subjectField")
        self.editor = MessageEditor(self)
        self.attachments = AttachmentPanel(size_limit, self)
        for attachment in start.attachments:
            self.attachments.add(attachment)
        self._build_layout()
        self._build_actions()
        self._fill_body(identity)
        self._update_title()

        for changed in (self.to_field.textChanged, self.cc_field.textChanged, self.bcc_field.textChanged):
            changed.connect(self._mark_dirty)
        self.subject_field.textChanged.connect(self._mark_dirty)
        self.subject_field.textChanged.connect(lambda _t: self._update_title())
        self.editor.textChanged.connect(self._mark_dirty)
        self.attachments.changed.connect(self._mark_dirty)
        self.from_box.currentIndexChanged.connect(lambda _i: self._on_identity_changed())
        self._drive_account: int | None = None  # whose Drive settings the attachment panel shows (or is reading)
        self.load_drive_settings()
        self.editor.filesDropped.connect(self.attach_files)
        self.editor.currentCharFormatChanged.connect(self._show_format)
        self.setAcceptDrops(True)  # files dropped anywhere on the window are attached
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(autosave_ms)
        self.autosave_timer.timeout.connect(self._autosave)
        self.autosave_timer.start()
        self.drafts.dirty = start.save_soon
        self.resize(820, 640)

    # --- building the window ----------------------------------------------------------------------
    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("From:"), self.from_box)
        form.addRow(self.tr("To:"), self.to_field)
        form.addRow(self.tr("Cc:"), self.cc_field)
        form.addRow(self.tr("Bcc:"), self.bcc_field)
        form.addRow(self.tr("Subject:"), self.subject_field)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addLayout(form)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.attachments)
        self.setCentralWidget(central)

    def _action(self, text: str, shortcut: str | None = None, *, checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.send_action = self._action(self.tr("&Send"), "Ctrl+Return")
        self.send_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.send_later_action = self._action(self.tr("Send &later…"))
        self.attach_action = self._action(self.tr("&Attach…"), "Ctrl+Shift+A")
        self.save_action = self._action(self.tr("Save &draft"), "Ctrl+S")
        self.discard_action = self._action(self.tr("&Discard"))
        self.bold_action = self._action(self.tr("&Bold"), "Ctrl+B", checkable=True)
        self.italic_action = self._action(self.tr("&Italic"), "Ctrl+I", checkable=True)
        self.bullets_action = self._action(self.tr("• List"))
        self.numbers_action = self._action(self.tr("1. List"))
        self.link_action = self._action(self.tr("&Link…"), "Ctrl+K")
        self.quote_action = self._action(self.tr("&Quote"))
        self.plain_action = self._action(self.tr("&Plain text"), checkable=True)
        self.send_action.triggered.connect(lambda _c=False: self.send())
        self.send_later_action.triggered.connect(lambda _c=False: self.send_later())
        self.attach_action.triggered.connect(lambda _c=False: self.choose_files())
        self.save_action.triggered.connect(lambda _c=False: self.save_draft())
        self.discard_action.triggered.connect(lambda _c=False: self.discard())
        self.bold_action.toggled.connect(self.editor.toggle_bold)
        self.italic_action.toggled.connect(self.editor.toggle_italic)
        self.bullets_action.triggered.connect(lambda _c=False: self.editor.make_list(ordered=False))
        self.numbers_action.triggered.connect(lambda _c=False: self.editor.make_list(ordered=True))
        self.link_action.triggered.connect(lambda _c=False: self._ask_link())
        self.quote_action.triggered.connect(lambda _c=False: self.editor.quote())
        self.plain_action.toggled.connect(self.set_plain)
        toolbar = QToolBar(self.tr("Compose"), self)
        toolbar.setObjectName("composeToolbar")
        toolbar.setMovable(False)
        toolbar.addActions([self.send_action, self.send_later_action, self.attach_action, self.save_action])
        toolbar.addSeparator()
        self._format_actions = [
            self.bold_action,
            self.italic_action,
            self.bullets_action,
            self.numbers_action,
            self.link_action,
            self.quote_action,
        ]
        toolbar.addActions(self._format_actions)
        toolbar.addSeparator()
        toolbar.addActions([self.plain_action, self.discard_action])
        self.addToolBar(toolbar)

    def _fill_body(self, identity: Identity | None) -> None:
        start = self._start
        signature = identity.signature.strip("\n") if identity is not None and start.add_signature else ""
        text = with_signature(start.text, signature)
        if not start.rich:
            self.plain_action.setChecked(True)  # converts nothing yet: the editor is empty
        self.editor.load_images(start.inline_images)
        self.editor.set_body(text, start.html if start.html is not None and not signature else None)

    def _update_title(self) -> None:
        subject = self.subject_field.text().strip() or self.tr("(no subject)")
        self.setWindowTitle(self.tr("{subject} — Write").format(subject=subject))

    # --- state ------------------------------------------------------------------------------------
    def _identity_by_id(self, identity_id: int | None) -> Identity | None:
        identities = self._start.identities
        found = next((i for i in identities if i.id == identity_id), None)
        return found or next((i for i in identities if i.is_default), identities[0] if identities else None)

    def _on_identity_changed(self) -> None:
        """Another From: its signature replaces the previous one (unless that was edited by hand)."""
        identity, before = self.identity(), self._signed_as
        if before is not None and identity is not None and before.signature.strip("\n"):
            self.editor.replace_signature(before.signature.strip("\n"), identity.signature.strip("\n"))
        self._signed_as = identity
        self.load_drive_settings()
        self._mark_dirty()

    def load_drive_settings(self) -> asyncio.Task[DriveSettings] | None:
        """Read the From account's Drive settings, so the panel marks the files that will go as Drive links
        (ingest/outgoing.queue_draft decides the same way when the message is queued) and warns at the size
        its server takes (unless the composer was given a fixed limit)."""
        identity = self.identity()
        account_id = identity.account_id if identity is not None else None
        if account_id == self._drive_account:
            return None
        self._drive_account = account_id
        if account_id is None:
            self.attachments.set_drive(None)
            self.attachments.set_size_limit(DEFAULT_SIZE_LIMIT)
            return None

        def loaded(settings: DriveSettings) -> None:
            if self._drive_account == account_id:  # not switched to another account meanwhile
                self.attachments.set_drive(settings)
                self.attachments.set_size_limit(settings.attachment_limit)

        return self._ops.run(self._store.drive.settings(account_id), label="Read Drive settings", on_done=loaded)

    def identity(self) -> Identity | None:
        return self._identity_by_id(self.from_box.currentData())

    @property
    def draft_row(self) -> int | None:
        return self.drafts.row

    @property
    def message_id(self) -> str:
        return self._message_id

    def _show_format(self, fmt: QTextCharFormat) -> None:
        """Bold / Italic show what the text at the cursor is (without re-applying it)."""
        for action, on in (
            (self.bold_action, fmt.fontWeight() >= QFont.Weight.Bold),
            (self.italic_action, fmt.fontItalic()),
        ):
            action.blockSignals(True)
            action.setChecked(on)
            action.blockSignals(False)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and all(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.attach_files([url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()])
        event.acceptProposedAction()

    def set_plain(self, plain: bool) -> None:
        self.editor.set_rich(not plain)
        for action in self._format_actions:
            action.setEnabled(not plain)

    def draft(self) -> Draft:
        """What the window holds, as mail/compose.py builds it."""
        identity = self.identity()
        sender = Address(identity.name, identity.address) if identity else Address("", "")
        text, html = self.editor.body()
        return Draft(
            sender=sender,
            to=self.to_field.recipients().addresses,
            cc=self.cc_field.recipients().addresses,
            bcc=self.bcc_field.recipients().addresses,
            reply_to=parse_addresses(identity.reply_to) if identity and identity.reply_to else (),
            subject=self.subject_field.text(),
            text=text,
            html=html,
            attachments=self.attachments.files,
            inline_images=self.editor.inline_images(),
            forwarded=self._forwarded,
            in_reply_to=self._start.in_reply_to,
            references=self._start.references,
            message_id=self._message_id,
        )

    # --- attachments ------------------------------------------------------------------------------
    def choose_files(self) -> QFileDialog:
        dialog = QFileDialog(self, self.tr("Attach files"))
        dialog.setObjectName("attachFilesDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(self.attach_files)
        dialog.open()
        return dialog

    def attach_files(self, paths: list[str]) -> asyncio.Task[list[FileAttachment]]:
        """Read the files off the GUI thread, then list them (names as on disk; type from name or content)."""

        def read() -> list[FileAttachment]:
            return [FileAttachment(Path(p).name, Path(p).read_bytes()) for p in paths if Path(p).is_file()]

        def add(files: list[FileAttachment]) -> None:
            for attachment in files:
                self.attachments.add(attachment)

        return self._ops.run(asyncio.to_thread(read), label="Attach files", on_done=add)

    def _choose_files_instead(self) -> None:
        self.choose_files()  # the message waits; Send again once the file is attached

    def _ask_link(self) -> None:
        url, ok = QInputDialog.getText(self, self.tr("Insert link"), self.tr("Address (https://…):"))
        if ok:
            self.editor.insert_link(url)

    # --- drafts (ui/compose/draft_saver.py) -------------------------------------------------------
    def has_content(self) -> bool:
        text, _html = self.editor.body()
        fields = (self.to_field, self.cc_field, self.bcc_field, self.subject_field)
        return bool(text.strip() or any(f.text().strip() for f in fields) or self.attachments.files or self._forwarded)

    def _mark_dirty(self) -> None:
        self.drafts.dirty = True

    def _autosave(self) -> None:
        if self.drafts.dirty and not self.drafts.saving and not self._done:
            self.save_draft()

    def save_draft(self) -> asyncio.Task[None] | None:
        """Save now (replacing the previous draft); None when there is nothing to save or no account."""
        identity = self.identity()
        if self._done or identity is None or (self.drafts.row is None and not self.has_content()):
            return None
        return self.drafts.save(self.draft(), identity)

    def discard(self) -> None:
        """Close without keeping anything: the saved draft (if any) is deleted."""
        self._done = True
        self.autosave_timer.stop()
        if self.drafts.row is not None or self.drafts.saving:
            self._ops.run(self.drafts.discard(), label="Discard draft")
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        identity = self.identity()
        nothing_to_save = not (self.drafts.dirty or self.drafts.saving) or identity is None
        if self._done or self._closing or nothing_to_save or (self.drafts.row is None and not self.has_content()):
            self.autosave_timer.stop()
            event.accept()
            return
        # Save what changed since the last autosave, then close for real.
        assert identity is not None
        event.ignore()
        self._closing = True
        self.autosave_timer.stop()
        self._ops.run(self.drafts.save_last(self.draft(), identity), label="Save draft", on_done=self._close_now)

    def _close_now(self, _result: object = None) -> None:
        self.close()

    # --- sending ----------------------------------------------------------------------------------
    def _check_recipients(self) -> bool:
        problems: list[str] = []
        for fld in (self.to_field, self.cc_field, self.bcc_field):
            found = fld.recipients()
            fld.mark_invalid(found.invalid)
            problems.extend(found.invalid)
        identity = self.identity()
        if identity is not None and not is_valid_address(identity.address):
            problems.append(
                self.tr("{address} (From: change it in Account settings → Identities…)").format(
                    address=identity.address
                )
            )
        if problems:
            invalid_address_box(self, problems)
            return False
        if not self.draft().recipients:
            self.to_field.mark_invalid((self.tr("(no recipient)"),))
            invalid_address_box(self, [self.tr("no recipient given")])
            return False
        return True

    def send(self, send_at: float | None = None) -> None:
        """Check, then send (at `send_at`, else after the undo delay). Questions open as boxes first."""
        if self._done or not self._check_recipients():
            return
        steps = []
        text, _html = self.editor.body()
        if mentions_attachment(text) and not self.attachments.files and not self._forwarded:
            steps.append("forgot")
        if self.attachments.over_limit():
            steps.append("size")
        self._continue(steps, send_at)

    def _continue(self, steps: list[str], send_at: float | None) -> None:
        if not steps:
            self._start_sending(send_at)
            return
        step, rest = steps[0], steps[1:]
        if step == "forgot":
            ask(
                self,
                "forgotAttachmentBox",
                self.tr("Forgot the attachment?"),
                self.tr("The message speaks of an attachment, but nothing is attached."),
                self.tr("Attach a file, or send it as it is."),
                on_send=lambda: self._continue(rest, send_at),
                on_attach=self._choose_files_instead,
            )
        else:
            ask(
                self,
                "sizeLimitBox",
                self.tr("Message too big?"),
                self.tr(
                    "The attachments ({total}) are more than this account's server usually accepts ({limit})."
                ).format(
                    total=human_size(self.attachments.mailed_size()), limit=human_size(self.attachments.size_limit)
                ),
                self.tr("The server may refuse the message. Send it anyway?"),
                on_send=lambda: self._continue(rest, send_at),
            )

    def send_later(self) -> SendLaterDialog:
        dialog = SendLaterDialog(self)
        dialog.accepted.connect(lambda: self.send(dialog.send_at()))
        dialog.open()
        return dialog

    def _start_sending(self, send_at: float | None) -> None:
        identity = self.identity()
        if identity is None:
            return
        self._done = True
        self.autosave_timer.stop()
        self.send_action.setEnabled(False)
        draft = self.draft()
        when = send_at if send_at is not None else time.time() + self._undo_seconds
        self._ops.run(self._send(draft, identity, when), label="Send", on_done=self._finish_sent)

    async def _send(self, draft: Draft, identity: Identity, send_at: float) -> SentMessage:
        try:
            outbox_id, built = await queue_draft(
                self._store,
                draft,
                account_id=identity.account_id,
                send_at=send_at,
                answers=self._start.answers,
                forwards=self._start.forwards,
            )
        except BaseException:
            self._done = False  # nothing went out: the window stays, the person can try again
            self.send_action.setEnabled(True)
            self.autosave_timer.start()
            raise
        await self.drafts.discard()
        start = ComposerStart(
            identities=self._start.identities,
            identity_id=identity.id,
            bcc=draft.bcc,
            answers=self._start.answers,
            forwards=self._start.forwards,
        )
        return SentMessage(outbox_id, send_at, built, start)

    def _finish_sent(self, result: SentMessage) -> None:
        self.sent.emit(result)
        self.close()
