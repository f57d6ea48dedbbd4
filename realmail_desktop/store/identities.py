"""Identities (migrations/0008): each account's From addresses with their signatures and Reply-To.

An account always has a default identity: one is made from the account's own name and address the first
time `ensure_default` runs for it (the composer calls it before opening), so nothing else has to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import aiosqlite

from realmail_desktop.core.errors import KnownError, NotFoundError
from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.models import Identity

_COLUMNS = "id, account_id, name, address, signature, reply_to, is_default"


def _identity(row: Sequence[object]) -> Identity:
    return Identity(
        id=int(row[0]),  # type: ignore[call-overload]
        account_id=int(row[1]),  # type: ignore[call-overload]
        name=str(row[2]),
        address=str(row[3]),
        signature=str(row[4]),
        reply_to=str(row[5]),
        is_default=bool(row[6]),
    )


class IdentityReader:
    """Synchronous reads of identities (through `StoreReader.identities`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def of_account(self, account_id: int) -> list[Identity]:
        """The account's identities, the default first."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM identities WHERE account_id = ? ORDER BY is_default DESC, position, id",
            (account_id,),
        )
        return [_identity(r) for r in rows]

    def all(self) -> list[Identity]:
        """Every identity, account by account (the accounts' order), each account's default first."""
        rows = self._conn.execute(
            f"SELECT {', '.join('i.' + c.strip() for c in _COLUMNS.split(','))} FROM identities i"
            " JOIN accounts a ON a.id = i.account_id ORDER BY a.position, a.id, i.is_default DESC, i.position, i.id"
        )
        return [_identity(r) for r in rows]

    def get(self, identity_id: int) -> Identity | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM identities WHERE id = ?", (identity_id,)).fetchone()
        return _identity(row) if row else None


def _checked(name: str, address: str) -> tuple[str, str]:
    address = address.strip()
    if "@" not in address or address.startswith("@") or address.endswith("@") or " " in address:
        raise KnownError(f"“{address}” is not an e-mail address.", hint="Write it as name@example.org.")
    return " ".join(name.split()), address


class IdentityRepository:
    """Writes of identities; each returns Changes (`accounts`: the composer's From choices changed)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def ensure_default(self, account_id: int) -> Changes:
        """Give the account a default identity from its name and address, when it has none and an address."""
        async with self._db.transaction() as tx:
            have = await (
                await tx.execute("SELECT 1 FROM identities WHERE account_id = ? AND is_default = 1", (account_id,))
            ).fetchone()
            if have is not None:
                return Changes()
            account = await (
                await tx.execute("SELECT name, address FROM accounts WHERE id = ?", (account_id,))
            ).fetchone()
            if account is None or "@" not in str(account[1]):
                return Changes()
            first = await (
                await tx.execute("SELECT id FROM identities WHERE account_id = ? ORDER BY position, id", (account_id,))
            ).fetchone()
            if first is not None:
                await tx.execute("UPDATE identities SET is_default = 1 WHERE id = ?", (first[0],))
            else:
                await tx.execute(
                    "INSERT INTO identities (account_id, name, address, is_default) VALUES (?, ?, ?, 1)",
                    (account_id, str(account[0]), str(account[1])),
                )
        return self._db.publish(Changes())  # nothing on screen lists identities; the composer reads them

    async def add(
        self, account_id: int, name: str, address: str, *, signature: str = "", reply_to: str = ""
    ) -> tuple[int, Changes]:
        name, address = _checked(name, address)
        async with self._db.transaction() as tx:
            position = await (
                await tx.execute(
                    "SELECT COALESCE(MAX(position) + 1, 0) FROM identities WHERE account_id = ?", (account_id,)
                )
            ).fetchone()
            has_default = await (
                await tx.execute("SELECT 1 FROM identities WHERE account_id = ? AND is_default = 1", (account_id,))
            ).fetchone()
            cursor = await tx.execute(
                "INSERT INTO identities (account_id, name, address, signature, reply_to, is_default, position)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    account_id,
                    name,
                    address,
                    signature,
                    reply_to.strip(),
                    int(has_default is None),
                    position[0] if position else 0,
                ),
            )
            identity_id = int(cursor.lastrowid or 0)
        return identity_id, self._db.publish(Changes(accounts=True))

    async def update(self, identity: Identity) -> Changes:
        name, address = _checked(identity.name, identity.address)
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE identities SET name = ?, address = ?, signature = ?, reply_to = ? WHERE id = ?",
                (name, address, identity.signature, identity.reply_to.strip(), identity.id),
            )
            if cursor.rowcount == 0:
                raise NotFoundError("That identity no longer exists.")
        return self._db.publish(Changes())  # nothing on screen lists identities; the composer reads them

    async def set_default(self, identity_id: int) -> Changes:
        async with self._db.transaction() as tx:
            account = await _account_of(tx, identity_id)
            await tx.execute("UPDATE identities SET is_default = 0 WHERE account_id = ?", (account,))
            await tx.execute("UPDATE identities SET is_default = 1 WHERE id = ?", (identity_id,))
        return self._db.publish(Changes())  # nothing on screen lists identities; the composer reads them

    async def remove(self, identity_id: int) -> Changes:
        """Remove an identity; the account's last one cannot go (something must stand in the From field)."""
        async with self._db.transaction() as tx:
            account = await _account_of(tx, identity_id)
            count = await (
                await tx.execute("SELECT COUNT(*) FROM identities WHERE account_id = ?", (account,))
            ).fetchone()
            if count is not None and int(count[0]) <= 1:
                raise KnownError("An account needs at least one identity.", hint="Change this one instead.")
            await tx.execute("DELETE FROM identities WHERE id = ?", (identity_id,))
            await tx.execute(
                "UPDATE identities SET is_default = 1 WHERE id = (SELECT id FROM identities WHERE account_id = ?"
                " ORDER BY position, id LIMIT 1) AND NOT EXISTS"
                " (SELECT 1 FROM identities WHERE account_id = ? AND is_default = 1)",
                (account, account),
            )
        return self._db.publish(Changes())  # nothing on screen lists identities; the composer reads them


async def _account_of(tx: aiosqlite.Connection, identity_id: int) -> int:
    row = await (await tx.execute("SELECT account_id FROM identities WHERE id = ?", (identity_id,))).fetchone()
    if row is None:
        raise NotFoundError("That identity no longer exists.")
    return int(row[0])
