"""The Google Drive settings dialog: shows an account's settings, saves what changed through the store."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from realmail_desktop.store import Account, DriveSettings, LinkSharing, Store
from realmail_desktop.store.drive_uploads import MB
from realmail_desktop.ui.dialogs.drive_settings_dialog import DriveSettingsDialog
from realmail_desktop.ui.ops import Ops

from .qt_async import next_emit, wait_for

pytestmark = pytest.mark.gui


def ok(dialog: DriveSettingsDialog) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    box.button(QDialogButtonBox.StandardButton.Ok).click()


def window(qtbot: Any) -> QWidget:
    """The dialog's parent, shown: closing the dialog must not close the last window (Qt would quit the loop)."""
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    return parent


async def test_defaults_shown_then_changes_saved(qtbot: Any, store: Store) -> None:
    account, _ = await store.accounts.create_local()
    ops = Ops()
    settings = await store.drive.settings(account.id)
    parent = window(qtbot)
    dialog = DriveSettingsDialog(account, settings, ops, store.drive.save_settings, parent)
    dialog.show()
    assert not dialog.use_drive.isChecked() and not dialog.threshold.isEnabled()
    assert dialog.threshold.value() == 25 and dialog.threshold.minimum() == 10 and dialog.anyone.isChecked()

    dialog.use_drive.setChecked(True)
    assert dialog.threshold.isEnabled() and dialog.recipients.isEnabled()
    dialog.threshold.setValue(5)  # below the minimum: the box keeps 10
    dialog.recipients.setChecked(True)
    saved = next_emit(dialog.settingsSaved)
    ok(dialog)
    await wait_for(saved)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert await store.drive.settings(account.id) == DriveSettings(True, 10 * MB, LinkSharing.RECIPIENTS)
    await ops.drain()


async def test_a_failed_save_keeps_the_dialog_open(qtbot: Any, store: Store) -> None:
    account = Account(id=999, kind="local", name="Gone", address="", position=0)  # no such account: refused
    ops = Ops()
    parent = window(qtbot)
    dialog = DriveSettingsDialog(account, DriveSettings(), ops, store.drive.save_settings, parent)
    dialog.show()
    dialog.use_drive.setChecked(True)
    failed = next_emit(ops.bugRaised)
    ok(dialog)
    await wait_for(failed)
    assert dialog.isVisible()
    await ops.drain()


async def test_the_default_threshold_shown_is_what_the_accounts_server_takes(qtbot: Any, store: Store) -> None:
    account, _ = await store.accounts.create_local()
    await store.sending.set_smtp_size_limit(account.id, 100 * MB)  # announced by its server: ~74.9 MB of files
    ops = Ops()
    settings = await store.drive.settings(account.id)
    parent = window(qtbot)
    dialog = DriveSettingsDialog(account, settings, ops, store.drive.save_settings, parent)
    dialog.show()
    assert dialog.threshold.value() == 74
    dialog.use_drive.setChecked(True)
    saved = next_emit(dialog.settingsSaved)
    ok(dialog)
    await wait_for(saved)
    assert (await store.drive.settings(account.id)).threshold == 74 * MB
    await ops.drain()
