"""Arrange accounts: renaming, reordering and colouring accounts through the dialog over a real store, the list
following the store's changes (the repository's own checks: tests/unit/store/test_account_look.py)."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtWidgets import QInputDialog

from realmail_desktop.core.events import Changes, EventBus
from realmail_desktop.store import ImapAuth, Store
from realmail_desktop.ui.dialogs.accounts_dialog import COLORS, AccountsDialog
from realmail_desktop.ui.models.folder_tree import FolderTreeModel
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.roles import FolderItemRole
from tests.unit.store.test_account_look import make_accounts

from .qt_async import idle

pytestmark = pytest.mark.gui


async def test_rename_reorder_and_colour_reach_the_store_and_the_list_follows(store: Store, bus: EventBus) -> None:
    local_id, work_id, home_id = await make_accounts(store)
    ops = Ops()
    dialog = AccountsDialog(store, ops)
    bus.subscribe(Changes, dialog.on_store_changed)
    try:
        assert dialog.names() == ["Local Folders", "Work", "Home"]
        tree = FolderTreeModel(store.reader)
        bus.subscribe(Changes, tree.on_store_changed)
        dialog.select(home_id)
        assert dialog.up_button.isEnabled() and not dialog.down_button.isEnabled()
        dialog.move_selected(-1)
        await idle(ops)
        assert dialog.names() == ["Local Folders", "Home", "Work"]
        # The folder list follows: accounts are listed by their new position.
        rows = [tree.index(row, 0) for row in range(tree.rowCount())]
        listed = [tree.data(i, FolderItemRole.AccountId) for i in rows if tree.data(i, FolderItemRole.AccountId)]
        assert listed == [local_id, home_id, work_id]
        assert dialog.selected() is not None and dialog.selected().id == home_id  # type: ignore[union-attr]
        assert [a.id for a in store.reader.accounts()] == [local_id, home_id, work_id]

        rename = dialog.rename_selected()
        assert isinstance(rename, QInputDialog) and rename.textValue() == "Home"
        rename.setTextValue("  Family   mail ")
        rename.accept()
        await idle(ops)
        assert dialog.names() == ["Local Folders", "Family mail", "Work"]

        green = dict((label, color) for label, color in COLORS)["Green"]
        dialog.color_combo.setCurrentIndex(dialog.color_combo.findData(green))
        dialog.color_combo.activated.emit(dialog.color_combo.currentIndex())
        await idle(ops)
        assert next(a for a in store.reader.accounts() if a.id == home_id).color == green
        assert store.reader.sync.imap_settings(home_id).auth is ImapAuth.XOAUTH2  # type: ignore[union-attr]
        assert store.reader.sync.imap_settings(work_id).auth is ImapAuth.PASSWORD  # type: ignore[union-attr]
    finally:
        await idle(ops)
        shiboken6.delete(dialog)
