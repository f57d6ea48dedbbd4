"""Google Drive settings of one account: "Use Google Drive for large attachments", the size from which a file
goes as a Drive link (from 10 MB; 25 MB by default, Gmail's limit), who may open the links, and — for an account
that does not sign in with Google — which of the profile's Google accounts lends its sign-in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from realmail_desktop.mail.headers import Address
from realmail_desktop.mail.recipients import format_recipients
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
DriveAccess = Callable[[Account], Awaitable[bool]]
"""Whether the given Google account's sign-in grants Drive's `drive.file`, asking for it (incremental consent)
when it does not yet (ui/dialogs/drive_consent.py)."""


class DriveSettingsDialog(QDialog):
    """OK saves through `save` (the dialog closes once saved; a refusal is shown by Ops and it stays open).
    Turning Drive on (or choosing another Google sign-in while it is on) first asks `drive_access` for the Google
    account whose sign-in Drive will use: "on" is saved only when granted; a cancelled or refused consent leaves
    Drive off with a plain message. `google_accounts` None: the account signs in with Google itself. Otherwise
    it does not, and "Google sign-in:" chooses one of `google_accounts` (saved as `google_account`); with none,
    the dialog says to add one first and Drive stays off.

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
        google_accounts: Sequence[Account] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("driveSettingsDialog")
        self.setWindowTitle(self.tr("Google Drive — {name}").format(name=account.name))
        self._account = account
        self._settings = settings
        self._ops = ops
        self._save = save
        self._drive_access = drive_access
        self._google_accounts = list(google_accounts) if google_accounts is not None else None
        self.message = QLabel(self)
        self.message.setObjectName("driveMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        self.use_drive = QCheckBox(self.tr("Use Google Drive for large attachments"), self)
        self.use_drive.setObjectName("useDrive")
        self.use_drive.setChecked(settings.enabled)
        self.google_account = self._google_chooser(settings.google_account)
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
        form.addRow(self.tr("Google sign-in:"), self.google_account)
        # A Google account uses its own sign-in; with no Google account there is nothing to pick.
        form.setRowVisible(self.google_account, bool(self._google_accounts))
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
        self._show_start()

    def settings(self) -> DriveSettings:
        """What the dialog shows now."""
        return DriveSettings(
            enabled=self.use_drive.isChecked(),
            threshold=self.threshold.value() * MB,
            sharing=LinkSharing.RECIPIENTS if self.recipients.isChecked() else LinkSharing.ANYONE,
            folder_id=self._settings.folder_id,
            google_account=self.google_account.currentData() if self._google_accounts else None,
            attachment_limit=self._settings.attachment_limit,
        )

    def _google_chooser(self, chosen: int | None) -> QComboBox:
        """The "Google sign-in:" box: the profile's Google accounts, `chosen` (else the first) selected."""
        box = QComboBox(self)
        box.setObjectName("driveGoogleAccount")
        box.setAccessibleName(self.tr("Google sign-in"))
        for google in self._google_accounts or []:
            box.addItem(format_recipients([Address(google.name, google.address)]), google.id)
        box.setCurrentIndex(max(0, box.findData(chosen)))
        return box

    def _show_start(self) -> None:
        if self._google_accounts == []:  # not a Google account, and none to borrow a sign-in from
            self._refuse(self._no_google_account())
            self.use_drive.setEnabled(False)
        self._enable(self.use_drive.isChecked())

    def sign_in_account(self) -> Account | None:
        """The Google account whose sign-in Drive would use: this one, the chosen one, or None (no Google account)."""
        if self._google_accounts is None:
            return self._account
        chosen = self.google_account.currentData()
        return next((google for google in self._google_accounts if google.id == chosen), None)

    def _no_google_account(self) -> str:
        return self.tr(
            "Google Drive works through a Google sign-in, and no account here signs in with Google. "
            "Add a Google account first (File → Add account…)."
        )

    def _enable(self, on: bool) -> None:
        for widget in (self.threshold, self.anyone, self.recipients, self.google_account):
            widget.setEnabled(on)

    def _on_ok(self) -> None:
        chosen = self.settings()
        if chosen == self._settings:
            self.accept()
            return
        asking = chosen.enabled and (
            not self._settings.enabled or chosen.google_account != self._settings.google_account
        )
        google = self.sign_in_account()
        if asking and google is None:
            self._refuse(self._no_google_account())
            return
        self._buttons.setEnabled(False)
        self.message.hide()

        consent = self._drive_access if asking else None

        async def save() -> bool:
            try:
                if consent is not None and google is not None and not await consent(google):
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
