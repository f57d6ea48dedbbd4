"""Waiting for Qt in async tests on the qasync loop: futures fed by signals (never qtbot.waitUntil, never sleep)."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from realmail_desktop.ui.ops import Ops

TIMEOUT = 10.0


def next_emit(signal: SignalInstance) -> asyncio.Future[tuple[Any, ...]]:
    """A future resolved with the arguments of the signal's next emission."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def on_emit(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(on_emit)
    future.add_done_callback(lambda _f: signal.disconnect(on_emit))
    return future


async def wait_for(future: asyncio.Future[Any] | asyncio.Task[Any]) -> Any:
    return await asyncio.wait_for(future, TIMEOUT)


async def idle(ops: Ops) -> None:
    """Until every task started through `ops` (and whatever those tasks' results started) has ended."""
    while ops.busy:
        await wait_for(next_emit(ops.busyChanged))


async def activate(widget: QWidget) -> None:
    """Show `widget`'s window and wait until it is the active window (shortcuts match only there)."""
    window = widget.window()
    if not window.isVisible():
        window.show()
    handle = window.windowHandle()
    if QGuiApplication.focusWindow() is not handle:
        changed = next_emit(QGuiApplication.instance().focusWindowChanged)  # type: ignore[union-attr]
        window.activateWindow()
        while QGuiApplication.focusWindow() is not handle:
            await wait_for(changed)
            changed = next_emit(QGuiApplication.instance().focusWindowChanged)  # type: ignore[union-attr]
        changed.cancel()
