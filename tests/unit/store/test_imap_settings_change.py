"""store.accounts.set_imap_settings: an account's server settings change, its sync window, sign-in kind,
folders and other accounts stay; a local or missing account is refused."""

from __future__ import annotations

import pytest

from realmail_desktop.core.errors import NotFoundError
from realmail_desktop.store import Account, ImapAuth, ImapSecurity, ImapSettings, Store


async def test_server_settings_change_and_the_rest_stays(store: Store) -> None:
    first = ImapSettings(
        host="imap.a.example", port=993, security=ImapSecurity.TLS, username="ann", sync_window_days=90
    )
    other = ImapSettings(host="imap.b.example", port=993, security=ImapSecurity.TLS, username="bob")
    account, _ = await store.accounts.create_imap("Ann", "ann@a.example", first)
    bob, _ = await store.accounts.create_imap("Bob", "bob@b.example", other)
    folder, _ = await store.accounts.create_folder(account.id, "Work")

    new = ImapSettings(host="mail.a.example", port=143, security=ImapSecurity.STARTTLS, username="ann@a.example")
    changes = await store.accounts.set_imap_settings(account.id, new.model_copy(update={"sync_window_days": 7}))

    assert changes.accounts
    saved = store.reader.sync.imap_settings(account.id)
    assert saved == new.model_copy(update={"sync_window_days": 90, "auth": ImapAuth.PASSWORD})
    assert store.reader.sync.imap_settings(bob.id) == other
    assert [f.id for f in store.reader.folders(account.id, include_unsubscribed=True) if f.path == "Work"] == [
        folder.id
    ]


async def test_a_local_or_missing_account_is_refused(store: Store, local_account: Account) -> None:
    settings = ImapSettings(host="imap.a.example", port=993, security=ImapSecurity.TLS, username="ann")
    for account_id in (local_account.id, 4711):
        with pytest.raises(NotFoundError):
            await store.accounts.set_imap_settings(account_id, settings)
