"""Gmail over IMAP (X-GM-EXT-1): which mailboxes are label folders and which label each stands for, and the
labels of fetched messages as the store keeps them.

Gmail shows a message in the mailbox of each of its labels and in "[Gmail]/All Mail". RealMail syncs All Mail
alone (plus Trash and Spam, whose messages All Mail leaves out) and shows the label mailboxes as views over it
(store/gmail_labels.py, migrations/0013), so no message is fetched or stored twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from realmail_desktop.store.gmail_labels import STARRED
from realmail_desktop.sync.imap_commands import Fetched, ListedFolder

# SPECIAL-USE attribute (lower case) → the label the mailbox stands for; None: a mailbox with its own messages.
_BY_ATTRIBUTE: dict[str, str | None] = {
    "\\all": None,
    "\\trash": None,
    "\\junk": None,
    "\\sent": "\\Sent",
    "\\drafts": "\\Draft",
    "\\important": "\\Important",
    "\\flagged": STARRED,
}


def label_of(folder: ListedFolder) -> str | None:
    """The label a Gmail mailbox shows ("\\Inbox", "\\Sent", "Work" …), or None for All Mail, Trash, Spam and
    mailboxes that cannot be selected ("[Gmail]")."""
    if folder.name.upper() == "INBOX":
        return "\\Inbox"
    flags = {flag.lower() for flag in folder.flags}
    if "\\noselect" in flags or "\\nonexistent" in flags:
        return None
    for flag in flags:
        if flag in _BY_ATTRIBUTE:
            return _BY_ATTRIBUTE[flag]
    return folder.name


def label_folders(listed: Iterable[ListedFolder]) -> dict[str, str | None]:
    """Server mailbox name → its label (None: not a label folder), for every listed mailbox."""
    return {folder.name: label_of(folder) for folder in listed}


def labels_by_uid(fetched: Sequence[Fetched]) -> Mapping[int, tuple[str, ...]]:
    """UID → the message's labels as the store keeps them: X-GM-LABELS, and \\Starred for a \\Flagged message
    (Gmail's Starred mailbox is the flag). Messages whose reply had no X-GM-LABELS are left out."""
    found: dict[int, tuple[str, ...]] = {}
    for item in fetched:
        if item.gmail_labels is None:
            continue
        starred = any(flag.lower() == "\\flagged" for flag in item.flags)
        found[item.uid] = tuple(dict.fromkeys((*item.gmail_labels, *((STARRED,) if starred else ()))))
    return found


def threads_by_uid(fetched: Sequence[Fetched]) -> dict[int, int]:
    """UID → X-GM-THRID of the fetched messages that have one."""
    return {item.uid: item.gmail_thread for item in fetched if item.gmail_thread is not None}
