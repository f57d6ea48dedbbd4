"""Identities: Account settings → Identities… opens the editor; adding, editing, making default and removing
write through the store; a new composer then offers the identities with the default first."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QPushButton

from realmail_desktop.store import Account, Store
from realmail_desktop.ui.compose import ComposeCommands
from realmail_desktop.ui.dialogs.account_settings_dialog import account_settings_dialog
from realmail_desktop.ui.dialogs.identities_dialog import IdentitiesDialog
from realmail_desktop.ui.ops import Ops

from .qt_async import idle, next_emit, wait_for
from .sync_stand_in import RecordingEngine, imap_account

pytestmark = pytest.mark.gui


@pytest.fixture
async def window() -> AsyncIterator[QMainWindow]:
    made = QMainWindow()
    made.show()
    yield made
    made.close()
    shiboken6.delete(made)


@pytest.fixture
async def ops() -> AsyncIterator[Ops]:
    made = Ops()
    yield made
    await made.drain()


async def test_settings_open_the_identities_editor(store: Store, window: QMainWindow, ops: Ops) -> None:
    account = await imap_account(store)
    commands = ComposeCommands(window, store, ops)
    settings = account_settings_dialog(store.reader, account.id, RecordingEngine(store), ops, window)
    assert settings is not None
    settings.identitiesRequested.connect(commands.edit_identities)
    [button] = [b for b in settings.findChildren(QPushButton) if b.objectName() == "identitiesButton"]
    button.click()
    await idle(ops)
    [dialog] = [w for w in QApplication.topLevelWidgets() if isinstance(w, IdentitiesDialog) and w.isVisible()]
    assert dialog.list.count() == 1 and dialog.address_field.text() == "ann@example.com"
    dialog.close()
    settings.close()


async def test_add_edit_default_and_remove(store: Store, window: QMainWindow, ops: Ops) -> None:
    account: Account = await imap_account(store)
    dialog = IdentitiesDialog(store, ops, account.id, window)
    dialog.open()
    await idle(ops)
    dialog.name_field.setText("Ann at work")
    dialog.address_field.setText("ann.work@example.com")
    dialog.reply_to_field.setText("desk@example.com")
    dialog.signature_field.setPlainText("Ann\nExample Ltd")
    dialog.add_button.click()
    await idle(ops)
    added = dialog.current()
    assert added is not None and added.address == "ann.work@example.com" and not added.is_default
    assert added.signature == "Ann\nExample Ltd" and added.reply_to == "desk@example.com"
    dialog.default_button.click()
    await idle(ops)
    assert store.reader.identities.of_account(account.id)[0].id == added.id
    dialog.name_field.setText("Ann (work)")
    dialog.save_button.click()
    await idle(ops)
    assert store.reader.identities.get(added.id).name == "Ann (work)"  # type: ignore[union-attr]
    assert dialog.list.currentItem().text() == "Ann (work) <ann.work@example.com>  (default)"

    commands = ComposeCommands(window, store, ops)
    opened = next_emit(commands.composerOpened)
    commands.new_message()
    (composer,) = await wait_for(opened)
    assert composer.from_box.currentText() == "Ann (work) <ann.work@example.com>"
    assert "-- \nAnn\nExample Ltd" in composer.editor.toPlainText()
    assert composer.draft().reply_to[0].address == "desk@example.com"
    composer.autosave_timer.stop()
    composer.close()

    dialog.remove_button.click()
    await idle(ops)
    [left] = store.reader.identities.of_account(account.id)
    assert left.address == "ann@example.com" and left.is_default and dialog.list.count() == 1
    dialog.close()


async def test_an_address_that_cannot_send_is_refused(store: Store, window: QMainWindow, ops: Ops) -> None:
    account = await imap_account(store)
    dialog = IdentitiesDialog(store, ops, account.id, window)
    dialog.open()
    await idle(ops)
    dialog.address_field.setText("jürgen@example.org")  # no SMTPUTF8: the local part must be ASCII
    dialog.add_button.click()
    await idle(ops)
    [box] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert box.objectName() == "invalidIdentityBox" and "jürgen@example.org" in box.text()
    box.accept()
    assert len(store.reader.identities.of_account(account.id)) == 1
    dialog.close()


async def test_the_undo_delay_is_set_here_for_every_account(store: Store, window: QMainWindow, ops: Ops) -> None:
    account = await imap_account(store)
    dialog = IdentitiesDialog(store, ops, account.id, window)
    dialog.open()
    await idle(ops)
    assert dialog.undo_delay.value() == 10
    dialog.undo_delay.setValue(30)
    await idle(ops)
    assert store.reader.preferences.undo_send_seconds() == 30
    dialog.close()
