"""Google Drive settings of one account: "Use Google Drive for large attachments", the size from which a file
goes as a Drive link (from 10 MB; 25 MB by default, Gmail's limit), and who may open the links."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
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
EXPLAINED = str(  # marked for pyside6-lupdate; translated where shown
    QT_TRANSLATE_NOOP(
        "DriveSettingsDialog",
        "A file at least this big is put in the “RealMail attachments” folder of your Google Drive when you send, "
        "and the message carries a link to it instead of the file.",
    )
)

SaveSettings = Callable[[int, DriveSettings], Awaitable[object]]
"""Keeps an account's Drive settings (the store's `drive.save_settings`)."""
DriveAccess = Callable[[], Awaitable[bool]]
"""Whether the account's Google sign-in grants Drive's `drive.file`, asking for it (incremental consent) when it
does not yet (ui/dialogs/drive_consent.py)."""


class DriveSettingsDialog(QDialog):
    """OK saves through `save` (the dialog closes once saved; a refusal is shown by Ops and it stays open).
    Turning Drive on first asks `drive_access` (the Google consent for Drive): "on" is saved only when granted;
    a cancelled or refused consent leaves Drive off with a plain message. An account that does not sign in with
    Google (`signs_in_with_google` False) cannot turn Drive on and is told why.

    Signals: settingsSaved() once saved.
    """

    settingsSaved = Signal()

    def __init__(
        self,
        account: Account,
        settings: DriveSettings,
        ops: Ops,
        save: SaveSettings,
        parent: QWidget | None = None,
        *,
        drive_access: DriveAccess | None = None,
        signs_in_with_google: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("driveSettingsDialog")
        self.setWindowTitle(self.tr("Google Drive — {name}").format(name=account.name))
        self._account = account
        self._settings = settings
        self._ops = ops
        self._save = save
        self._drive_access = drive_access
        self._signs_in_with_google = signs_in_with_google
        self.message = QLabel(self)
        self.message.setObjectName("driveMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        self.use_drive = QCheckBox(self.tr("Use Google Drive for large attachments"), self)
        self.use_drive.setObjectName("useDrive")
        self.use_drive.setChecked(settings.enabled)
        self.threshold = QSpinBox(self)
        self.threshold.setObjectName("driveThreshold")
        self.threshold.setRange(MIN_THRESHOLD // MB, MAX_THRESHOLD_MB)
        self.threshold.setSuffix(self.tr(" MB"))
        self.threshold.setValue(max(MIN_THRESHOLD, settings.threshold) // MB)
        self.anyone = QRadioButton(self.tr("Anyone with the link can view"), self)
        self.anyone.setObjectName("shareWithAnyone")
        self.recipients = QRadioButton(self.tr("Only people I send to"), self)
        self.recipients.setObjectName("shareWithRecipients")
        sharing = QButtonGroup(self)
        sharing.addButton(self.anyone)
        sharing.addButton(self.recipients)
        (self.recipients if settings.sharing is LinkSharing.RECIPIENTS else self.anyone).setChecked(True)
        explained = QLabel(QCoreApplication.translate("DriveSettingsDialog", EXPLAINED), self)
        explained.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.tr("Send as a link from"), self.threshold)
        form.addRow(self.tr("Who can open the links"), self.anyone)
        form.addRow("", self.recipients)
        self._buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self._buttons.accepted.connect(self._on_ok)
        self._buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.use_drive)
        layout.addLayout(form)
        layout.addWidget(explained)
        layout.addWidget(self.message)
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
        turning_on = chosen.enabled and not self._settings.enabled
        if turning_on and not self._signs_in_with_google:
            self._refuse(self.tr("Google Drive needs an account that signs in with Google."))
            return
        self._buttons.setEnabled(False)
        self.message.hide()

        async def save() -> bool:
            try:
                if turning_on and self._drive_access is not None and not await self._drive_access():
                    self._refuse(self.tr("Drive stays off: Google did not give RealMail access to your Drive."))
                    return False
                await self._save(self._account.id, chosen)
                return True
            finally:
                self._buttons.setEnabled(True)

        def saved(done: bool) -> None:
            if done:
                self.settingsSaved.emit()
                self.accept()

        self._ops.run(save(), label="Save Drive settings", on_done=saved)

    def _refuse(self, text: str) -> None:
        self.use_drive.setChecked(False)
        self.message.setText(text)
        self.message.show()
