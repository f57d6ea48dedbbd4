"""Google sign-in from the UI: what it needs (`GoogleSetup`: the client, the token keeper shared with the sync
engine, the system browser) and the banner's "Sign in again…" for an account whose sign-in ended."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from realmail_desktop.auth.oauth import BrowserOpener, LoopbackSignIn, OAuthTokens, mail_scopes
from realmail_desktop.auth.oauth_client import OAuthClient
from realmail_desktop.core.errors import KeyringUnavailableError, KnownError
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import Account
from realmail_desktop.ui.ops import Ops

_log = get_logger("ui")


def open_in_browser(url: str) -> None:
    """The system browser (the consent page must not open inside RealMail: the person checks its address)."""
    from PySide6.QtCore import QCoreApplication, QUrl
    from PySide6.QtGui import QDesktopServices

    if not QDesktopServices.openUrl(QUrl(url)):
        raise KnownError(
            QCoreApplication.translate("GoogleSignIn", "No web browser could be opened."),
            hint=QCoreApplication.translate("GoogleSignIn", "Set a default browser and try again."),
        )


@dataclass(frozen=True, slots=True)
class GoogleSetup:
    """What "Sign in with Google" needs: the client (may raise KnownError when not set up), the token keeper
    (shared with the sync engine), the system browser, and a CA file for a test provider."""

    client: Callable[[], OAuthClient]
    tokens: OAuthTokens
    opener: BrowserOpener
    ca_file: Path | None = None


def sign_in_again(
    setup: GoogleSetup,
    ops: Ops,
    account: Account,
    retry: Callable[[int], Awaitable[object]],
    *,
    drive: bool = False,
) -> asyncio.Task[None]:
    """The banner's "Sign in again…": the browser flow for the account's address, the new refresh token in the
    keyring (this session's memory when there is none), then the engine tries the account again. With `drive`,
    the same flow asks for Drive's `drive.file` too (incremental consent: turning Drive on)."""

    async def run() -> None:
        grant = await LoopbackSignIn(
            setup.client(),
            setup.opener,
            scopes=mail_scopes(drive=drive),
            login_hint=account.address,
            ca_file=setup.ca_file,
        ).run()
        if grant.email and grant.email.casefold() != account.address.casefold():
            from PySide6.QtCore import QCoreApplication

            raise KnownError(
                QCoreApplication.translate("GoogleSignIn", "You signed in as {email}, not {address}.").format(
                    email=grant.email, address=account.address
                ),
                hint=QCoreApplication.translate(
                    "GoogleSignIn", "Sign in again and choose {address} in the browser."
                ).format(address=account.address),
            )
        try:
            await asyncio.to_thread(setup.tokens.adopt, account.id, grant)
        except KeyringUnavailableError:
            _log.warning("no keyring: the new sign-in of account %s is kept for this session only", account.id)
            setup.tokens.adopt(account.id, grant, session_only=True)
        await retry(account.id)

    return ops.run(run(), label="Sign in with Google")
