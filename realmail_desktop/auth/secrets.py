"""SecretStore: account passwords and sign-in tokens in the OS keyring (Secret Service, Keychain, Credential
Locker), never on disk.

Two kinds of secret per account (`SecretKind`): the password, and the OAuth refresh token of an account that
signed in with Google. The password methods are the PASSWORD kind's shorthand.

The keyring is touched only when a password is read or written, never at start-up, so a machine without one
still starts. A backend keyring itself does not recommend (its "fail" backend on a bare Linux session,
keyrings.alt's plaintext and "encrypted" files: priority < 1) counts as no keyring at all: RealMail then says
so with `KeyringUnavailableError` and keeps a password only if the person asks it to, for this session, in
memory (`remember_for_session`). There is no silent plaintext fallback.

Keyring calls may block (a D-Bus round trip, an unlock prompt): call them off the GUI thread.
"""

from __future__ import annotations

import threading
from enum import StrEnum

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from realmail_desktop.core.errors import KeyringUnavailableError
from realmail_desktop.core.logs import get_logger

SERVICE_NAME = "RealMail"

_NO_KEYRING = "No system keyring is available, so RealMail cannot store your password safely."
_NO_KEYRING_HINT = (
    "Unlock or start your desktop's keyring (GNOME Keyring, KWallet, macOS Keychain or Windows Credential "
    "Manager) and try again, or keep the password for this session only."
)
_LOCKED = "The system keyring is locked, so RealMail cannot store your password."
_LOCKED_HINT = "Unlock your keyring when it asks and try again, or keep the password for this session only."

_log = get_logger("auth")


class SecretKind(StrEnum):
    PASSWORD = "password"  # noqa: S105 (a kind of secret, not a secret)
    REFRESH_TOKEN = "refresh_token"  # noqa: S105 (a kind of secret, not a secret)
    TELEGRAM_BOT_TOKEN = "telegram_bot_token"  # noqa: S105 (profile-wide: kept under account id 0)


def _key(account_id: int, kind: SecretKind = SecretKind.PASSWORD) -> str:
    return f"account:{account_id}:{kind.value}"


class SecretStore:
    """Passwords per account: `get_password`, `set_password`, `delete_password` go to the keyring;
    `remember_for_session` keeps one in memory until the app quits. Thread-safe.

    `backend` is for tests and special set-ups; by default the keyring package picks the OS keyring.
    """

    def __init__(self, *, service: str = SERVICE_NAME, backend: KeyringBackend | None = None) -> None:
        self._service = service
        self._backend = backend
        self._session: dict[tuple[int, SecretKind], str] = {}
        self._lock = threading.Lock()

    # --- the keyring ------------------------------------------------------------------------------
    def get_password(self, account_id: int) -> str | None:
        """The account's password: this session's copy if the person chose that, else the keyring's.

        None when none is stored; `KeyringUnavailableError` when there is no usable keyring to ask (the sync
        engine, which calls this as its `password_for`, then shows the account as needing its password, with
        this error's words)."""
        return self.get_secret(account_id, SecretKind.PASSWORD)

    def set_password(self, account_id: int, password: str) -> None:
        """Store the password in the keyring (replacing any session-only copy), or raise
        `KeyringUnavailableError` and store nothing."""
        self.set_secret(account_id, SecretKind.PASSWORD, password)

    def delete_password(self, account_id: int) -> None:
        """Forget the account's password everywhere RealMail keeps it (nothing stored is fine)."""
        self.delete_secret(account_id, SecretKind.PASSWORD)

    def get_secret(self, account_id: int, kind: SecretKind) -> str | None:
        """One kind of the account's secrets (see `get_password`)."""
        with self._lock:
            remembered = self._session.get((account_id, kind))
        if remembered is not None:
            return remembered
        backend = self._usable_backend()
        try:
            return backend.get_password(self._service, _key(account_id, kind))
        except Exception as exc:  # the backend's library errors (D-Bus, secretstorage) mean the same
            raise _unavailable(exc) from exc

    def set_secret(self, account_id: int, kind: SecretKind, secret: str) -> None:
        """Store one kind of secret in the keyring (replacing a session-only copy), or raise
        `KeyringUnavailableError` and store nothing."""
        backend = self._usable_backend()
        try:
            backend.set_password(self._service, _key(account_id, kind), secret)
        except Exception as exc:  # the backend's library errors (D-Bus, secretstorage) mean the same
            raise _unavailable(exc) from exc
        with self._lock:
            self._session.pop((account_id, kind), None)
        _log.info("%s of account %s stored in the keyring", kind.value.replace("_", " "), account_id)

    def delete_secret(self, account_id: int, kind: SecretKind) -> None:
        """Forget one kind of the account's secrets everywhere RealMail keeps it (nothing stored is fine)."""
        with self._lock:
            self._session.pop((account_id, kind), None)
        backend = self._usable_backend()
        try:
            backend.delete_password(self._service, _key(account_id, kind))
        except keyring.errors.PasswordDeleteError:
            pass  # there was none
        except Exception as exc:  # the backend's library errors (D-Bus, secretstorage) mean the same
            raise _unavailable(exc) from exc

    def delete_account_secrets(self, account_id: int) -> None:
        """Forget every secret of a removed account: its password and its sign-in token."""
        for kind in SecretKind:
            self.delete_secret(account_id, kind)

    def check_available(self) -> None:
        """Raise `KeyringUnavailableError` when no recommended keyring backend exists (does not read secrets)."""
        self._usable_backend()

    # --- session-only passwords -------------------------------------------------------------------
    def remember_for_session(self, account_id: int, password: str, kind: SecretKind = SecretKind.PASSWORD) -> None:
        """Keep the secret in memory only, until the app quits — what the person chose without a keyring."""
        with self._lock:
            self._session[(account_id, kind)] = password

    def forget_session(self, account_id: int) -> None:
        with self._lock:
            for kind in SecretKind:
                self._session.pop((account_id, kind), None)

    def is_session_only(self, account_id: int, kind: SecretKind = SecretKind.PASSWORD) -> bool:
        with self._lock:
            return (account_id, kind) in self._session

    # --- internals --------------------------------------------------------------------------------
    def _usable_backend(self) -> KeyringBackend:
        try:
            backend = self._backend if self._backend is not None else keyring.get_keyring()
            # keyring's own rule (keyring.core.recommended): below 1 are "fail", null and plaintext files.
            recommended = float(backend.priority) >= 1
        except Exception as exc:  # a backend probing D-Bus can fail in many ways; all mean "no keyring"
            _log.warning("the keyring could not be loaded: %s", exc)
            raise KeyringUnavailableError(_NO_KEYRING, hint=_NO_KEYRING_HINT) from exc
        if not recommended:
            _log.warning("no recommended keyring backend (found %s)", type(backend).__name__)
            raise KeyringUnavailableError(_NO_KEYRING, hint=_NO_KEYRING_HINT)
        return backend


def _unavailable(exc: Exception) -> KeyringUnavailableError:
    _log.warning("the keyring refused: %s", type(exc).__name__)  # the type only: a message may quote a secret
    if isinstance(exc, keyring.errors.KeyringLocked):
        return KeyringUnavailableError(_LOCKED, hint=_LOCKED_HINT)
    return KeyringUnavailableError(_NO_KEYRING, hint=_NO_KEYRING_HINT)
