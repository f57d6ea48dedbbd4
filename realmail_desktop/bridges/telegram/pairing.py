"""Pairing a phone with the desktop: one-time codes (single use, expiring, few attempts) and the t.me link.

The desktop opens a code and shows it (and `t.me/<bot>?start=<code>`, also as a QR code). The person sends
it from a private chat; a right code makes that chat 'pending' and the desktop asks the person to confirm the
Telegram name that paired. Only the code's SHA-256 is stored; candidates are compared with
`secrets.compare_digest` against every open code. Wrong codes count against the open code, which closes after
`MAX_ATTEMPTS`, so guessing is hopeless within its lifetime.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from realmail_desktop.store.telegram_bridge import TelegramBridgeRepository

CODE_LIFETIME = 10 * 60.0  # seconds
MAX_ATTEMPTS = 5
# Deep-link start parameters allow A-Z a-z 0-9 _ - up to 64 characters.
_CODE_BYTES = 12


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    """The link that opens the bot and sends `/start <code>` when the person taps Start."""
    return f"https://t.me/{bot_username}?start={code}"


@dataclass(frozen=True, slots=True)
class PairingCode:
    code: str
    expires_at: float


class Pairing:
    """Opens codes (`new_code`) and redeems them (`redeem`); the chats are kept by the store."""

    def __init__(
        self,
        repository: TelegramBridgeRepository,
        *,
        clock: Callable[[], float] = time.time,
        lifetime: float = CODE_LIFETIME,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._lifetime = lifetime
        self._max_attempts = max_attempts

    async def new_code(self) -> PairingCode:
        """A fresh code; any code opened earlier stops working."""
        code = secrets.token_urlsafe(_CODE_BYTES)
        expires_at = self._clock() + self._lifetime
        await self._repository.add_pairing_code(code_hash(code), expires_at)
        return PairingCode(code, expires_at)

    async def redeem(self, candidate: str) -> bool:
        """Whether `candidate` is an open code (which is then used up); a wrong one counts as an attempt."""
        wanted = code_hash(candidate)
        return await self._repository.redeem_pairing_code(
            lambda stored: secrets.compare_digest(stored, wanted), self._clock(), self._max_attempts
        )
