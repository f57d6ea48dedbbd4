"""Telegram commands of the main window: Tools ▸ Telegram bridge… opens the bridge's settings dialog.

The window imports this module only when the app turns the bridge on (the dialog loads python-telegram-bot).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from realmail_desktop.auth import SecretStore
from realmail_desktop.bridges.telegram import TelegramBridge
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Store
from realmail_desktop.ui.dialogs.telegram_dialog import TelegramDialog
from realmail_desktop.ui.ops import Ops


class TelegramCommands(QObject):
    """Turns `settings_action` on and opens the settings dialog (window-modal) each time it is triggered."""

    def __init__(
        self,
        window: QWidget,
        store: Store,
        ops: Ops,
        service: TelegramBridge,
        *,
        bus: EventBus,
        secrets: SecretStore,
        settings_action: QAction,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._store, self._ops, self._service, self._bus, self._secrets = store, ops, service, bus, secrets
        settings_action.setEnabled(True)
        settings_action.triggered.connect(lambda _checked=False: self.open_settings())

    def open_settings(self) -> TelegramDialog:
        dialog = TelegramDialog(
            self._store, self._ops, self._service, self._secrets, bus=self._bus, parent=self._window
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
