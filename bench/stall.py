"""The event-loop stall meter the benchmarks share: a 10 ms timer on the loop (a QTimer under qasync, as in the
app; an asyncio timer where Qt is missing) that keeps the longest gap between two ticks (DESIGN.md §7)."""

from __future__ import annotations

import asyncio
import time
from typing import Any


class Ticker:
    """`start()` on the running loop, `stop()` after; read `max_gap` (seconds), `max_gap_at` (perf_counter
    time of that gap's end), `long_gaps` (gaps over 50 ms) and `ticks` (~100 a second when the loop keeps up)."""

    def __init__(self, qt: bool) -> None:
        self.kind = "QTimer 10 ms (qasync)" if qt else "asyncio call_later 10 ms"
        self._qt = qt
        self._timer: Any = None
        self._handle: asyncio.TimerHandle | None = None
        self._last = time.perf_counter()
        self.max_gap = 0.0
        self.max_gap_at = 0.0
        self.long_gaps = 0
        self.ticks = 0

    def start(self) -> None:
        self._last = time.perf_counter()
        if self._qt:
            from PySide6.QtCore import Qt, QTimer

            self._timer = QTimer()
            self._timer.setTimerType(Qt.TimerType.PreciseTimer)
            self._timer.setInterval(10)
            self._timer.timeout.connect(self._tick)
            self._timer.start()
        else:
            self._handle = asyncio.get_running_loop().call_later(0.01, self._asyncio_tick)

    def reset(self) -> None:
        """Start measuring afresh (the timer keeps running)."""
        self._last = time.perf_counter()
        self.max_gap = 0.0
        self.long_gaps = 0

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._handle is not None:
            self._handle.cancel()

    def _asyncio_tick(self) -> None:
        self._tick()
        self._handle = asyncio.get_running_loop().call_later(0.01, self._asyncio_tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = now - self._last
        if gap > self.max_gap:
            self.max_gap, self.max_gap_at = gap, now
        self.long_gaps += gap > 0.05
        self._last = now
        self.ticks += 1
