"""AttachmentTile: one attachment in the bar — type icon or thumbnail, name, size, warning badge; drag starts here.

Signals: openRequested(), saveRequested(), saveAllRequested(), dragRequested() — the bar does the work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMimeDatabase, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QMouseEvent, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QToolButton, QWidget

from realmail_desktop.mail.attachment_checks import UNNAMED, CheckedPart
from realmail_desktop.mail.attachment_safety import SafetyVerdict
from realmail_desktop.mail.mime import AttachmentInfo
from realmail_desktop.ui.icons import app_icon

RawSource = Callable[[], Awaitable[bytes | None]]
"""Reads the raw RFC 5322 bytes of the message on screen (e.g. `StoreReader.raw_message` through the store)."""
TILE_ICON = 48


def human_size(size: int) -> str:
    """1234567 → "1.2 MB" (binary multiples, the way mail clients and file managers count)."""
    if size < 1024:
        return (
            QCoreApplication.translate("AttachmentTile", "{size} bytes").format(size=size)
            if size != 1
            else QCoreApplication.translate("AttachmentTile", "1 byte")
        )
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable")


def _type_icon(mime_type: str) -> QIcon:
    found = QMimeDatabase().mimeTypeForName(mime_type)
    fallback = app_icon("paperclip")
    if not found.isValid():
        return fallback
    return QIcon.fromTheme(found.iconName(), QIcon.fromTheme(found.genericIconName(), fallback))


def _with_badge(icon: QIcon, badge: QIcon) -> QIcon:
    pixmap = icon.pixmap(TILE_ICON, TILE_ICON)
    if pixmap.isNull():
        pixmap = QPixmap(TILE_ICON, TILE_ICON)
        pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    side = TILE_ICON // 2
    painter.drawPixmap(pixmap.width() - side, pixmap.height() - side, badge.pixmap(side, side))
    painter.end()
    return QIcon(pixmap)


class AttachmentTile(QToolButton):
    """One attachment: icon or thumbnail, name and size; click opens, the arrow menu saves; drag copies it out."""

    openRequested = Signal()
    saveRequested = Signal()
    saveAllRequested = Signal()
    dragRequested = Signal()

    def __init__(self, info: AttachmentInfo, source: RawSource, parent: QWidget) -> None:
        super().__init__(parent)
        self.info = info
        self.source = source  # its own message's, should the bar move on while a save is being chosen
        self.name = info.filename or UNNAMED
        self.verdict: SafetyVerdict | None = None
        self.payload: bytes | None = None
        self.has_thumbnail = False
        self.drag_copy: Path | None = None  # one private copy per tile, however often it is dragged
        self._press: QPoint | None = None
        self._icon = _type_icon(info.content_type)
        self.setObjectName("attachmentTile")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIconSize(QSize(TILE_ICON, TILE_ICON))
        self.setText(f"{self.name}\n{human_size(info.size)}")
        self.setIcon(self._icon)
        self.setToolTip(self.name)
        self.setAccessibleName(self.line())
        self.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QMenu(self)
        menu.addAction(self.tr("Open"), self.openRequested.emit)
        menu.addAction(self.tr("Save…"), self.saveRequested.emit)
        menu.addAction(self.tr("Save all…"), self.saveAllRequested.emit)
        self.setMenu(menu)
        self.clicked.connect(self.openRequested)

    def line(self) -> str:
        return f"{self.name} — {human_size(self.info.size)}"

    def set_checked_part(self, part: CheckedPart) -> None:
        self.verdict = part.verdict
        self.payload = part.payload
        if part.verdict.needs_confirmation:
            self.setProperty("warning", True)
            self.setToolTip(f"{self.name}\n⚠ {part.verdict.reason}")
        elif self.info.content_type != part.verdict.sniffed_type and not self.has_thumbnail:
            self._icon = _type_icon(part.verdict.sniffed_type)  # an icon for what it is, not what it claims
        self._show_icon()

    def set_thumbnail(self, pixmap: QPixmap) -> None:
        self.has_thumbnail = True
        self._icon = QIcon(pixmap)
        self._show_icon()

    def _show_icon(self) -> None:
        verdict = self.verdict
        if verdict is not None and verdict.needs_confirmation:
            self.setIcon(_with_badge(self._icon, self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)))
        else:
            self.setIcon(self._icon)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position().toPoint() if event.button() == Qt.MouseButton.LeftButton else None
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        start = self._press
        if start is not None and (event.position().toPoint() - start).manhattanLength() >= (
            QApplication.startDragDistance()
        ):
            self._press = None
            self.setDown(False)
            self.dragRequested.emit()
            return
        super().mouseMoveEvent(event)
