"""The Add account dialog's form before anything is sent: what discovery found (and from where) is shown and
filled in, nothing found opens the manual settings, a Gmail address offers Google sign-in instead of a password,
and Add account is enabled only with a complete form. Discovery runs for real against a local HTTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6

from realmail_desktop.auth import SecretStore
from realmail_desktop.auth.autoconfig import Discovery
from realmail_desktop.store import Store
from realmail_desktop.ui.dialogs.account_setup_dialog import AccountSetupDialog
from realmail_desktop.ui.ops import Ops
from tests.keyring_backends import MemoryKeyring
from tests.unit.auth.test_discovery import ConfigServer

from .qt_async import next_emit, wait_for
from .sync_stand_in import RecordingEngine

pytestmark = pytest.mark.gui


@pytest.fixture
def config_server() -> Iterator[ConfigServer]:
    server = ConfigServer()
    yield server
    server.close()


async def test_nothing_found_opens_the_manual_settings_and_ok_waits_for_a_complete_form(
    config_server: ConfigServer, store: Store
) -> None:
    ops = Ops()
    dialog = AccountSetupDialog(
        RecordingEngine(store),
        SecretStore(backend=MemoryKeyring()),
        ops,
        discovery=Discovery(urls=config_server.urls, resolver=None),
    )
    dialog.show()
    try:
        found = next_emit(dialog.settingsFound)
        dialog.address_edit.setText("ann@example.org")
        dialog.find_settings()
        assert (await wait_for(found)) == (None,)
        assert "No settings were found for example.org" in dialog.found_label.text()
        assert dialog.manual_button.isChecked() and dialog.servers.isVisible()
        assert not dialog.ok_button.isEnabled() and not dialog.google_button.isVisible()
        dialog.servers.imap_rows.host.setText("imap.example.org")
        dialog.password_edit.setText("pw")
        assert dialog.ok_button.isEnabled()
        assert dialog.servers.imap("ann@example.org") is not None
        dialog.servers.imap_rows.port.setText("")
        assert not dialog.ok_button.isEnabled()
    finally:
        dialog.close()
        shiboken6.delete(dialog)


async def test_a_gmail_address_offers_google_sign_in_from_the_table_without_any_lookup(
    config_server: ConfigServer, store: Store
) -> None:
    ops = Ops()
    dialog = AccountSetupDialog(
        RecordingEngine(store),
        SecretStore(backend=MemoryKeyring()),
        ops,
        discovery=Discovery(urls=config_server.urls, resolver=None),
    )
    dialog.show()
    try:
        found = next_emit(dialog.settingsFound)
        dialog.address_edit.setText("ann@gmail.com")
        dialog.find_settings()
        await wait_for(found)
        assert config_server.asked == []
        text = dialog.found_label.text()
        assert "Gmail" in text and "RealMail's list of providers" in text and "imap.gmail.com:993" in text
        assert dialog.google_button.isVisible() and not dialog.password_edit.isVisible()
        assert not dialog.google_button.isEnabled()  # no Google client given to this dialog
        assert dialog.uses_google() and not dialog.ok_button.isEnabled()
        dialog.manual_button.setChecked(True)  # manual settings stay one click away
        assert dialog.servers.isVisible() and dialog.servers.imap_rows.host.text() == "imap.gmail.com"
        assert dialog.servers.smtp_rows.port.text() == "465"
    finally:
        dialog.close()
        shiboken6.delete(dialog)
