"""UndoSendNotice: "Sending in 10 s — Undo" in the main window's status bar while a sent message still waits.

Signals: undoRequested(SentMessage).
"""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from realmail_desktop.ui.compose.composer_start import SentMessage


class UndoSendNotice(QWidget):
    undoRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoSendNotice")
        self.label = QLabel(self)
        self.undo_button = QPushButton(self.tr("Undo"), self)
        self.undo_button.setObjectName("undoSendButton")
        self.undo_button.clicked.connect(self._undo)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.undo_button)
        self._sent: SentMessage | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)
        self.hide()

    @property
    def pending(self) -> SentMessage | None:
        return self._sent

    def show_sent(self, sent: SentMessage) -> None:
        self._sent = sent
        self._tick()
        if self._sent is not None:
            self.show()
            self._timer.start()

    def _tick(self) -> None:
        if self._sent is None:
            return
        left = self._sent.send_at - time.time()
        if left <= 0:
            self.finish()
            return
        if left <= 120:
            self.label.setText(self.tr("Sending in {seconds} s —").format(seconds=int(left + 0.999)))
        else:
            when = datetime.fromtimestamp(self._sent.send_at).strftime("%a %d %b %H:%M")
            self.label.setText(self.tr("Scheduled for {when} —").format(when=when))
            self._timer.stop()  # a scheduled message keeps its Undo until the next one replaces the notice

    def finish(self) -> None:
        self._sent = None
        self._timer.stop()
        self.hide()

    def _undo(self) -> None:
        sent = self._sent
        self.finish()
        if sent is not None:
            self.undoRequested.emit(sent)
