"""Google Drive settings of one account: "Use Google Drive for large attachments", the size from which a file
goes as a Drive link (from 10 MB; 25 MB by default, Gmail's limit), and who may open the links."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.store import Account, DriveSettings, LinkSharing
from realmail_desktop.store.drive_uploads import MB, MIN_THRESHOLD
from realmail_desktop.ui.ops import Ops

MAX_THRESHOLD_MB = 10 * 1024
EXPLAINED = (
    "A file at least this big is put in the “RealMail attachments” folder of your Google Drive when you send, "
    "and the message carries a link to it instead of the file."
)

SaveSettings = Callable[[int, DriveSettings], Awaitable[object]]
"""Keeps an account's Drive settings (the store's `drive.save_settings`)."""


class DriveSettingsDialog(QDialog):
    """OK saves through `save` (the dialog closes once saved; a refusal is shown by Ops and it stays open).

    Signals: settingsSaved() once saved.
    """

    settingsSaved = Signal()

    def __init__(
        self, account: Account, settings: DriveSettings, ops: Ops, save: SaveSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("driveSettingsDialog")
        self.setWindowTitle(f"Google Drive — {account.name}")
        self._account = account
        self._settings = settings
        self._ops = ops
        self._save = save

        self.use_drive = QCheckBox("Use Google Drive for large attachments", self)
        self.use_drive.setObjectName("useDrive")
        self.use_drive.setChecked(settings.enabled)
        self.threshold = QSpinBox(self)
        self.threshold.setObjectName("driveThreshold")
        self.threshold.setRange(MIN_THRESHOLD // MB, MAX_THRESHOLD_MB)
        self.threshold.setSuffix(" MB")
        self.threshold.setValue(max(MIN_THRESHOLD, settings.threshold) // MB)
        self.anyone = QRadioButton("Anyone with the link can view", self)
        self.anyone.setObjectName("shareWithAnyone")
        self.recipients = QRadioButton("Only people I send to", self)
        self.recipients.setObjectName("shareWithRecipients")
        sharing = QButtonGroup(self)
        sharing.addButton(self.anyone)
        sharing.addButton(self.recipients)
        (self.recipients if settings.sharing is LinkSharing.RECIPIENTS else self.anyone).setChecked(True)
        explained = QLabel(EXPLAINED, self)
        explained.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Send as a link from", self.threshold)
        form.addRow("Who can open the links", self.anyone)
        form.addRow("", self.recipients)
        self._buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self._buttons.accepted.connect(self._on_ok)
        self._buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.use_drive)
        layout.addLayout(form)
        layout.addWidget(explained)
        layout.addWidget(self._buttons)
        self.use_drive.toggled.connect(self._enable)
        self._enable(settings.enabled)

    def settings(self) -> DriveSettings:
        """What the dialog shows now."""
        return DriveSettings(
            enabled=self.use_drive.isChecked(),
            threshold=self.threshold.value() * MB,
            sharing=LinkSharing.RECIPIENTS if self.recipients.isChecked() else LinkSharing.ANYONE,
            folder_id=self._settings.folder_id,
        )

    def _enable(self, on: bool) -> None:
        for widget in (self.threshold, self.anyone, self.recipients):
            widget.setEnabled(on)

    def _on_ok(self) -> None:
        chosen = self.settings()
        if chosen == self._settings:
            self.accept()
            return
        self._buttons.setEnabled(False)

        async def save() -> None:
            try:
                await self._save(self._account.id, chosen)
            finally:
                self._buttons.setEnabled(True)

        def saved(_result: None) -> None:
            self.settingsSaved.emit()
            self.accept()

        self._ops.run(save(), label="Save Drive settings", on_done=saved)
