"""Accounts' names, order and colours (migration 0009) and how each signs in: the repository's checks and the
schema's own guard on colours."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from realmail_desktop.core.errors import KnownError
from realmail_desktop.store import ImapAuth, ImapSecurity, ImapSettings, Store


async def make_accounts(store: Store) -> list[int]:
    local, _ = await store.accounts.create_local()
    settings = ImapSettings(host="imap.example.org", port=993, security=ImapSecurity.TLS, username="ann")
    work, _ = await store.accounts.create_imap("Work", "ann@example.org", settings)
    google = settings.model_copy(update={"auth": ImapAuth.XOAUTH2, "username": "bo@gmail.com"})
    home, _ = await store.accounts.create_imap("Home", "bo@gmail.com", google)
    return [local.id, work.id, home.id]


async def test_the_repository_refuses_empty_names_bad_colours_and_missing_accounts(store: Store) -> None:
    _local_id, work_id, _home_id = await make_accounts(store)
    with pytest.raises(KnownError, match="needs a name"):
        await store.accounts.rename_account(work_id, "   ")
    with pytest.raises(KnownError, match="not a colour"):
        await store.accounts.set_account_color(work_id, "red; drop table")
    with pytest.raises(KnownError):
        await store.accounts.rename_account(999, "Ghost")
    assert (await store.accounts.set_account_color(work_id, "#ABCDEF")).accounts
    assert next(a for a in store.reader.accounts() if a.id == work_id).color == "#abcdef"
    assert (await store.accounts.move_account(work_id, -10)).accounts  # clamped: to the top
    assert store.reader.accounts()[0].id == work_id
    assert (await store.accounts.move_account(work_id, -1)).empty  # already first: nothing changes


async def test_the_schema_refuses_a_colour_that_is_not_rrggbb(store: Store, tmp_path: Path) -> None:
    _local_id, work_id, _home_id = await make_accounts(store)
    other = sqlite3.connect(tmp_path / "realmail.sqlite3")  # another writer, bypassing the repository
    try:
        with pytest.raises(sqlite3.IntegrityError):
            other.execute("UPDATE accounts SET color = 'red' WHERE id = ?", (work_id,))
        with pytest.raises(sqlite3.IntegrityError):
            other.execute("UPDATE accounts SET imap_auth = 'kerberos' WHERE id = ?", (work_id,))
        other.execute("UPDATE accounts SET color = '#00ff00' WHERE id = ?", (work_id,))
        other.rollback()
    finally:
        other.close()
