"""AccountBanner: AccountStatus events on the bus become one row per account in trouble, with the button that
helps — Retry, Re-enter password (into the keyring, or for this session when there is none), View certificate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
import shiboken6
from keyring.backends import fail
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from realmail_desktop.auth import SERVICE_NAME, SecretStore
from realmail_desktop.core.errors import CertificateError, KnownError
from realmail_desktop.core.events import AccountAction, AccountState, AccountStatus, EventBus
from realmail_desktop.store import Account, Store
from realmail_desktop.ui.dialogs.certificate_dialog import CertificateDialog
from realmail_desktop.ui.dialogs.password_dialog import KEEP_FOR_SESSION, PasswordDialog
from realmail_desktop.ui.ops import Ops
from realmail_desktop.ui.qtbridge import EventBridge
from realmail_desktop.ui.views.account_banner import AccountBanner
from tests.keyring_backends import MemoryKeyring

from .certificate_samples import certificate_details, fingerprint_of_server_certificate
from .qt_async import idle

pytestmark = pytest.mark.gui

WRONG_PASSWORD = AccountStatus(
    1,
    AccountState.ERROR,
    "The server refused the password.",
    "Enter it again.",
    AccountAction.REENTER_PASSWORD,
)


@dataclass
class StandInEngine:
    """The engine calls the banner makes, recorded."""

    retried: list[int] = field(default_factory=list)
    errors: dict[int, KnownError] = field(default_factory=dict)

    def last_error(self, account_id: int) -> KnownError | None:
        return self.errors.get(account_id)

    async def retry(self, account_id: int) -> None:
        self.retried.append(account_id)

    async def add_imap_account(self, **settings: Any) -> Account:
        raise AssertionError("not used here")

    async def check_now(self, account_id: int | None = None) -> None:
        raise AssertionError("not used here")

    async def remove_account(self, account_id: int) -> None:
        raise AssertionError("not used here")

    async def fetch_body(self, message_id: int) -> None:
        raise AssertionError("not used here")


@dataclass
class Banner:
    banner: AccountBanner
    bus: EventBus
    engine: StandInEngine
    keyring: MemoryKeyring
    ops: Ops
    work: Account
    home: Account
    window: QMainWindow
    bridge: EventBridge


async def make_banner(store: Store, bus: EventBus, secrets: SecretStore, keyring: MemoryKeyring) -> Banner:
    work, _ = await store.accounts.create_local("Work")
    home, _ = await store.accounts.create_local("Home")
    engine = StandInEngine()
    ops = Ops()
    window = QMainWindow()
    bridge = EventBridge(bus, window)
    banner = AccountBanner(bridge, store.reader, ops, window, sync=engine, secrets=secrets)
    window.setCentralWidget(banner)
    window.show()
    return Banner(banner, bus, engine, keyring, ops, work, home, window, bridge)


@pytest.fixture
async def made(store: Store, bus: EventBus) -> AsyncIterator[list[Banner]]:
    made: list[Banner] = []
    yield made
    for state in made:
        await state.ops.drain()
    for state in made:  # closing the last window ends the loop: nothing is awaited after
        state.bridge.detach()
        state.window.close()
        shiboken6.delete(state.window)  # now, on this thread (see tests/conftest.py)


@pytest.fixture
async def shown(made: list[Banner], store: Store, bus: EventBus) -> Banner:
    keyring = MemoryKeyring()
    made.append(await make_banner(store, bus, SecretStore(backend=keyring), keyring))
    return made[-1]


def visible_box(name: str) -> QMessageBox:
    [box] = [w for w in QApplication.allWidgets() if isinstance(w, QMessageBox) and w.objectName() == name]
    assert box.isVisible()
    return box


async def test_hidden_until_an_account_is_in_trouble_and_gone_when_it_recovers(shown: Banner) -> None:
    banner, work, home = shown.banner, shown.work, shown.home
    assert banner.isHidden()
    shown.bus.publish(AccountStatus(work.id, AccountState.SYNCING))
    assert banner.isHidden()
    shown.bus.publish(
        AccountStatus(
            home.id,
            AccountState.OFFLINE,
            "Cannot reach imap.example.com.",
            "RealMail keeps trying.",
            AccountAction.RETRY,
        )
    )
    assert not banner.isHidden() and banner.accounts_shown() == [home.id]
    assert banner.text_for(home.id) == "Home: Cannot reach imap.example.com. RealMail keeps trying."
    button = banner.button_for(home.id)
    assert button is not None and button.text() == "Retry"

    shown.bus.publish(
        AccountStatus(work.id, AccountState.ERROR, "The server refused the password.", "", AccountAction.NONE)
    )
    assert banner.accounts_shown() == [home.id, work.id] and banner.button_for(work.id) is None
    shown.bus.publish(AccountStatus(home.id, AccountState.IDLE))
    assert banner.accounts_shown() == [work.id] and not banner.isHidden()
    shown.bus.publish(AccountStatus(work.id, AccountState.CONNECTING))
    assert banner.accounts_shown() == [] and banner.isHidden()


async def test_retry_asks_the_engine_to_retry_that_account(shown: Banner) -> None:
    shown.bus.publish(AccountStatus(shown.home.id, AccountState.OFFLINE, "Offline.", "", AccountAction.RETRY))
    button = shown.banner.button_for(shown.home.id)
    assert button is not None
    button.click()
    await idle(shown.ops)
    assert shown.engine.retried == [shown.home.id]


async def test_re_enter_password_stores_it_in_the_keyring_then_retries(shown: Banner) -> None:
    shown.bus.publish(replace(WRONG_PASSWORD, account_id=shown.work.id))
    assert shown.banner.text_for(shown.work.id) == "Work: The server refused the password. Enter it again."
    button = shown.banner.button_for(shown.work.id)
    assert button is not None and button.text() == "Re-enter password…"
    button.click()
    dialog = shown.banner.window().findChild(PasswordDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.set_password("n3w-password")
    dialog.accept()
    await idle(shown.ops)
    assert shown.keyring.items == {(SERVICE_NAME, f"account:{shown.work.id}:password"): "n3w-password"}
    assert shown.engine.retried == [shown.work.id]


async def test_without_a_keyring_the_new_password_is_kept_for_this_session_if_wanted(
    made: list[Banner], store: Store, bus: EventBus
) -> None:
    secrets = SecretStore(backend=fail.Keyring())
    made.append(await make_banner(store, bus, secrets, MemoryKeyring()))
    state = made[-1]
    work = state.work.id
    state.bus.publish(replace(WRONG_PASSWORD, account_id=work))
    dialog = state.banner.reenter_password(work)
    dialog.set_password("n3w-password")
    dialog.accept()
    await idle(state.ops)
    box = visible_box("keepForSessionBox")
    assert box.text() == KEEP_FOR_SESSION and state.engine.retried == []
    next(b for b in box.buttons() if b.text() == "Keep for this session").click()
    await idle(state.ops)
    assert secrets.is_session_only(work) and secrets.get_password(work) == "n3w-password"
    assert state.engine.retried == [work]


async def test_view_certificate_shows_what_the_engine_said(shown: Banner) -> None:
    shown.engine.errors[shown.work.id] = CertificateError(
        "The certificate of imap.example.com could not be verified.",
        details=certificate_details("self-signed certificate in certificate chain"),
    )
    shown.bus.publish(
        AccountStatus(
            shown.work.id,
            AccountState.ERROR,
            "The certificate of imap.example.com could not be verified.",
            "It was issued by an unknown authority.",
            AccountAction.VIEW_CERTIFICATE,
        )
    )
    button = shown.banner.button_for(shown.work.id)
    assert button is not None and button.text() == "View certificate…"
    button.click()
    [dialog] = [w for w in QApplication.allWidgets() if isinstance(w, CertificateDialog) and w.isVisible()]
    assert dialog.isModal()
    fields = dialog.fields()
    assert fields["Why it failed:"] == "self-signed certificate in certificate chain"
    assert fields["Issued to:"] == "localhost"
    assert fields["Issued by:"] == "RealMail Test CA, RealMail tests"
    assert fields["SHA-256 fingerprint:"] == fingerprint_of_server_certificate()
    dialog.close()
