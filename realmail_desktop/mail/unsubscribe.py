"""List-Unsubscribe (RFC 2369) read into the ways out a list offers: a mailto: link and/or an https: URL,
and whether the sender takes RFC 8058 one-click POSTs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_BRACKETED = re.compile(r"<([^<>]{1,2000})>")
# RFC 8058 §3.1: the exact key=value the POST body carries.
ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


@dataclass(frozen=True, slots=True)
class UnsubscribeOptions:
    """`mailto` (a mailto: URI) and `https` (an https: URL), each '' when absent; `one_click` when the
    message had List-Unsubscribe-Post: List-Unsubscribe=One-Click (only then may `https` be POSTed to)."""

    mailto: str = ""
    https: str = ""
    one_click: bool = False

    @property
    def available(self) -> bool:
        return bool(self.mailto or (self.https and self.one_click))


def is_one_click(list_unsubscribe_post: str) -> bool:
    return list_unsubscribe_post.replace(" ", "").lower() == ONE_CLICK_BODY.lower()


def unsubscribe_options(list_unsubscribe: str, *, one_click: bool) -> UnsubscribeOptions:
    """The first mailto: and first https: URI of the header; http: (no TLS) is ignored, as RFC 8058 §3.1
    requires HTTPS for one-click — except on loopback (local test servers, as for IMAP without TLS)."""
    mailto = https = ""
    for bracketed in _BRACKETED.findall(list_unsubscribe):
        uri = "".join(bracketed.split())
        scheme = uri.partition(":")[0].lower()
        if scheme == "mailto" and not mailto:
            mailto = uri
        elif scheme in ("https", "http") and not https and _reachable(uri):
            https = uri
    return UnsubscribeOptions(mailto=mailto, https=https, one_click=one_click and bool(https))


def _reachable(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    if not parts.hostname:
        return False
    return parts.scheme.lower() == "https" or parts.hostname in _LOOPBACK


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
