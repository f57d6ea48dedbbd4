"""The window: QApplication + the qasync loop, every service built and wired, and an orderly shutdown."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import TYPE_CHECKING, cast

from realmail_desktop.core.config import ProfilePaths
from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import EventBus
from realmail_desktop.core.logs import get_logger

if TYPE_CHECKING:  # Qt and the UI load lazily: `realmail import` never pays for them
    from realmail_desktop.store import Store
    from realmail_desktop.ui.views.main_window import MainWindow

_log = get_logger("app")


def run_gui(paths: ProfilePaths, *, smoke: bool) -> int:
    """Show the main window until the person quits; with `smoke`, build it offscreen, check it, exit."""
    if smoke:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    started = time.perf_counter()
    import qasync
    from PySide6.QtWidgets import QApplication

    from realmail_desktop.app.qt_messages import route_qt_messages
    from realmail_desktop.ui.icons import app_icon

    route_qt_messages()

    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName("RealMail")
    app.setApplicationDisplayName("RealMail")
    app.setOrganizationName("RealMail")
    app.setDesktopFileName("realmail")
    app.setWindowIcon(app_icon("realmail"))
    app.setQuitOnLastWindowClosed(False)  # the loop, not Qt, decides when we are done (orderly shutdown)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(_main(paths, smoke=smoke, started=started))


async def _main(paths: ProfilePaths, *, smoke: bool, started: float) -> int:
    from PySide6.QtWidgets import QMessageBox

    from realmail_desktop.auth import SecretStore
    from realmail_desktop.store import Store
    from realmail_desktop.sync import SyncService
    from realmail_desktop.transfer import MailTransfer, ensure_demo_mailbox
    from realmail_desktop.ui.ops import Ops
    from realmail_desktop.ui.qtbridge import EventBridge
    from realmail_desktop.ui.views.main_window import MainWindow

    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_log_loop_exception)
    bus = EventBus()
    bus.attach_loop(loop)
    try:
        store = await Store.open(paths.database, bus)
    except KnownError as exc:
        _log.error("cannot open the store: %s", exc)
        if smoke:
            print(f"realmail: {exc}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "RealMail cannot open your mail", f"{exc.message}\n\n{exc.hint}".strip())
        return 1
    try:
        transfer = MailTransfer(store, bus)
        await ensure_demo_mailbox(store, transfer)
        # The keyring is asked only when the engine needs a password: a machine without one still starts.
        secrets = SecretStore()
        sync = SyncService(store, bus, secrets.get_password)
        bridge = EventBridge(bus)
        ops = Ops()
        # Built before the engine starts, so the window hears every account's first status.
        window = MainWindow(store, transfer, bridge, ops, sync=sync, secrets=secrets)
        closed: asyncio.Future[None] = loop.create_future()

        def on_closed() -> None:
            if not closed.done():
                closed.set_result(None)

        window.closed.connect(on_closed)
        try:
            await sync.start()
            window.show()
            status = 0
            if smoke:
                status = _smoke_check(window, store, started)
                window.close()  # and leave through the same orderly shutdown as a person quitting
            await closed
            await ops.drain()
        finally:
            await sync.stop()  # before the store closes: it finishes its last writes through it
        bridge.detach()
        window.deleteLater()
        return status
    finally:
        await store.close()


def _smoke_check(window: MainWindow, store: Store, started: float) -> int:
    """Paint the window once and check it shows mail; prints one line for CI and the packaged build."""
    window.grab()  # forces a full layout and paint offscreen
    painted_ms = (time.perf_counter() - started) * 1000
    folders = len(store.reader.folders())
    messages = store.reader.message_count()
    rows = window.message_model.rowCount()
    if folders == 0 or (messages > 0 and rows == 0):
        print(f"realmail --smoke: the window shows {folders} folders and {rows} rows", file=sys.stderr)
        return 1
    print(f"smoke ok: {folders} folders, {messages} messages, {rows} rows listed, window painted {painted_ms:.0f} ms")
    return 0


def _log_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
    exc = context.get("exception")
    if isinstance(exc, BaseException):
        _log.error("unhandled error in the event loop: %s", context.get("message"), exc_info=exc)
    else:
        _log.error("event loop: %s", context.get("message"))
