"""MainWindow: folder tree, message list and reader side by side, with the menus, toolbar and status bar."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

import realmail_desktop
from realmail_desktop.auth import SecretStore
from realmail_desktop.bridges.drive import DriveService
from realmail_desktop.core.events import Changes
from realmail_desktop.store import Account, FolderRole, MessageQuery, MessageSummary, Store, ThreadSummary
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.compose import ANSWER_ACTION_KINDS, ComposeCommands, ComposerWindow
from realmail_desktop.ui.desktop.settings_commands import SettingsCommands
from realmail_desktop.ui.dialogs.account_dialog import AddAccountDialog
from realmail_desktop.ui.dialogs.account_setup_dialog import AccountSetup, AccountSetupDialog
from realmail_desktop.ui.dialogs.accounts_dialog import AccountsDialog
from realmail_desktop.ui.dialogs.drive_consent import ask_drive_access
from realmail_desktop.ui.dialogs.error_dialog import show_bug, show_known_error
from realmail_desktop.ui.dialogs.folder_chooser import FolderChooserDialog, folder_choices
from realmail_desktop.ui.dialogs.google_sign_in import sign_in_again
from realmail_desktop.ui.dialogs.label_dialog import LabelDialog
from realmail_desktop.ui.dialogs.server_settings_dialog import ServerSettingsDialog
from realmail_desktop.ui.icons import app_icon
from realmail_desktop.ui.models.folder_tree import FolderTreeModel
from realmail_desktop.ui.models.message_list import MessageListModel
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.roles import FolderItemRole, FolderNodeKind, MessageColumn
from realmail_desktop.ui.sync_control import ServerSettingsChanger, SyncControl
from realmail_desktop.ui.views.account_banner import AccountBanner
from realmail_desktop.ui.views.account_commands import AccountCommands
from realmail_desktop.ui.views.conversation_view import ConversationView
from realmail_desktop.ui.views.drive_commands import DriveCommands
from realmail_desktop.ui.views.drive_upload_strip import DriveUploadStrip
from realmail_desktop.ui.views.folder_commands import FolderCommands
from realmail_desktop.ui.views.icon_delegate import IconDelegate
from realmail_desktop.ui.views.message_list_view import MessageListView
from realmail_desktop.ui.views.message_reader import MessageReader
from realmail_desktop.ui.views.message_search import MessageSearch
from realmail_desktop.ui.views.reader_window import ReaderWindow
from realmail_desktop.ui.views.search_bar import SearchBar
from realmail_desktop.ui.views.status_bar import SUMMARY_MS, TaskStatusBar
from realmail_desktop.ui.views.window_actions import WindowActions

if TYPE_CHECKING:  # the bridge loads python-telegram-bot: only when the app turns it on
    from realmail_desktop.bridges.telegram import TelegramBridge
    from realmail_desktop.core.events import EventBus
    from realmail_desktop.sorting import SortingService, Unsubscriber
    from realmail_desktop.ui.views.sorting_commands import SortingCommands

# Above this many selected rows the window stops reading every selected message to label its actions
# (and to remember the selection by id): Ctrl+A on a big folder must stay instant.
_DETAILED_SELECTION = 200

_FolderKey = tuple[FolderNodeKind | None, int | None, int | None]


class MainWindow(QMainWindow):
    """The window people live in. It starts every write through `ops` and redraws from the store's Changes
    (via `bridge.storeChanged`); it never writes SQL and never waits on the store. With a `sync` engine it adds
    IMAP accounts, checks for mail, downloads bodies on demand and shows accounts in trouble (`secrets` keeps
    their passwords; by default the OS keyring, touched only when a password is saved).

    Signals: closed() — the person closed the window (File → Quit or the title bar).
    """

    closed = Signal()
    drive_commands: DriveCommands | None = None  # Google Drive, once the app calls set_drive
    drive_uploads: DriveUploadStrip | None = None  # outbox files going to Drive, once the app calls set_drive_uploads
    sorting_commands: SortingCommands | None = None  # rules, junk, categories, once the app calls set_sorting

    def __init__(
        self,
        store: Store,
        transfer: MailTransfer,
        bridge: EventBridge,
        ops: Ops,
        *,
        sync: SyncControl | None = None,
        secrets: SecretStore | None = None,
        account_setup: AccountSetup | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("RealMail"))
        self.setObjectName("mainWindow")
        self._store = store
        self._ops = ops
        self._sync, self._account_setup = sync, account_setup  # setup: File → Add account…'s dialog
        self._secrets = secrets if secrets is not None else SecretStore()
        self._bridge = bridge  # keep it alive as long as the window that listens to it
        self._selected_ids: list[int] = []
        self._current_id: int | None = None
        self._folder_key: _FolderKey = (None, None, None)
        self._wanted_folder: int | None = None

        self.folder_model = FolderTreeModel(store.reader, self)
        self.folder_view = QTreeView(self)
        self.folder_view.setObjectName("folderTree")
        self.folder_view.setModel(self.folder_model)
        self.folder_view.setHeaderHidden(True)
        self.folder_view.setUniformRowHeights(True)
        self.folder_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.folder_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.folder_view.setItemDelegate(IconDelegate(self.folder_view))
        self.folder_view.expandAll()

        self.message_model = MessageListModel(store.reader, parent=self)
        self.message_list = MessageListView(self.message_model, self)
        self.reader_stack = self._build_reader_pane(store, ops, sync)
        self.account_banner = AccountBanner(bridge, store.reader, ops, self, sync=sync, secrets=self._secrets)
        list_pane = QWidget(self)
        list_layout = QVBoxLayout(list_pane)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.setSpacing(0)
        list_layout.addWidget(self.account_banner)
        list_layout.addWidget(self.message_list, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("mainSplitter")
        splitter.setChildrenCollapsible(False)
        for pane, stretch in ((self.folder_view, 0), (list_pane, 1), (self.reader_stack, 1)):
            splitter.addWidget(pane)
            splitter.setStretchFactor(splitter.indexOf(pane), stretch)
        splitter.setSizes([230, 560, 560])
        self.setCentralWidget(splitter)

        self.task_status = TaskStatusBar(bridge, self)
        self.setStatusBar(self.task_status)
        self.window_actions = WindowActions(self, self.message_list)
        self.window_actions.build_menus(self.reader.reader_actions)
        self.search_bar, self.message_search = self._build_toolbar_and_search(store, ops, sync, list_layout)
        self.folder_commands = FolderCommands(
            self,
            store,
            transfer,
            ops,
            current_folder=self.current_folder_id,
            current_account=self._current_account_id,
            select_folder=self.select_folder,
        )
        self.account_commands = AccountCommands(
            self,
            store.reader,
            sync,
            ops,
            current_account=self._current_account_id,
            current_folder=self.current_folder_id,
        )
        self._connect(bridge)
        self._select_start_folder()
        self._update_message_actions()
        self.resize(1280, 800)

    def _build_reader_pane(self, store: Store, ops: Ops, sync: SyncControl | None) -> QStackedWidget:
        """The reader pane: the single-message reader, or in conversation mode a thread's conversation."""
        fetch_body = sync.fetch_body if sync is not None else None
        self.reader = MessageReader(store, ops, self, fetch_body=fetch_body)
        self.conversation = ConversationView(store, ops, self, fetch_body=fetch_body)
        self._grouped = False  # View → Group by conversation (for this window's session)
        stack = QStackedWidget(self)
        stack.addWidget(self.reader)
        stack.addWidget(self.conversation)
        return stack

    def _build_toolbar_and_search(
        self, store: Store, ops: Ops, sync: SyncControl | None, list_layout: QVBoxLayout
    ) -> tuple[SearchBar, MessageSearch]:
        """The toolbar, with the search box at its end (Ctrl+F or /); the results line above the message list."""
        bar = SearchBar(self)
        self.window_actions.build_toolbar().addWidget(bar)
        list_layout.insertWidget(list_layout.indexOf(self.message_list), bar.results_line)
        self.window_actions.find.triggered.connect(bar.focus)
        search = MessageSearch(
            bar,
            store,
            self.message_model,
            self.reader,
            ops,
            header=self.message_list.horizontalHeader(),
            sort_actions=self.window_actions.sort_group,
            sync=sync,
            parent=self,
        )
        return bar, search

    def _connect(self, bridge: EventBridge) -> None:
        bridge.storeChanged.connect(self.on_store_changed)
        bridge.accountStatus.connect(self.folder_model.on_account_status)
        self._ops.knownError.connect(self._on_known_error)
        self._ops.bugRaised.connect(self._on_bug)
        self._ops.busyChanged.connect(self.task_status.set_busy)

        self.folder_view.selectionModel().currentChanged.connect(self._on_folder_changed)
        self.folder_model.reloaded.connect(self._on_folder_model_reloaded)
        self.message_list.selectionModel().selectionChanged.connect(self._on_message_selection_changed)
        self.message_model.reloaded.connect(self._on_message_model_reloaded)
        self.message_list.doubleClicked.connect(lambda _index: self.open_in_window())
        self.message_list.horizontalHeader().sortIndicatorChanged.connect(lambda *_: self._update_sort_actions())

        a = self.window_actions
        a.add_account.triggered.connect(self.set_up_account)
        a.arrange_accounts.triggered.connect(self.arrange_accounts)
        self.account_banner.signInRequested.connect(self.sign_in_again)
        a.check_mail.triggered.connect(self.check_for_mail)
        a.add_account.setEnabled(self._sync is not None)
        a.check_mail.setEnabled(self._sync is not None)
        a.import_mail.triggered.connect(self.folder_commands.import_mail)
        a.export_folder.triggered.connect(self.folder_commands.export_folder)
        a.quit.triggered.connect(self.quit)
        self._quitting = False  # File ▸ Quit closes for good; the title bar may only hide (close to tray)
        a.toggle_read.triggered.connect(self.toggle_read)
        a.toggle_star.triggered.connect(self.toggle_star)
        a.delete.triggered.connect(self.delete_selected)
        a.move_to.triggered.connect(self.move_selected)
        a.label.triggered.connect(self.label_selected)
        a.open_window.triggered.connect(self.open_in_window)
        # Writing: New / Reply / Forward … open composers (ui/compose/); Undo send sits in the status bar.
        fetch_body = self._sync.fetch_body if self._sync is not None else None
        self.compose = ComposeCommands(
            self, self._store, self._ops, current_account=self._compose_account_id, fetch_body=fetch_body
        )
        self._connect_desktop(a)
        a.new_message.triggered.connect(lambda _checked=False: self.new_message())
        for action, kind in zip(a.answer_actions, ANSWER_ACTION_KINDS, strict=True):
            action.triggered.connect(lambda _checked=False, k=kind: self.compose.answer(k, self._current_id))
        a.new_folder.triggered.connect(self.folder_commands.new_folder)
        a.rename_folder.triggered.connect(self.folder_commands.rename_folder)
        a.delete_folder.triggered.connect(self.folder_commands.delete_folder)
        a.empty_trash.triggered.connect(self.folder_commands.empty_trash)
        a.unsubscribe_folder.triggered.connect(lambda _checked=False: self.account_commands.unsubscribe())
        a.account_settings.triggered.connect(lambda _checked=False: self.open_account_settings())
        a.manage_folders.triggered.connect(lambda _checked=False: self.account_commands.manage_folders())
        self.folder_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.folder_view.customContextMenuRequested.connect(self.show_folder_menu)
        for column, action in a.sort_by.items():
            action.triggered.connect(lambda _checked=False, c=column: self.message_list.sort_by(c))
        a.group_threads.toggled.connect(self.set_grouped)
        self.conversation.moveRequested.connect(self._move_to_thread)
        a.about.triggered.connect(self.show_about)
        self._update_sort_actions()

    def _connect_desktop(self, a: WindowActions) -> None:
        """Settings, the shortcuts sheet and applying saved settings (ui/desktop/settings_commands.py); Archive."""
        self.settings_commands = SettingsCommands(self, self._store, self._ops)
        a.settings.triggered.connect(lambda _checked=False: self.settings_commands.open_settings())
        a.shortcuts_sheet.triggered.connect(lambda _checked=False: self.settings_commands.show_shortcuts())
        a.archive.triggered.connect(self.archive_selected)
        self._plain_next = False
        self.compose.composerOpened.connect(self._on_composer_opened)
        # What a screen reader says for the panes (tests/ui/test_shortcuts.py checks every control has a name).
        self.folder_view.setAccessibleName(self.tr("Folders"))
        self.message_list.setAccessibleName(self.tr("Messages"))

    # --- store and errors ---------------------------------------------------------------------------
    def on_store_changed(self, changes: Changes) -> None:
        self.folder_model.on_store_changed(changes)
        self.message_model.on_store_changed(changes)
        self.message_search.on_store_changed(changes)
        self.conversation.on_store_changed(changes)
        self.account_commands.on_store_changed(changes)
        self._update_message_actions()
        if changes.messages_updated:
            for reader in (self.reader, *(window.reader for window in self.reader_windows())):
                reader.on_store_changed(changes)

    def _on_known_error(self, message: str, hint: str) -> None:
        show_known_error(self, message, hint)

    def _on_bug(self, summary: str, traceback: str) -> None:
        show_bug(self, summary, traceback)

    # --- folders ------------------------------------------------------------------------------------
    def current_folder_id(self) -> int | None:
        return self.folder_model.folder_id(self.folder_view.currentIndex())

    def _current_account_id(self) -> int | None:
        account = self.folder_view.currentIndex().data(FolderItemRole.AccountId)
        return int(account) if account is not None else None

    def _compose_account_id(self) -> int | None:
        """New mail is written from Settings ▸ General's default account, else the folder in view's."""
        return self.settings_commands.default_account() or self._current_account_id()

    def select_folder(self, folder_id: int) -> None:
        """Make a folder current (and list its messages); if the tree does not show it yet, do so once it does."""
        index = self.folder_model.index_for_folder(folder_id)
        if index.isValid():
            self._wanted_folder = None
            self.folder_view.setCurrentIndex(index)
        else:
            self._wanted_folder = folder_id

    def _select_start_folder(self) -> None:
        index = self.folder_model.all_inboxes_index()
        if not index.isValid():
            inboxes = self._store.reader.inbox_ids()
            index = self.folder_model.index_for_folder(inboxes[0]) if inboxes else QModelIndex()
        if index.isValid():
            self.folder_view.setCurrentIndex(index)

    def _on_folder_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        kind = current.data(FolderItemRole.NodeKind) if current.isValid() else None
        self._folder_key = (kind, self.folder_model.folder_id(current), current.data(FolderItemRole.AccountId))
        self.message_search.set_folder_query(self._grouped_query(self.folder_model.query(current)))
        is_folder = self._folder_key[1] is not None
        self.window_actions.rename_folder.setEnabled(is_folder)
        self.window_actions.delete_folder.setEnabled(is_folder)
        a = self.window_actions
        self.account_commands.update(a.account_settings, a.manage_folders, a.unsubscribe_folder)

    def show_folder_menu(self, pos: QPoint) -> QMenu | None:
        """The folder tree's context menu: what applies to the folder or account under `pos` (made current)."""
        index = self.folder_view.indexAt(pos)
        if not index.isValid():
            return None
        self.folder_view.setCurrentIndex(index)
        kind, folder_id = index.data(FolderItemRole.NodeKind), self.folder_model.folder_id(index)
        menu = self.account_commands.context_menu(kind, folder_id, self.window_actions)
        if menu is not None:
            menu.popup(self.folder_view.viewport().mapToGlobal(pos))
        return menu

    def _on_folder_model_reloaded(self) -> None:
        self.folder_view.expandAll()
        kind, folder_id, account_id = self._folder_key
        wanted, self._wanted_folder = self._wanted_folder, None
        index = QModelIndex()
        if wanted is not None:
            index = self.folder_model.index_for_folder(wanted)
        if not index.isValid() and folder_id is not None:
            index = self.folder_model.index_for_folder(folder_id)
        if not index.isValid() and kind is FolderNodeKind.ACCOUNT and account_id is not None:
            index = self.folder_model.index_for_account(account_id)
        if not index.isValid() and kind is FolderNodeKind.ALL_INBOXES:
            index = self.folder_model.all_inboxes_index()
        if index.isValid():
            self.folder_view.setCurrentIndex(index)
        else:
            self._select_start_folder()

    # --- message selection --------------------------------------------------------------------------
    def _on_message_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        count = self.message_list.selected_count()
        self._current_id = self.message_list.current_id()
        self._selected_ids = self.message_list.selected_ids() if count <= _DETAILED_SELECTION else []
        self._update_message_actions()
        if count == 1 and self._selected_ids:
            self._show(self._selected_ids[0])
        elif count == 0:
            self.reader.clear()
            self.conversation.clear()

    def _on_message_model_reloaded(self) -> None:
        if not self.message_list.select_ids(self._selected_ids, self._current_id):
            self.message_list.clearSelection()
            self.reader.clear()
            self.conversation.clear()

    def _show(self, message_id: int) -> None:
        if isinstance(self.message_model.summary_at(self.message_list.currentIndex().row()), ThreadSummary):
            self._show_thread(message_id)
            return
        self.reader_stack.setCurrentWidget(self.reader)
        self.conversation.clear()
        if self.reader.message_id == message_id:
            return
        row = self.message_model.row_of(message_id)
        summary = self.message_model.summary_at(row) if row is not None else None
        if summary is None:
            return
        self.reader.show_message(summary)
        if not summary.is_seen:  # at once, or after Settings ▸ Reading's delay while it is still shown
            self.settings_commands.mark_read_later([message_id], lambda: self.reader.message_id == message_id)

    # --- conversations ------------------------------------------------------------------------------
    def set_grouped(self, grouped: bool) -> None:
        """View → Group by conversation: one list row per thread, shown in the conversation view."""
        self._grouped = grouped
        self.window_actions.group_threads.setChecked(grouped)
        folder_query = self.folder_model.query(self.folder_view.currentIndex())
        self.message_search.set_folder_query(self._grouped_query(folder_query))

    def _grouped_query(self, query: MessageQuery | None) -> MessageQuery | None:
        if query is None:
            return None
        sorting = self.sorting_commands  # an Inbox's category filter (ui/views/sorting_commands.py)
        return replace(query, threads=self._grouped, category=sorting.category_for(query) if sorting else None)

    def _show_thread(self, message_id: int) -> None:
        row = self.message_model.row_of(message_id)
        summary = self.message_model.summary_at(row) if row is not None else None
        if not isinstance(summary, ThreadSummary):
            return
        self.reader.clear()
        self.reader_stack.setCurrentWidget(self.conversation)
        shown = [card.message_id for card in self.conversation.cards]
        if self.conversation.thread_id == summary.thread_id and summary.id in shown:
            return  # the same conversation, nothing new in it
        query = self.message_model.query
        self.conversation.show_thread(summary.thread_id, query.folder_ids if query is not None else ())
        unread = [card.message_id for card in self.conversation.cards if not card.summary.is_seen]
        if unread:
            thread = summary.thread_id
            self.settings_commands.mark_read_later(
                unread,
                lambda: (
                    self.reader_stack.currentWidget() is self.conversation and self.conversation.thread_id == thread
                ),
            )

    def _move_to_thread(self, step: int) -> None:
        """j/k in the conversation view: the next/previous row of the list."""
        row = max(0, self.message_list.currentIndex().row() + step)
        if row < self.message_model.rowCount():
            self.message_list.select_row(row)

    def _expanded_ids(self, ids: list[int]) -> list[int]:
        """The messages the selected rows stand for: in conversation mode, each thread's in the listed folders."""
        query = self.message_model.query
        if query is None or not query.threaded or not ids:
            return ids
        return self._store.reader.threads.folder_messages(ids, query.folder_ids)

    def _selected_summaries(self) -> list[MessageSummary]:
        summaries = (self.message_model.summary_at(row) for row in self.message_list.selected_rows())
        return [summary for summary in summaries if summary is not None]

    def _update_message_actions(self) -> None:
        a = self.window_actions
        count = self.message_list.selected_count()
        for action in a.message_actions:
            action.setEnabled(count > 0)
        a.open_window.setEnabled(self._current_id is not None)
        for action in a.answer_actions:
            action.setEnabled(self._current_id is not None)
        summaries = self._selected_summaries() if 0 < count <= _DETAILED_SELECTION else []
        any_unread = not summaries or any(not s.is_seen for s in summaries)
        a.toggle_read.setText(self.tr("Mark as &Read") if any_unread else self.tr("Mark as &Unread"))
        any_unstarred = not summaries or any(not s.is_flagged for s in summaries)
        a.toggle_star.setText(self.tr("&Star") if any_unstarred else self.tr("Remove &Star"))
        a.toggle_star.setIcon(app_icon("star-outline" if any_unstarred else "star"))

    def _update_sort_actions(self) -> None:
        column = self.message_list.horizontalHeader().sortIndicatorSection()
        action = self.window_actions.sort_by.get(MessageColumn(column)) if 0 <= column < len(MessageColumn) else None
        if action is not None:
            action.setChecked(True)

    # --- message commands ---------------------------------------------------------------------------
    def toggle_read(self) -> None:
        """Mark the selection read; when all of it is read already, unread."""
        summaries = self._selected_summaries()
        if summaries:
            seen = any(not s.is_seen for s in summaries)
            self._ops.run(
                self._store.messages.set_seen(self._expanded_ids([s.id for s in summaries]), seen),
                label="Mark as read" if seen else "Mark as unread",
            )

    def toggle_star(self) -> None:
        """Star the selection; when all of it is starred already, remove the stars."""
        summaries = self._selected_summaries()
        if summaries:
            flagged = any(not s.is_flagged for s in summaries)
            self._ops.run(
                self._store.messages.set_flagged(self._expanded_ids([s.id for s in summaries]), flagged),
                label="Star" if flagged else "Remove star",
            )

    def delete_selected(self) -> None:
        """Move the selection to Trash (delete it for good when it is in Trash) and select the next row."""
        self._take_selection_away(self._store.messages.delete_to_trash, "Delete messages")

    def move_selected(self) -> FolderChooserDialog | None:
        """Ask which folder, then move the selection there (window-modal; the move starts on OK)."""
        ids = self.message_list.selected_ids()
        if not ids:
            return None
        dialog = FolderChooserDialog(folder_choices(self._store.reader), exclude=self.current_folder_id(), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        source = self.current_folder_id()  # Gmail: a move between label folders is a label change

        def move() -> None:
            target = dialog.selected_folder_id()
            if target is not None:
                self._take_selection_away(
                    lambda chosen: self._store.messages.move(chosen, target, from_folder=source), "Move messages"
                )

        dialog.accepted.connect(move)
        dialog.open()
        return dialog

    def label_selected(self) -> LabelDialog | None:
        """Message ▸ Label… (L): tick or untick the Gmail labels of the selection (window-modal)."""
        ids = self._expanded_ids(self.message_list.selected_ids())
        if not ids:
            return None
        summaries = [s for s in (self._store.reader.message(i) for i in ids) if s is not None]
        accounts = {s.account_id for s in summaries}
        labels = self._store.reader.gmail_label_folders(next(iter(accounts))) if len(accounts) == 1 else []
        if not labels:
            show_known_error(
                self,
                self.tr("Labels are for Gmail messages."),
                self.tr("Select messages of one Gmail account, or use Move to… instead."),
            )
            return None
        having: dict[int, int] = {}
        for summary in summaries:
            for folder_id, _path in self._store.reader.gmail_labels(summary.id):
                having[folder_id] = having.get(folder_id, 0) + 1
        names = [(folder_id, path.rsplit("/", 1)[-1]) for folder_id, path, _label in labels]
        dialog = LabelDialog(names, having, len(summaries), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def relabel() -> None:
            add, remove = dialog.changes()
            if add or remove:
                self._ops.run(self._store.gmail.change_labels(ids, add, remove), label="Label messages")

        dialog.accepted.connect(relabel)
        dialog.open()
        return dialog

    def _take_selection_away(self, write: Callable[[list[int]], Coroutine[Any, Any, Changes]], label: str) -> None:
        rows = self.message_list.selected_rows()
        ids = self.message_list.selected_ids()
        if not ids:
            return
        # Select the next message first (Thunderbird's habit), so the selection follows it, not a gap.
        taken = set(rows)
        after = next((r for r in range(rows[-1] + 1, self.message_model.rowCount()) if r not in taken), None)
        before = next((r for r in range(rows[0] - 1, -1, -1) if r not in taken), None)
        target = after if after is not None else before
        next_id = self.message_model.message_id_at(target) if target is not None else None
        if next_id is not None:
            self.message_list.select_ids([next_id], next_id)
        else:
            self.message_list.clearSelection()
        self._ops.run(write(self._expanded_ids(ids)), label=label)

    def open_in_window(self) -> ReaderWindow | None:
        current = self._current_id
        row = self.message_model.row_of(current) if current is not None else None
        summary = self.message_model.summary_at(row) if row is not None else None
        if summary is None:
            return None
        if summary.is_draft or self._store.reader.drafts.is_draft_row(summary.id):
            self.compose.open_draft(summary.id)  # a draft opens where it can be finished
            return None
        fetch_body = self._sync.fetch_body if self._sync is not None else None
        window = ReaderWindow(self._store, self._ops, summary, self, fetch_body=fetch_body)
        self.settings_commands.adopt_reader(window.reader)
        self.compose.add_answer_menu(window, lambda: window.reader.message_id)
        if self.drive_commands is not None:
            self.drive_commands.adopt_reader(window.reader)
        window.show()
        return window

    def reader_windows(self) -> list[ReaderWindow]:
        return self.findChildren(ReaderWindow)

    def set_drive(self, service: DriveService | None) -> None:
        """Google Drive (bridges/drive/): Account ▸ Google Drive… and Save to Drive in every reader."""
        self.drive_commands = DriveCommands(
            self,
            self._store,
            self._ops,
            service,
            settings_action=self.window_actions.drive_settings,
            current_account=self._current_account_id,
            drive_access=self._drive_access if self._account_setup is not None else None,
        )
        self.drive_commands.adopt_reader(self.reader)

    def set_drive_uploads(self, cancel: Callable[[int], Awaitable[None]] | None) -> None:
        """Outbox files going to Google Drive (the app's Drive stage): a strip above the list shows each message's
        upload, and its Cancel runs `cancel(outbox_id)` (None: no Cancel)."""
        if self.drive_uploads is None:
            self.drive_uploads = DriveUploadStrip(self._bridge, self._ops, self)
            self.drive_uploads.place_above(self.message_list)
            self.drive_uploads.noticed.connect(lambda text: self.task_status.showMessage(text, SUMMARY_MS))
        self.drive_uploads.set_cancel(cancel)

    async def _drive_access(self, account: Account) -> bool:
        """Drive's `drive.file` for a Google account, asked for now if it was not granted (incremental consent)."""
        setup = self._account_setup
        if setup is None or setup.google is None or self._sync is None:
            return False
        return await ask_drive_access(setup.google, self._ops, account, self._sync.retry)

    def set_sorting(self, service: SortingService, unsubscriber: Unsubscriber) -> None:
        """Rules and junk (sorting/): Tools ▸ Rules…, Mark as junk / Not junk, Unsubscribe, Inbox categories."""
        from realmail_desktop.ui.views.sorting_commands import SortingCommands

        self.sorting_commands = SortingCommands(
            self,
            self._store,
            self._ops,
            service,
            unsubscriber,
            selected_ids=self.message_list.selected_ids,
            refresh_list=lambda: self.set_grouped(self.window_actions.group_threads.isChecked()),
        )
        self.set_grouped(self.window_actions.group_threads.isChecked())

    def set_telegram(self, service: TelegramBridge, bus: EventBus) -> None:
        """The Telegram bridge (bridges/telegram/): Tools ▸ Telegram bridge… opens its settings."""
        action = self.window_actions.telegram_settings
        action.setEnabled(True)
        action.triggered.connect(lambda: self.open_telegram_settings(service, bus))

    def open_telegram_settings(self, service: TelegramBridge, bus: EventBus) -> QDialog:
        from realmail_desktop.ui.dialogs.telegram_dialog import TelegramDialog  # python-telegram-bot: on demand

        dialog = TelegramDialog(self._store, self._ops, service, self._secrets, bus=bus, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # --- accounts -----------------------------------------------------------------------------------
    def add_account(self) -> AddAccountDialog | None:
        """File → Add account…: the IMAP account dialog (window-modal; it adds the account itself)."""
        if self._sync is None:
            return None
        dialog = AddAccountDialog(self._sync, self._secrets, self._ops, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def set_up_account(self) -> AccountSetupDialog | AddAccountDialog | None:
        """File → Add account…: the setup dialog (settings found for the address, Google sign-in) when the app
        gave what it needs, else the plain IMAP dialog."""
        setup = self._account_setup
        if setup is None:
            return self.add_account()
        dialog = AccountSetupDialog(
            setup.adder,
            self._secrets,
            self._ops,
            self,
            discovery=setup.discovery,
            google=setup.google,
            save_smtp=self._store.sending.set_smtp_settings,
            check_smtp=setup.check_smtp,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def arrange_accounts(self) -> AccountsDialog:
        """Account → Arrange accounts…: rename, reorder and colour the accounts."""
        dialog = AccountsDialog(self._store, self._ops, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._bridge.storeChanged.connect(dialog.on_store_changed)
        dialog.open()
        return dialog

    def sign_in_again(self, account_id: int) -> None:
        """The banner's "Sign in again…" for an account whose Google sign-in ended."""
        setup = self._account_setup
        account = next((a for a in self._store.reader.accounts() if a.id == account_id), None)
        if setup is None or setup.google is None or account is None or self._sync is None:
            return
        sign_in_again(setup.google, self._ops, account, self._sync.retry)

    def open_account_settings(self) -> None:
        """Account → Settings…; its "Identities…" opens the composer's identities editor."""
        dialog = self.account_commands.open_settings()
        if dialog is not None:
            dialog.identitiesRequested.connect(self.compose.edit_identities)
            if isinstance(self._sync, ServerSettingsChanger):
                dialog.add_server_settings_button()
                dialog.serverSettingsRequested.connect(self.edit_server_settings)

    def edit_server_settings(self, account_id: int) -> ServerSettingsDialog | None:
        """Account ▸ Settings… ▸ Server settings…: where and how an account logs in, checked before saving."""
        sync, reader = self._sync, self._store.reader
        account = next((a for a in reader.accounts() if a.id == account_id), None)
        imap = reader.sync.imap_settings(account_id)
        if not isinstance(sync, ServerSettingsChanger) or account is None or imap is None:
            return None
        setup = self._account_setup
        dialog = ServerSettingsDialog(
            account,
            imap,
            reader.outbox.smtp_settings(account_id),
            sync=sync,
            secrets=self._secrets,
            ops=self._ops,
            check_smtp=setup.check_smtp if setup is not None else None,
            save_smtp=self._store.sending.set_smtp_settings,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def new_message(self) -> None:
        """Message ▸ New message (Ctrl+N): plain text when Settings ▸ Composing says so."""
        self._plain_next = self.settings_commands.settings.compose_plain
        self.compose.new_message()

    def _on_composer_opened(self, composer: ComposerWindow) -> None:
        if self._plain_next:
            self._plain_next = False
            composer.plain_action.setChecked(True)

    def archive_selected(self) -> None:
        """Message ▸ Archive (E): to each message's account's Archive folder (All Mail on Gmail)."""
        summaries = self._selected_summaries()
        targets: dict[int, int] = {}
        for account_id in {s.account_id for s in summaries}:
            reader = self._store.reader
            folder = reader.folder_by_role(account_id, FolderRole.ARCHIVE) or reader.folder_by_role(
                account_id, FolderRole.ALL
            )
            if folder is None:
                show_known_error(
                    self,
                    self.tr("This account has no Archive folder."),
                    self.tr("Use Move to… (Ctrl+Shift+M) instead."),
                )
                return
            targets[account_id] = folder.id
        source = self.current_folder_id()  # Gmail: archiving from a label folder takes that label off
        by_id = {
            s.id: target
            for s in summaries
            if (target := targets[s.account_id]) != source and (target != s.folder_id or source != s.folder_id)
        }

        async def archive(ids: list[int]) -> Changes:
            changes = Changes()
            for target in set(by_id.values()):
                changes = changes.merged(
                    await self._store.messages.move(
                        [i for i in ids if by_id.get(i) == target], target, from_folder=source
                    )
                )
            return changes

        if by_id:
            self._take_selection_away(archive, "Archive messages")

    def open_message(self, message_id: int) -> ReaderWindow | None:
        """A notification was clicked: bring the window up on the message's folder and open it in a window."""
        summary = self._store.reader.message(message_id)
        self.show_and_raise()
        if summary is None:
            return None
        self.select_folder(summary.folder_id)
        window = ReaderWindow(
            self._store, self._ops, summary, self, fetch_body=self._sync.fetch_body if self._sync else None
        )
        self.settings_commands.adopt_reader(window.reader)
        self.compose.add_answer_menu(window, lambda: window.reader.message_id)
        window.show()
        return window

    def show_and_raise(self) -> None:
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def quit(self) -> None:
        """File ▸ Quit (Ctrl+Q) and the tray's Quit: close for good, even with "close to tray" on."""
        self._quitting = True
        self.close()

    def check_for_mail(self) -> None:
        """File → Check for new mail (F5): every account, now."""
        if self._sync is not None:
            self._ops.run(self._sync.check_now(None), label="Check for new mail")

    # --- help and closing ---------------------------------------------------------------------------
    def show_about(self) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.NoIcon,
            self.tr("About RealMail"),
            self.tr("RealMail Desktop {version}").format(version=realmail_desktop.__version__),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setInformativeText(
            self.tr("A fast, private e-mail client for the desktop. Your mail stays on this computer.")
        )
        box.setIconPixmap(app_icon("realmail").pixmap(64, 64))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._quitting and self.settings_commands.keep_running_in_tray():
            event.ignore()  # Settings ▸ General ▸ Close to the tray: mail keeps coming, the tray brings it back
            self.hide()
            return
        # Orderly shutdown (draining ops, closing the store) is app/'s job once `closed` has fired.
        for window in self.reader_windows():
            window.close()
        for composer in self.compose.composers():
            composer.close()  # each saves its draft (the app drains that work before the store closes)
        event.accept()
        self.closed.emit()
