"""Turning Google Drive on in the Drive settings dialog, against the fake OAuth server on 127.0.0.1: the dialog
asks Google for `drive.file` (incremental consent, in the test "browser") and saves "on" only once it was
granted; a refused consent leaves Drive off with a plain message; an account that does not sign in with Google,
in a profile without a Google account, is told to add one first."""

from __future__ import annotations

import time
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from realmail_desktop.auth import SecretStore
from realmail_desktop.auth.oauth import OAuthTokens
from realmail_desktop.auth.oauth_client import DRIVE_SCOPE, OAuthClient
from realmail_desktop.store import Account, DriveSettings, ImapAuth, ImapSecurity, ImapSettings, Store
from realmail_desktop.ui.dialogs.drive_consent import ask_drive_access
from realmail_desktop.ui.dialogs.drive_settings_dialog import DriveSettingsDialog
from realmail_desktop.ui.dialogs.google_sign_in import GoogleSetup
from realmail_desktop.ui.ops import Ops
from tests.keyring_backends import MemoryKeyring
from tests.servers.oauth import CLIENT_ID, CLIENT_SECRET, FakeOAuthServer, FollowingBrowser
from tests.ui.qt_async import idle, next_emit, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.gui]


def parent_window(qtbot: Any) -> QWidget:
    """The dialog's parent, shown: closing the dialog must not close the last window (Qt would quit the loop)."""
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    return parent


async def google_account(store: Store) -> Account:
    address = f"drive{time.monotonic_ns()}@example.org"
    settings = ImapSettings(
        host="127.0.0.1", port=993, security=ImapSecurity.TLS, username=address, auth=ImapAuth.XOAUTH2
    )
    account, _ = await store.accounts.create_imap("Google", address, settings)
    return account


def drive_dialog(
    qtbot: Any, store: Store, ops: Ops, account: Account, fake: FakeOAuthServer, retried: list[int]
) -> tuple[DriveSettingsDialog, OAuthTokens, QWidget]:
    base = fake.base_url
    client = OAuthClient(CLIENT_ID, CLIENT_SECRET, f"{base}/authorize", f"{base}/token", f"{base}/revoke")
    tokens = OAuthTokens(SecretStore(backend=MemoryKeyring()), lambda _account: client, clock=lambda: fake.now)
    setup = GoogleSetup(lambda: client, tokens, FollowingBrowser())

    async def retry(account_id: int) -> None:
        retried.append(account_id)

    parent = parent_window(qtbot)  # kept referenced: its dialog goes with it
    dialog = DriveSettingsDialog(
        account,
        DriveSettings(),
        ops,
        store.drive.save_settings,
        parent,
        drive_access=lambda google: ask_drive_access(setup, ops, google, retry),
    )
    dialog.show()
    return dialog, tokens, parent


async def test_turning_drive_on_asks_for_drive_file_and_saves_on_once_granted(
    qtbot: Any, store: Store, fake_oauth: FakeOAuthServer
) -> None:
    account = await google_account(store)
    ops, retried = Ops(), list[int]()
    dialog, tokens, _parent = drive_dialog(qtbot, store, ops, account, fake_oauth, retried)
    asked = len(fake_oauth.authorize_requests)
    dialog.use_drive.setChecked(True)
    saved = next_emit(dialog.settingsSaved)
    _ok(dialog)
    await wait_for(saved)
    [request] = fake_oauth.authorize_requests[asked:]
    assert DRIVE_SCOPE in request["scope"].split() and request["include_granted_scopes"] == "true"
    assert request["login_hint"] == account.address
    assert DRIVE_SCOPE in tokens.granted_scopes(account.id)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (await store.drive.settings(account.id)).enabled
    assert retried == [account.id]  # the engine tries the account with its new sign-in
    await idle(ops)


async def test_a_refused_consent_leaves_drive_off_with_a_plain_message(
    qtbot: Any, store: Store, fake_oauth: FakeOAuthServer
) -> None:
    account = await google_account(store)
    ops, retried = Ops(), list[int]()
    dialog, tokens, _parent = drive_dialog(qtbot, store, ops, account, fake_oauth, retried)
    dialog.use_drive.setChecked(True)
    fake_oauth.deny_consent = True
    try:
        _ok(dialog)
        await idle(ops)
    finally:
        fake_oauth.deny_consent = False
    assert dialog.isVisible() and not dialog.use_drive.isChecked()
    assert dialog.message.isVisible() and "Drive stays off" in dialog.message.text()
    assert not (await store.drive.settings(account.id)).enabled
    assert DRIVE_SCOPE not in tokens.granted_scopes(account.id) and retried == []


async def test_an_account_without_google_sign_in_is_told_to_add_one(qtbot: Any, store: Store) -> None:
    account, _ = await store.accounts.create_local()
    ops = Ops()
    parent = parent_window(qtbot)
    dialog = DriveSettingsDialog(account, DriveSettings(), ops, store.drive.save_settings, parent, google_accounts=[])
    dialog.show()
    dialog.use_drive.setChecked(True)
    _ok(dialog)
    assert not ops.busy and dialog.isVisible() and not dialog.use_drive.isChecked()
    assert "Add a Google account first" in dialog.message.text()
    assert not (await store.drive.settings(account.id)).enabled


def _ok(dialog: DriveSettingsDialog) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    box.button(QDialogButtonBox.StandardButton.Ok).click()
