"""Turns bus events into Qt signals on the GUI thread (services never touch Qt; the UI listens here).

Signals: storeChanged(Changes), taskProgress(TaskProgress), taskFinished(TaskFinished),
accountStatus(AccountStatus), driveUpload(DriveUploadStatus).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from realmail_desktop.core.events import (
    AccountStatus,
    Changes,
    DriveUploadStatus,
    EventBus,
    TaskFinished,
    TaskProgress,
)


class EventBridge(QObject):
    storeChanged = Signal(object)
    taskProgress = Signal(object)
    taskFinished = Signal(object)
    accountStatus = Signal(object)
    driveUpload = Signal(object)

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The bus delivers on the loop's thread, which under qasync is the GUI thread: emit directly.
        self._unsubscribe: list[Callable[[], None]] = [
            bus.subscribe(Changes, self.storeChanged.emit),
            bus.subscribe(TaskProgress, self.taskProgress.emit),
            bus.subscribe(TaskFinished, self.taskFinished.emit),
            bus.subscribe(AccountStatus, self.accountStatus.emit),
            bus.subscribe(DriveUploadStatus, self.driveUpload.emit),
        ]

    def detach(self) -> None:
        """Stop listening (at shutdown, before the bus outlives the widgets)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
