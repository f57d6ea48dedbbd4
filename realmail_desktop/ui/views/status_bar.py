"""TaskStatusBar: the progress of long work (import, export, sync) and its one-line result."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from realmail_desktop.core.events import TaskFinished, TaskProgress
from realmail_desktop.ui.qtbridge import EventBridge

SUMMARY_MS = 8000
# Work shorter than this (marking a message read) should not flash a busy indicator.
_BUSY_DELAY_MS = 400


class TaskStatusBar(QStatusBar):
    """Shows "Importing archive.mbox: 1,200 of 5,000" with a progress bar while tasks run (the newest one
    when several do), then each task's summary for a few seconds; `set_busy` shows that other work runs."""

    def __init__(self, bridge: EventBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._running: dict[int, TaskProgress] = {}
        self._busy = False
        self._label = QLabel(self)
        self._label.setObjectName("taskLabel")
        self._progress = QProgressBar(self)
        self._progress.setObjectName("taskProgress")
        self._progress.setMaximumWidth(220)
        self._progress.setTextVisible(False)
        self.addPermanentWidget(self._label)
        self.addPermanentWidget(self._progress)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(_BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self._refresh)
        bridge.taskProgress.connect(self.on_task_progress)
        bridge.taskFinished.connect(self.on_task_finished)
        self._refresh()

    @property
    def task_text(self) -> str:
        """What the task label says now ("" when no task runs)."""
        return self._label.text()

    def on_task_progress(self, event: TaskProgress) -> None:
        self._running.pop(event.task_id, None)
        self._running[event.task_id] = event  # newest last
        self._refresh()

    def on_task_finished(self, event: TaskFinished) -> None:
        self._running.pop(event.task_id, None)
        self._refresh()
        if event.summary:
            self.showMessage(event.summary, SUMMARY_MS)

    def set_busy(self, busy: bool) -> None:
        """Async work of the window started or ended; shown only when it lasts."""
        self._busy = busy
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self._refresh()

    def _refresh(self) -> None:
        if self._running:
            current = next(reversed(self._running.values()))
            if current.total > 0:
                text = self.tr("{task}: {done:,} of {total:,}").format(
                    task=current.label, done=current.done, total=current.total
                )
                self._progress.setRange(0, current.total)
                self._progress.setValue(min(current.done, current.total))
            else:
                text = f"{current.label}: {current.done:,}" if current.done else f"{current.label}…"
                self._progress.setRange(0, 0)  # indeterminate
            self._show(text)
        elif self._busy and not self._busy_timer.isActive():
            self._progress.setRange(0, 0)
            self._show(self.tr("Working…"))
        else:
            self._label.clear()
            self._label.hide()
            self._progress.hide()

    def _show(self, text: str) -> None:
        self._label.setText(text)
        self._label.show()
        self._progress.show()
