"""The Add account dialog's SMTP check: one login through the sender's own connection code (send.smtp_pool),
before the account exists, with the password or the sign-in's access token the dialog has in hand; then QUIT.
Wired here, in the composition root, because the dialog (ui/) and the sender (send/) know nothing of each other."""

from __future__ import annotations

from pathlib import Path

from realmail_desktop.send.smtp_pool import SmtpPool
from realmail_desktop.store import SendingAccount, SmtpSettings


async def check_smtp_login(settings: SmtpSettings, login: str, secret: str, *, extra_ca_file: Path | None) -> None:
    """Connect, secure and log in to `settings`' server as `login` (XOAUTH2 when `settings.auth` says so, with
    `secret` as the token). Raises the sender's KnownError subclasses (refused, unreachable, certificate)."""

    async def token_for(_account_id: int) -> str:
        return secret

    account = SendingAccount(
        account_id=0,
        address=login,
        smtp=settings.model_copy(update={"username": login}),
        imap_host="",
        imap_username=login,
    )
    pool = SmtpPool(account, lambda _account_id: secret, token_for=token_for, extra_ca_file=extra_ca_file)
    try:
        async with pool.session():
            pass
    finally:
        await pool.close()
