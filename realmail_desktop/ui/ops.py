"""Ops: the one way widgets start async work — runs a coroutine, tracks busy state, routes its failure."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.logs import get_logger

T = TypeVar("T")

_log = get_logger("ui")


class Ops(QObject):
    """Runs coroutines for widgets on the running (qasync) loop and keeps a reference until they end.

    A `KnownError` goes to the person in plain words; anything else is a bug: logged with its traceback and
    shown through the crash dialog. Cancellation is silent: a newer request replaced the work, or we are
    shutting down.

    Signals: busyChanged(bool) when the first task starts / the last one ends,
    knownError(str message, str hint), bugRaised(str summary, str traceback).
    """

    busyChanged = Signal(bool)
    knownError = Signal(str, str)
    bugRaised = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def run(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        label: str = "",
        on_done: Callable[[T], None] | None = None,
    ) -> asyncio.Task[T]:
        """Schedule `coro`; `on_done(result)` runs on success. Failures are reported, never raised here."""
        task = asyncio.get_running_loop().create_task(coro, name=label or None)
        was_busy = self.busy
        self._tasks.add(task)
        task.add_done_callback(lambda finished: self._finished(finished, label, on_done))
        if not was_busy:
            self.busyChanged.emit(True)
        return task

    async def drain(self, grace: float = 3.0) -> None:
        """At shutdown: let running work finish for up to `grace` seconds, then cancel what is left."""
        if not self._tasks:
            return
        _done, late = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=grace)

    def _finished(self, task: asyncio.Task[T], label: str, on_done: Callable[[T], None] | None) -> None:
        self._tasks.discard(task)
        try:
            if task.cancelled():
                return
            error = task.exception()
            if error is not None:
                self._report(error, label)
            elif on_done is not None:
                try:
                    on_done(task.result())
                except Exception as exc:
                    self._report(exc, label)
        finally:
            if not self._tasks:
                self.busyChanged.emit(False)

    def _report(self, error: BaseException, label: str) -> None:
        if isinstance(error, KnownError):
            _log.info("%s: %s", label or "task", error)
            self.knownError.emit(error.message, error.hint)
            return
        summary = f"{label or 'A task'} failed: {type(error).__name__}: {error}"
        details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        _log.error("%s", summary, exc_info=(type(error), error, error.__traceback__))
        self.bugRaised.emit(summary, details)
