"""Tray: the system tray icon with the unread badge and its menu, plus the taskbar/dock unread count.

Where the desktop has no tray (offscreen, bare X servers, some GNOME sessions) `available` is False, the
app logs that once and everything here turns into a no-op apart from the menu's actions (tests drive them).
The taskbar/dock count uses `QGuiApplication.setBadgeNumber` (Qt ≥ 6.5: macOS dock, Windows taskbar, and on
Linux the Unity LauncherEntry D-Bus API that KDE Plasma and Dash-to-Dock read); elsewhere Qt ignores it.

Signals: openRequested(), composeRequested(), checkRequested(), quitRequested(), pauseToggled(bool paused),
messageClicked() — the person clicked the last notification balloon.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QColor, QFont, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from realmail_desktop.core.logs import get_logger
from realmail_desktop.ui.desktop.notify_policy import Notification, badge_text
from realmail_desktop.ui.icons import app_icon

_log = get_logger("ui.tray")
_BADGE_SIZE = 64


def badged_icon(icon: QIcon, text: str, size: int = _BADGE_SIZE) -> QIcon:
    """`icon` with `text` (the unread count) painted on a red disc in its top-right corner."""
    pixmap = icon.pixmap(size, size)
    if not text:
        return QIcon(pixmap)
    badge = QPixmap(pixmap)
    painter = QPainter(badge)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    diameter = size * (0.62 if len(text) < 3 else 0.72)  # "99+" needs a wider disc
    disc = QRectF(size - diameter, 0, diameter, diameter)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#d93025"))
    painter.drawEllipse(disc)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(diameter * (0.6 if len(text) == 1 else 0.45)))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(disc, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(badge)


def badge_pixel(icon: QIcon, size: int = _BADGE_SIZE) -> QColor:
    """The colour inside the badge's disc, above its text (tests check the badge was painted)."""
    image = icon.pixmap(size, size).toImage()
    probe = QPointF(size * 0.67, size * 0.06)
    return image.pixelColor(int(probe.x()), int(probe.y()))


class Tray(QObject):
    openRequested = Signal()
    composeRequested = Signal()
    checkRequested = Signal()
    quitRequested = Signal()
    pauseToggled = Signal(bool)
    messageClicked = Signal()

    def __init__(self, parent: QObject | None = None, *, available: bool | None = None) -> None:
        super().__init__(parent)
        self.available = QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        self._base = app_icon("realmail")
        self.unread = 0
        self.icon = self._base
        self.menu = QMenu()
        self.menu.setAccessibleName(self.tr("RealMail tray menu"))
        self.open_action = self._add(self.tr("&Open RealMail"), self.openRequested)
        self.compose_action = self._add(self.tr("&Compose"), self.composeRequested)
        self.check_action = self._add(self.tr("Check &mail now"), self.checkRequested)
        self.pause_action = QAction(self.tr("&Pause notifications for 1 hour"), self.menu)
        self.pause_action.setCheckable(True)
        self.pause_action.toggled.connect(self.pauseToggled.emit)
        self.menu.addAction(self.pause_action)
        self.menu.addSeparator()
        self.quit_action = self._add(self.tr("&Quit"), self.quitRequested)
        self._icon: QSystemTrayIcon | None = None
        if self.available:
            self._icon = QSystemTrayIcon(self._base, self)
            self._icon.setContextMenu(self.menu)
            self._icon.setToolTip("RealMail")
            self._icon.activated.connect(self._on_activated)
            self._icon.messageClicked.connect(self.messageClicked.emit)
            self._icon.show()
        else:
            _log.info("this desktop has no system tray: RealMail runs without a tray icon")

    def _add(self, text: str, signal: SignalInstance) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(lambda _checked=False: signal.emit())
        self.menu.addAction(action)
        return action

    def set_unread(self, count: int) -> None:
        """Show `count` unread messages on the tray icon and, where the platform has one, the taskbar/dock."""
        if count == self.unread and self.icon is not self._base:
            return
        self.unread = count
        self.icon = badged_icon(self._base, badge_text(count))
        tip = self.tr("RealMail — %n unread", "", count) if count else "RealMail"
        if self._icon is not None:
            self._icon.setIcon(self.icon)
            self._icon.setToolTip(tip)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication) and hasattr(app, "setBadgeNumber"):
            app.setBadgeNumber(max(0, count))

    def set_paused(self, paused: bool) -> None:
        self.pause_action.setChecked(paused)

    def show_notification(self, notification: Notification) -> bool:
        """The notification as a tray balloon/desktop notification; False where there is no tray to show it."""
        if self._icon is None or not QSystemTrayIcon.supportsMessages():
            return False
        self._icon.showMessage(notification.title, notification.body, self.icon, 10_000)
        return True

    def hide(self) -> None:
        if self._icon is not None:
            self._icon.hide()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.openRequested.emit()
