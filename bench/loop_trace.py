"""Where an event loop's time goes during a benchmark (`bench/drive.py --trace-loop`): every callback the loop runs,
timed (`asyncio.Handle._run` wrapped; qasync runs its callbacks through it too), and the loop thread's own CPU
time and run-queue wait (time it was ready to run but had no core) from Linux's /proc schedstat.

A long gap of the stall timer with a long callback in it is our code's; one whose callbacks are short but whose
run-queue wait is long is the machine's scheduling.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

_LONG = 0.001  # callbacks at least this long are named (naming costs a little)


def _describe(handle: asyncio.Handle) -> str:
    """What a callback was: a task's step is named by the coroutines it is suspended in afterwards (the
    innermost three), e.g. `task: DriveService.upload > Database.read_async` — the step ran up to that await."""
    callback = handle._callback  # type: ignore[attr-defined]
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        names = []
        awaited: Any = task.get_coro()
        while awaited is not None and len(names) < 20:
            names.append(getattr(awaited, "__qualname__", type(awaited).__name__))
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "ag_await", None)
        return "task: " + " > ".join(names[-3:])  # the innermost: the benchmark's own coroutines are outside
    return str(getattr(callback, "__qualname__", repr(callback)))


def _schedstat(thread_id: int) -> tuple[float, float]:
    """(CPU seconds, run-queue wait seconds) of one thread so far; zeros where /proc has no schedstat."""
    try:
        ran, waited, _slices = Path(f"/proc/self/task/{thread_id}/schedstat").read_text().split()
    except (OSError, ValueError):
        return 0.0, 0.0
    return int(ran) / 1e9, int(waited) / 1e9


class LoopTrace:
    """`start()` on the loop's thread, `stop()` after, then `figures()`."""

    def __init__(self) -> None:
        self._original = asyncio.Handle._run
        self._thread = threading.get_native_id()
        self._began = (0.0, 0.0)
        self._ended = (0.0, 0.0)
        self.count = 0
        self.total = 0.0
        self.longest: list[tuple[float, str]] = []

    def start(self) -> None:
        trace, original = self, self._original

        def timed(handle: asyncio.Handle) -> None:
            began = time.perf_counter()
            try:
                original(handle)
            finally:
                spent = time.perf_counter() - began
                trace.count += 1
                trace.total += spent
                if spent >= _LONG:
                    trace.longest = sorted([*trace.longest, (spent, _describe(handle))], reverse=True)[:5]

        self._thread = threading.get_native_id()
        self._began = _schedstat(self._thread)
        asyncio.Handle._run = timed  # type: ignore[method-assign]

    def stop(self) -> None:
        asyncio.Handle._run = self._original  # type: ignore[method-assign]
        self._ended = _schedstat(self._thread)

    def figures(self) -> dict[str, Any]:
        return {
            "loop_callbacks": self.count,
            "loop_callbacks_ms": round(self.total * 1000, 1),
            "loop_thread_cpu_ms": round((self._ended[0] - self._began[0]) * 1000, 1),
            "loop_thread_runqueue_ms": round((self._ended[1] - self._began[1]) * 1000, 1),
            "longest_callbacks": [f"{spent * 1000:.1f} ms {name}" for spent, name in self.longest],
        }
