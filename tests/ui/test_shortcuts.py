"""Keyboard shortcuts people know: no two actions of a window share one, pressing them acts, the sheet lists
them; and every control of the main window has a name a screen reader can say."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QTextEdit,
    QWidget,
)

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import FolderRole, Store
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.dialogs.settings_dialog import SettingsDialog
from realmail_desktop.ui.dialogs.shortcuts_dialog import ShortcutsDialog, window_shortcuts
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.main_window import MainWindow

from .mail_samples import mail
from .qt_async import activate, idle, next_emit, wait_for

pytestmark = pytest.mark.gui


@dataclass
class Desk:
    window: MainWindow
    store: Store
    ops: Ops
    folders: dict[FolderRole, int]
    ids: list[int]

    async def select(self, message_id: int) -> None:
        shown = next_emit(self.window.reader.messageShown)
        assert self.window.message_list.select_ids([message_id], message_id)
        await wait_for(shown)
        await idle(self.ops)

    async def press(self, key: str | Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        await activate(self.window)
        self.window.message_list.setFocus()
        if isinstance(key, str):
            QTest.keyClicks(self.window.message_list, key, modifier)
        else:
            QTest.keyClick(self.window.message_list, key, modifier)
        await idle(self.ops)


@pytest.fixture
async def desk(store: Store, bus: EventBus) -> AsyncIterator[Desk]:
    account, _ = await store.accounts.create_local()
    folders = {f.role: f.id for f in store.reader.folders(account.id) if f.role is not None}
    ids, _ = await store.messages.add(
        folders[FolderRole.INBOX], [mail(f"Message {i}", date=1_700_000_000 + i) for i in range(3)]
    )
    ops = Ops()
    bridge = EventBridge(bus)
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    window.show()
    yield Desk(window, store, ops, folders, ids)
    await ops.drain()
    window.close()
    await ops.drain()
    bridge.detach()
    shiboken6.delete(window)


def conflicts(window: QWidget) -> list[str]:
    keys = Counter(key for shortcut in window_shortcuts(window) for key in shortcut.portable)
    return sorted(key for key, count in keys.items() if count > 1)


async def test_no_two_actions_of_a_window_share_a_shortcut(desk: Desk) -> None:
    assert conflicts(desk.window) == []
    await desk.select(desk.ids[0])
    reader = desk.window.open_in_window()
    assert reader is not None
    assert conflicts(reader) == []
    reader.close()


async def test_the_keys_people_know_are_there(desk: Desk) -> None:
    keys = {s.text: s.portable for s in window_shortcuts(desk.window)}
    expected = {
        "New message": ("Ctrl+N",),
        "Reply": ("Ctrl+R",),
        "Reply all": ("Ctrl+Shift+R",),
        "Forward": ("Ctrl+L",),
        "Delete": ("Del",),
        "Search…": ("Ctrl+F", "/"),
        "Star": ("S",),
        "Mark as Read": ("M", "U"),
        "Archive": ("E",),
        "Keyboard shortcuts": ("?", "Ctrl+/"),
        "Settings…": ("Ctrl+,",),
    }
    assert {text: keys.get(text) for text in expected} == expected


async def test_pressing_the_keys_acts(desk: Desk) -> None:
    first, second, third = desk.ids
    await desk.select(third)
    assert desk.store.reader.message(third).is_seen  # type: ignore[union-attr]
    await desk.press("u")
    assert not desk.store.reader.message(third).is_seen  # type: ignore[union-attr]
    await desk.press("s")
    assert desk.store.reader.message(third).is_flagged  # type: ignore[union-attr]
    await desk.press("e")
    archived = desk.store.reader.message(third)
    assert archived is not None and archived.folder_id == desk.folders[FolderRole.ARCHIVE]
    assert desk.window.message_list.current_id() == second  # the next one is selected, as after Delete
    await desk.press("k")
    assert desk.window.message_list.current_id() == second  # already at the top: k stays
    await desk.press("j")
    assert desk.window.message_list.current_id() == first


async def test_the_shortcuts_sheet_opens_with_question_mark_and_lists_the_actions(desk: Desk) -> None:
    await desk.press("?")
    [sheet] = desk.window.findChildren(ShortcutsDialog)
    rows = dict(sheet.rows())
    assert rows["Archive"] == "E"
    assert rows["Reply all"] == "Ctrl+Shift+R"
    assert rows["Search"] == "Ctrl+F or /"
    assert len(rows) == len(window_shortcuts(desk.window))
    sheet.close()
    await desk.press(",", Qt.KeyboardModifier.ControlModifier)
    [settings] = desk.window.findChildren(SettingsDialog)
    settings.reject()


INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QAbstractSpinBox, QTextEdit)


def unnamed_controls(root: QWidget) -> list[str]:
    """Visible interactive widgets a screen reader would announce without a name."""
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or not widget.isVisibleTo(root):
            continue
        if isinstance(widget.parent(), QAbstractItemView | QAbstractSpinBox) or widget.objectName().startswith("qt_"):
            continue  # Qt's own parts: an item view's editors, a spin box's line edit, the toolbar's » button
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name) if interface is not None else ""
        if not name.strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


async def test_every_control_of_the_main_window_has_an_accessible_name(desk: Desk) -> None:
    await desk.select(desk.ids[0])
    missing = unnamed_controls(desk.window)
    assert missing == [], "\n".join(missing)


async def test_every_control_of_the_settings_dialog_has_an_accessible_name(desk: Desk) -> None:
    dialog = desk.window.settings_commands.open_settings()
    for page in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(page)
        assert unnamed_controls(dialog) == [], dialog.tabs.tabText(page)
    dialog.reject()


async def test_every_control_of_arrange_accounts_has_an_accessible_name(desk: Desk) -> None:
    dialog = desk.window.account_commands.arrange_accounts()
    assert unnamed_controls(dialog) == []
    dialog.reject()
