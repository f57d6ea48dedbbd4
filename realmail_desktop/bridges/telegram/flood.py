"""Flood control: quiet hours, mute and a rate limit, so a mail storm becomes one digest, not a buzzing phone.

`FloodControl.sort(ids, now)` splits new mail into what may be notified one by one and what waits for a
digest; `digest_due(now)` hands the waiting ids over once a digest may go out (quiet hours and mute over, the
hourly budget not spent). A batch bigger than `BURST` goes straight to the digest. Pure logic: the bridge
feeds it the clock and the settings.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from realmail_desktop.store.telegram_bridge import BridgeSettings

BURST = 5  # more new messages than this at once: one digest
HOUR = 3600.0


def in_quiet_hours(settings: BridgeSettings, now: float) -> bool:
    """Whether local time `now` falls in quiet hours (a span may cross midnight: 22:00–07:00)."""
    start, end = settings.quiet_start, settings.quiet_end
    if start == end:
        return False
    moment = time.localtime(now)
    minute = moment.tm_hour * 60 + moment.tm_min
    return start <= minute < end if start < end else minute >= start or minute < end


@dataclass(frozen=True, slots=True)
class Sorted:
    now: tuple[int, ...]  # notify one by one
    held: tuple[int, ...]  # wait for the digest


class FloodControl:
    def __init__(self) -> None:
        self._sent: deque[float] = deque()  # when notifications (and digests) went out, within the last hour
        self._held: list[int] = []
        self.settings = BridgeSettings()

    def _budget(self, now: float) -> int:
        while self._sent and self._sent[0] <= now - HOUR:
            self._sent.popleft()
        return self.settings.per_hour - len(self._sent)

    def _silenced(self, now: float) -> bool:
        return now < self.settings.mute_until or in_quiet_hours(self.settings, now)

    def sort(self, message_ids: Sequence[int], now: float) -> Sorted:
        ids = list(dict.fromkeys(message_ids))
        if self._silenced(now) or self._held:
            self._held.extend(ids)  # while a digest waits, news joins it (keeps the order of arrival)
            return Sorted((), tuple(ids))
        if len(ids) > BURST:
            self._held.extend(ids)
            return Sorted((), tuple(ids))
        budget = max(0, self._budget(now))
        admitted, held = ids[:budget], ids[budget:]
        self._sent.extend([now] * len(admitted))
        self._held.extend(held)
        return Sorted(tuple(admitted), tuple(held))

    def digest_due(self, now: float) -> list[int]:
        """The held ids, when a digest may go out now (it then counts as one notification); else []."""
        if not self._held or self._silenced(now) or self._budget(now) <= 0:
            return []
        held, self._held = self._held, []
        self._sent.append(now)
        return held

    @property
    def held(self) -> tuple[int, ...]:
        return tuple(self._held)

    def forget(self, message_ids: Sequence[int]) -> None:
        """Mail that went away (read, deleted) before its digest: leave it out."""
        gone = set(message_ids)
        self._held = [i for i in self._held if i not in gone]
