"""Calls to the Bot API with Telegram's rules kept: a 429 waits the `retry_after` it names, a network error
retries with back-off, a refusal (400/403) is logged once and dropped — never raised into a handler.

python-telegram-bot retries nothing by itself outside polling (FIELD-NOTES), so every send goes through here.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from realmail_desktop.core.logs import get_logger

T = TypeVar("T")
_log = get_logger("telegram")

ATTEMPTS = 4
MAX_RETRY_AFTER = 120.0  # a longer ban is not waited out inside one action: the call is dropped


def use_timedelta_periods() -> None:
    """Opt in to python-telegram-bot's coming `timedelta` durations (PTB_TIMEDELTA): without it the library
    warns (PTBDeprecationWarning) each time it builds a RetryAfter — on every 429."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")


def retry_after_seconds(exc: RetryAfter) -> float:
    wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, dtm.timedelta) else float(wait)


async def call_api(what: str, call: Callable[[], Awaitable[T]], *, backoff: float = 1.0) -> T | None:
    """Run `call` (a fresh coroutine each attempt); None when Telegram would not take it."""
    delay = backoff
    for attempt in range(1, ATTEMPTS + 1):
        last = attempt == ATTEMPTS
        try:
            return await call()
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            if wait > MAX_RETRY_AFTER or last:
                _log.warning("Telegram asked to wait %.0f s before %s; dropped", wait, what)
                break
            _log.info("Telegram asked to wait %.0f s before %s", wait, what)
            await asyncio.sleep(wait)
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest | Forbidden):
                _refused(what, exc)
                break
            if last:
                _log.warning("Telegram unreachable for %s: %s", what, type(exc).__name__)
                break
            await asyncio.sleep(delay)
            delay *= 2
        except TelegramError as exc:
            _refused(what, exc)
            break
    return None


def _refused(what: str, exc: TelegramError) -> None:
    if isinstance(exc, BadRequest) and "not modified" in str(exc).lower():
        return  # the buttons already were what we asked for
    _log.warning("Telegram refused %s: %s", what, exc)
