"""Mail rules in the store (migrations/0012 `rules`): saving, ordering, enabling, and the reads rules run on."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass

from realmail_desktop.core.errors import NotFoundError
from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.rule_engine import (
    ActionKind,
    Condition,
    ConditionField,
    Operator,
    Rule,
    RuleAction,
    validate_rule,
)

_COLUMNS = "id, name, enabled, position, match, conditions, actions, scope_accounts, scope_folders, stop_processing"


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A message's stored fields rules look at, and its raw bytes when the body is here."""

    id: int
    account_id: int
    folder_id: int
    date: int
    sender_name: str
    sender_address: str
    recipients: str
    cc: str
    subject: str
    list_id: str
    unsubscribe: str
    size: int
    has_attachments: bool
    raw: bytes | None


def _rule_from_row(row: tuple[object, ...]) -> Rule:
    conditions = tuple(
        Condition(
            field=ConditionField(c["field"]),
            operator=Operator(c.get("operator", "contains")),
            value=str(c.get("value", "")),
            header=str(c.get("header", "")),
            negate=bool(c.get("negate", False)),
        )
        for c in json.loads(str(row[5]))
    )
    actions = tuple(
        RuleAction(kind=ActionKind(a["kind"]), argument=str(a.get("argument", ""))) for a in json.loads(str(row[6]))
    )
    return Rule(
        id=int(str(row[0])),
        name=str(row[1]),
        enabled=bool(row[2]),
        position=int(str(row[3])),
        match_all=row[4] == "all",
        conditions=conditions,
        actions=actions,
        scope_accounts=tuple(int(a) for a in json.loads(str(row[7]))),
        scope_folders=tuple(int(f) for f in json.loads(str(row[8]))),
        stop_processing=bool(row[9]),
    )


def _rule_values(rule: Rule) -> tuple[object, ...]:
    return (
        rule.name.strip(),
        int(rule.enabled),
        "all" if rule.match_all else "any",
        json.dumps(
            [
                {"field": c.field.value, "operator": c.operator.value, "value": c.value, "header": c.header}
                | ({"negate": True} if c.negate else {})
                for c in rule.conditions
            ]
        ),
        json.dumps([{"kind": a.kind.value, "argument": a.argument} for a in rule.actions]),
        json.dumps(list(rule.scope_accounts)),
        json.dumps(list(rule.scope_folders)),
        int(rule.stop_processing),
    )


class RuleReader:
    """Synchronous reads of rules and of the message fields they match (through `StoreReader.rules`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def all(self) -> list[Rule]:
        """Every rule, in the order they run."""
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM rules ORDER BY position, id")
        return [_rule_from_row(r) for r in rows]

    def rule(self, rule_id: int) -> Rule | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM rules WHERE id = ?", (rule_id,)).fetchone()
        return _rule_from_row(row) if row else None

    def messages(self, message_ids: list[int], *, with_raw: bool) -> list[StoredMessage]:
        raw = "(SELECT raw FROM message_bodies b WHERE b.message_id = m.id)" if with_raw else "NULL"
        rows = self._conn.execute(
            "SELECT id, account_id, folder_id, date, sender_name, sender_address, recipients, cc, subject, list_id,"
            f" unsubscribe, size, has_attachments, {raw} FROM messages m"
            " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (json.dumps(message_ids),),
        )
        return [
            StoredMessage(
                id=int(r[0]),
                account_id=int(r[1]),
                folder_id=int(r[2]),
                date=int(r[3]),
                sender_name=str(r[4]),
                sender_address=str(r[5]),
                recipients=str(r[6]),
                cc=str(r[7]),
                subject=str(r[8]),
                list_id=str(r[9]),
                unsubscribe=str(r[10]),
                size=int(r[11]),
                has_attachments=bool(r[12]),
                raw=bytes(r[13]) if r[13] is not None else None,
            )
            for r in rows
        ]

    def unsubscribe_header(self, message_id: int) -> tuple[str, bool] | None:
        """The message's List-Unsubscribe header and whether it allows RFC 8058 one-click; None: no message."""
        row = self._conn.execute(
            "SELECT unsubscribe, unsubscribe_one_click FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        return (str(row[0]), bool(row[1])) if row else None

    def folder_message_ids(self, folder_id: int) -> list[int]:
        rows = self._conn.execute("SELECT id FROM messages WHERE folder_id = ? ORDER BY id", (folder_id,))
        return [int(r[0]) for r in rows]


class RuleRepository:
    """Writes of rules; each returns Changes (rules are read when they run, so there is nothing to redraw)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, rule: Rule) -> int:
        """Insert (`rule.id` 0, placed last) or update a rule; RuleError when it cannot be used as written."""
        validate_rule(rule)
        values = _rule_values(rule)
        async with self._db.transaction() as tx:
            if rule.id:
                cursor = await tx.execute(
                    "UPDATE rules SET name = ?, enabled = ?, match = ?, conditions = ?, actions = ?,"
                    " scope_accounts = ?, scope_folders = ?, stop_processing = ? WHERE id = ?",
                    (*values, rule.id),
                )
                if cursor.rowcount == 0:
                    raise NotFoundError("That rule no longer exists.")
                return rule.id
            cursor = await tx.execute(
                "INSERT INTO rules (name, enabled, match, conditions, actions, scope_accounts, scope_folders,"
                " stop_processing, position, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM rules), ?)",
                (*values, int(time.time())),
            )
            return int(cursor.lastrowid or 0)

    async def set_enabled(self, rule_id: int, enabled: bool) -> Changes:
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE rules SET enabled = ? WHERE id = ?", (int(enabled), rule_id))
        return Changes()

    async def delete(self, rule_id: int) -> Changes:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM rules WHERE id = ?", (rule_id,))
        return Changes()

    async def move(self, rule_id: int, steps: int) -> Changes:
        """Move a rule up (`steps` < 0) or down in the running order."""
        async with self._db.transaction() as tx:
            ids = [int(r[0]) for r in await tx.execute_fetchall("SELECT id FROM rules ORDER BY position, id")]
            if rule_id not in ids:
                raise NotFoundError("That rule no longer exists.")
            index = ids.index(rule_id)
            ids.insert(max(0, min(len(ids) - 1, index + steps)), ids.pop(index))
            await tx.executemany("UPDATE rules SET position = ? WHERE id = ?", list(enumerate(ids, start=1)))
        return Changes()
