"""SettingsCommands: the main window's desktop settings — Tools ▸ Settings…, Help ▸ Keyboard shortcuts, and
applying what was saved at once (reader plain text and remote content, mark-as-read delay, the look).

Signals: settingsApplied(DesktopSettings) after saved settings took effect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

from realmail_desktop.store import Store
from realmail_desktop.ui.desktop.desktop_settings import DesktopSettings, RemoteContent, load_settings
from realmail_desktop.ui.desktop.look import apply_color_scheme
from realmail_desktop.ui.dialogs.settings_dialog import SettingsDialog
from realmail_desktop.ui.dialogs.shortcuts_dialog import ShortcutsDialog
from realmail_desktop.ui.ops import Ops

if TYPE_CHECKING:
    from realmail_desktop.ui.views.main_window import MainWindow
    from realmail_desktop.ui.views.message_reader import MessageReader


class SettingsCommands(QObject):
    settingsApplied = Signal(object)

    def __init__(self, window: MainWindow, store: Store, ops: Ops) -> None:
        super().__init__(window)
        self._window = window
        self._store = store
        self._ops = ops
        self.tray_available = False  # the app sets it once it knows whether the desktop has a tray
        self.settings = load_settings(store.reader.preferences.text)
        self._read_timer = QTimer(self)
        self._read_timer.setSingleShot(True)
        self._read_timer.timeout.connect(self._mark_pending_read)
        self._pending: tuple[list[int], Callable[[], bool]] | None = None
        self.apply(self.settings, look=False)  # the app applies the look (tests keep the default palette)

    # --- Tools ▸ Settings… ------------------------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        window = self._window
        dialog = SettingsDialog(self._store, self._ops, self.settings, window, tray_available=self.tray_available)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        actions = window.window_actions
        dialog.accountSettingsRequested.connect(actions.account_settings.trigger)
        dialog.arrangeAccountsRequested.connect(actions.arrange_accounts.trigger)
        dialog.driveRequested.connect(actions.drive_settings.trigger)
        dialog.telegramRequested.connect(actions.telegram_settings.trigger)
        dialog.identitiesRequested.connect(self._edit_identities)
        dialog.settingsSaved.connect(self.apply)
        dialog.open()
        return dialog

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help ▸ Keyboard shortcuts (?): the sheet, generated from the window's actions."""
        dialog = ShortcutsDialog(self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _edit_identities(self) -> None:
        window = self._window
        account = self.default_account() or next(
            (a.id for a in self._store.reader.accounts() if "@" in a.address), None
        )
        if account is not None:
            window.compose.edit_identities(account)

    # --- applying ---------------------------------------------------------------------------------
    def apply(self, settings: DesktopSettings, *, look: bool = True) -> None:
        """Make `settings` take effect in the window at once."""
        self.settings = settings
        for reader in (self._window.reader, *(w.reader for w in self._window.reader_windows())):
            self.adopt_reader(reader)
        if look:
            self.apply_look()
        self.settingsApplied.emit(settings)

    def adopt_reader(self, reader: MessageReader) -> None:
        """Settings ▸ Reading for one reader (the window's, or a message's own window)."""
        reader.reader_actions.plain_text.setChecked(self.settings.plain_text)
        reader.load_remote_always = self.settings.remote_content is RemoteContent.LOAD

    def apply_look(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_color_scheme(app, self.settings.color_scheme)

    def default_account(self) -> int | None:
        """Settings ▸ General's account for new mail, when it still exists; else the folder in view's."""
        chosen = self.settings.default_account
        if chosen and any(a.id == chosen for a in self._store.reader.accounts()):
            return chosen
        return None

    def keep_running_in_tray(self) -> bool:
        """Whether closing the window only hides it (close to tray, where there is a tray)."""
        return self.tray_available and self.settings.close_to_tray

    # --- mark as read -----------------------------------------------------------------------------
    def mark_read_later(self, ids: list[int], still_shown: Callable[[], bool]) -> None:
        """Mark messages just shown as read: at once, after Settings ▸ Reading's delay if they are still
        shown then, or never (-1)."""
        self._read_timer.stop()
        self._pending = None
        delay = self.settings.mark_read_delay
        if delay < 0 or not ids:
            return
        self._pending = (ids, still_shown)
        if delay == 0:
            self._mark_pending_read()
        else:
            self._read_timer.start(delay * 1000)

    def _mark_pending_read(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and pending[1]():
            self._ops.run(self._store.messages.set_seen(pending[0], True), label="Mark as read")
