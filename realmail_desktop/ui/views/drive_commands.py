"""DriveCommands: the main window's Google Drive glue — Account ▸ Google Drive… (the settings dialog of the
account selected in the folder tree, any account: one that does not sign in with Google borrows the sign-in of
one that does) and Save to Drive in every reader (the main one and reader windows)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from realmail_desktop.bridges.drive import DriveService
from realmail_desktop.store import Account, ImapAuth, Store
from realmail_desktop.ui.dialogs.drive_settings_dialog import DriveSettingsDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.views.attachments_bar import AttachmentsBar
from realmail_desktop.ui.views.drive_save import AccountDriveSaver


class DriveCommands:
    """Built by the app once Drive is available (`service`; None: no Google client, so the action is off)."""

    def __init__(
        self,
        window: QWidget,
        store: Store,
        ops: Ops,
        service: DriveService | None,
        *,
        settings_action: QAction,
        current_account: Callable[[], int | None],
        drive_access: Callable[[Account], Awaitable[bool]] | None = None,
    ) -> None:
        self._window = window
        self._store = store
        self._ops = ops
        self._current_account = current_account
        self._drive_access = drive_access
        self.saver = AccountDriveSaver(service, self.drive_account) if service is not None else None
        self._action = settings_action
        settings_action.setEnabled(service is not None)
        settings_action.triggered.connect(self.open_settings)
        self.dialog: DriveSettingsDialog | None = None

    async def drive_account(self) -> int | None:
        """The account whose Drive receives Save to Drive: the selected one if it uses Drive, else the first
        that does."""
        accounts = [a.id for a in self._store.reader.accounts()]
        selected = self._current_account()
        for account_id in ([selected] if selected in accounts else []) + accounts:
            if account_id is not None and (await self._store.drive.settings(account_id)).enabled:
                return account_id
        return None

    def adopt_reader(self, reader: QWidget) -> None:
        """Offer Save to Drive in `reader` (a MessageReader: its attachments bar is found by type)."""
        bar = reader.findChild(AttachmentsBar)
        if bar is not None:
            bar.set_drive(self.saver)

    def google_accounts(self) -> list[Account]:
        """The profile's accounts that sign in with Google (XOAUTH2): their tokens can reach Drive."""
        reader = self._store.reader
        return [
            account
            for account in reader.accounts()
            if (imap := reader.sync.imap_settings(account.id)) is not None and imap.auth is ImapAuth.XOAUTH2
        ]

    def open_settings(self) -> None:
        account_id = self._current_account()
        account = next((a for a in self._store.reader.accounts() if a.id == account_id), None)
        if account is None:
            return

        async def load() -> None:
            settings = await self._store.drive.settings(account.id)
            google = self.google_accounts()
            self.dialog = DriveSettingsDialog(
                account,
                settings,
                self._ops,
                self._store.drive.save_settings,
                self._window,
                drive_access=self._drive_access,
                # A Google account lends Drive its own sign-in; any other account picks one of these.
                google_accounts=None if any(g.id == account.id for g in google) else google,
            )
            self.dialog.open()

        self._ops.run(load(), label="Google Drive settings")
