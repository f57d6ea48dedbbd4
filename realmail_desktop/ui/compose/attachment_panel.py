"""AttachmentPanel: the composer's attached files — name and size each, the total, and the account's size limit.

Signals: changed() — a file was added or removed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from realmail_desktop.mail.compose import FileAttachment

DEFAULT_SIZE_LIMIT = 25 * 1024 * 1024  # what most providers accept (Gmail, Outlook.com: 20–25 MB)
# Base64 makes an attachment a third bigger on the wire, and the limit applies to the message sent.
WIRE_FACTOR = 4 / 3


def human_size(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


class AttachmentPanel(QWidget):
    changed = Signal()

    def __init__(self, size_limit: int = DEFAULT_SIZE_LIMIT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._files: list[FileAttachment] = []
        self.size_limit = size_limit
        self.list = QListWidget(self)
        self.list.setObjectName("attachmentList")
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
        item = QListWidgetItem(f"{attachment.filename} ({human_size(len(attachment.data))})")
        item.setData(Qt.ItemDataRole.UserRole, len(self._files) - 1)
        self.list.addItem(item)
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

    def total_size(self) -> int:
        return sum(len(f.data) for f in self._files)

    def over_limit(self, extra: int = 0) -> bool:
        """Whether the message would be bigger than the account accepts (attachments as sent, base64)."""
        return (self.total_size() + extra) * WIRE_FACTOR > self.size_limit

    def _refresh(self) -> None:
        self.setVisible(bool(self._files))
        count = len(self._files)
        total = human_size(self.total_size())
        if count == 1:
            text = self.tr("{count} attachment, {total}").format(count=count, total=total)
        else:
            text = self.tr("{count} attachments, {total}").format(count=count, total=total)
        if self.over_limit():
            text += self.tr(" — more than this account accepts ({limit})").format(limit=human_size(self.size_limit))
            self.total_label.setStyleSheet("color: #c0392b; font-weight: bold;")
        else:
            self.total_label.setStyleSheet("")
        self.total_label.setText(text)
