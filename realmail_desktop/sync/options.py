"""Tunables of the sync engine (chunk sizes, intervals, retry delays) and the reconnect back-off."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """Defaults suit a person's mailbox; tests shrink the chunks and delays."""

    first_chunk: int = 100  # the newest headers of a folder, fetched first so the list fills within a second
    chunk: int = 500  # UIDs per header FETCH after that (each chunk is one transaction and one progress step)
    # A header sync of this many messages starts a worker process that reads them into rows (sync/header_reader.py;
    # None: never, threads read them as before)
    header_process_from: int | None = 2_000
    body_batch_bytes: int = 2_000_000  # bodies per FETCH, by their RFC822.SIZE
    body_batch_count: int = 100
    check_interval_seconds: float = 300.0  # folders other than the Inbox (and the Inbox without IDLE)
    min_check_interval_seconds: float = 60.0  # the adaptive interval shrinks to this while mail keeps coming
    idle_renew_seconds: float = 25 * 60.0  # RFC 2177: servers may drop a client idle for 30 minutes
    io_timeout_seconds: float = 30.0  # any socket operation
    retry_first_seconds: float = 2.0
    retry_max_seconds: float = 300.0
    op_max_attempts: int = 5  # a queued action the server keeps refusing is given up (the server's state wins)


class Backoff:
    """Exponential back-off with full jitter (AWS architecture blog): delays spread out so that many clients
    coming back after an outage do not reconnect in lockstep."""

    def __init__(self, first: float, maximum: float, rng: random.Random | None = None) -> None:
        self._first = first
        self._max = maximum
        self._attempt = 0
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not cryptography)

    def next_delay(self) -> float:
        ceiling = min(self._max, self._first * (2**self._attempt))
        self._attempt += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self._attempt = 0
