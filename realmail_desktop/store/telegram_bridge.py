"""The Telegram bridge's state (migrations/0010): paired chats, pairing codes, bot messages about mail, settings.

Reads run in a worker thread (`Database.read_async`), so the bridge and the settings dialog both await them.
Nothing here is a secret: the bot token lives in the keyring, and a pairing code only as its SHA-256.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from realmail_desktop.store.database import Database


class ChatState(StrEnum):
    PENDING = "pending"  # sent a valid code; waits for the person to confirm its name on the desktop
    PAIRED = "paired"


class BotMessageKind(StrEnum):
    NOTIFICATION = "notification"
    PROMPT = "prompt"  # "reply to this message with your answer"
    TEXT = "text"  # a mail's full text


@dataclass(frozen=True, slots=True)
class TelegramChat:
    chat_id: int
    name: str
    username: str
    state: ChatState
    created_at: float
    paired_at: float | None


@dataclass(frozen=True, slots=True)
class BotMessage:
    """A bot message about one mail: `id` is the short id in its buttons' callback data."""

    id: int
    chat_id: int
    telegram_message_id: int
    message_row: int
    kind: BotMessageKind


@dataclass(frozen=True, slots=True)
class BridgeSettings:
    """What the bridge does: notify about mail in `folders` or from `vip_senders`, not during quiet hours
    (`quiet_start`–`quiet_end`, minutes after local midnight; equal means none), at most `per_hour`
    notifications an hour (then a digest), nothing before `mute_until`."""

    enabled: bool = False
    bot_username: str = ""
    folders: frozenset[int] = frozenset()
    vip_senders: frozenset[str] = frozenset()
    quiet_start: int = 0
    quiet_end: int = 0
    per_hour: int = 20
    mute_until: float = 0.0


_SCALARS = ("enabled", "bot_username", "quiet_start", "quiet_end", "per_hour", "mute_until")
_CHAT_COLUMNS = "chat_id, name, username, state, created_at, paired_at"
_MESSAGE_COLUMNS = "id, chat_id, telegram_message_id, message_row, kind"


def _chat(row: tuple[object, ...]) -> TelegramChat:
    paired = row[5]
    return TelegramChat(
        int(row[0]),  # type: ignore[call-overload]
        str(row[1]),
        str(row[2]),
        ChatState(str(row[3])),
        float(row[4]),  # type: ignore[arg-type]
        float(paired) if paired is not None else None,  # type: ignore[arg-type]
    )


def _bot_message(row: tuple[object, ...]) -> BotMessage:
    return BotMessage(
        int(row[0]),  # type: ignore[call-overload]
        int(row[1]),  # type: ignore[call-overload]
        int(row[2]),  # type: ignore[call-overload]
        int(row[3]),  # type: ignore[call-overload]
        BotMessageKind(str(row[4])),
    )


def _number(text: str | None, default: float) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default


def read_settings(conn: sqlite3.Connection) -> BridgeSettings:
    values = dict(conn.execute("SELECT key, value FROM telegram_settings").fetchall())
    defaults = BridgeSettings()
    return BridgeSettings(
        enabled=values.get("enabled") == "1",
        bot_username=str(values.get("bot_username", "")),
        folders=frozenset(int(r[0]) for r in conn.execute("SELECT folder_id FROM telegram_watched_folders")),
        vip_senders=frozenset(str(r[0]) for r in conn.execute("SELECT address FROM telegram_vip_senders")),
        quiet_start=int(_number(values.get("quiet_start"), defaults.quiet_start)) % 1440,
        quiet_end=int(_number(values.get("quiet_end"), defaults.quiet_end)) % 1440,
        per_hour=max(1, int(_number(values.get("per_hour"), defaults.per_hour))),
        mute_until=_number(values.get("mute_until"), 0.0),
    )


class TelegramBridgeRepository:
    """Reads and writes of the bridge's tables; `settings()` and `chats()` are what the dialog shows."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- settings ---------------------------------------------------------------------------------
    async def settings(self) -> BridgeSettings:
        return await self._db.read_async(read_settings)

    async def set_values(self, **values: str | int | float | bool) -> None:
        """Set scalar settings (`enabled`, `bot_username`, `quiet_start`, `quiet_end`, `per_hour`, `mute_until`)."""
        unknown = set(values) - set(_SCALARS)
        if unknown:
            raise ValueError(f"unknown Telegram bridge settings: {sorted(unknown)}")
        rows = [(key, str(int(v)) if isinstance(v, bool) else str(v)) for key, v in values.items()]
        async with self._db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO telegram_settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                rows,
            )

    async def set_watched(self, folders: Iterable[int], vip_senders: Iterable[str]) -> None:
        """Replace the choice of what is worth a notification."""
        addresses = sorted({a.strip().lower() for a in vip_senders if "@" in a})
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM telegram_watched_folders")
            await tx.execute("DELETE FROM telegram_vip_senders")
            await tx.executemany(
                "INSERT OR IGNORE INTO telegram_watched_folders (folder_id) SELECT id FROM folders WHERE id = ?",
                [(int(f),) for f in set(folders)],
            )
            await tx.executemany("INSERT INTO telegram_vip_senders (address) VALUES (?)", [(a,) for a in addresses])

    # --- pairing ----------------------------------------------------------------------------------
    async def add_pairing_code(self, code_hash: str, expires_at: float) -> None:
        """Open a new code; any older unused one is closed (one code at a time)."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE telegram_pairing_codes SET used_at = ? WHERE used_at IS NULL", (time.time(),))
            await tx.execute(
                "INSERT INTO telegram_pairing_codes (code_hash, expires_at) VALUES (?, ?)", (code_hash, expires_at)
            )

    async def redeem_pairing_code(self, matches: Callable[[str], bool], now: float, max_attempts: int) -> bool:
        """Use the open code that `matches` accepts (its hash is passed); a wrong try counts against every open
        code, which closes after `max_attempts` wrong tries. True when a code was used."""
        async with self._db.transaction() as tx:
            rows = await tx.execute_fetchall(
                "SELECT id, code_hash FROM telegram_pairing_codes"
                " WHERE used_at IS NULL AND expires_at > ? AND attempts < ?",
                (now, max_attempts),
            )
            hit = None
            for code_id, code_hash in rows:  # every open code is compared: no early exit to time
                if matches(str(code_hash)) and hit is None:
                    hit = int(code_id)
            if hit is not None:
                await tx.execute("UPDATE telegram_pairing_codes SET used_at = ? WHERE id = ?", (now, hit))
            else:
                await tx.execute(
                    "UPDATE telegram_pairing_codes SET attempts = attempts + 1"
                    " WHERE used_at IS NULL AND expires_at > ?",
                    (now,),
                )
        return hit is not None

    async def add_pending_chat(self, chat_id: int, name: str, username: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                f"INSERT INTO telegram_chats ({_CHAT_COLUMNS}) VALUES (?, ?, ?, 'pending', ?, NULL)"
                " ON CONFLICT (chat_id) DO UPDATE SET name = excluded.name, username = excluded.username"
                " WHERE telegram_chats.state = 'pending'",
                (chat_id, name, username, time.time()),
            )

    async def confirm_chat(self, chat_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE telegram_chats SET state = 'paired', paired_at = ? WHERE chat_id = ?", (time.time(), chat_id)
            )

    async def remove_chat(self, chat_id: int) -> None:
        """Unpair (or refuse a pending) chat; its bot messages are forgotten with it."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM telegram_chats WHERE chat_id = ?", (chat_id,))

    async def chats(self) -> list[TelegramChat]:
        return await self._db.read_async(
            lambda conn: [
                _chat(r) for r in conn.execute(f"SELECT {_CHAT_COLUMNS} FROM telegram_chats ORDER BY created_at")
            ]
        )

    # --- bot messages about mail ------------------------------------------------------------------
    async def add_bot_message(
        self, chat_id: int, telegram_message_id: int, message_row: int, kind: BotMessageKind
    ) -> BotMessage:
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT OR REPLACE INTO telegram_messages (chat_id, telegram_message_id, message_row, kind, sent_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (chat_id, telegram_message_id, message_row, kind.value, time.time()),
            )
            short_id = int(cursor.lastrowid or 0)
        return BotMessage(short_id, chat_id, telegram_message_id, message_row, kind)

    async def reserve_bot_message(self, chat_id: int, message_row: int, kind: BotMessageKind) -> int:
        """A short id for a bot message about to be sent (its buttons carry it); `sent` fills in Telegram's id."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO telegram_messages (chat_id, telegram_message_id, message_row, kind, sent_at)"
                " VALUES (?, -1 - (SELECT COALESCE(MAX(id), 0) FROM telegram_messages), ?, ?, ?)",
                (chat_id, message_row, kind.value, time.time()),
            )
            return int(cursor.lastrowid or 0)

    async def sent(self, short_id: int, telegram_message_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE telegram_messages SET telegram_message_id = ? WHERE id = ?", (telegram_message_id, short_id)
            )

    async def bot_message(self, short_id: int) -> BotMessage | None:
        def query(conn: sqlite3.Connection) -> BotMessage | None:
            row = conn.execute(f"SELECT {_MESSAGE_COLUMNS} FROM telegram_messages WHERE id = ?", (short_id,)).fetchone()
            return _bot_message(row) if row else None

        return await self._db.read_async(query)

    async def bot_message_in_chat(self, chat_id: int, telegram_message_id: int) -> BotMessage | None:
        def query(conn: sqlite3.Connection) -> BotMessage | None:
            row = conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM telegram_messages WHERE chat_id = ? AND telegram_message_id = ?",
                (chat_id, telegram_message_id),
            ).fetchone()
            return _bot_message(row) if row else None

        return await self._db.read_async(query)

    async def notifications_of(self, message_rows: Iterable[int]) -> list[BotMessage]:
        rows = sorted(set(message_rows))
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        return await self._db.read_async(
            lambda conn: [
                _bot_message(r)
                for r in conn.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM telegram_messages"
                    f" WHERE kind = 'notification' AND message_row IN ({marks})",
                    rows,
                )
            ]
        )

    async def forget_bot_messages(self, short_ids: Iterable[int]) -> None:
        ids = [(i,) for i in set(short_ids)]
        async with self._db.transaction() as tx:
            await tx.executemany("DELETE FROM telegram_messages WHERE id = ?", ids)

    async def forget_bot_messages_before(self, moment: float) -> None:
        """Old notifications lose their buttons' meaning (pressing one then says it is no longer valid)."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM telegram_messages WHERE sent_at < ?", (moment,))
