"""Where the Drive bridge gets its access tokens: the `TokenSource` protocol, and its adapter over our sign-in."""

from __future__ import annotations

import asyncio
from typing import Protocol

from realmail_desktop.auth.oauth import OAuthTokens


class TokenSource(Protocol):
    """A Google access token with the `drive.file` scope for one account."""

    async def access_token(self) -> str:
        """A current token (cached while it is fresh)."""
        ...

    async def refreshed(self) -> str:
        """A new token, after Drive answered 401 to the current one."""
        ...


class AccountTokens:
    """`TokenSource` of one signed-in account, over `auth.oauth.OAuthTokens` (blocking calls on a worker
    thread). `SignInRequiredError` passes through: the person must sign in again."""

    def __init__(self, tokens: OAuthTokens, account_id: int) -> None:
        self._tokens = tokens
        self._account_id = account_id

    async def access_token(self) -> str:
        return await asyncio.to_thread(self._tokens.token, self._account_id)

    async def refreshed(self) -> str:
        return await asyncio.to_thread(self._tokens.token, self._account_id, True)
