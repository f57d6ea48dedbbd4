"""MainWindow: folder tree, message list and reader side by side, with the menus, toolbar and status bar."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QSplitter, QVBoxLayout, QWidget

import realmail_desktop
from realmail_desktop.auth import SecretStore
from realmail_desktop.bridges.drive import DriveService
from realmail_desktop.core.events import Changes
from realmail_desktop.store import MessageQuery, MessageSummary, Store, ThreadSummary
from realmail_desktop.transfer import MailTransfer
from realmail_desktop.ui.compose import ANSWER_ACTION_KINDS, ComposeCommands, ComposerWindow
from realmail_desktop.ui.desktop.settings_commands import SettingsCommands
from realmail_desktop.ui.dialogs.account_setup_dialog import AccountSetup
from realmail_desktop.ui.dialogs.error_dialog import show_bug, show_known_error
from realmail_desktop.ui.icons import app_icon
from realmail_desktop.ui.models.folder_tree import FolderTreeModel
from realmail_desktop.ui.models.message_list import MessageListModel
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.roles import FolderItemRole, MessageColumn
from realmail_desktop.ui.sync_control import SyncControl
from realmail_desktop.ui.views.account_banner import AccountBanner
from realmail_desktop.ui.views.account_commands import AccountCommands
from realmail_desktop.ui.views.drive_commands import DriveCommands
from realmail_desktop.ui.views.drive_upload_strip import DriveUploadStrip
from realmail_desktop.ui.views.folder_commands import FolderCommands
from realmail_desktop.ui.views.folder_tree_view import FolderTreeView
from realmail_desktop.ui.views.message_commands import MessageCommands
from realmail_desktop.ui.views.message_list_view import MessageListView
from realmail_desktop.ui.views.message_search import MessageSearch
from realmail_desktop.ui.views.reader_pane import ReaderPane
from realmail_desktop.ui.views.reader_window import ReaderWindow
from realmail_desktop.ui.views.search_bar import SearchBar
from realmail_desktop.ui.views.status_bar import SUMMARY_MS, TaskStatusBar
from realmail_desktop.ui.views.window_actions import WindowActions

if TYPE_CHECKING:  # the bridge loads python-telegram-bot: only when the app turns it on
    from realmail_desktop.bridges.telegram import TelegramBridge
    from realmail_desktop.core.events import EventBus
    from realmail_desktop.sorting import SortingService, Unsubscriber
    from realmail_desktop.ui.views.sorting_commands import SortingCommands
    from realmail_desktop.ui.views.telegram_commands import TelegramCommands

# Above this many selected rows the window stops reading every selected message to label its actions
# (and to remember the selection by id): Ctrl+A on a big folder must stay instant.
_DETAILED_SELECTION = 200


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
    telegram_commands: TelegramCommands | None = None  # Tools ▸ Telegram bridge…, once the app calls set_telegram

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

        self.folder_model = FolderTreeModel(store.reader, self)
        self.folder_view = FolderTreeView(self.folder_model, store.reader.inbox_ids, self)

        self.message_model = MessageListModel(store.reader, parent=self)
        self.message_list = MessageListView(self.message_model, self)
        self.reader_stack = ReaderPane(
            store,
            ops,
            self.message_model,
            self,
            fetch_body=sync.fetch_body if sync is not None else None,
            # settings_commands and compose are made in _connect, after the panes they serve
            mark_read_later=lambda ids, still: self.settings_commands.mark_read_later(ids, still),  # noqa: PLW0108
        )
        self.reader, self.conversation = self.reader_stack.reader, self.reader_stack.conversation
        self._grouped = False  # View → Group by conversation (for this window's session)
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
            current_account=self.folder_view.current_account_id,
            select_folder=self.select_folder,
        )
        self.account_commands = AccountCommands(
            self,
            store,
            sync,
            ops,
            current_account=self.folder_view.current_account_id,
            current_folder=self.current_folder_id,
            bridge=bridge,
            secrets=self._secrets,
            setup=account_setup,
            edit_identities=lambda account_id: self.compose.edit_identities(account_id),  # noqa: PLW0108
        )
        self.message_commands = MessageCommands(
            self, store, ops, self.message_list, current_folder=self.current_folder_id
        )
        self._connect(bridge)
        self.folder_view.select_start_folder()
        self._update_message_actions()
        self.resize(1280, 800)

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
        self.message_list.selectionModel().selectionChanged.connect(self._on_message_selection_changed)
        self.message_model.reloaded.connect(self._on_message_model_reloaded)
        self.message_list.doubleClicked.connect(lambda _index: self.open_in_window())
        self.message_list.horizontalHeader().sortIndicatorChanged.connect(lambda *_: self._update_sort_actions())

        a = self.window_actions
        accounts = self.account_commands
        a.add_account.triggered.connect(lambda _checked=False: accounts.set_up_account())
        a.arrange_accounts.triggered.connect(lambda _checked=False: accounts.arrange_accounts())
        self.account_banner.signInRequested.connect(accounts.sign_in_again)
        a.check_mail.triggered.connect(self.check_for_mail)
        a.add_account.setEnabled(accounts.can_add_account())
        a.check_mail.setEnabled(self._sync is not None)
        a.import_mail.triggered.connect(self.folder_commands.import_mail)
        a.export_folder.triggered.connect(self.folder_commands.export_folder)
        a.quit.triggered.connect(self.quit)
        self._quitting = False  # File ▸ Quit closes for good; the title bar may only hide (close to tray)
        m = self.message_commands
        for action, command in (
            (a.toggle_read, m.toggle_read),
            (a.toggle_star, m.toggle_star),
            (a.delete, m.delete_selected),
            (a.move_to, m.move_selected),
            (a.label, m.label_selected),
            (a.archive, m.archive_selected),
        ):
            action.triggered.connect(command)
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
        a.unsubscribe_folder.triggered.connect(lambda _checked=False: accounts.unsubscribe())
        a.account_settings.triggered.connect(lambda _checked=False: accounts.open_settings_with_extras())
        a.manage_folders.triggered.connect(lambda _checked=False: accounts.manage_folders())
        self.folder_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.folder_view.customContextMenuRequested.connect(self.show_folder_menu)
        for column, action in a.sort_by.items():
            action.triggered.connect(lambda _checked=False, c=column: self.message_list.sort_by(c))
        a.group_threads.toggled.connect(self.set_grouped)
        self.conversation.moveRequested.connect(self._move_to_thread)
        a.about.triggered.connect(self.show_about)
        self._update_sort_actions()

    def _connect_desktop(self, a: WindowActions) -> None:
        """Settings, the shortcuts sheet and applying saved settings (ui/desktop/settings_commands.py)."""
        self.settings_commands = SettingsCommands(self, self._store, self._ops)
        a.settings.triggered.connect(lambda _checked=False: self.settings_commands.open_settings())
        a.shortcuts_sheet.triggered.connect(lambda _checked=False: self.settings_commands.show_shortcuts())
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
        return self.folder_view.current_folder_id()

    def _compose_account_id(self) -> int | None:
        """New mail is written from Settings ▸ General's default account, else the folder in view's."""
        return self.settings_commands.default_account() or self.folder_view.current_account_id()

    def select_folder(self, folder_id: int) -> None:
        """Make a folder current (and list its messages); if the tree does not show it yet, do so once it does."""
        self.folder_view.select_folder(folder_id)

    def _on_folder_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.message_search.set_folder_query(self._grouped_query(self.folder_model.query(current)))
        is_folder = self.folder_model.folder_id(current) is not None
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

    # --- message selection --------------------------------------------------------------------------
    def _on_message_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        count = self.message_list.selected_count()
        self._current_id = self.message_list.current_id()
        self._selected_ids = self.message_list.selected_ids() if count <= _DETAILED_SELECTION else []
        self._update_message_actions()
        if count == 1 and self._selected_ids:
            thread = isinstance(self.message_model.summary_at(self.message_list.currentIndex().row()), ThreadSummary)
            self.reader_stack.show_row(self._selected_ids[0], thread=thread)
        elif count == 0:
            self.reader_stack.show_nothing()

    def _on_message_model_reloaded(self) -> None:
        if not self.message_list.select_ids(self._selected_ids, self._current_id):
            self.message_list.clearSelection()
            self.reader_stack.show_nothing()

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

    def _move_to_thread(self, step: int) -> None:
        """j/k in the conversation view: the next/previous row of the list."""
        row = max(0, self.message_list.currentIndex().row() + step)
        if row < self.message_model.rowCount():
            self.message_list.select_row(row)

    def _update_message_actions(self) -> None:
        a = self.window_actions
        count = self.message_list.selected_count()
        for action in a.message_actions:
            action.setEnabled(count > 0)
        a.open_window.setEnabled(self._current_id is not None)
        for action in a.answer_actions:
            action.setEnabled(self._current_id is not None)
        summaries = self.message_commands.selected_summaries() if 0 < count <= _DETAILED_SELECTION else []
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

    def open_in_window(self) -> ReaderWindow | None:
        current = self._current_id
        row = self.message_model.row_of(current) if current is not None else None
        summary = self.message_model.summary_at(row) if row is not None else None
        if summary is None:
            return None
        if summary.is_draft or self._store.reader.drafts.is_draft_row(summary.id):
            self.compose.open_draft(summary.id)  # a draft opens where it can be finished
            return None
        window = self._reader_window(summary)
        window.show()
        return window

    def _reader_window(self, summary: MessageSummary) -> ReaderWindow:
        """A message in a window of its own (from the list or a notification), with the reading settings, the
        answer menu and, once the app gave Drive, Save to Drive."""
        fetch_body = self._sync.fetch_body if self._sync is not None else None
        window = ReaderWindow(self._store, self._ops, summary, self, fetch_body=fetch_body)
        self.settings_commands.adopt_reader(window.reader)
        self.compose.add_answer_menu(window, lambda: window.reader.message_id)
        if self.drive_commands is not None:
            self.drive_commands.adopt_reader(window.reader)
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
            current_account=self.folder_view.current_account_id,
            drive_access=self.account_commands.drive_access if self._account_setup is not None else None,
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
        from realmail_desktop.ui.views.telegram_commands import TelegramCommands  # python-telegram-bot: on demand

        action = self.window_actions.telegram_settings
        self.telegram_commands = TelegramCommands(
            self, self._store, self._ops, service, bus=bus, secrets=self._secrets, settings_action=action
        )

    def new_message(self) -> None:
        """Message ▸ New message (Ctrl+N): plain text when Settings ▸ Composing says so."""
        self._plain_next = self.settings_commands.settings.compose_plain
        self.compose.new_message()

    def _on_composer_opened(self, composer: ComposerWindow) -> None:
        if self._plain_next:
            self._plain_next = False
            composer.plain_action.setChecked(True)

    def open_message(self, message_id: int) -> ReaderWindow | None:
        """A notification was clicked: bring the window up on the message's folder and open it in a window."""
        summary = self._store.reader.message(message_id)
        self.show_and_raise()
        if summary is None:
            return None
        self.select_folder(summary.folder_id)
        window = self._reader_window(summary)
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
