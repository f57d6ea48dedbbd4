"""Add account: the outgoing (SMTP) server fields, saved with the account through `save_smtp`."""

from __future__ import annotations

from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QMainWindow

from realmail_desktop.auth import SecretStore
from realmail_desktop.store import ImapSecurity, SmtpSettings
from realmail_desktop.ui.dialogs.account_dialog import AddAccountDialog
from realmail_desktop.ui.ops import Ops
from tests.keyring_backends import MemoryKeyring
from tests.ui.qt_async import next_emit, wait_for
from tests.ui.test_account_dialog import PASSWORD, StandInEngine, saved

pytestmark = pytest.mark.gui


async def test_the_smtp_server_typed_is_saved_for_the_new_account(qtbot: Any) -> None:
    engine, ops, window = StandInEngine(), Ops(), QMainWindow()
    window.show()
    saved_smtp: list[tuple[int, SmtpSettings]] = []

    async def save_smtp(account_id: int, settings: SmtpSettings) -> None:
        saved_smtp.append((account_id, settings))

    plain = AddAccountDialog(engine, SecretStore(backend=MemoryKeyring()), ops, window)
    assert not hasattr(plain, "smtp_host_edit")  # nowhere to save them: no SMTP fields shown
    dialog = AddAccountDialog(engine, SecretStore(backend=MemoryKeyring()), ops, window, save_smtp=save_smtp)
    try:
        assert dialog.smtp_port_edit.text() == "587" and dialog.smtp_security() is ImapSecurity.STARTTLS
        assert dialog.smtp_settings() is None  # left empty: sending is set up later
        dialog.smtp_security_combo.setCurrentIndex(0)
        assert dialog.smtp_port_edit.text() == "465"  # the port follows the security choice
        dialog.smtp_host_edit.setText("smtp.example.com")
        dialog.address_edit.setText("ann@example.com")
        dialog.host_edit.setText("imap.example.com")
        dialog.password_edit.setText(PASSWORD)
        finished = next_emit(dialog.finished)
        dialog.ok_button.click()
        await engine.answers.put(saved(7))
        await wait_for(finished)
        assert saved_smtp == [(7, SmtpSettings(host="smtp.example.com", port=465, security=ImapSecurity.TLS))]
    finally:
        await ops.drain()
        window.close()
        shiboken6.delete(window)
