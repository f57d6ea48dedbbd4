"""MainWindow: the three panes, selection → reader → read, keyboard and menu commands, dialogs, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog, QMessageBox, QTableView

from realmail_desktop.core.events import EventBus, TaskFinished, TaskProgress
from realmail_desktop.store import FolderRole, MessageQuery, SortOrder, Store
from realmail_desktop.transfer import ExportFormat, MailTransfer
from realmail_desktop.ui.dialogs.export_dialog import ExportDialog
from realmail_desktop.ui.dialogs.folder_chooser import FolderChooserDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.roles import MessageColumn
from realmail_desktop.ui.views.main_window import MainWindow

from .mail_samples import mail, raw_mail
from .qt_async import activate, idle, next_emit, wait_for

pytestmark = pytest.mark.gui

DAY = 1_700_000_000


@dataclass
class Mailbox:
    window: MainWindow
    store: Store
    ops: Ops
    bus: EventBus
    folders: dict[FolderRole, int]
    oldest: int
    middle: int
    newest: int

    @property
    def rows(self) -> list[int | None]:
        model = self.window.message_model
        return [model.message_id_at(row) for row in range(model.rowCount())]

    def folder_of(self, message_id: int) -> int | None:
        summary = self.store.reader.message(message_id)
        return summary.folder_id if summary is not None else None

    async def select(self, message_id: int) -> None:
        """Select one message in the list and wait until the reader shows it and it is marked read."""
        shown = next_emit(self.window.reader.messageShown)
        assert self.window.message_list.select_ids([message_id], message_id)
        assert await wait_for(shown) == (message_id,)
        await idle(self.ops)

    async def key(self, key: Qt.Key) -> None:
        await activate(self.window)
        self.window.message_list.setFocus()
        QTest.keyClick(self.window.message_list, key)
        await idle(self.ops)


@pytest.fixture
async def mailbox(qtbot: Any, store: Store, bus: EventBus) -> AsyncIterator[Mailbox]:
    account, _ = await store.accounts.create_local()
    folders = {f.role: f.id for f in store.reader.folders(account.id) if f.role is not None}
    ids, _ = await store.messages.add(
        folders[FolderRole.INBOX],
        [
            mail("Oldest", date=DAY, seen=True),
            mail("Middle", date=DAY + 60, sender=("Bob Jones", "bob@example.org")),
            mail("Newest", date=DAY + 120),
        ],
    )
    ops = Ops()
    bridge = EventBridge(bus)
    window = MainWindow(store, MailTransfer(store, bus), bridge, ops)
    qtbot.addWidget(window)
    window.show()
    yield Mailbox(window, store, ops, bus, folders, *ids)
    await ops.drain()
    bridge.detach()


async def test_window_has_three_panes_and_starts_on_all_inboxes(mailbox: Mailbox) -> None:
    window = mailbox.window
    assert window.windowTitle() == "RealMail"
    assert isinstance(window.message_list, QTableView)
    assert window.message_list.verticalHeader().isHidden()
    assert window.folder_view.currentIndex() == window.folder_model.all_inboxes_index()
    assert window.folder_view.isExpanded(window.folder_model.index_for_account(1))
    # Newest first by default.
    assert mailbox.rows == [mailbox.newest, mailbox.middle, mailbox.oldest]
    header = window.message_list.horizontalHeader()
    assert header.sortIndicatorSection() == MessageColumn.DATE
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert window.window_actions.sort_by[MessageColumn.DATE].isChecked()
    assert window.reader.message_id is None
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&File", "&Message", "F&older", "&Account", "&View", "&Tools", "&Help"]
    shortcuts = {a.text(): a.shortcut().toString() for a in window.window_actions.message_actions}
    assert shortcuts == {
        "Mark as &Read": "M",
        "&Star": "S",
        "&Delete": "Del",
        "&Move to…": "Ctrl+Shift+M",
        "&Open in window": "Return",
    }


async def test_selecting_a_folder_sets_the_list(mailbox: Mailbox) -> None:
    window = mailbox.window
    window.select_folder(mailbox.folders[FolderRole.ARCHIVE])
    assert window.message_model.rowCount() == 0
    window.select_folder(mailbox.folders[FolderRole.INBOX])
    assert mailbox.rows == [mailbox.newest, mailbox.middle, mailbox.oldest]


async def test_selecting_a_message_shows_it_and_marks_it_read(mailbox: Mailbox) -> None:
    await mailbox.select(mailbox.middle)
    headers = mailbox.window.reader.header_text()
    assert headers["Subject"] == "Middle"
    assert headers["From"] == "Bob Jones <bob@example.org>"
    summary = mailbox.store.reader.message(mailbox.middle)
    assert summary is not None and summary.is_seen


async def test_delete_key_moves_to_trash_and_selects_the_next_row(mailbox: Mailbox) -> None:
    await mailbox.select(mailbox.newest)
    await mailbox.key(Qt.Key.Key_Delete)
    assert mailbox.folder_of(mailbox.newest) == mailbox.folders[FolderRole.TRASH]
    assert mailbox.rows == [mailbox.middle, mailbox.oldest]
    assert mailbox.window.message_list.selected_ids() == [mailbox.middle]
    assert mailbox.window.reader.message_id == mailbox.middle


async def test_deleting_the_last_row_selects_the_one_above(mailbox: Mailbox) -> None:
    await mailbox.select(mailbox.oldest)
    mailbox.window.window_actions.delete.trigger()
    await idle(mailbox.ops)
    assert mailbox.rows == [mailbox.newest, mailbox.middle]
    assert mailbox.window.message_list.selected_ids() == [mailbox.middle]


async def test_s_stars_and_m_toggles_read(mailbox: Mailbox) -> None:
    await mailbox.select(mailbox.middle)
    await mailbox.key(Qt.Key.Key_S)
    summary = mailbox.store.reader.message(mailbox.middle)
    assert summary is not None and summary.is_flagged
    assert mailbox.window.window_actions.toggle_star.text() == "Remove &Star"
    await mailbox.key(Qt.Key.Key_M)
    summary = mailbox.store.reader.message(mailbox.middle)
    assert summary is not None and not summary.is_seen
    await mailbox.key(Qt.Key.Key_S)
    summary = mailbox.store.reader.message(mailbox.middle)
    assert summary is not None and not summary.is_flagged
    # The selection survived every store change.
    assert mailbox.window.message_list.selected_ids() == [mailbox.middle]


async def test_j_and_k_move_like_down_and_up(mailbox: Mailbox) -> None:
    await mailbox.select(mailbox.newest)
    await mailbox.key(Qt.Key.Key_J)
    assert mailbox.window.message_list.selected_ids() == [mailbox.middle]
    await mailbox.key(Qt.Key.Key_J)
    assert mailbox.window.message_list.selected_ids() == [mailbox.oldest]
    await mailbox.key(Qt.Key.Key_K)
    assert mailbox.window.message_list.selected_ids() == [mailbox.middle]
    await mailbox.key(Qt.Key.Key_Up)
    assert mailbox.window.message_list.selected_ids() == [mailbox.newest]
    assert mailbox.window.reader.message_id == mailbox.newest


async def test_enter_opens_the_message_in_its_own_window(mailbox: Mailbox) -> None:
    await mailbox.select(mailbox.middle)
    await mailbox.key(Qt.Key.Key_Return)
    [reader_window] = mailbox.window.reader_windows()
    assert reader_window.isWindow() and reader_window.isVisible()
    await idle(mailbox.ops)
    assert reader_window.reader.message_id == mailbox.middle
    assert reader_window.reader.header_text()["Subject"] == "Middle"
    assert reader_window.windowTitle() == "Middle — RealMail"


async def test_move_to_asks_for_a_folder_and_moves_there(mailbox: Mailbox) -> None:
    await mailbox.select(mailbox.middle)
    mailbox.window.window_actions.move_to.trigger()
    dialog = mailbox.window.findChild(FolderChooserDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.select_folder(mailbox.folders[FolderRole.ARCHIVE])
    assert not dialog.select_folder(9999)
    dialog.accept()
    await idle(mailbox.ops)
    assert mailbox.folder_of(mailbox.middle) == mailbox.folders[FolderRole.ARCHIVE]
    assert mailbox.rows == [mailbox.newest, mailbox.oldest]
    assert mailbox.window.message_list.selected_ids() == [mailbox.oldest]


async def test_selection_is_kept_by_id_when_the_list_changes(mailbox: Mailbox) -> None:
    await mailbox.select(mailbox.middle)
    await mailbox.store.messages.add(mailbox.folders[FolderRole.INBOX], [mail("Brand new", date=DAY + 999)])
    assert mailbox.window.message_list.selected_ids() == [mailbox.middle]
    assert mailbox.window.message_list.selected_rows() == [2]
    mailbox.window.message_model.reload()  # a reset drops the selection; the window puts it back
    assert mailbox.window.message_list.selected_ids() == [mailbox.middle]
    assert mailbox.window.reader.message_id == mailbox.middle


async def test_sort_menu_sorts_the_list(mailbox: Mailbox) -> None:
    mailbox.window.window_actions.sort_by[MessageColumn.SENDER].trigger()
    assert mailbox.window.message_list.horizontalHeader().sortIndicatorSection() == MessageColumn.SENDER
    # Alice Smith (Newest, Oldest) before Bob Jones (Middle).
    assert mailbox.rows[-1] == mailbox.middle
    mailbox.window.message_list.horizontalHeader().setSortIndicator(MessageColumn.STAR, Qt.SortOrder.AscendingOrder)
    assert mailbox.window.message_list.horizontalHeader().sortIndicatorSection() == MessageColumn.SENDER
    assert mailbox.window.window_actions.sort_by[MessageColumn.SENDER].isChecked()


async def test_new_rename_and_delete_folder(mailbox: Mailbox) -> None:
    window, reader = mailbox.window, mailbox.store.reader
    window.select_folder(mailbox.folders[FolderRole.INBOX])
    window.window_actions.new_folder.trigger()
    ask = window.findChild(QInputDialog, "folderNameDialog")
    assert ask is not None
    ask.setTextValue("Projects")
    ask.accept()
    await idle(mailbox.ops)
    created = reader.folder_by_path(1, "Projects")
    assert created is not None
    assert window.current_folder_id() == created.id

    window.window_actions.rename_folder.trigger()
    ask = window.findChild(QInputDialog, "folderNameDialog")
    assert ask is not None and ask.textValue() == "Projects"
    ask.setTextValue("Work")
    ask.accept()
    await idle(mailbox.ops)
    renamed = reader.folder(created.id)
    assert renamed is not None and renamed.path == "Work"
    assert window.current_folder_id() == created.id

    window.window_actions.delete_folder.trigger()
    confirm = window.findChild(QMessageBox, "deleteFolderBox")
    assert confirm is not None and "“Work”" in confirm.text()
    [delete_button] = [b for b in confirm.buttons() if b.text() == "Delete"]
    delete_button.click()
    await idle(mailbox.ops)
    assert reader.folder(created.id) is None


async def test_special_folders_refuse_deletion_in_plain_words(mailbox: Mailbox) -> None:
    window = mailbox.window
    window.select_folder(mailbox.folders[FolderRole.INBOX])
    reported = next_emit(mailbox.ops.knownError)
    window.window_actions.delete_folder.trigger()
    message, _hint = await wait_for(reported)
    assert "special folder" in message
    box = window.findChild(QMessageBox, "knownErrorBox")
    assert box is not None and box.text() == message
    assert mailbox.store.reader.folder(mailbox.folders[FolderRole.INBOX]) is not None


async def test_bugs_show_the_crash_box_with_the_traceback(mailbox: Mailbox) -> None:
    async def broken() -> None:
        raise ValueError("boom")

    reported = next_emit(mailbox.ops.bugRaised)
    mailbox.ops.run(broken(), label="Test")
    await wait_for(reported)
    box = mailbox.window.findChild(QMessageBox, "bugBox")
    assert box is not None
    assert "ValueError: boom" in box.informativeText()
    assert "Traceback" in box.detailedText()


async def test_import_dialog_imports_into_the_chosen_folder(mailbox: Mailbox, tmp_path: Path) -> None:
    eml = tmp_path / "hello.eml"
    eml.write_bytes(raw_mail("Imported hello", date=DAY + 500))
    window = mailbox.window
    window.select_folder(mailbox.folders[FolderRole.INBOX])
    dialog = window.folder_commands.import_mail()
    assert dialog.target_folder_id() == mailbox.folders[FolderRole.INBOX]
    dialog.set_source(eml)
    dialog.select_target(mailbox.folders[FolderRole.ARCHIVE])
    dialog.accept()
    await idle(mailbox.ops)
    report = window.findChild(QMessageBox, "importReport")
    assert report is not None and report.text() == "Imported 1 message from hello.eml."
    assert mailbox.store.reader.folder(mailbox.folders[FolderRole.ARCHIVE]).total_count == 1  # type: ignore[union-attr]


async def test_export_dialog_writes_the_folder_as_mbox(mailbox: Mailbox, tmp_path: Path) -> None:
    window = mailbox.window
    window.select_folder(mailbox.folders[FolderRole.INBOX])
    window.window_actions.export_folder.trigger()
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.folder_id() == mailbox.folders[FolderRole.INBOX]
    dialog.set_export_format(ExportFormat.MBOX)
    dialog.set_destination(tmp_path / "inbox.mbox")
    dialog.accept()
    await idle(mailbox.ops)
    report = window.findChild(QMessageBox, "exportReport")
    assert report is not None and report.text() == "Exported 3 messages."
    assert (tmp_path / "inbox.mbox").read_bytes().count(b"\nFrom ") == 2


async def test_status_bar_shows_task_progress_then_its_summary(mailbox: Mailbox) -> None:
    status = mailbox.window.task_status
    mailbox.bus.publish(TaskProgress(7, "Importing archive.mbox", 1200, 5000))
    assert status.task_text == "Importing archive.mbox: 1,200 of 5,000"
    mailbox.bus.publish(TaskFinished(7, "Importing archive.mbox", "5,000 imported"))
    assert status.task_text == ""
    assert status.currentMessage() == "5,000 imported"


async def test_empty_trash_asks_then_deletes_only_the_trash(mailbox: Mailbox) -> None:
    window, reader = mailbox.window, mailbox.store.reader
    inbox, trash = mailbox.folders[FolderRole.INBOX], mailbox.folders[FolderRole.TRASH]
    first = reader.page(MessageQuery((inbox,)), SortOrder(), 0, 1)[0]
    await mailbox.store.messages.delete_to_trash([first.id])
    assert reader.count(MessageQuery((trash,))) == 1
    inbox_before = reader.count(MessageQuery((inbox,)))
    window.select_folder(inbox)

    window.window_actions.empty_trash.trigger()
    confirm = window.findChild(QMessageBox, "emptyTrashBox")
    assert confirm is not None and "1 messages in Trash" in confirm.text()
    [empty_button] = [b for b in confirm.buttons() if b.text() == "Empty Trash"]
    empty_button.click()
    await idle(mailbox.ops)
    assert reader.count(MessageQuery((trash,))) == 0
    assert reader.message(first.id) is None
    assert reader.count(MessageQuery((inbox,))) == inbox_before
