"""The two kinds of error: KnownError (the world said no; shown in plain words) and BugError (our fault)."""

from __future__ import annotations


class RealMailError(Exception):
    """Base of every error RealMail raises on purpose."""


class KnownError(RealMailError):
    """A failure that comes from the world (bad input, disk full, server refused) — not a bug.

    `message` is one plain sentence for the person; `hint` says what they can do about it.
    """

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class BugError(RealMailError):
    """An invariant of ours was broken. Logged with its traceback and shown through the crash dialog."""


class StoreError(KnownError):
    """The local mail store cannot be used (corrupted, unreadable, disk full)."""


class StoreTooNewError(StoreError):
    """The profile was written by a newer RealMail than this one."""


class NotFoundError(KnownError):
    """A folder, account or message named by the person does not exist (any more)."""


class ImportFailedError(KnownError):
    """A mail archive could not be opened for import at all (missing, unreadable, not mail)."""


class ExportFailedError(KnownError):
    """Messages could not be written to the chosen destination."""


class AccountError(KnownError):
    """An account cannot be used right now (base of the connection errors below)."""


class AuthenticationFailedError(AccountError):
    """The server refused the user name or password (or token). Retrying will not help until the person acts."""


class ServerUnreachableError(AccountError):
    """No connection to the server: offline, DNS, refused, timed out, or the connection dropped."""


class CertificateError(AccountError):
    """The server's TLS certificate did not verify. `details` describes the certificate for "View certificate"."""

    def __init__(self, message: str, *, hint: str = "", details: str = "") -> None:
        super().__init__(message, hint=hint)
        self.details = details


class ServerError(AccountError):
    """The server answered a command with NO/BAD or something we could not understand."""


class KeyringUnavailableError(KnownError):
    """No working system keyring (e.g. a bare Linux session): passwords cannot be stored safely."""
