"""SourceWindow: the raw RFC 5322 text of one message in a monospace, read-only window (View ▸ Source)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QKeySequence
from PySide6.QtWidgets import QMainWindow, QPlainTextEdit, QWidget


def decode_source(raw: bytes) -> str:
    """Raw message bytes as text for reading (blocking for big messages: call it in a worker thread).

    Mail is 7-bit or UTF-8 far more often than anything else; other 8-bit bytes show as U+FFFD.
    """
    return raw.decode("utf-8", "replace").replace("\r\n", "\n")


class SourceWindow(QMainWindow):
    """A window of its own showing `source`; deletes itself when closed (Esc or Ctrl+W)."""

    def __init__(self, title: str, source: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("sourceWindow")
        self.setWindowTitle(self.tr("Source of “{title}” — RealMail").format(title=title or self.tr("(no subject)")))
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("messageSource")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setPlainText(source)
        self.setCentralWidget(self.text)
        close = self.addAction(self.tr("Close"))
        close.setShortcuts([QKeySequence(QKeySequence.StandardKey.Close), QKeySequence(Qt.Key.Key_Escape)])
        close.triggered.connect(self.close)
        self.resize(820, 640)
