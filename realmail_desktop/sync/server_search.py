"""ServerSearch: "Search on server" — a search run as IMAP UID SEARCH on the folders' servers, fetching the
bodies of the matches that are not on this computer yet, so the local search finds them from then on.

The search box's query language maps onto SEARCH keys (RFC 3501 §6.4.4): words → TEXT, from: → FROM,
to: → TO or CC, cc: → CC, subject: → SUBJECT, -word → NOT TEXT, a OR b → OR, is:unread → UNSEEN,
is:starred → FLAGGED, after:/before: → SINCE/BEFORE (days). has:attachment and in: have no SEARCH key: in:
already chose the folders, has:attachment is applied locally once the bodies are here. Only messages whose
header row is stored are fetched (the sync adds the others in its own time). One connection of its own per
account, EXAMINE (read-only), closed at the end.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from realmail_desktop.core.errors import AuthenticationFailedError, KnownError
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import Store, SyncFolder
from realmail_desktop.store.search_query import SearchQuery, Term, TextField, parse_search
from realmail_desktop.sync.account_sync import PasswordFor
from realmail_desktop.sync.connection import ImapConnection
from realmail_desktop.sync.fetched_mail import body_rows
from realmail_desktop.sync.options import SyncOptions
from realmail_desktop.sync.uid_sets import format_uid_set

_log = get_logger("sync.search")
FETCH_BATCH = 50
MAX_FETCHED = 2_000  # a search that matches more than this on the server fetches its newest 2,000


def _value(text: str) -> str:
    """A term as a SEARCH string: its words (letters, digits, and the characters of addresses) only, so
    nothing typed can break the command's syntax."""
    words = ["".join(c for c in word if c.isalnum() or c in "@._+-") for word in text.split()]
    return " ".join(word for word in words if word)


def _term_keys(term: Term) -> list[Any]:
    value = _value(term.text)
    if not value:
        return []
    if term.field is TextField.TO:
        return ["OR", "TO", value, "CC", value]
    key = {TextField.ANY: "TEXT", TextField.FROM: "FROM", TextField.CC: "CC", TextField.SUBJECT: "SUBJECT"}
    return [key[term.field], value]


def search_criteria(search: SearchQuery) -> list[Any]:
    """imapclient search criteria for a parsed query (["ALL"] when nothing in it maps to SEARCH)."""
    criteria: list[Any] = []
    for clause in search.clauses:
        alternatives = [keys for keys in map(_term_keys, clause) if keys]
        while len(alternatives) > 1:  # OR takes two keys: fold a OR b OR c into OR (OR a b) c
            first, second = alternatives.pop(0), alternatives.pop(0)
            alternatives.insert(0, ["OR", first, second])
        if alternatives:
            criteria.extend(alternatives[0])
    for term in search.excluded:
        keys = _term_keys(term)
        if keys:
            criteria.extend(["NOT", keys])
    if search.unread is not None:
        criteria.append("UNSEEN" if search.unread else "SEEN")
    if search.starred is not None:
        criteria.append("FLAGGED" if search.starred else "UNFLAGGED")
    if search.after is not None:
        criteria.extend(["SINCE", datetime.fromtimestamp(search.after, UTC).date()])
    if search.before is not None:
        criteria.extend(["BEFORE", datetime.fromtimestamp(search.before, UTC).date()])
    return criteria or ["ALL"]


def _flat_text(criteria: Sequence[Any]) -> str:
    return " ".join(_flat_text(c) if isinstance(c, list) else str(c) for c in criteria)


def rows_without_body(conn: sqlite3.Connection, folder_id: int, uids: Sequence[int]) -> dict[int, int]:
    """UID → message row of the folder's stored rows among `uids` whose body is not stored."""
    rows = conn.execute(
        "SELECT uid, id FROM messages WHERE folder_id = ? AND body_state != 1"
        " AND uid IN (SELECT value FROM json_each(?))",
        (folder_id, json.dumps(list(uids))),
    )
    return {int(uid): int(row) for uid, row in rows}


class ServerSearch:
    """One "Search on server" run over some folders (of any accounts; local folders are skipped)."""

    def __init__(
        self, store: Store, password_for: PasswordFor, options: SyncOptions, *, extra_ca_file: Path | None = None
    ) -> None:
        self._store = store
        self._password_for = password_for
        self._options = options
        self._extra_ca_file = extra_ca_file

    async def run(self, search: SearchQuery, folder_ids: Sequence[int]) -> int:
        """Search and fetch; returns how many messages' bodies were fetched and stored."""
        folders = await self._store.read(lambda r: [r.sync.folder(folder_id) for folder_id in folder_ids])
        by_account: dict[int, list[SyncFolder]] = {}
        for folder in folders:
            if folder is not None and folder.remote_name and folder.selectable and folder.uidvalidity is not None:
                by_account.setdefault(folder.account_id, []).append(folder)
        criteria = search_criteria(search)
        fetched = 0
        for account_id, account_folders in by_account.items():
            fetched += await self._search_account(account_id, account_folders, criteria)
        return fetched

    async def _search_account(self, account_id: int, folders: list[SyncFolder], criteria: list[Any]) -> int:
        settings = await self._store.read(lambda r: r.sync.imap_settings(account_id))
        if settings is None:
            return 0
        password = await asyncio.to_thread(self._password_for, account_id)
        if not password:
            raise AuthenticationFailedError(
                "No password is saved for this account.", hint="Enter the password to search on its server."
            )
        conn = await ImapConnection.open(
            settings, password, extra_ca_file=self._extra_ca_file, io_timeout=self._options.io_timeout_seconds
        )
        charset = None if _flat_text(criteria).isascii() else "UTF-8"
        fetched = 0
        try:
            for folder in folders:
                fetched += await self._search_folder(conn, folder, criteria, charset)
        finally:
            await conn.close()
        return fetched

    async def _search_folder(
        self, conn: ImapConnection, folder: SyncFolder, criteria: list[Any], charset: str | None
    ) -> int:
        async with conn.in_folder(folder.remote_name, readonly=True) as selected:
            if selected.uidvalidity != folder.uidvalidity:
                return 0  # the folder was recreated on the server: the sync will start it over first
            uids = await conn.search(criteria, charset)
        if not uids:
            return 0
        wanted = await self._store.db.read_async(lambda c: rows_without_body(c, folder.id, uids))
        chosen = sorted(wanted, reverse=True)[:MAX_FETCHED]  # newest UIDs first
        _log.info("%s: server search matched %d, %d without a body here", folder.path, len(uids), len(chosen))
        stored = 0
        for start in range(0, len(chosen), FETCH_BATCH):
            batch = chosen[start : start + FETCH_BATCH]
            async with conn.in_folder(folder.remote_name, readonly=True):
                items = await conn.fetch_bodies(format_uid_set(batch))
            rows = await asyncio.to_thread(body_rows, items, {uid: wanted[uid] for uid in batch})
            if rows:
                await self._store.sync.store_bodies(rows)
                stored += len(rows)
        return stored


def checked_query(text: str) -> SearchQuery:
    """The parsed search for the server; refuses one with nothing to ask (the whole folder would match)."""
    search = parse_search(text + " ")
    if search.empty or search_criteria(search) == ["ALL"]:
        raise KnownError("Type what to search for first.", hint="Words, from:, subject:, a date range…")
    return search
