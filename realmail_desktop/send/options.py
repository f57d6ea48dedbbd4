"""Tunables of the sender service (pool size, batching, timeouts, retry delays: core/backoff.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SendOptions:
    """Defaults suit a person's outbox; tests and the benchmark shrink or grow them."""

    connections_per_account: int = 4  # parallel SMTP sessions to one server (most allow 10 or more)
    batch: int = 100  # messages claimed at once per account; the connections share them
    idle_close_seconds: float = 30.0  # a pooled connection unused this long is closed (servers drop at ~5 min)
    io_timeout_seconds: float = 60.0  # any SMTP command, the DATA of a big message included
    retry_first_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    max_refusals: int = 8  # 4xx replies to one message before it is given up as failed (no connection: never)
    check_interval_seconds: float = 300.0  # the longest sleep with nothing due (a safety net for missed wakes)
