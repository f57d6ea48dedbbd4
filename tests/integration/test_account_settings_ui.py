"""Account settings and folder subscriptions the way a person changes them — Account → Settings… and Manage
folders… in the window — with the real SyncService against Dovecot: the shorter sync window is saved and frees
an older body; unticking a folder unsubscribes it on the server (LSUB, seen by another client) and takes it out
of the tree, ticking one brings it in. Also "View certificate" for the certificate Dovecot really presents."""

from __future__ import annotations

import email.utils
import hashlib
import ssl
import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QMainWindow

from realmail_desktop.auth import SecretStore
from realmail_desktop.core.events import EventBus
from realmail_desktop.store import Account, AccountKind, Store
from realmail_desktop.sync import SyncService
from realmail_desktop.ui.dialogs.account_settings_dialog import AccountSettingsDialog
from realmail_desktop.ui.dialogs.account_setup_dialog import AccountSetupDialog
from realmail_desktop.ui.dialogs.folder_subscriptions_dialog import FolderSubscriptionsDialog
from realmail_desktop.ui.ops import Ops
from tests.integration.conftest import OtherClient, append_messages
from tests.integration.sync_support import subscribed_folders
from tests.integration.test_add_account_ui import App, fill, message, running_app
from tests.keyring_backends import MemoryKeyring
from tests.servers.dovecot import DovecotServer
from tests.ui.no_lookups import NoLookups
from tests.ui.qt_async import idle, next_emit, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.gui]

PASSWORD = "settings-pw-4711"
DAY = 86_400


def days_ago(days: int) -> str:
    return email.utils.formatdate(time.time() - days * DAY)


async def add_account(app: App, dovecot: DovecotServer, user: str) -> Account:
    dialog = app.window.account_commands.set_up_account()
    assert dialog is not None
    fill(dialog, dovecot, user, PASSWORD)
    dialog.ok_button.click()  # the dialog deletes itself once the account is added: wait on Ops, not on it
    await idle(app.ops)
    [account] = [a for a in app.store.reader.accounts() if a.kind is AccountKind.IMAP]
    return account


def folder_named(app: App, account: Account, path: str) -> int | None:
    found = [f.id for f in app.store.reader.folders(account.id, include_unsubscribed=True) if f.path == path]
    return found[0] if found else None


def in_tree(app: App, account: Account, path: str) -> bool:
    folder_id = folder_named(app, account, path)
    return folder_id is not None and app.window.folder_model.index_for_folder(folder_id).isValid()


async def replayed(app: App, account: Account) -> None:
    """Check for new mail (F5) until the actions queued for the account reached the server: at least one
    full sync, which also lists the server's folders again."""
    for _attempt in range(5):
        app.window.window_actions.check_mail.trigger()
        await idle(app.ops)
        if not app.store.reader.sync.pending_ops(account.id):
            return
    assert app.store.reader.sync.pending_ops(account.id) == []


async def test_sync_window_and_subscriptions_are_changed_through_the_dialogs(
    tmp_path: Path, dovecot: DovecotServer, other_client: OtherClient
) -> None:
    user = dovecot.add_user(password=PASSWORD)
    server = other_client(user)
    subscribed_folders(server, "Work")
    server.create_folder("Hidden")  # on the server, never subscribed
    append_messages(server, "INBOX", [message("Twenty days old", days_ago(20))])
    append_messages(server, "INBOX", [message("Yesterday", days_ago(1))])
    async with running_app(tmp_path, dovecot) as app:
        account = await add_account(app, dovecot, user.name)
        await wait_for(app.until(lambda: in_tree(app, account, "Work") and folder_named(app, account, "Hidden")))
        assert not in_tree(app, account, "Hidden")
        inbox = app.store.reader.folder_by_path(account.id, "Inbox")
        assert inbox is not None

        def bodies_stored() -> bool:
            ids = app.store.reader.folder_message_ids(inbox.id)
            return len(ids) == 2 and all(app.store.reader.raw_message(i) is not None for i in ids)

        await wait_for(app.until(bodies_stored))  # both are inside the default 30 days
        old_id, new_id = app.store.reader.folder_message_ids(inbox.id)  # oldest first

        # Account → Settings…: keep the last 7 days only.
        app.window.folder_view.setCurrentIndex(app.window.folder_model.index_for_account(account.id))
        app.window.window_actions.account_settings.trigger()
        settings = app.window.findChild(AccountSettingsDialog)
        assert settings is not None and settings.sync_window() == 30
        settings.set_sync_window(7)
        assert settings.shrinking_note_shown()
        settings.ok_button.click()
        await idle(app.ops)  # saved through the engine (the dialog closes and deletes itself)
        saved = app.store.reader.sync.imap_settings(account.id)
        assert saved is not None and saved.sync_window_days == 7
        assert app.store.reader.raw_message(old_id) is None  # its space freed; it downloads again when opened
        assert app.store.reader.raw_message(new_id) is not None

        # Account → Manage folders…: every folder the server lists, "Hidden" unticked.
        app.window.window_actions.manage_folders.trigger()
        folders = app.window.findChild(FolderSubscriptionsDialog)
        assert folders is not None
        assert {"Inbox", "Work", "Hidden", "Sent", "Trash"} <= set(folders.visible_paths())
        assert folders.is_checked("Work") and not folders.is_checked("Hidden")
        folders.filter_edit.setText("wor")
        assert folders.visible_paths() == ["Work"]
        done = next_emit(folders.subscriptionChanged)
        folders.set_checked("Work", False)
        await wait_for(done)
        assert not in_tree(app, account, "Work")
        folders.filter_edit.clear()
        done = next_emit(folders.subscriptionChanged)
        folders.set_checked("Hidden", True)
        await wait_for(done)
        await idle(app.ops)
        assert in_tree(app, account, "Hidden")
        folders.reject()

        await replayed(app, account)
        lsub = {name for _flags, _delimiter, name in server.list_sub_folders()}
        assert "Work" not in lsub and "Hidden" in lsub and "Sent" in lsub
        # Full syncs since then listed the server's folders again: they agree with what was chosen here.
        assert not in_tree(app, account, "Work") and in_tree(app, account, "Hidden")


async def test_view_certificate_shows_what_dovecot_presented(
    tmp_path: Path, dovecot: DovecotServer, store: Store, bus: EventBus
) -> None:
    """Without the test CA trusted, adding the account over TLS fails; the certificate is the server's own."""
    user = dovecot.add_user(password=PASSWORD)
    secrets = SecretStore(backend=MemoryKeyring())
    sync = SyncService(store, bus, secrets.get_password)  # the test CA is not trusted here
    ops = Ops()
    window = QMainWindow()
    window.show()
    try:
        dialog = AccountSetupDialog(sync, secrets, ops, window, discovery=NoLookups())
        dialog.show()
        fill(dialog, dovecot, user.name, PASSWORD)  # IMAP over TLS
        dialog.ok_button.click()
        await idle(ops)
        assert dialog.imap_result.text().startswith("IMAP: ✗") and dialog.certificate_button.isVisible()
        assert dialog.focusWidget() is dialog.servers.imap_rows.host
        shown = dialog.show_certificate()
        assert shown is not None
        fields = shown.fields()
        pem = ssl.get_server_certificate((dovecot.host, dovecot.tls_port))
        digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
        assert fields["SHA-256 fingerprint:"] == ":".join(digest[i : i + 2] for i in range(0, 64, 2))
        assert fields["Issued to:"] == "localhost"
        assert fields["Issued by:"] == "RealMail Test CA, RealMail tests"
        assert "certificate" in fields["Why it failed:"]
        shown.close()
        dialog.reject()
    finally:
        await ops.drain()
        window.close()
        shiboken6.delete(window)
