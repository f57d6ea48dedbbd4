"""AttachmentPanel: the composer's attached files — name and size each, the total, and the account's size limit
(the files one message may carry, from the size its server announces: store/message_size.py);
a file that will go as a Google Drive link (the From account's Drive settings) says so and does not count
towards the limit.

Signals: changed() — a file was added or removed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from realmail_desktop.mail.compose import FileAttachment
from realmail_desktop.store import DriveSettings
from realmail_desktop.store.message_size import DEFAULT_ATTACHMENT_LIMIT
from realmail_desktop.ui.icons import app_icon

DEFAULT_SIZE_LIMIT = DEFAULT_ATTACHMENT_LIMIT  # until the From account's server has announced its limit
# The list item's role holding whether the file goes as a Drive link (for tests and screen readers alike).
DriveLinkRole = Qt.ItemDataRole.UserRole + 1


def human_size(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


class AttachmentPanel(QWidget):
    changed = Signal()

    def __init__(self, size_limit: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._files: list[FileAttachment] = []
        self._drive = DriveSettings()  # off until the composer has read the From account's settings
        self.size_limit = DEFAULT_SIZE_LIMIT if size_limit is None else size_limit
        self.follows_account = size_limit is None  # else a fixed limit (tests), which set_size_limit keeps
        self.list = QListWidget(self)
        self.list.setObjectName("attachmentList")
        self.list.setAccessibleName(self.tr("Attachments"))
        self.list.setMaximumHeight(90)
        self.total_label = QLabel(self)
        self.total_label.setObjectName("attachmentTotal")
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.remove_button.clicked.connect(self.remove_selected)
        row = QHBoxLayout()
        row.addWidget(self.total_label, 1)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(row)
        self._refresh()

    @property
    def files(self) -> tuple[FileAttachment, ...]:
        return tuple(self._files)

    def add(self, attachment: FileAttachment) -> None:
        self._files.append(attachment)
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, len(self._files) - 1)
        self.list.addItem(item)
        self._show_item(item, attachment)
        self._refresh()
        self.changed.emit()

    def remove_selected(self) -> None:
        rows = sorted((self.list.row(item) for item in self.list.selectedItems()), reverse=True)
        for row in rows:
            self.list.takeItem(row)
            del self._files[row]
        if rows:
            self._refresh()
            self.changed.emit()

    def set_drive(self, settings: DriveSettings | None) -> None:
        """The From account's Drive settings (None: it has none): which files go as links when sent."""
        self._drive = settings if settings is not None else DriveSettings()
        for row, attachment in enumerate(self._files):
            item = self.list.item(row)
            if item is not None:
                self._show_item(item, attachment)
        self._refresh()

    def set_size_limit(self, size_limit: int) -> None:
        """The files the From account's server takes in one message (DriveSettings.attachment_limit)."""
        if self.follows_account and size_limit != self.size_limit:
            self.size_limit = size_limit
            self._refresh()

    def sends_as_link(self, attachment: FileAttachment) -> bool:
        return self._drive.sends_as_link(len(attachment.data))

    def drive_links(self) -> tuple[FileAttachment, ...]:
        """The files that will leave as Google Drive links instead of inside the message."""
        return tuple(f for f in self._files if self.sends_as_link(f))

    def total_size(self) -> int:
        return sum(len(f.data) for f in self._files)

    def mailed_size(self) -> int:
        """What goes inside the message: every file but those sent as Drive links."""
        return sum(len(f.data) for f in self._files if not self.sends_as_link(f))

    def over_limit(self, extra: int = 0) -> bool:
        """Whether the files in the message are more than the account accepts (the limit allows for base64)."""
        return self.mailed_size() + extra > self.size_limit

    def _show_item(self, item: QListWidgetItem, attachment: FileAttachment) -> None:
        shown = self.tr("{name} ({size})").format(name=attachment.filename, size=human_size(len(attachment.data)))
        if self.sends_as_link(attachment):
            item.setText(self.tr("{file} — Will be sent as a Drive link").format(file=shown))
            item.setIcon(app_icon("drive-link"))
            item.setToolTip(
                self.tr(
                    "Files of {threshold} or more go to your Google Drive when you send; the message carries a "
                    "link to the file instead."
                ).format(threshold=human_size(self._drive.threshold))
            )
            item.setData(DriveLinkRole, True)
        else:
            item.setText(shown)
            item.setIcon(QIcon())
            item.setToolTip("")
            item.setData(DriveLinkRole, False)

    def _refresh(self) -> None:
        self.setVisible(bool(self._files))
        count = len(self._files)
        total = human_size(self.total_size())
        if count == 1:
            text = self.tr("{count} attachment, {total}").format(count=count, total=total)
        else:
            text = self.tr("{count} attachments, {total}").format(count=count, total=total)
        links = len(self.drive_links())
        if links == 1:
            text += self.tr(" — 1 as a Drive link")
        elif links > 1:
            text += self.tr(" — {count} as Drive links").format(count=links)
        if self.over_limit():
            text += self.tr(" — more than this account accepts ({limit})").format(limit=human_size(self.size_limit))
            self.total_label.setStyleSheet("color: #c0392b; font-weight: bold;")
        else:
            self.total_label.setStyleSheet("")
        self.total_label.setText(text)
