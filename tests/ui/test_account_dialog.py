"""Add IMAP account: what enables OK, the port and user name that follow, the check while the form waits, the
engine's refusal shown in place, and where the password goes (keyring, or this session when the person agrees).

The engine is a stand-in with the one coroutine the dialog calls; tests/integration/test_add_account_ui.py adds
an account through this dialog against a real Dovecot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import shiboken6
from keyring.backends import fail
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from realmail_desktop.auth import SERVICE_NAME, SecretStore
from realmail_desktop.core.errors import AuthenticationFailedError, CertificateError, KnownError
from realmail_desktop.store import Account, AccountKind, ImapSecurity
from realmail_desktop.ui.dialogs.account_dialog import CHECKING, AddAccountDialog
from realmail_desktop.ui.ops import Ops
from tests.keyring_backends import MemoryKeyring

from .certificate_samples import certificate_details, fingerprint_of_server_certificate
from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui

PASSWORD = "s3cret-Pässword"


@dataclass
class StandInEngine:
    """`add_imap_account` as the dialog sees it: each call waits for `answer` (an Account or a KnownError)."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    answers: asyncio.Queue[Account | KnownError] = field(default_factory=asyncio.Queue)
    removed: list[int] = field(default_factory=list)
    called: asyncio.Event = field(default_factory=asyncio.Event)

    async def add_imap_account(self, **settings: Any) -> Account:
        self.calls.append(settings)
        self.called.set()
        answer = await self.answers.get()
        if isinstance(answer, KnownError):
            raise answer
        return answer

    async def remove_account(self, account_id: int) -> None:
        self.removed.append(account_id)


def saved(account_id: int = 7) -> Account:
    return Account(id=account_id, kind=AccountKind.IMAP, name="Work", address="ann@example.com", position=1)


@dataclass
class Adding:
    dialog: AddAccountDialog
    engine: StandInEngine
    secrets: SecretStore
    keyring: MemoryKeyring
    ops: Ops
    window: QMainWindow

    def fill(self, **overrides: str) -> None:
        d = self.dialog
        values = {"name": "Work", "address": "ann@example.com", "host": "imap.example.com", "password": PASSWORD}
        values.update(overrides)
        d.name_edit.setText(values["name"])
        d.address_edit.setText(values["address"])
        d.host_edit.setText(values["host"])
        d.password_edit.setText(values["password"])


Make = Callable[..., Adding]


@pytest.fixture
async def make(qtbot: Any) -> AsyncIterator[Make]:
    """`make(secrets, keyring)`: the dialog over a main window, with a stand-in engine."""
    made: list[Adding] = []

    def make_adding(secrets: SecretStore, keyring: MemoryKeyring) -> Adding:
        engine = StandInEngine()
        ops = Ops()
        # Over a window, as in the app: closing a parentless dialog would be "the last window closed" and quit.
        window = QMainWindow()
        window.show()
        dialog = AddAccountDialog(engine, secrets, ops, window)
        dialog.show()
        made.append(Adding(dialog, engine, secrets, keyring, ops, window))
        return made[-1]

    yield make_adding
    for state in made:
        await state.ops.drain()
    for state in made:  # closing the last window ends the loop: nothing is awaited after
        # Delete the widgets now, on this thread: left to the garbage collector, a reference cycle may be
        # collected in a worker thread, and Qt objects with running timers must not be destroyed there.
        state.window.close()
        shiboken6.delete(state.window)


@pytest.fixture
def adding(make: Make) -> Adding:
    keyring = MemoryKeyring()
    return make(SecretStore(backend=keyring), keyring)


def message_box(name: str) -> QMessageBox | None:
    boxes = [w for w in QApplication.allWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    return next((box for box in boxes if box.objectName() == name), None)


def click(box: QMessageBox, text: str) -> None:
    next(button for button in box.buttons() if button.text() == text).click()


async def test_ok_waits_for_an_address_a_host_a_port_and_a_password(adding: Adding) -> None:
    dialog = adding.dialog
    assert dialog.port_edit.text() == "993" and dialog.security() is ImapSecurity.TLS
    assert dialog.window_combo.currentText() == "Last 30 days"
    assert [dialog.window_combo.itemData(i) for i in range(dialog.window_combo.count())] == [7, 30, 90, 365, 0]
    assert not dialog.ok_button.isEnabled() and dialog.ok_button.text() == "Add account"
    adding.fill(address="ann.example.com")
    assert not dialog.ok_button.isEnabled()
    dialog.address_edit.setText("ann@example.com")
    assert dialog.ok_button.isEnabled()
    dialog.host_edit.setText("  ")
    assert not dialog.ok_button.isEnabled()
    dialog.host_edit.setText("imap.example.com")
    for bad in ("", "0", "65536", "70000"):
        dialog.port_edit.setText(bad)
        assert dialog.port() is None and not dialog.ok_button.isEnabled(), bad
    dialog.port_edit.setText("65535")
    assert dialog.ok_button.isEnabled()
    dialog.password_edit.clear()
    assert not dialog.ok_button.isEnabled() and dialog.settings() is None
    assert dialog.password_edit.echoMode() is dialog.password_edit.EchoMode.Password


async def test_port_follows_security_until_edited(adding: Adding) -> None:
    dialog = adding.dialog
    dialog.set_security(ImapSecurity.STARTTLS)
    assert dialog.port_edit.text() == "143"
    dialog.set_security(ImapSecurity.TLS)
    assert dialog.port_edit.text() == "993"
    dialog.port_edit.setText("1993")
    dialog.set_security(ImapSecurity.STARTTLS)
    assert dialog.port_edit.text() == "1993"


async def test_user_name_follows_the_address_until_edited(adding: Adding) -> None:
    dialog = adding.dialog
    dialog.address_edit.setText("ann@example.com")
    assert dialog.username_edit.text() == "ann@example.com"
    dialog.address_edit.setText("anna@example.com")
    assert dialog.username_edit.text() == "anna@example.com"
    dialog.username_edit.setText("anna")
    dialog.address_edit.setText("ann@example.org")
    assert dialog.username_edit.text() == "anna"


async def test_ok_checks_the_connection_then_stores_the_password_and_closes(adding: Adding) -> None:
    dialog = adding.dialog
    adding.fill(name="")
    dialog.set_security(ImapSecurity.STARTTLS)
    dialog.window_combo.setCurrentIndex(dialog.window_combo.findData(0))
    added = next_emit(dialog.accountAdded)
    finished = next_emit(dialog.finished)
    dialog.ok_button.click()

    assert dialog.is_checking() and dialog.status_text() == CHECKING
    assert not dialog.name_edit.isEnabled() and not dialog.password_edit.isEnabled()
    assert not dialog.ok_button.isEnabled()
    await adding.engine.answers.put(saved())
    assert await wait_for(added) == (saved(),)
    assert await wait_for(finished) == (AddAccountDialog.DialogCode.Accepted,)
    assert adding.engine.calls == [
        {
            "name": "ann@example.com",  # an empty name falls back to the address
            "address": "ann@example.com",
            "host": "imap.example.com",
            "port": 143,
            "security": ImapSecurity.STARTTLS,
            "username": "ann@example.com",
            "password": PASSWORD,
            "sync_window_days": 0,
        }
    ]
    assert adding.keyring.items == {(SERVICE_NAME, "account:7:password"): PASSWORD}
    assert not adding.secrets.is_session_only(7)


async def test_a_refusal_shows_in_the_dialog_which_stays_open(adding: Adding) -> None:
    dialog = adding.dialog
    adding.fill()
    dialog.ok_button.click()
    await adding.engine.answers.put(
        AuthenticationFailedError("The server refused the user name or password.", hint="Check them and try again.")
    )
    await idle(adding.ops)

    assert dialog.isVisible() and not dialog.is_checking() and dialog.status_text() is None
    assert dialog.error_text() == "The server refused the user name or password.\nCheck them and try again."
    assert message_box("knownErrorBox") is None  # in place, not a box of its own
    assert dialog.password_edit.isEnabled() and dialog.ok_button.isEnabled()
    assert dialog.focusWidget() is dialog.password_edit
    assert adding.keyring.items == {}

    # Corrected, it goes through.
    finished = next_emit(dialog.finished)
    dialog.password_edit.setText("the right one")
    dialog.ok_button.click()
    assert dialog.error_text() is None
    await adding.engine.answers.put(saved())
    assert await wait_for(finished) == (AddAccountDialog.DialogCode.Accepted,)
    assert adding.keyring.items == {(SERVICE_NAME, "account:7:password"): "the right one"}


async def test_an_untrusted_certificate_can_be_looked_at(adding: Adding) -> None:
    dialog = adding.dialog
    adding.fill()
    dialog.ok_button.click()
    await adding.engine.answers.put(
        CertificateError(
            "The server's certificate could not be verified.",
            hint="Someone may be listening in.",
            details=certificate_details("self-signed certificate in certificate chain"),
        )
    )
    await idle(adding.ops)
    assert dialog.error_text() == "The server's certificate could not be verified.\nSomeone may be listening in."
    assert dialog.focusWidget() is dialog.host_edit
    shown = dialog.show_certificate()
    assert shown.isVisible() and shown.isModal()
    fields = shown.fields()
    assert fields["Why it failed:"] == "self-signed certificate in certificate chain"
    assert fields["Issued by:"] == "RealMail Test CA, RealMail tests"
    assert fields["SHA-256 fingerprint:"] == fingerprint_of_server_certificate()
    shown.close()


async def test_cancel_while_checking_gives_up_the_check(adding: Adding) -> None:
    dialog = adding.dialog
    adding.fill()
    dialog.ok_button.click()
    await wait_for(asyncio.ensure_future(adding.engine.called.wait()))
    dialog.reject()
    await idle(adding.ops)
    assert not dialog.isVisible() and not dialog.is_checking()
    assert adding.keyring.items == {}


@pytest.mark.parametrize("keep", [True, False])
async def test_without_a_keyring_the_person_is_asked(make: Make, keep: bool) -> None:
    state = make(SecretStore(backend=fail.Keyring()), MemoryKeyring())
    state.fill()
    finished = next_emit(state.dialog.finished)
    state.dialog.ok_button.click()
    await state.engine.answers.put(saved())
    await idle(state.ops)
    box = message_box("keepForSessionBox")
    assert box is not None and box.text() == "Keep the password for this session only?"
    assert box.informativeText().startswith("No system keyring is available")
    click(box, "Keep for this session" if keep else "Don't add the account")
    await idle(state.ops)
    if keep:
        assert await wait_for(finished) == (AddAccountDialog.DialogCode.Accepted,)
        assert state.secrets.get_password(7) == PASSWORD and state.engine.removed == []
    else:
        finished.cancel()
        assert state.dialog.isVisible() and state.dialog.name_edit.isEnabled()
        assert state.engine.removed == [7] and not state.secrets.is_session_only(7)
