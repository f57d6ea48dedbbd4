"""Drive for any account: an account that does not sign in with Google picks one of the profile's Google accounts
("Google sign-in:"), saved as `google_account`, and turning Drive on asks that account's consent; with no Google
account the dialog says to add one and Drive stays off; a Google account uses its own sign-in (no chooser)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from realmail_desktop.store import Account, DriveSettings, ImapAuth, ImapSecurity, ImapSettings, Store
from realmail_desktop.store.drive_uploads import MB
from realmail_desktop.ui.dialogs.drive_settings_dialog import DriveSettingsDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.drive_commands import DriveCommands

from .qt_async import idle, next_emit, wait_for
from .test_shortcuts import unnamed_controls

pytestmark = pytest.mark.gui


async def imap_account(store: Store, name: str, address: str, auth: ImapAuth) -> Account:
    settings = ImapSettings(host="imap.example.com", port=993, security=ImapSecurity.TLS, username=address, auth=auth)
    account, _ = await store.accounts.create_imap(name, address, settings)
    return account


@dataclass
class Profile:
    store: Store
    ops: Ops
    parent: QWidget
    asked: list[int]  # the Google accounts whose Drive consent was asked, in order
    commands: DriveCommands
    selected: list[int]  # what the folder tree has selected: [account id]

    async def open(self, account: Account) -> DriveSettingsDialog:
        self.selected[:] = [account.id]
        self.commands.open_settings()
        await idle(self.ops)
        dialog = self.commands.dialog
        assert dialog is not None and dialog.isVisible()
        return dialog


@pytest.fixture
async def profile(qtbot: Any, store: Store) -> AsyncIterator[Profile]:
    ops = Ops()
    parent = QWidget()  # shown: closing the dialog must not close the last window (Qt would quit the loop)
    qtbot.addWidget(parent)
    parent.show()
    asked: list[int] = []

    async def drive_access(google: Account) -> bool:
        asked.append(google.id)
        return True

    selected: list[int] = []
    commands = DriveCommands(
        parent,
        store,
        ops,
        None,
        settings_action=QAction(parent),
        current_account=lambda: selected[0] if selected else None,
        drive_access=drive_access,
    )
    yield Profile(store, ops, parent, asked, commands, selected)
    await ops.drain()


def ok(dialog: DriveSettingsDialog) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    box.button(QDialogButtonBox.StandardButton.Ok).click()


async def test_an_account_without_google_sign_in_borrows_a_chosen_google_account(profile: Profile) -> None:
    store = profile.store
    work = await imap_account(store, "Work", "ann@work.example", ImapAuth.PASSWORD)
    first = await imap_account(store, "Gmail", "ann@gmail.com", ImapAuth.XOAUTH2)
    second = await imap_account(store, "Family", "ann.family@gmail.com", ImapAuth.XOAUTH2)
    assert [a.id for a in profile.commands.google_accounts()] == [first.id, second.id]

    dialog = await profile.open(work)
    chooser = dialog.google_account
    assert chooser.isVisible() and not chooser.isEnabled()  # Drive is off yet
    assert [chooser.itemText(i) for i in range(chooser.count())] == [
        "Gmail <ann@gmail.com>",
        "Family <ann.family@gmail.com>",
    ]
    assert dialog.use_drive.isEnabled() and not dialog.message.isVisible()
    dialog.use_drive.setChecked(True)
    assert chooser.isEnabled()
    assert unnamed_controls(dialog) == []
    chooser.setCurrentIndex(chooser.findData(second.id))
    dialog.threshold.setValue(12)
    saved = next_emit(dialog.settingsSaved)
    ok(dialog)
    await wait_for(saved)
    assert profile.asked == [second.id]  # the consent is the chosen Google account's, not Work's
    assert await store.drive.settings(work.id) == DriveSettings(True, 12 * MB, google_account=second.id)

    # Opened again: the choice is shown; choosing the other Google account asks that one's consent.
    dialog = await profile.open(work)
    assert dialog.google_account.currentData() == second.id and dialog.use_drive.isChecked()
    dialog.google_account.setCurrentIndex(dialog.google_account.findData(first.id))
    saved = next_emit(dialog.settingsSaved)
    ok(dialog)
    await wait_for(saved)
    assert profile.asked == [second.id, first.id]
    assert (await store.drive.settings(work.id)).google_account == first.id


async def test_without_a_google_account_drive_stays_off_and_says_what_to_do(profile: Profile) -> None:
    store = profile.store
    work = await imap_account(store, "Work", "ann@work.example", ImapAuth.PASSWORD)
    await imap_account(store, "Home", "ann@home.example", ImapAuth.PASSWORD)
    dialog = await profile.open(work)
    assert dialog.message.isVisible() and "Add a Google account first (File → Add account…)" in dialog.message.text()
    assert not dialog.use_drive.isEnabled() and not dialog.use_drive.isChecked()
    assert not dialog.google_account.isVisible() and not dialog.threshold.isEnabled()
    dialog.use_drive.setChecked(True)  # even if it were ticked somehow, OK refuses before asking anything
    ok(dialog)
    assert not profile.ops.busy and dialog.isVisible() and not dialog.use_drive.isChecked()
    assert profile.asked == [] and not (await store.drive.settings(work.id)).enabled
    dialog.reject()


async def test_a_google_account_uses_its_own_sign_in(profile: Profile) -> None:
    store = profile.store
    await imap_account(store, "Work", "ann@work.example", ImapAuth.PASSWORD)
    gmail = await imap_account(store, "Gmail", "ann@gmail.com", ImapAuth.XOAUTH2)
    await imap_account(store, "Family", "ann.family@gmail.com", ImapAuth.XOAUTH2)
    dialog = await profile.open(gmail)
    assert not dialog.google_account.isVisible() and not dialog.message.isVisible()
    dialog.use_drive.setChecked(True)
    saved = next_emit(dialog.settingsSaved)
    ok(dialog)
    await wait_for(saved)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert profile.asked == [gmail.id]
    assert await store.drive.settings(gmail.id) == DriveSettings(True, google_account=None)
