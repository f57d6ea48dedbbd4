"""Drive consent: when the person turns Google Drive on, ask Google for `drive.file` (incremental consent,
through the banner's "Sign in again…" flow) unless the account's sign-in already grants it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from realmail_desktop.auth.oauth_client import DRIVE_SCOPE
from realmail_desktop.store import Account
from realmail_desktop.ui.dialogs.google_sign_in import GoogleSetup, sign_in_again
from realmail_desktop.ui.ops import Ops


async def ask_drive_access(
    setup: GoogleSetup, ops: Ops, account: Account, retry: Callable[[int], Awaitable[object]]
) -> bool:
    """True when the account may use Drive: already granted, or granted now by the sign-in in the browser
    (`sign_in_again(..., drive=True)`, which keeps the new refresh token). A cancelled or refused sign-in gives
    False (its reason is reported by Ops, like any failed sign-in)."""
    if DRIVE_SCOPE in setup.tokens.granted_scopes(account.id):
        return True
    task = sign_in_again(setup, ops, account, retry, drive=True)
    await asyncio.wait({task})  # its failure is Ops' to report; here only the outcome counts
    if task.cancelled() or task.exception() is not None:
        return False
    return DRIVE_SCOPE in setup.tokens.granted_scopes(account.id)
