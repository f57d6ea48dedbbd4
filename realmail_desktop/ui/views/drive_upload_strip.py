"""DriveUploadStrip: the main window's rows for outbox messages whose big files are going to Google Drive before
they leave — "Uploading report.zip to Google Drive — 45 %", a progress bar and Cancel — fed by the Drive stage's
`DriveUploadStatus` events (`EventBridge.driveUpload`).

A row goes away when its message's upload is done (the message then leaves as usual), cancelled or failed; a
failure stays in view as one line (what went wrong and what to do, until dismissed) while the message waits in
the Outbox, where the reader offers Send again / Move to Drafts.

Signals of DriveUploadStrip: noticed(str) — a short result for the status bar ("Sent as a Drive link").
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from realmail_desktop.core.events import DriveUploadStatus
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge

CancelUpload = Callable[[int], Awaitable[None]]
"""The Drive stage's `cancel(outbox_id)`: stops that message's upload (it then reports `cancelled`)."""

UPLOADING, DONE, FAILED, CANCELLED = "uploading", "done", "failed", "cancelled"


def percent(done: int, total: int) -> int:
    """Whole percent of `done` over `total` bytes, 0–100 (0 while the total is unknown)."""
    return max(0, min(100, done * 100 // total)) if total > 0 else 0


class DriveUploadRow(QWidget):
    """One outbox message's upload: what is going where, how far, and Cancel."""

    def __init__(self, outbox_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("driveUploadRow")
        self.outbox_id = outbox_id
        self.label = QLabel(self)
        self.label.setObjectName("driveUploadLabel")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("driveUploadProgress")
        self.progress.setAccessibleName(self.tr("Upload to Google Drive"))
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)  # the label says the percentage
        self.progress.setMaximumWidth(220)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("cancelDriveUpload")
        self.cancel_button.setAccessibleName(self.tr("Cancel the upload to Google Drive"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)

    @property
    def text(self) -> str:
        return self.label.text()

    def show_status(self, event: DriveUploadStatus) -> None:
        name = event.name or self.tr("the attachments")
        if event.total > 0:
            shown = percent(event.done, event.total)
            self.label.setText(
                self.tr("Uploading {name} to Google Drive — {percent} %").format(name=name, percent=shown)
            )
            self.progress.setRange(0, 100)
            self.progress.setValue(shown)
        else:  # the size is not known yet: a busy bar
            self.label.setText(self.tr("Uploading {name} to Google Drive…").format(name=name))
            self.progress.setRange(0, 0)
        self.progress.setAccessibleDescription(self.label.text())


class DriveUploadStrip(QWidget):
    """One `DriveUploadRow` per outbox message being uploaded, and the last failure's line; hidden when empty.
    Cancel runs the callable given to `set_cancel` through `ops` (no callable: no Cancel button)."""

    noticed = Signal(str)

    def __init__(self, bridge: EventBridge, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("driveUploadStrip")
        self._ops = ops
        self._cancel: CancelUpload | None = None
        self._rows: dict[int, DriveUploadRow] = {}
        self._failed: int | None = None  # the outbox id whose failure is shown
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(0)
        self.failure = QLabel(self)
        self.failure.setObjectName("driveUploadFailure")
        self.failure.setWordWrap(True)
        self.failure.setStyleSheet("color: #c0392b;")
        self.dismiss_button = QPushButton(self.tr("Dismiss"), self)
        self.dismiss_button.setObjectName("dismissDriveFailure")
        self.dismiss_button.setAccessibleName(self.tr("Dismiss the Google Drive message"))
        self.dismiss_button.clicked.connect(self.dismiss_failure)
        failure_row = QHBoxLayout()
        failure_row.setContentsMargins(6, 2, 6, 2)
        failure_row.addWidget(self.failure, 1)
        failure_row.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(self._rows_layout)
        layout.addLayout(failure_row)
        bridge.driveUpload.connect(self.on_drive_upload)
        self.dismiss_failure()

    def place_above(self, widget: QWidget) -> None:
        """Sit right above `widget` in its parent's box layout (the main window's message list)."""
        layout = cast(QBoxLayout, cast(QWidget, widget.parentWidget()).layout())
        layout.insertWidget(layout.indexOf(widget), self)

    def set_cancel(self, cancel: CancelUpload | None) -> None:
        """The Drive stage's `cancel(outbox_id)` (None: uploads cannot be cancelled from here)."""
        self._cancel = cancel
        for row in self._rows.values():
            row.cancel_button.setVisible(cancel is not None)

    def row(self, outbox_id: int) -> DriveUploadRow | None:
        return self._rows.get(outbox_id)

    def rows(self) -> list[DriveUploadRow]:
        return list(self._rows.values())

    def on_drive_upload(self, event: DriveUploadStatus) -> None:
        if event.state == UPLOADING:
            row = self._rows.get(event.outbox_id)
            if row is None:
                row = self._add_row(event.outbox_id)
            if event.outbox_id == self._failed:  # sent again: its old failure no longer holds
                self.dismiss_failure()
            row.show_status(event)
        elif event.state == DONE:
            if self._remove_row(event.outbox_id):
                self.noticed.emit(self.tr("Sent as a Drive link"))
        elif event.state == FAILED:
            self._remove_row(event.outbox_id)
            self._show_failure(event)
        elif event.state == CANCELLED and self._remove_row(event.outbox_id):
            self.noticed.emit(self.tr("Upload to Google Drive cancelled: the message waits in the Outbox."))
        self._update_visible()

    def cancel(self, outbox_id: int) -> asyncio.Task[None] | None:
        """Ask the Drive stage to stop `outbox_id`'s upload; the row goes when the stage says `cancelled`."""
        row, cancel = self._rows.get(outbox_id), self._cancel
        if row is None or cancel is None:
            return None
        row.cancel_button.setEnabled(False)
        row.cancel_button.setText(self.tr("Cancelling…"))

        async def run() -> None:
            try:
                await cancel(outbox_id)
            except Exception:
                if self._rows.get(outbox_id) is row:  # still uploading: the person may try again
                    row.cancel_button.setEnabled(True)
                    row.cancel_button.setText(self.tr("Cancel"))
                raise

        return self._ops.run(run(), label="Cancel upload to Google Drive")

    def dismiss_failure(self) -> None:
        self._failed = None
        self.failure.clear()
        self.failure.hide()
        self.dismiss_button.hide()
        self._update_visible()

    def _add_row(self, outbox_id: int) -> DriveUploadRow:
        row = DriveUploadRow(outbox_id, self)
        row.cancel_button.setVisible(self._cancel is not None)
        row.cancel_button.clicked.connect(lambda _checked=False: self.cancel(outbox_id))
        self._rows[outbox_id] = row
        self._rows_layout.addWidget(row)
        return row

    def _remove_row(self, outbox_id: int) -> bool:
        row = self._rows.pop(outbox_id, None)
        if row is None:
            return False
        self._rows_layout.removeWidget(row)
        row.hide()
        row.deleteLater()
        return True

    def _show_failure(self, event: DriveUploadStatus) -> None:
        reason = " ".join(part for part in (event.error, event.hint) if part) or self.tr("The upload failed.")
        if event.name:
            text = self.tr("{name} could not go to Google Drive: {reason}").format(name=event.name, reason=reason)
        else:
            text = self.tr("The attachments could not go to Google Drive: {reason}").format(reason=reason)
        self.failure.setText(text + " " + self.tr("The message waits in the Outbox."))
        self._failed = event.outbox_id
        self.failure.show()
        self.dismiss_button.show()

    def _update_visible(self) -> None:
        self.setVisible(bool(self._rows) or not self.failure.isHidden())
