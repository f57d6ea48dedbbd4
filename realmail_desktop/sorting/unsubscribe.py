"""One-click unsubscribe from a message's List-Unsubscribe header: RFC 8058 POST to its https: URL (after the
person confirmed, in a worker thread with urllib), else a mail to its mailto: address through the outbox."""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from realmail_desktop.core.errors import KnownError, NotFoundError
from realmail_desktop.ingest.outgoing import queue_draft
from realmail_desktop.mail.compose import Draft
from realmail_desktop.mail.headers import Address
from realmail_desktop.mail.mailto import read_mailto
from realmail_desktop.mail.unsubscribe import ONE_CLICK_BODY, UnsubscribeOptions, unsubscribe_options
from realmail_desktop.store import Store

HTTP_TIMEOUT_SECONDS = 20.0


class UnsubscribeError(KnownError):
    """The list's unsubscribe address did not take the request."""


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    """How it was done: "https" (the server answered `status`) or "mailto" (queued as `outbox_id`)."""

    method: str
    status: int = 0
    outbox_id: int = 0


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # RFC 8058 §3.2: the POST must not be turned into a GET elsewhere; a redirect is a failure, not a hop.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def post_one_click(url: str, *, timeout: float = HTTP_TIMEOUT_SECONDS) -> int:
    """The RFC 8058 POST (blocking: call in a worker thread); returns the HTTP status, UnsubscribeError if
    the server refused or could not be reached. No cookies, no credentials, no redirects."""
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked by mail/unsubscribe.py: https, or loopback http)
        url,
        data=ONE_CLICK_BODY.encode("ascii"),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "RealMail"},
    )
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        raise UnsubscribeError(
            f"The list's server refused to unsubscribe you (HTTP {exc.code}).",
            hint="Try again later, or use the list's own unsubscribe link.",
        ) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise UnsubscribeError(
            "The list's server could not be reached.", hint="Check your connection and try again."
        ) from exc
    if not 200 <= status < 300:
        raise UnsubscribeError(f"The list's server answered HTTP {status}.", hint="Try again later.")
    return status


class Unsubscriber:
    """Unsubscribes the person from the list a stored message came from."""

    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    async def options(self, message_id: int) -> UnsubscribeOptions:
        """The ways out the message's list offers (`available` False: none)."""

        row = await self._store.read(lambda r: r.rules.unsubscribe_header(message_id))
        if row is None:
            raise NotFoundError("That message is no longer in your mail.")
        return unsubscribe_options(row[0], one_click=row[1])

    async def unsubscribe(self, message_id: int) -> Unsubscribed:
        """One-click POST when the list offers it, else a mail to its unsubscribe address. Call only after the
        person confirmed."""
        options = await self.options(message_id)
        if options.https and options.one_click:
            status = await asyncio.to_thread(post_one_click, options.https)
            return Unsubscribed("https", status=status)
        if options.mailto:
            return Unsubscribed("mailto", outbox_id=await self._mail(message_id, options.mailto))
        raise UnsubscribeError(
            "This message offers no one-click way to unsubscribe.", hint="Look for an unsubscribe link in its text."
        )

    async def _mail(self, message_id: int, mailto: str) -> int:
        link = read_mailto(mailto)
        if not link.to:
            raise UnsubscribeError("The list's unsubscribe address is not usable.")
        summary = await self._store.read(lambda r: r.message(message_id))
        if summary is None:
            raise NotFoundError("That message is no longer in your mail.")
        await self._store.identities.ensure_default(summary.account_id)
        identities = await self._store.read(lambda r: r.identities.of_account(summary.account_id))
        identity = next((i for i in identities if i.is_default), identities[0] if identities else None)
        if identity is None:
            raise UnsubscribeError("This account has no address to send from.", hint="Set one up in Accounts.")
        draft = Draft(
            sender=Address(identity.name, identity.address),
            to=link.to,
            subject=link.subject or "unsubscribe",
            text=link.body or "unsubscribe",
        )
        outbox_id, _built = await queue_draft(self._store, draft, account_id=identity.account_id, send_at=self._clock())
        return outbox_id
