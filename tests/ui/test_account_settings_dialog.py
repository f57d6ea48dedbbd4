"""Account settings: the account's settings shown, the sync window changed through the engine (and what
shrinking it means explained), a refusal leaving the dialog open, and "Remove account…" only after asking.

The engine is tests/ui/sync_stand_in.py's recording stand-in over a real store; tests/integration/
test_account_settings_ui.py changes the window through this dialog against the real engine and Dovecot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from realmail_desktop.core.errors import KnownError
from realmail_desktop.store import Account, Store
from realmail_desktop.ui.dialogs.account_settings_dialog import (
    SHRINKING,
    AccountSettingsDialog,
    account_settings_dialog,
)
from realmail_desktop.ui.ops import Ops

from .qt_async import idle, next_emit, wait_for
from .sync_stand_in import RecordingEngine, imap_account

pytestmark = pytest.mark.gui


@dataclass
class Settings:
    dialog: AccountSettingsDialog
    engine: RecordingEngine
    account: Account
    ops: Ops
    store: Store


@pytest.fixture
async def window() -> AsyncIterator[QMainWindow]:
    # Over a window, as in the app: closing a parentless dialog would be "the last window closed" and quit.
    made = QMainWindow()
    made.show()
    yield made
    made.close()
    shiboken6.delete(made)  # now, on this thread (see tests/conftest.py)


@pytest.fixture
async def ops() -> AsyncIterator[Ops]:
    made = Ops()
    yield made
    await made.drain()


@pytest.fixture
async def opened(store: Store, window: QMainWindow, ops: Ops) -> Settings:
    account = await imap_account(store)
    engine = RecordingEngine(store)
    settings = store.reader.sync.imap_settings(account.id)
    assert settings is not None
    # Not deleted on close (as the window's helper makes it), so a test can look at it after.
    dialog = AccountSettingsDialog(account, settings, engine, ops, window)
    dialog.open()
    return Settings(dialog, engine, account, ops, store)


def message_box(name: str) -> QMessageBox:
    boxes = [w for w in QApplication.allWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    [box] = [box for box in boxes if box.objectName() == name]
    return box


def click(box: QMessageBox, text: str) -> None:
    next(button for button in box.buttons() if button.text() == text).click()


async def test_shows_the_account_and_its_sync_window(opened: Settings) -> None:
    dialog = opened.dialog
    assert dialog.isVisible() and dialog.isModal()
    assert dialog.shown() == {
        "Account name:": "Work mail",
        "E-mail address:": "ann@example.com",
        "IMAP server:": "imap.example.com, port 993",
        "User name:": "ann",
        "Security:": "TLS",
    }
    assert dialog.sync_window() == 30
    choices = [dialog.window_combo.itemText(i) for i in range(dialog.window_combo.count())]
    assert choices == ["Last 7 days", "Last 30 days", "Last 90 days", "Last year", "All mail"]


async def test_only_an_imap_account_has_a_settings_dialog(store: Store, window: QMainWindow, ops: Ops) -> None:
    local, _ = await store.accounts.create_local()
    imap = await imap_account(store)
    engine = RecordingEngine(store)
    assert account_settings_dialog(store.reader, local.id, engine, ops, window) is None
    dialog = account_settings_dialog(store.reader, imap.id, engine, ops, window)
    assert dialog is not None and dialog.isVisible() and dialog.isModal() and dialog.account == imap
    dialog.reject()


async def test_a_shorter_window_is_explained_then_saved_through_the_engine(opened: Settings) -> None:
    dialog = opened.dialog
    assert not dialog.shrinking_note_shown()
    dialog.set_sync_window(90)
    assert not dialog.shrinking_note_shown()  # longer: nothing is dropped
    dialog.set_sync_window(7)
    assert dialog.shrinking_note_shown()
    assert "download again when you open them" in SHRINKING

    changed = next_emit(dialog.syncWindowChanged)
    dialog.ok_button.click()
    assert await wait_for(changed) == (7,)
    await idle(opened.ops)
    assert opened.engine.windows == [(opened.account.id, 7)]
    settings = opened.store.reader.sync.imap_settings(opened.account.id)
    assert settings is not None and settings.sync_window_days == 7
    assert not dialog.isVisible()


async def test_all_mail_is_never_called_shrinking_and_ok_without_a_change_asks_nothing(opened: Settings) -> None:
    dialog = opened.dialog
    dialog.set_sync_window(0)
    assert not dialog.shrinking_note_shown()
    dialog.set_sync_window(30)
    dialog.ok_button.click()
    await idle(opened.ops)
    assert opened.engine.windows == [] and not dialog.isVisible()


async def test_a_refusal_leaves_the_dialog_open_and_usable(opened: Settings) -> None:
    opened.engine.refuse = KnownError("The account is busy.", hint="Try again in a moment.")
    dialog = opened.dialog
    refused = next_emit(opened.ops.knownError)
    dialog.set_sync_window(365)
    dialog.ok_button.click()
    assert not dialog.ok_button.isEnabled()  # saving
    assert await wait_for(refused) == ("The account is busy.", "Try again in a moment.")
    await idle(opened.ops)
    assert dialog.isVisible() and dialog.ok_button.isEnabled() and dialog.window_combo.isEnabled()
    assert dialog.sync_window() == 365
    settings = opened.store.reader.sync.imap_settings(opened.account.id)
    assert settings is not None and settings.sync_window_days == 30


async def test_remove_account_asks_first(opened: Settings) -> None:
    dialog = opened.dialog
    dialog.remove_button.click()
    box = message_box("removeAccountBox")
    assert box.text() == "Remove the account “Work mail” from RealMail?"
    click(box, "Cancel")
    await idle(opened.ops)
    assert opened.engine.removed == [] and dialog.isVisible()

    removed = next_emit(dialog.accountRemoved)
    dialog.remove_button.click()
    click(message_box("removeAccountBox"), "Remove account")
    assert await wait_for(removed) == (opened.account.id,)
    await idle(opened.ops)
    assert opened.engine.removed == [opened.account.id]
    assert opened.account.id not in {a.id for a in opened.store.reader.accounts()}
    assert not dialog.isVisible()
