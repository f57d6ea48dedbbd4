"""DesktopShell: the tray icon and new-mail notifications wired to the main window (built by app/gui.py).

The tray's menu drives the window (Open, Compose, Check mail now, Pause notifications, Quit); a clicked
notification opens its message. Where the desktop has no tray the status bar says so once and the window
works as before (closing it then quits: "close to tray" needs a tray).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject

from realmail_desktop.core.events import EventBus
from realmail_desktop.sorting.events import RuleNotification
from realmail_desktop.store import StoreReader
from realmail_desktop.ui.desktop.notifications import NewMailNotifier
from realmail_desktop.ui.desktop.notify_policy import Viewing
from realmail_desktop.ui.desktop.tray import Tray
from realmail_desktop.ui.qtbridge import EventBridge

if TYPE_CHECKING:
    from realmail_desktop.ui.views.main_window import MainWindow

NO_TRAY = str(  # marked for pyside6-lupdate; translated where shown
    QT_TRANSLATE_NOOP(
        "DesktopShell",
        "This desktop has no system tray: RealMail shows no tray icon, and closing the window quits.",
    )
)


class DesktopShell(QObject):
    def __init__(
        self,
        window: MainWindow,
        reader: StoreReader,
        bridge: EventBridge,
        *,
        bus: EventBus | None = None,
        tray: Tray | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.tray = tray if tray is not None else Tray(self)
        window.settings_commands.tray_available = self.tray.available
        self.notifier = NewMailNotifier(
            reader,
            self.tray,
            settings=lambda: window.settings_commands.settings,
            viewing=self.viewing,
            parent=self,
        )
        bridge.storeChanged.connect(self.notifier.on_store_changed)
        # A rule's "notify" action (sorting/events.py); the bus delivers on the GUI thread (qasync).
        self._unsubscribe = bus.subscribe(RuleNotification, self.notifier.on_rule_notification) if bus else None
        self.tray.openRequested.connect(window.show_and_raise)
        self.tray.composeRequested.connect(window.new_message)
        self.tray.checkRequested.connect(window.check_for_mail)
        self.tray.quitRequested.connect(window.quit)
        self.notifier.openMessage.connect(window.open_message)
        self.notifier.openInbox.connect(window.show_and_raise)
        if not self.tray.available:
            window.statusBar().showMessage(QCoreApplication.translate("DesktopShell", NO_TRAY), 15_000)

    def viewing(self) -> Viewing:
        """The folders the window lists, and whether the person can see them right now."""
        window = self._window
        query = window.message_model.query
        active = window.isVisible() and not window.isMinimized() and window.isActiveWindow()
        return Viewing(frozenset(query.folder_ids) if query is not None else frozenset(), active)

    def close(self) -> None:
        """At shutdown: take the icon off the tray (else it lingers on some desktops until hovered)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.tray.hide()
        self.tray.menu.deleteLater()
