"""Add account: the outgoing (SMTP) server of the manual settings, saved with the account through `save_smtp`
(left empty: nothing saved, sending is set up later)."""

from __future__ import annotations

from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QMainWindow

from realmail_desktop.auth import SecretStore
from realmail_desktop.store import ImapSecurity, SmtpAuth, SmtpSettings
from realmail_desktop.ui.dialogs.account_setup_dialog import SMTP_NOT_TESTED, AccountSetupDialog
from realmail_desktop.ui.ops import Ops
from tests.keyring_backends import MemoryKeyring
from tests.ui.no_lookups import NoLookups
from tests.ui.qt_async import next_emit, wait_for
from tests.ui.test_account_dialog import PASSWORD, StandInEngine

pytestmark = pytest.mark.gui


@pytest.mark.parametrize("smtp_host", ["smtp.example.com", ""])
async def test_the_smtp_server_typed_is_saved_for_the_new_account(qtbot: Any, smtp_host: str) -> None:
    engine, ops, window = StandInEngine(), Ops(), QMainWindow()
    window.show()
    saved_smtp: list[tuple[int, SmtpSettings]] = []

    async def save_smtp(account_id: int, settings: SmtpSettings) -> None:
        saved_smtp.append((account_id, settings))

    secrets = SecretStore(backend=MemoryKeyring())
    dialog = AccountSetupDialog(engine, secrets, ops, window, discovery=NoLookups(), save_smtp=save_smtp)
    try:
        smtp = dialog.servers.smtp_rows
        assert smtp.port.text() == "465" and smtp.chosen_security() is ImapSecurity.TLS
        assert dialog.servers.smtp("ann@example.com") is None  # left empty: sending is set up later
        smtp.security.setCurrentIndex(smtp.security.findData(ImapSecurity.STARTTLS.value))
        assert smtp.port.text() == "587"  # the port follows the security choice
        smtp.host.setText(smtp_host)
        dialog.manual_button.setChecked(True)
        dialog.address_edit.setText("ann@example.com")
        dialog.servers.imap_rows.host.setText("imap.example.com")
        dialog.password_edit.setText(PASSWORD)
        finished = next_emit(dialog.finished)
        dialog.ok_button.click()
        await engine.answers.put(None)
        await wait_for(finished)
        assert dialog.smtp_result.text() == SMTP_NOT_TESTED  # no SMTP checker given: said so, not pretended
        expected = SmtpSettings(host=smtp_host, port=587, security=ImapSecurity.STARTTLS, auth=SmtpAuth.PASSWORD)
        assert saved_smtp == ([(7, expected)] if smtp_host else [])
    finally:
        await ops.drain()
        window.close()
        shiboken6.delete(window)
