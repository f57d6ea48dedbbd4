"""Keyring backends for tests: a working one in memory, a locked one, and one keyring itself does not
recommend (like keyrings.alt's plaintext file). Tests pass them to SecretStore or install them with
keyring.set_keyring(...); the real OS keyring is never touched by the suite."""

from __future__ import annotations

import keyring.errors
from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict: what a desktop's Secret Service does, minus D-Bus."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class LockedKeyring(MemoryKeyring):
    """The collection stays locked (the person dismissed the unlock prompt)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


class PlaintextFileKeyring(MemoryKeyring):
    """Stands for keyrings.alt's PlaintextKeyring: it works, and keyring itself does not recommend it."""

    priority = 0.5  # type: ignore[assignment]
