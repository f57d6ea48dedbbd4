"""SecretStore's second kind of secret (a sign-in's refresh token) next to the password: separate keyring
entries, session-only copies per kind, and everything of an account deleted at once."""

from __future__ import annotations

import pytest
from keyring.backends import fail

from realmail_desktop.auth import SERVICE_NAME, SecretKind, SecretStore
from realmail_desktop.auth.oauth import OAuthTokens
from realmail_desktop.auth.oauth_client import OAuthClient
from realmail_desktop.core.errors import KeyringUnavailableError
from tests.keyring_backends import MemoryKeyring


def test_passwords_and_refresh_tokens_are_separate_entries_and_removal_deletes_both() -> None:
    memory = MemoryKeyring()
    secrets = SecretStore(backend=memory)
    secrets.set_password(4, "pw")
    secrets.set_secret(4, SecretKind.REFRESH_TOKEN, "1//token")
    secrets.set_secret(5, SecretKind.REFRESH_TOKEN, "1//other")
    assert memory.items == {
        (SERVICE_NAME, "account:4:password"): "pw",
        (SERVICE_NAME, "account:4:refresh_token"): "1//token",
        (SERVICE_NAME, "account:5:refresh_token"): "1//other",
    }
    assert secrets.get_password(4) == "pw" and secrets.get_secret(4, SecretKind.REFRESH_TOKEN) == "1//token"
    secrets.delete_account_secrets(4)
    assert memory.items == {(SERVICE_NAME, "account:5:refresh_token"): "1//other"}
    secrets.delete_account_secrets(4)  # nothing left: nothing to do


def test_session_only_copies_are_per_kind_and_the_keyring_replaces_them() -> None:
    memory = MemoryKeyring()
    secrets = SecretStore(backend=memory)
    secrets.remember_for_session(2, "1//session", SecretKind.REFRESH_TOKEN)
    assert secrets.is_session_only(2, SecretKind.REFRESH_TOKEN) and not secrets.is_session_only(2)
    assert secrets.get_secret(2, SecretKind.REFRESH_TOKEN) == "1//session" and secrets.get_password(2) is None
    assert memory.items == {}
    secrets.set_secret(2, SecretKind.REFRESH_TOKEN, "1//kept")
    assert not secrets.is_session_only(2, SecretKind.REFRESH_TOKEN)
    assert memory.items == {(SERVICE_NAME, "account:2:refresh_token"): "1//kept"}


async def test_removing_an_account_without_a_keyring_still_forgets_its_session_secrets() -> None:
    secrets = SecretStore(backend=fail.Keyring())
    secrets.remember_for_session(3, "pw")
    secrets.remember_for_session(3, "1//session", SecretKind.REFRESH_TOKEN)
    dead = OAuthClient("id", "", "http://127.0.0.1:9/a", "http://127.0.0.1:9/t", "http://127.0.0.1:9/r")
    tokens = OAuthTokens(secrets, lambda _a: dead)
    await tokens.forget_account(3)  # the revoke cannot be sent (offline) and there is no keyring: both fine
    assert not secrets.is_session_only(3) and not secrets.is_session_only(3, SecretKind.REFRESH_TOKEN)
    with pytest.raises(KeyringUnavailableError):
        secrets.get_password(3)
