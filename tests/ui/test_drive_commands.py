"""The main window's Google Drive glue: Account ▸ Google Drive… edits the selected account's settings (one that
does not sign in with Google borrows a Google account's sign-in), and every reader (the pane and reader windows)
offers Save to Drive once the app gave the window Drive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from realmail_desktop.bridges.drive import DriveService
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import (
    DriveSettings,
    FolderRole,
    ImapAuth,
    ImapSecurity,
    ImapSettings,
    LinkSharing,
    Store,
)
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.attachments_bar import AttachmentsBar
from realmail_desktop.ui.views.main_window import MainWindow

from .mail_samples import mail
from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui


class _NoTokens:
    async def access_token(self) -> str:
        raise AssertionError("these tests never reach Drive")

    async def refreshed(self) -> str:
        raise AssertionError("these tests never reach Drive")


@pytest.fixture
async def window(qtbot: Any, store: Store, bus: EventBus) -> AsyncIterator[MainWindow]:
    account, _ = await store.accounts.create_local()
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    await store.messages.add(inbox.id, [mail("Files")])
    ops = Ops()
    bridge = EventBridge(bus)
    made = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    qtbot.addWidget(made)
    made.show()
    yield made
    await ops.drain()
    bridge.detach()


def drive_button(bar: AttachmentsBar | None) -> Any:
    assert bar is not None
    return bar.findChild(type(bar._save_all_button), "saveAllToDrive")


async def test_account_drive_settings_and_save_to_drive_in_every_reader(window: MainWindow, store: Store) -> None:
    assert not window.window_actions.drive_settings.isEnabled()
    assert drive_button(window.reader.findChild(AttachmentsBar)).isHidden()

    window.set_drive(DriveService(store, lambda _a: _NoTokens(), base_url="http://127.0.0.1:9"))
    assert window.window_actions.drive_settings.isEnabled()
    assert not drive_button(window.reader.findChild(AttachmentsBar)).isHidden()
    commands = window.drive_commands
    assert commands is not None and await commands.drive_account() is None  # no account uses Drive yet

    [account] = store.reader.accounts()
    google_imap = ImapSettings(
        host="imap.gmail.com", port=993, security=ImapSecurity.TLS, username="ann@gmail.com", auth=ImapAuth.XOAUTH2
    )
    google, _ = await store.accounts.create_imap("Gmail", "ann@gmail.com", google_imap)
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    [message_id] = store.reader.folder_message_ids(inbox.id)
    window.select_folder(inbox.id)
    window.window_actions.drive_settings.trigger()
    await idle(window._ops)
    dialog = commands.dialog
    assert dialog is not None and dialog.isVisible() and account.name in dialog.windowTitle()
    assert dialog.google_account.currentData() == google.id  # Local Folders borrows the Google sign-in
    dialog.use_drive.setChecked(True)
    dialog.recipients.setChecked(True)
    saved = next_emit(dialog.settingsSaved)
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    box.button(QDialogButtonBox.StandardButton.Ok).click()
    await wait_for(saved)
    assert await store.drive.settings(account.id) == DriveSettings(
        True, sharing=LinkSharing.RECIPIENTS, google_account=google.id
    )
    assert await commands.drive_account() == account.id

    shown = next_emit(window.reader.messageShown)
    assert window.message_list.select_ids([message_id], message_id)
    await wait_for(shown)
    reader_window = window.open_in_window()
    assert reader_window is not None
    assert not drive_button(reader_window.reader.findChild(AttachmentsBar)).isHidden()
    await idle(window._ops)


async def test_a_reader_window_opened_from_a_notification_offers_save_to_drive(
    window: MainWindow, store: Store
) -> None:
    """`open_message` (a notification clicked) builds its reader window the same way as Open in window."""
    [account] = store.reader.accounts()
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    [message_id] = store.reader.folder_message_ids(inbox.id)
    before = window.open_message(message_id)
    assert before is not None and drive_button(before.reader.findChild(AttachmentsBar)).isHidden()  # no Drive yet
    window.set_drive(DriveService(store, lambda _a: _NoTokens(), base_url="http://127.0.0.1:9"))
    reader_window = window.open_message(message_id)
    assert reader_window is not None and reader_window.isVisible() and reader_window is not before
    assert not drive_button(reader_window.reader.findChild(AttachmentsBar)).isHidden()
    await idle(window._ops)
