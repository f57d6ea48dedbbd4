"""The one place aiosmtplib's, socket's and ssl's exceptions become ours (KnownError subclasses)."""

from __future__ import annotations

import asyncio
import ssl

import aiosmtplib

from realmail_desktop.core.errors import (
    AccountError,
    AuthenticationFailedError,
    CertificateError,
    KnownError,
    ServerUnreachableError,
)


class SmtpRejectedError(KnownError):
    """The SMTP server refused the message. `permanent` (5xx) stops retries; `reply` is the server's words."""

    def __init__(self, message: str, *, code: int, reply: str, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.reply = reply

    @property
    def permanent(self) -> bool:
        return self.code >= 500


class SendingNotSetUpError(KnownError):
    """The account has no usable SMTP server (none set, or plain text to a server that is not this machine)."""


_UNREACHABLE = (
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
    aiosmtplib.SMTPConnectError,
    OSError,
    EOFError,
    asyncio.TimeoutError,
)


def is_transient(error: KnownError) -> bool:
    """Whether trying again later can help: 4xx replies, no connection, timeouts, a certificate or login the
    person can fix meanwhile (the message waits instead of failing)."""
    if isinstance(error, SmtpRejectedError):
        return not error.permanent
    return not isinstance(error, SendingNotSetUpError)


def reply_text(code: int, message: str) -> str:
    return f"{code} {message}".strip()


def translate(exc: BaseException, host: str, port: int) -> KnownError:  # noqa: PLR0911 (one case per kind)
    """Our error for anything raised while talking to `host`."""
    if isinstance(exc, KnownError):
        return exc
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return AuthenticationFailedError(
            f"{host} refused the user name or password for sending ({reply_text(exc.code, exc.message)}).",
            hint="Check the account's password (or sign in again); the message waits in the Outbox.",
        )
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients] or [550]
        refused = "; ".join(f"{r.recipient}: {reply_text(r.code, r.message)}" for r in exc.recipients)
        code = min(codes) if all(c >= 500 for c in codes) else max(c for c in codes if c < 500)
        return SmtpRejectedError(f"{host} refused every recipient: {refused}", code=code, reply=refused)
    if isinstance(exc, aiosmtplib.SMTPResponseException) and not isinstance(exc, aiosmtplib.SMTPServerDisconnected):
        reply = reply_text(exc.code, exc.message)
        if exc.code >= 400:
            return SmtpRejectedError(f"{host} refused the message: {reply}", code=exc.code, reply=reply)
        return AccountError(f"{host} answered something unexpected: {reply}")
    if isinstance(exc, ssl.SSLCertVerificationError) or (
        isinstance(exc, aiosmtplib.SMTPConnectError) and isinstance(exc.__cause__, ssl.SSLCertVerificationError)
    ):
        return CertificateError(
            f"The certificate of {host} could not be verified.",
            hint="If you trust this server, add its CA in the settings; the message waits in the Outbox.",
        )
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return SendingNotSetUpError(f"{host}:{port} cannot be used this way: {exc}", hint="Check the SMTP settings.")
    if isinstance(exc, _UNREACHABLE):
        return ServerUnreachableError(
            f"No connection to {host}:{port} ({exc}).", hint="RealMail sends the message when the server is reachable."
        )
    if isinstance(exc, aiosmtplib.SMTPException):
        return AccountError(f"Sending through {host} failed: {exc}")
    raise exc
