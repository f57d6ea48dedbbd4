"""The window: QApplication + the qasync loop, every service built and wired, and an orderly shutdown."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from functools import partial
from typing import TYPE_CHECKING, cast

from realmail_desktop.core.config import ProfilePaths
from realmail_desktop.core.errors import KnownError
from realmail_desktop.core.events import EventBus
from realmail_desktop.core.logs import get_logger

if TYPE_CHECKING:  # Qt and the UI load lazily: `realmail import` never pays for them
    from realmail_desktop.auth import SecretStore
    from realmail_desktop.bridges.drive import DriveService, OutboxUploads
    from realmail_desktop.bridges.telegram import TelegramBridge
    from realmail_desktop.send import SendService
    from realmail_desktop.sorting import SortingService, Unsubscriber
    from realmail_desktop.store import Store
    from realmail_desktop.sync import SyncService
    from realmail_desktop.ui.dialogs.account_setup_dialog import AccountSetup
    from realmail_desktop.ui.qtbridge import EventBridge
    from realmail_desktop.ui.views.main_window import MainWindow

_log = get_logger("app")


def run_gui(paths: ProfilePaths, *, smoke: bool, mailto: str | None = None) -> int:
    """Show the main window until the person quits; with `smoke`, build it offscreen, check it, exit.

    `mailto` (a `mailto:` link from the command line) opens a composer; when RealMail already runs on this
    profile the link is handed to that window and this process exits at once.
    """
    if smoke:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    started = time.perf_counter()
    import qasync
    from PySide6.QtWidgets import QApplication

    from realmail_desktop.app.qt_messages import route_qt_messages
    from realmail_desktop.ui.icons import app_icon
    from realmail_desktop.ui.views.web_engine import prepare_web_engine

    route_qt_messages()
    prepare_web_engine()  # mail URL schemes: before the QApplication exists (QtWebEngine loads lazily)

    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName("RealMail")
    app.setApplicationDisplayName("RealMail")
    app.setOrganizationName("RealMail")
    app.setDesktopFileName("realmail")
    app.setWindowIcon(app_icon("realmail"))
    app.setQuitOnLastWindowClosed(False)  # the loop, not Qt, decides when we are done (orderly shutdown)
    from realmail_desktop.ui.desktop.single_instance import hand_over, server_name

    instance = None if smoke else server_name(paths.root)
    if instance is not None and hand_over(instance, mailto):
        _log.info("RealMail already runs on this profile: handed the start over to it")
        return 0
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(_main(paths, smoke=smoke, started=started, mailto=mailto, instance=instance))


async def _main(  # noqa: PLR0915 (the wiring of every service)
    paths: ProfilePaths, *, smoke: bool, started: float, mailto: str | None = None, instance: str | None = None
) -> int:
    from PySide6.QtWidgets import QMessageBox

    from realmail_desktop.auth import SecretStore
    from realmail_desktop.store import Store
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
        sync, account_setup = _sync_service(store, bus, secrets)
        send = _send_service(store, bus, secrets, account_setup)
        bridge = EventBridge(bus)
        ops = Ops()
        # Built before the engine starts, so the window hears every account's first status.
        window = MainWindow(store, transfer, bridge, ops, sync=sync, secrets=secrets, account_setup=account_setup)
        drive = _drive_service(store, account_setup)
        window.set_drive(drive)
        drive_stage = _outbox_uploads(store, bus, drive)
        window.set_drive_uploads(drive_stage.cancel)  # the progress strip's Cancel
        telegram = _telegram_bridge(store, bus, secrets)
        window.set_telegram(telegram, bus)
        sorting = _sorting_service(store, bus, telegram)
        window.set_sorting(sorting, _unsubscriber(store))
        closed: asyncio.Future[None] = loop.create_future()

        def on_closed() -> None:
            if not closed.done():
                closed.set_result(None)

        window.closed.connect(on_closed)
        try:
            await sorting.start()  # before the sync: it sorts new mail as the sync stores it
            await sync.start()
            await drive_stage.start()  # big files of queued messages go to Drive first, then they are due for SMTP
            await send.start()  # drains the outbox (composer → store.outbox) over SMTP
            desktop = _Desktop(window, store, bridge, bus, instance)
            _show_window(window, start_minimised=desktop.start_minimised and not smoke)
            if mailto is not None:
                window.compose.open_mailto(mailto)
            await telegram.start()  # only when enabled, with a token in the keyring (read after the window shows)
            status = 0
            if smoke:
                status = _smoke_check(window, store, started) or await _smoke_header_worker()
                window.close()  # and leave through the same orderly shutdown as a person quitting
            await closed
            desktop.close()
            await ops.drain()
        finally:
            await send.stop()  # first: what the server acknowledged is recorded as sent before anything closes
            await drive_stage.stop()  # an upload cut short keeps its Drive session: the next start resumes it
            await telegram.stop()  # what the phone queues from here on waits in the outbox for the next start
            await sync.stop()  # before the store closes: it finishes its last writes through it
            await sorting.stop()  # after the sync: mail its last writes stored is sorted
        bridge.detach()
        window.deleteLater()
        return status
    finally:
        await store.close()


def _sorting_service(store: Store, bus: EventBus, telegram: TelegramBridge) -> SortingService:
    """Rules and the junk filter on new mail; a rule's "notify on Telegram" goes through the bridge."""
    from realmail_desktop.app.rule_notifications import telegram_notify
    from realmail_desktop.sorting import SortingService

    return SortingService(store, bus, telegram_notify=telegram_notify(telegram, store))


def _unsubscriber(store: Store) -> Unsubscriber:
    from realmail_desktop.sorting import Unsubscriber

    return Unsubscriber(store)


class _Desktop:
    """The tray, notifications and the single-instance socket (ui/desktop/), kept for an orderly close."""

    def __init__(
        self, window: MainWindow, store: Store, bridge: EventBridge, bus: EventBus, instance: str | None
    ) -> None:
        from realmail_desktop.ui.desktop.desktop_shell import DesktopShell
        from realmail_desktop.ui.desktop.single_instance import InstanceServer

        self.shell = DesktopShell(window, store.reader, bridge, bus=bus)
        window.settings_commands.apply_look()  # dark, light or the system's (Settings ▸ General)
        settings = window.settings_commands.settings
        self.start_minimised = settings.start_minimised
        self.server = InstanceServer(instance) if instance is not None else None
        if self.server is not None:
            self.server.linkReceived.connect(lambda link: open_link(window, link))

    def close(self) -> None:
        self.shell.close()
        if self.server is not None:
            self.server.close()


def _show_window(window: MainWindow, *, start_minimised: bool) -> None:
    """Settings ▸ General ▸ Start minimised: to the tray where there is one, else to the taskbar."""
    if not start_minimised:
        window.show()
    elif not window.settings_commands.tray_available:
        window.showMinimized()
    # else: only the tray icon shows; its Open brings the window up


def open_link(window: MainWindow, link: str) -> None:
    """Another `realmail` start handed over: bring the window up, and write mail for its `mailto:` link."""
    window.show_and_raise()
    if link:
        window.compose.open_mailto(link)


def _telegram_bridge(store: Store, bus: EventBus, secrets: SecretStore) -> TelegramBridge:
    """The Telegram bridge, its bot token read from the keyring when it starts (never at start-up otherwise)."""
    from realmail_desktop.bridges.telegram import TelegramBridge
    from realmail_desktop.ui.dialogs.telegram_dialog import bot_token

    return TelegramBridge(store, bus, lambda: bot_token(secrets))


def _drive_service(store: Store, account_setup: AccountSetup) -> DriveService | None:
    """Google Drive for big attachments and Save to Drive, with the Google sign-in's tokens (None without it)."""
    from realmail_desktop.bridges.drive import AccountTokens, DriveService

    google = account_setup.google
    if google is None:
        return None
    return DriveService(store, lambda account_id: AccountTokens(google.tokens, account_id))


def _outbox_uploads(store: Store, bus: EventBus, drive: DriveService | None) -> OutboxUploads:
    """The outbox's Drive stage: without a Google sign-in it still runs, and says so on marked messages."""
    from realmail_desktop.bridges.drive import OutboxUploads

    return OutboxUploads(store, bus, drive)


def _sync_service(store: Store, bus: EventBus, secrets: SecretStore) -> tuple[SyncService, AccountSetup]:
    """The sync engine and what File → Add account… needs, sharing one keeper of Google sign-in tokens (the
    engine's XOAUTH2 logins, the dialog's sign-in, removal signs out)."""
    from realmail_desktop.app.smtp_check import check_smtp_login
    from realmail_desktop.auth.autoconfig import Discovery
    from realmail_desktop.auth.oauth import OAuthTokens
    from realmail_desktop.auth.oauth_client import google_client
    from realmail_desktop.core.config import Settings
    from realmail_desktop.sync import SyncService
    from realmail_desktop.ui.dialogs.account_setup_dialog import AccountSetup
    from realmail_desktop.ui.dialogs.google_sign_in import GoogleSetup, open_in_browser

    settings = Settings()
    tokens = OAuthTokens(secrets, lambda _account: google_client(settings), ca_file=settings.extra_ca_file)
    sync = SyncService(store, bus, secrets.get_password, token_for=tokens.token, forget_secrets=tokens.forget_account)
    google = GoogleSetup(lambda: google_client(settings), tokens, open_in_browser, settings.extra_ca_file)
    check_smtp = partial(check_smtp_login, extra_ca_file=settings.extra_ca_file)
    return sync, AccountSetup(sync, google, discovery=Discovery(), check_smtp=check_smtp)


def _send_service(store: Store, bus: EventBus, secrets: SecretStore, account_setup: AccountSetup) -> SendService:
    """The outbox's sender, with the same keyring passwords and Google tokens as the sync engine."""
    from realmail_desktop.core.config import Settings
    from realmail_desktop.send import SendService

    token_for = account_setup.google.tokens.token_for if account_setup.google is not None else None
    return SendService(store, bus, secrets.get_password, token_for=token_for, settings=Settings())


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


async def _smoke_header_worker() -> int:
    """The header sync's worker process starts and reads a chunk (in a frozen build this needs the entry script's
    `multiprocessing.freeze_support()`); prints one line for CI and the packaged build."""
    from realmail_desktop.sync.header_reader import HeaderReader

    reader = HeaderReader(process_from=0)
    reader.expect(1)
    try:
        started = await reader.started()
        if started:
            await reader.read([])
        pid = reader.worker_pid
    finally:
        await reader.close()
    if not started or reader.chunks_in_process != 1:
        print("realmail --smoke: the header sync's worker process did not start", file=sys.stderr)
        return 1
    print(f"smoke ok: header sync worker process {pid} started and read a chunk")
    return 0


def _log_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
    exc = context.get("exception")
    if isinstance(exc, BaseException):
        _log.error("unhandled error in the event loop: %s", context.get("message"), exc_info=exc)
    else:
        _log.error("event loop: %s", context.get("message"))
