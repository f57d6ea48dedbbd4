"""The main window's writing commands: Ctrl+N and Ctrl+R open composers, the Message menu has them, answers
are disabled without a message, and opening a draft (Return / double-click) opens it in a composer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from realmail_desktop.core.events import EventBus
from realmail_desktop.ingest.conversion import new_message
from realmail_desktop.mail.compose import Draft, build_message
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.headers import Address
from realmail_desktop.mail.sources import Flag
from realmail_desktop.store import DraftOrigin, FolderRole, ImapSecurity, ImapSettings, Store
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.compose import ComposerWindow
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.main_window import MainWindow

from .qt_async import activate, idle, next_emit, wait_for

pytestmark = pytest.mark.gui

SETTINGS = ImapSettings(host="imap.example.com", port=993, security=ImapSecurity.TLS, username="ann")


@dataclass
class Desk:
    window: MainWindow
    store: Store
    ops: Ops
    folders: dict[FolderRole, int]
    message: int


def raw(subject: str, *, draft: bool = False) -> bytes:
    sender = Address("Ann", "ann@example.com") if draft else Address("Kim", "kim@example.com")
    to = (Address("", "bob@example.org"),) if draft else (Address("", "ann@example.com"),)
    return build_message(Draft(sender=sender, to=to, subject=subject, text=f"{subject} body\n"), keep_bcc=draft).raw


@pytest.fixture
async def desk(store: Store, bus: EventBus) -> AsyncIterator[Desk]:
    local, _ = await store.accounts.create_local()
    await store.accounts.create_imap("Work", "ann@example.com", SETTINGS)
    folders = {f.role: f.id for f in store.reader.folders(local.id) if f.role is not None}
    data = raw("Budget")
    ids, _ = await store.messages.add(folders[FolderRole.INBOX], [new_message(read_envelope(data), data, Flag(0))])
    ops = Ops()
    bridge = EventBridge(bus)
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    window.show()
    yield Desk(window, store, ops, folders, ids[0])
    for composer in window.findChildren(ComposerWindow):
        composer.autosave_timer.stop()
    await ops.drain()
    window.close()
    await ops.drain()
    bridge.detach()
    shiboken6.delete(window)  # now, on this thread (see tests/conftest.py)


async def test_message_menu_offers_writing_and_answers_need_a_message(desk: Desk) -> None:
    menu = next(a.menu() for a in desk.window.menuBar().actions() if a.text() == "&Message")
    texts = [a.text() for a in menu.actions()]
    assert texts[:7] == [
        "&New message",
        "&Reply",
        "Reply &all",
        "Reply to &list",
        "&Forward",
        "Forward as a&ttachment",
        "&Edit as new message",
    ]
    actions = desk.window.window_actions
    assert actions.new_message.isEnabled() and not actions.reply.isEnabled()
    assert desk.window.message_list.select_ids([desk.message], desk.message)
    assert actions.reply.isEnabled() and actions.forward.isEnabled()


async def test_ctrl_n_and_ctrl_r_open_composers(desk: Desk) -> None:
    await activate(desk.window)
    opened = next_emit(desk.window.compose.composerOpened)
    QTest.keyClick(desk.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    (composer,) = await wait_for(opened)
    assert composer.subject_field.text() == "" and composer.from_box.currentText() == "Work <ann@example.com>"
    composer.close()
    assert desk.window.message_list.select_ids([desk.message], desk.message)
    await idle(desk.ops)
    await activate(desk.window)
    opened = next_emit(desk.window.compose.composerOpened)
    QTest.keyClick(desk.window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    (reply,) = await wait_for(opened)
    assert reply.subject_field.text() == "Re: Budget" and reply.to_field.text() == "Kim <kim@example.com>"


async def test_opening_a_draft_opens_it_in_a_composer(desk: Desk) -> None:
    data = raw("Unfinished", draft=True)
    row, _ = await desk.store.drafts.save(
        desk.folders[FolderRole.DRAFTS], new_message(read_envelope(data), data, Flag.SEEN | Flag.DRAFT), DraftOrigin()
    )
    desk.window.select_folder(desk.folders[FolderRole.DRAFTS])
    await idle(desk.ops)
    assert desk.window.message_list.select_ids([row], row)
    opened = next_emit(desk.window.compose.composerOpened)
    assert desk.window.open_in_window() is None  # not a reader window: the composer
    (composer,) = await wait_for(opened)
    assert composer.draft_row == row and composer.subject_field.text() == "Unfinished"
    assert composer.to_field.text() == "bob@example.org"


async def test_a_reader_window_answers_the_message_it_shows(desk: Desk) -> None:
    assert desk.window.message_list.select_ids([desk.message], desk.message)
    await idle(desk.ops)
    reader = desk.window.open_in_window()
    assert reader is not None
    menu = next(a.menu() for a in reader.menuBar().actions() if a.text() == "&Message")
    forward = next(a for a in menu.actions() if a.text() == "&Forward")
    assert forward.shortcut().toString() == "Ctrl+L"
    opened = next_emit(desk.window.compose.composerOpened)
    forward.trigger()
    (composer,) = await wait_for(opened)
    assert composer.subject_field.text() == "Fwd: Budget" and composer.to_field.text() == ""
    assert "-------- Forwarded Message --------" in composer.editor.toPlainText()
    reader.close()
