"""Adding an account with the Add account dialog (`AccountSetupDialog`), settings typed by hand: what enables
Add account, the port and user name that follow, the check while the form waits, a refusal shown in place with
the field to fix focused (and the certificate one click away), and where the password goes (keyring, or this
session when the person agrees).

The engine is a stand-in with the coroutines the dialog calls; tests/integration/test_add_account_ui.py adds an
account through this dialog against a real Dovecot."""

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
from realmail_desktop.store import Account, AccountKind, ImapAuth, ImapSecurity
from realmail_desktop.ui.dialogs.account_setup_dialog import CHECKING, AccountSetupDialog
from realmail_desktop.ui.ops import Ops
from tests.keyring_backends import MemoryKeyring

from .certificate_samples import certificate_details, fingerprint_of_server_certificate
from .no_lookups import NoLookups
from .qt_async import idle, next_emit, wait_for

pytestmark = pytest.mark.gui

PASSWORD = "s3cret-Pässword"


def saved(account_id: int = 7) -> Account:
    return Account(id=account_id, kind=AccountKind.IMAP, name="Work", address="ann@example.com", position=1)


@dataclass
class StandInEngine:
    """The engine as the dialog sees it: each IMAP login check waits for an answer (None: logged in, or a
    KnownError); `add_imap_account` then saves `saved()` at once, handing the secret over first as the engine
    does before its first login."""

    logins: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    answers: asyncio.Queue[KnownError | None] = field(default_factory=asyncio.Queue)
    removed: list[int] = field(default_factory=list)
    called: asyncio.Event = field(default_factory=asyncio.Event)

    async def check_imap_login(self, **settings: Any) -> None:
        self.logins.append(settings)
        self.called.set()
        answer = await self.answers.get()
        if answer is not None:
            raise answer

    async def add_imap_account(self, **settings: Any) -> Account:
        before_start = settings.pop("before_start")
        self.calls.append(settings)
        account = saved()
        before_start(account.id)
        return account

    async def remove_account(self, account_id: int) -> None:
        self.removed.append(account_id)


@dataclass
class Adding:
    dialog: AccountSetupDialog
    engine: StandInEngine
    secrets: SecretStore
    keyring: MemoryKeyring
    ops: Ops
    window: QMainWindow

    def fill(self, **overrides: str) -> None:
        """The form as a person types it, the servers in the manual settings (nothing was found)."""
        d = self.dialog
        values = {"name": "Work", "address": "ann@example.com", "host": "imap.example.com", "password": PASSWORD}
        values.update(overrides)
        d.manual_button.setChecked(True)
        d.name_edit.setText(values["name"])
        d.address_edit.setText(values["address"])
        d.servers.imap_rows.host.setText(values["host"])
        d.password_edit.setText(values["password"])


Make = Callable[..., Adding]


def set_security(dialog: AccountSetupDialog, security: ImapSecurity) -> None:
    combo = dialog.servers.imap_rows.security
    combo.setCurrentIndex(combo.findData(security.value))


@pytest.fixture
async def make(qtbot: Any) -> AsyncIterator[Make]:
    """`make(secrets, keyring)`: the dialog over a main window, with a stand-in engine and no lookups."""
    made: list[Adding] = []

    def make_adding(secrets: SecretStore, keyring: MemoryKeyring) -> Adding:
        engine = StandInEngine()
        ops = Ops()
        # Over a window, as in the app: closing a parentless dialog would be "the last window closed" and quit.
        window = QMainWindow()
        window.show()
        dialog = AccountSetupDialog(engine, secrets, ops, window, discovery=NoLookups())
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
    imap = dialog.servers.imap_rows
    assert imap.port.text() == "993" and imap.chosen_security() is ImapSecurity.TLS
    assert dialog.window_combo.currentText() == "Last 30 days"
    assert [dialog.window_combo.itemData(i) for i in range(dialog.window_combo.count())] == [7, 30, 90, 365, 0]
    assert not dialog.ok_button.isEnabled() and dialog.ok_button.text() == "Add account"
    adding.fill(address="ann.example.com")
    assert not dialog.ok_button.isEnabled()
    dialog.address_edit.setText("ann@example.com")
    assert dialog.ok_button.isEnabled()
    imap.host.setText("  ")
    assert not dialog.ok_button.isEnabled()
    imap.host.setText("imap.example.com")
    for bad in ("", "0", "65536", "70000"):
        imap.port.setText(bad)
        assert dialog.servers.imap("ann@example.com") is None and not dialog.ok_button.isEnabled(), bad
    imap.port.setText("65535")
    assert dialog.ok_button.isEnabled()
    dialog.password_edit.clear()
    assert not dialog.ok_button.isEnabled()
    assert dialog.password_edit.echoMode() is dialog.password_edit.EchoMode.Password


async def test_port_follows_security_until_edited(adding: Adding) -> None:
    dialog = adding.dialog
    port = dialog.servers.imap_rows.port
    set_security(dialog, ImapSecurity.STARTTLS)
    assert port.text() == "143"
    set_security(dialog, ImapSecurity.TLS)
    assert port.text() == "993"
    port.setText("1993")
    set_security(dialog, ImapSecurity.STARTTLS)
    assert port.text() == "1993"


async def test_user_name_follows_the_address_until_edited(adding: Adding) -> None:
    dialog = adding.dialog
    adding.fill(address="ann@example.com")
    assert dialog.servers.imap_rows.username.text() == ""  # empty: the address is the user name
    assert dialog.servers.imap("ann@example.com").username == "ann@example.com"  # type: ignore[union-attr]
    dialog.address_edit.setText("anna@example.com")
    assert dialog.servers.imap(dialog.address()).username == "anna@example.com"  # type: ignore[union-attr]
    dialog.servers.imap_rows.username.setText("anna")
    dialog.address_edit.setText("ann@example.org")
    assert dialog.servers.imap(dialog.address()).username == "anna"  # type: ignore[union-attr]


async def test_ok_checks_the_connection_then_stores_the_password_and_closes(adding: Adding) -> None:
    dialog = adding.dialog
    adding.fill(name="")
    set_security(dialog, ImapSecurity.STARTTLS)
    dialog.window_combo.setCurrentIndex(dialog.window_combo.findData(0))
    added = next_emit(dialog.accountAdded)
    finished = next_emit(dialog.finished)
    dialog.ok_button.click()

    assert dialog.is_busy() and dialog.status_label.isVisible() and dialog.status_label.text() == CHECKING
    assert not dialog.name_edit.isEnabled() and not dialog.password_edit.isEnabled()
    assert not dialog.servers.imap_rows.host.isEnabled() and not dialog.ok_button.isEnabled()
    await adding.engine.answers.put(None)
    assert await wait_for(added) == (saved(),)
    assert await wait_for(finished) == (AccountSetupDialog.DialogCode.Accepted,)
    login = {"host": "imap.example.com", "port": 143, "security": ImapSecurity.STARTTLS}
    login |= {"username": "ann@example.com", "password": PASSWORD, "auth": ImapAuth.PASSWORD}
    assert adding.engine.logins == [login]
    assert adding.engine.calls == [
        {
            "name": "ann@example.com",  # an empty name falls back to the address
            "address": "ann@example.com",
            **login,
            "sync_window_days": 0,
        }
    ]
    assert adding.keyring.items == {(SERVICE_NAME, "account:7:password"): PASSWORD}
    assert not adding.secrets.is_session_only(7)  # the keyring took it: no session copy left


async def test_a_refusal_shows_in_the_dialog_which_stays_open(adding: Adding) -> None:
    dialog = adding.dialog
    adding.fill()
    dialog.ok_button.click()
    await adding.engine.answers.put(
        AuthenticationFailedError("The server refused the user name or password.", hint="Check them and try again.")
    )
    await idle(adding.ops)

    assert dialog.isVisible() and not dialog.is_busy() and not dialog.status_label.isVisible()
    assert dialog.imap_result.isVisible()
    assert (
        dialog.imap_result.text() == "IMAP: ✗ The server refused the user name or password. Check them and try again."
    )
    assert message_box("knownErrorBox") is None  # in place, not a box of its own
    assert dialog.certificate_button.isHidden() and dialog.show_certificate() is None  # not a certificate
    assert dialog.password_edit.isEnabled() and dialog.ok_button.isEnabled()
    assert dialog.focusWidget() is dialog.password_edit
    assert adding.keyring.items == {} and adding.engine.calls == []  # nothing saved

    # Corrected, it goes through.
    finished = next_emit(dialog.finished)
    dialog.password_edit.setText("the right one")
    dialog.ok_button.click()
    assert not dialog.imap_result.isVisible()
    await adding.engine.answers.put(None)
    assert await wait_for(finished) == (AccountSetupDialog.DialogCode.Accepted,)
    assert adding.keyring.items == {(SERVICE_NAME, "account:7:password"): "the right one"}


async def test_an_untrusted_certificate_can_be_looked_at(adding: Adding) -> None:
    dialog = adding.dialog
    adding.fill()
    assert dialog.certificate_button.isHidden()
    dialog.ok_button.click()
    await adding.engine.answers.put(
        CertificateError(
            "The server's certificate could not be verified.",
            hint="Someone may be listening in.",
            details=certificate_details("self-signed certificate in certificate chain"),
        )
    )
    await idle(adding.ops)
    text = dialog.imap_result.text()
    assert text == "IMAP: ✗ The server's certificate could not be verified. Someone may be listening in."
    assert dialog.focusWidget() is dialog.servers.imap_rows.host
    assert dialog.certificate_button.isVisible() and dialog.certificate_button.text() == "View certificate…"
    shown = dialog.show_certificate()
    assert shown is not None and shown.isVisible() and shown.isModal()
    fields = shown.fields()
    assert fields["Why it failed:"] == "self-signed certificate in certificate chain"
    assert fields["Issued by:"] == "RealMail Test CA, RealMail tests"
    assert fields["SHA-256 fingerprint:"] == fingerprint_of_server_certificate()
    shown.close()


async def test_a_refused_server_opens_the_manual_settings_on_its_host(make: Make) -> None:
    """Settings that were found hide the manual settings: a refused host brings them up, focused there."""
    keyring = MemoryKeyring()
    state = make(SecretStore(backend=keyring), keyring)
    dialog = state.dialog
    state.fill()
    dialog.manual_button.setChecked(False)
    assert dialog.servers.isHidden()
    dialog.ok_button.click()
    await state.engine.answers.put(KnownError("The server could not be reached.", hint="Check the host."))
    await idle(state.ops)
    assert dialog.manual_button.isChecked() and dialog.servers.isVisible()
    assert dialog.focusWidget() is dialog.servers.imap_rows.host
    assert dialog.servers.imap_rows.host.selectedText() == "imap.example.com"


async def test_cancel_while_checking_gives_up_the_check(adding: Adding) -> None:
    dialog = adding.dialog
    adding.fill()
    dialog.ok_button.click()
    await wait_for(asyncio.ensure_future(adding.engine.called.wait()))
    dialog.reject()
    await idle(adding.ops)
    assert not dialog.isVisible() and not dialog.is_busy()
    assert adding.keyring.items == {} and adding.engine.calls == []


@pytest.mark.parametrize("keep", [True, False])
async def test_without_a_keyring_the_person_is_asked(make: Make, keep: bool) -> None:
    state = make(SecretStore(backend=fail.Keyring()), MemoryKeyring())
    state.fill()
    finished = next_emit(state.dialog.finished)
    state.dialog.ok_button.click()
    await state.engine.answers.put(None)
    await idle(state.ops)
    box = message_box("keepForSessionBox")
    assert box is not None and box.text() == "Keep the password for this session only?"
    assert box.informativeText().startswith("No system keyring is available")
    click(box, "Keep for this session" if keep else "Don't add the account")
    await idle(state.ops)
    if keep:
        assert await wait_for(finished) == (AccountSetupDialog.DialogCode.Accepted,)
        assert state.secrets.get_password(7) == PASSWORD and state.engine.removed == []
    else:
        finished.cancel()
        assert state.dialog.isVisible() and state.dialog.name_edit.isEnabled()
        assert state.engine.removed == [7] and not state.secrets.is_session_only(7)
