"""Built-in Inbox categories (People, Updates, Notifications), decided locally from a message's headers.

Decided once, when a message is stored (ingest/conversion.py), from headers the header-only fast path already
has: automated mail (RFC 3834 Auto-Submitted, bounce and alert senders) is a notification; list and bulk mail
(List-Id, List-Unsubscribe, Precedence: bulk/list, no-reply senders) is an update; the rest is from people.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Category(StrEnum):
    PEOPLE = "people"
    UPDATES = "updates"
    NOTIFICATIONS = "notifications"


# What each category means, for the filter buttons' tooltips.
CATEGORY_HINTS: dict[Category, str] = {
    Category.PEOPLE: "Mail written to you by people: no mailing-list or bulk headers, not from a robot.",
    Category.UPDATES: (
        "Newsletters and updates: mail with List-Id or List-Unsubscribe headers, marked “Precedence: bulk”,"
        " or sent from a no-reply address."
    ),
    Category.NOTIFICATIONS: (
        "Notifications: mail a system sent by itself (Auto-Submitted header), alerts, bounces and other"
        " automatic messages."
    ),
}

_NO_REPLY = re.compile(r"^(?:do[-_.]?not[-_.]?reply|no[-_.]?reply|noreply|no-?respon[ds]e?)\b", re.I)
_ROBOTS = re.compile(
    r"^(?:notifications?|notify|alerts?|mailer-daemon|postmaster|bounces?|security|calendar|automated|system)\b",
    re.I,
)
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})


def category_of(
    sender_address: str,
    *,
    list_id: str = "",
    list_unsubscribe: str = "",
    precedence: str = "",
    auto_submitted: str = "",
) -> Category:
    """The category of a message with these headers (see the module docstring for the order of the tests)."""
    local = sender_address.rpartition("@")[0] if "@" in sender_address else sender_address
    automated = auto_submitted.strip().lower() not in ("", "no")
    if automated or precedence.strip().lower() == "auto_reply" or _ROBOTS.match(local):
        return Category.NOTIFICATIONS
    if list_id or list_unsubscribe or precedence.strip().lower() in _BULK_PRECEDENCE or _NO_REPLY.match(local):
        return Category.UPDATES
    return Category.PEOPLE
