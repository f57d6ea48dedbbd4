"""The retry delay of work that waits in the store between tries (the outbox's SMTP sends, its Drive uploads):
exponential with full jitter (AWS architecture blog), from a persisted attempt count, so it survives a restart.
(sync/options.py's Backoff keeps its count in memory for one connection, so it is not this.)"""

from __future__ import annotations

import random


def retry_delay(attempts: int, first_seconds: float, max_seconds: float, rng: random.Random | None = None) -> float:
    """Seconds before the next try of something that has had `attempts`."""
    ceiling = min(max_seconds, first_seconds * (2 ** max(attempts - 1, 0)))
    return (rng or random).uniform(ceiling / 2, ceiling)  # jitter, not a secret
