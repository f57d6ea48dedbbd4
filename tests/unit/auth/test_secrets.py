"""SecretStore: the keyring when there is one, plain words when there is none, session-only on request."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from realmail_desktop.auth import SERVICE_NAME, SecretStore
from realmail_desktop.core.config import ProfilePaths
from realmail_desktop.core.errors import KeyringUnavailableError
from realmail_desktop.core.events import EventBus
from realmail_desktop.core.logs import ROOT, setup_logging
from realmail_desktop.store import Store
from tests.keyring_backends import LockedKeyring, MemoryKeyring, PlaintextFileKeyring

SECRET = "c0rrect-h0rse-b4ttery-st4ple-✓"


@pytest.fixture
def memory() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def global_keyring() -> Iterator[None]:
    """Put the process-wide keyring back as it was after a test that replaces it."""
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


def test_passwords_go_to_the_keyring_under_the_realmail_service(memory: MemoryKeyring) -> None:
    secrets = SecretStore(backend=memory)
    assert secrets.get_password(7) is None
    secrets.set_password(7, SECRET)
    assert memory.items == {(SERVICE_NAME, "account:7:password"): SECRET}
    assert secrets.get_password(7) == SECRET
    assert secrets.get_password(8) is None
    secrets.delete_password(7)
    assert memory.items == {} and secrets.get_password(7) is None
    secrets.delete_password(7)  # nothing stored: nothing to do


def test_the_default_is_whatever_keyring_set_keyring_installed(memory: MemoryKeyring, global_keyring: None) -> None:
    keyring.set_keyring(memory)
    SecretStore().set_password(1, SECRET)
    assert memory.items[(SERVICE_NAME, "account:1:password")] == SECRET


def test_no_keyring_is_said_plainly_and_nothing_is_kept(global_keyring: None) -> None:
    keyring.set_keyring(fail.Keyring())
    secrets = SecretStore()  # constructing it touches no keyring: a headless start-up must not fail
    with pytest.raises(KeyringUnavailableError) as raised:
        secrets.set_password(1, SECRET)
    assert raised.value.message == "No system keyring is available, so RealMail cannot store your password safely."
    assert "session only" in raised.value.hint
    with pytest.raises(KeyringUnavailableError):
        secrets.get_password(1)
    with pytest.raises(KeyringUnavailableError):
        secrets.check_available()
    assert not secrets.is_session_only(1)


def test_a_plaintext_backend_counts_as_no_keyring() -> None:
    plaintext = PlaintextFileKeyring()
    with pytest.raises(KeyringUnavailableError):
        SecretStore(backend=plaintext).set_password(1, SECRET)
    assert plaintext.items == {}


def test_a_locked_keyring_says_so() -> None:
    with pytest.raises(KeyringUnavailableError, match="locked"):
        SecretStore(backend=LockedKeyring()).set_password(1, SECRET)


def test_session_only_passwords_live_in_memory_until_stored_for_good(memory: MemoryKeyring) -> None:
    no_keyring = SecretStore(backend=fail.Keyring())
    no_keyring.remember_for_session(3, SECRET)
    assert no_keyring.is_session_only(3)
    assert no_keyring.get_password(3) == SECRET
    no_keyring.forget_session(3)
    with pytest.raises(KeyringUnavailableError):
        no_keyring.get_password(3)

    secrets = SecretStore(backend=memory)
    secrets.remember_for_session(3, "first")
    secrets.set_password(3, SECRET)  # the keyring works after all: it becomes the one copy
    assert not secrets.is_session_only(3) and secrets.get_password(3) == SECRET
    secrets.remember_for_session(3, "again")
    secrets.delete_password(3)
    assert secrets.get_password(3) is None and memory.items == {}


async def test_the_secret_reaches_no_file_of_the_profile(tmp_path: Path, memory: MemoryKeyring) -> None:
    """After an account and its password are saved — and after the keyring failed once — the password's bytes
    are in no file of the profile: not the database (nor its WAL), not the log, not a settings file."""
    paths = ProfilePaths(tmp_path / "profile")
    paths.ensure()
    root_logger = logging.getLogger(ROOT)
    level, propagate = root_logger.level, root_logger.propagate
    setup_logging(paths.logs, level="DEBUG", to_stderr=False)
    try:
        bus = EventBus()
        store = await Store.open(paths.database, bus)
        try:
            account, _ = await store.accounts.create_local("Work")
            SecretStore(backend=memory).set_password(account.id, SECRET)
            failing = SecretStore(backend=LockedKeyring())
            with pytest.raises(KeyringUnavailableError):
                failing.set_password(account.id, SECRET)
            failing.remember_for_session(account.id, SECRET)
            assert failing.get_password(account.id) == SECRET
            logging.getLogger(f"{ROOT}.sync").info("login with password=%s", SECRET)  # the redaction net
        finally:
            await store.close()
    finally:
        setup_logging(None, to_stderr=False)
        root_logger.setLevel(level)
        root_logger.propagate = propagate
    files = [path for path in paths.root.rglob("*") if path.is_file()]
    assert paths.database in files and any(path.suffix == ".log" for path in files)
    for path in files:
        data = path.read_bytes()
        for encoded in (SECRET.encode(), SECRET.encode("utf-16-le")):
            assert encoded not in data, path
