"""The main window's actions (with their shortcuts), menus and toolbar; MainWindow connects what they do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup, QIcon, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar, QWidget

from realmail_desktop.ui.icons import app_icon, theme_icon
from realmail_desktop.ui.roles import MessageColumn

if TYPE_CHECKING:
    from realmail_desktop.ui.views.reader_actions import ReaderActions


class WindowActions:
    """Every QAction of the main window, grouped by menu.

    Shortcuts follow Thunderbird where it has one: M toggles read, S stars, Delete deletes, Ctrl+Shift+M
    moves, Return opens in a window. Delete and Return act only while the message list has focus (in the
    folder tree or a dialog those keys mean something else); M and S act anywhere in the window.
    """

    def __init__(self, window: QMainWindow, message_list: QWidget) -> None:  # noqa: PLR0915 (one line per action)
        self._window = window
        self.add_account = self._make(
            QCoreApplication.translate("WindowActions", "&Add account…"), "Ctrl+Shift+A", app_icon("account-add")
        )
        self.check_mail = self._make(
            QCoreApplication.translate("WindowActions", "&Check for new mail"), "F5", app_icon("get-mail")
        )
        self.import_mail = self._make(
            QCoreApplication.translate("WindowActions", "&Import mail…"), "Ctrl+I", app_icon("import")
        )
        self.export_folder = self._make(
            QCoreApplication.translate("WindowActions", "&Export folder…"), "Ctrl+E", app_icon("export")
        )
        self.quit = self._make(
            QCoreApplication.translate("WindowActions", "&Quit"), "Ctrl+Q", theme_icon("application-exit")
        )
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.toggle_read = self._make(
            QCoreApplication.translate("WindowActions", "Mark as &Read"), "M", app_icon("mark-read")
        )
        self.toggle_star = self._make(
            QCoreApplication.translate("WindowActions", "&Star"), "S", app_icon("star-outline")
        )
        self.delete = self._make(
            QCoreApplication.translate("WindowActions", "&Delete"), QKeySequence.StandardKey.Delete, app_icon("delete")
        )
        self.move_to = self._make(
            QCoreApplication.translate("WindowActions", "&Move to…"), "Ctrl+Shift+M", app_icon("move")
        )
        self.open_window = self._make(
            QCoreApplication.translate("WindowActions", "&Open in window"), "Return", theme_icon("window-new")
        )
        self.open_window.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        for action in (self.delete, self.open_window):
            # Not on the window: an action's shortcut context is matched against every widget it is on.
            self._window.removeAction(action)
            message_list.addAction(action)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # Writing (ui/compose/): Thunderbird's keys.
        self.new_message = self._make(
            QCoreApplication.translate("WindowActions", "&New message"), "Ctrl+N", theme_icon("mail-message-new")
        )
        self.reply = self._make(
            QCoreApplication.translate("WindowActions", "&Reply"), "Ctrl+R", theme_icon("mail-reply-sender")
        )
        self.reply_all = self._make(
            QCoreApplication.translate("WindowActions", "Reply &all"), "Ctrl+Shift+R", theme_icon("mail-reply-all")
        )
        self.reply_list = self._make(
            QCoreApplication.translate("WindowActions", "Reply to &list"), "Ctrl+Shift+L", theme_icon("mail-reply-list")
        )
        self.forward = self._make(
            QCoreApplication.translate("WindowActions", "&Forward"), "Ctrl+L", theme_icon("mail-forward")
        )
        self.forward_attachment = self._make(
            QCoreApplication.translate("WindowActions", "Forward as a&ttachment"), None
        )
        self.edit_as_new = self._make(QCoreApplication.translate("WindowActions", "&Edit as new message"), None)
        self.new_folder = self._make(
            QCoreApplication.translate("WindowActions", "&New folder…"), None, app_icon("folder-new")
        )
        self.rename_folder = self._make(QCoreApplication.translate("WindowActions", "&Rename…"), "F2")
        self.delete_folder = self._make(QCoreApplication.translate("WindowActions", "&Delete…"), None)
        self.empty_trash = self._make(
            QCoreApplication.translate("WindowActions", "&Empty Trash…"), None, app_icon("trash")
        )
        self.unsubscribe_folder = self._make(QCoreApplication.translate("WindowActions", "&Unsubscribe"), None)
        self.account_settings = self._make(
            QCoreApplication.translate("WindowActions", "&Settings…"), None, theme_icon("preferences-system")
        )
        self.manage_folders = self._make(QCoreApplication.translate("WindowActions", "&Manage folders…"), None)
        self.arrange_accounts = self._make(
            QCoreApplication.translate("WindowActions", "&Arrange accounts…"), None
        )  # rename, reorder, colour
        self.drive_settings = self._make(
            QCoreApplication.translate("WindowActions", "&Google Drive…"), None
        )  # on once the app has Drive (drive_commands.py)
        self.drive_settings.setEnabled(False)
        self.telegram_settings = self._make(
            QCoreApplication.translate("WindowActions", "&Telegram bridge…"), None
        )  # on once the app has the bridge
        self.telegram_settings.setEnabled(False)
        self._make_sorting_actions()
        self.sort_group = QActionGroup(window)
        self.sort_group.setExclusive(True)
        self.sort_by: dict[MessageColumn, QAction] = {}
        for column, text in (
            (MessageColumn.DATE, QCoreApplication.translate("WindowActions", "Sort by &Date")),
            (MessageColumn.SENDER, QCoreApplication.translate("WindowActions", "Sort by S&ender")),
            (MessageColumn.SUBJECT, QCoreApplication.translate("WindowActions", "Sort by Su&bject")),
        ):
            action = self._make(text, None)
            action.setCheckable(True)
            action.setData(int(column))
            self.sort_group.addAction(action)
            self.sort_by[column] = action
        # Remembered for the window's session (the window keeps it across folders), not across restarts.
        self.group_threads = self._make(QCoreApplication.translate("WindowActions", "Group by &conversation"), None)
        self.group_threads.setCheckable(True)
        # Ctrl+F and / (Gmail's key) focus the search box; typing "/" in a text field still types it.
        self.find = self._make(
            QCoreApplication.translate("WindowActions", "&Search…"), "Ctrl+F", theme_icon("edit-find")
        )
        self.find.setShortcuts([QKeySequence("Ctrl+F"), QKeySequence("/")])
        self._make_desktop_actions()
        self.about = self._make(
            QCoreApplication.translate("WindowActions", "&About RealMail"), None, theme_icon("help-about")
        )
        self.about.setMenuRole(QAction.MenuRole.AboutRole)

    def _make_sorting_actions(self) -> None:
        """Rules, the junk filter, unsubscribe: off until ui/views/sorting_commands.py turns them on."""
        self.rules = self._make(QCoreApplication.translate("WindowActions", "&Rules…"), None)
        self.mark_junk = self._make(
            QCoreApplication.translate("WindowActions", "Mark as &junk"), "!"
        )  # Gmail's key (J moves down the list here)
        self.not_junk = self._make(QCoreApplication.translate("WindowActions", "&Not junk"), None)
        self.unsubscribe_list = self._make(QCoreApplication.translate("WindowActions", "Unsubscribe from &list…"), None)
        for action in (self.rules, self.mark_junk, self.not_junk, self.unsubscribe_list):
            action.setEnabled(False)

    def _make_desktop_actions(self) -> None:
        """Gmail's keys next to Thunderbird's, Settings, and the shortcuts sheet."""
        self.toggle_read.setShortcuts([QKeySequence("M"), QKeySequence("U")])  # U: Gmail's "mark unread"
        # E: Gmail's archive — to the account's Archive folder (All Mail on Gmail).
        self.archive = self._make(QCoreApplication.translate("WindowActions", "&Archive"), "E", app_icon("archive"))
        self.label = self._make(
            QCoreApplication.translate("WindowActions", "&Label…"), "L"
        )  # Gmail's key: add or take off labels (Gmail accounts)
        self.settings = self._make(
            QCoreApplication.translate("WindowActions", "Se&ttings…"), "Ctrl+,", theme_icon("preferences-system")
        )
        self.settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        # The sheet is generated from these actions (ui/dialogs/shortcuts_dialog.py); ? is Gmail's key for it.
        self.shortcuts_sheet = self._make(QCoreApplication.translate("WindowActions", "&Keyboard shortcuts"), "?")
        self.shortcuts_sheet.setShortcuts([QKeySequence("?"), QKeySequence("Ctrl+/")])

    @property
    def answer_actions(self) -> tuple[QAction, ...]:
        """What answers the current message (enabled with one selected)."""
        return (
            self.reply,
            self.reply_all,
            self.reply_list,
            self.forward,
            self.forward_attachment,
            self.edit_as_new,
        )

    @property
    def message_actions(self) -> tuple[QAction, ...]:
        return (self.toggle_read, self.toggle_star, self.delete, self.move_to, self.open_window)

    def build_menus(self, reader: ReaderActions | None = None) -> None:
        bar = self._window.menuBar()
        file_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "&File"))
        file_menu.addActions([self.add_account, self.check_mail])
        file_menu.addSeparator()
        file_menu.addActions([self.import_mail, self.export_folder])
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        message_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "&Message"))
        message_menu.addAction(self.new_message)
        message_menu.addActions([*self.answer_actions])
        message_menu.addSeparator()
        message_menu.addActions([self.toggle_read, self.toggle_star])
        message_menu.addSeparator()
        message_menu.addActions([self.archive, self.move_to, self.label, self.delete])
        message_menu.addActions([self.mark_junk, self.not_junk, self.unsubscribe_list])
        message_menu.addSeparator()
        message_menu.addAction(self.open_window)
        folder_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "F&older"))
        folder_menu.addActions([self.new_folder, self.rename_folder, self.delete_folder])
        folder_menu.addAction(self.unsubscribe_folder)
        folder_menu.addSeparator()
        folder_menu.addAction(self.empty_trash)
        account_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "&Account"))
        account_menu.addActions([self.account_settings, self.manage_folders, self.arrange_accounts])
        account_menu.addAction(self.drive_settings)
        view_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "&View"))
        view_menu.addAction(self.find)
        view_menu.addSeparator()
        view_menu.addActions(list(self.sort_by.values()))
        view_menu.addSeparator()
        view_menu.addAction(self.group_threads)
        if reader is not None:
            reader.add_to_menu(view_menu, section=True)  # plain text, source, zoom, print
        tools_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "&Tools"))
        tools_menu.addAction(self.rules)
        tools_menu.addAction(self.telegram_settings)
        tools_menu.addSeparator()
        tools_menu.addAction(self.settings)
        help_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "&Help"))
        help_menu.addAction(self.shortcuts_sheet)
        help_menu.addAction(self.about)

    def build_toolbar(self) -> QToolBar:
        toolbar = QToolBar(QCoreApplication.translate("WindowActions", "Main toolbar"), self._window)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.check_mail)
        toolbar.addSeparator()
        toolbar.addActions([self.new_message, self.reply, self.reply_all, self.forward])
        toolbar.addSeparator()
        toolbar.addActions([self.import_mail, self.export_folder])
        toolbar.addSeparator()
        toolbar.addActions([self.toggle_read, self.toggle_star, self.move_to, self.delete])
        self._window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        return toolbar

    def _make(
        self,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        icon: QIcon | None = None,
    ) -> QAction:
        action = QAction(text, self._window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None and not icon.isNull():
            action.setIcon(icon)
        # Plain-text tool tips: Qt derives them from the text, keeping the & mnemonic and dropping the key.
        tip = text.replace("&", "")
        if not action.shortcut().isEmpty():
            tip = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        self._window.addAction(action)
        return action
