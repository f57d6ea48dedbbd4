"""ReaderWindow: one message in a window of its own (Message ▸ Open in window)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QWidget

from realmail_desktop.store import MessageSummary, Store
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.message_reader import FetchBody, MessageReader


class ReaderWindow(QMainWindow):
    """A top-level window around a MessageReader; it deletes itself when closed (Esc or Ctrl+W closes it)."""

    def __init__(
        self,
        store: Store,
        ops: Ops,
        summary: MessageSummary,
        parent: QWidget | None = None,
        *,
        fetch_body: FetchBody | None = None,
    ) -> None:
        super().__init__(parent)
        # A window of its own, but owned by the main window so it goes when the main window does.
        self.setWindowFlag(Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("readerWindow")
        self.setWindowTitle(self.tr("{subject} — RealMail").format(subject=summary.subject or self.tr("(no subject)")))
        self.reader = MessageReader(store, ops, self, fetch_body=fetch_body)
        self.setCentralWidget(self.reader)
        self.reader.reader_actions.add_to_menu(self.menuBar().addMenu(self.tr("&View")))
        close = self.addAction(self.tr("Close"))
        close.setShortcuts([QKeySequence(QKeySequence.StandardKey.Close), QKeySequence(Qt.Key.Key_Escape)])
        close.triggered.connect(self.close)
        self.resize(760, 640)
        self.reader.show_message(summary)
