"""Which server folder is the Inbox, Sent, Trash…: SPECIAL-USE attributes first (RFC 6154), then well-known
names; how server names become local paths; and the small table of server quirks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from realmail_desktop.store import FolderRole, RemoteFolder
from realmail_desktop.sync.imap_commands import ListedFolder

_SPECIAL_USE: dict[str, FolderRole] = {
    "\\sent": FolderRole.SENT,
    "\\drafts": FolderRole.DRAFTS,
    "\\trash": FolderRole.TRASH,
    "\\junk": FolderRole.JUNK,
    "\\archive": FolderRole.ARCHIVE,
    "\\all": FolderRole.ALL,
}

# Names servers and other clients use when there is no SPECIAL-USE (compared case-folded, last segment).
_BY_NAME: dict[str, FolderRole] = {
    **dict.fromkeys(("sent", "sent items", "sent messages", "sent mail"), FolderRole.SENT),
    **dict.fromkeys(("drafts", "draft"), FolderRole.DRAFTS),
    **dict.fromkeys(("trash", "deleted items", "deleted messages", "bin"), FolderRole.TRASH),
    **dict.fromkeys(("junk", "spam", "junk e-mail", "junk email", "bulk mail"), FolderRole.JUNK),
    **dict.fromkeys(("archive", "archives"), FolderRole.ARCHIVE),
    "all mail": FolderRole.ALL,
}

# A '/' inside one server segment (with another delimiter) must not split the local path.
_SLASH_STANDIN = "\u2215"  # DIVISION SLASH


@dataclass(frozen=True, slots=True)
class ServerQuirks:
    """What to do differently on one kind of server. Keep this table small: each entry needs a reason."""

    name: str
    use_qresync: bool = True
    skip_roles: frozenset[FolderRole] = frozenset()
    gmail_labels: bool = False  # sync All Mail once; label mailboxes are views over it (sync/gmail.py)
    files_sent: bool = False  # the server files what it relays in Sent itself: the sender makes no APPEND


_PLAIN = ServerQuirks("standard")
# Gmail: every message also appears in "[Gmail]/All Mail" and once per label mailbox. Only All Mail (and
# Trash, Spam) is synced, with each message's X-GM-LABELS mapped to the label folders, so nothing is fetched
# or stored twice; and Gmail puts what it sends in Sent Mail by itself (an APPEND would show it twice).
_GMAIL = ServerQuirks("Gmail", gmail_labels=True, files_sent=True)
# iCloud advertises QRESYNC but has been seen answering VANISHED incompletely: use the UID comparison.
_ICLOUD = ServerQuirks("iCloud", use_qresync=False)


def quirks_for(host: str, capabilities: frozenset[str]) -> ServerQuirks:
    host = host.lower().rstrip(".")
    if "X-GM-EXT-1" in capabilities or host.endswith(("imap.gmail.com", "imap.googlemail.com")):
        return _GMAIL
    if host.endswith("mail.me.com"):
        return _ICLOUD
    return _PLAIN


def role_of(name: str, delimiter: str, flags: frozenset[str]) -> FolderRole | None:
    """The folder's role from its SPECIAL-USE attribute, else from a well-known name at the top level or
    directly under INBOX (Courier/Cyrus-style "INBOX.Sent") or [Gmail]."""
    if name.upper() == "INBOX":
        return FolderRole.INBOX
    for flag in flags:
        role = _SPECIAL_USE.get(flag.lower())
        if role is not None:
            return role
    segments = name.split(delimiter) if delimiter else [name]
    if len(segments) > 2 or (len(segments) == 2 and segments[0].upper() not in ("INBOX", "[GMAIL]", "[GOOGLE MAIL]")):
        return None
    return _BY_NAME.get(segments[-1].casefold())


def local_path(name: str, delimiter: str) -> str:
    """The '/'-separated path the folder tree shows: INBOX → "Inbox", "Work.Projects" → "Work/Projects"."""
    segments = name.split(delimiter) if delimiter else [name]
    if segments[0].upper() == "INBOX":
        segments[0] = "Inbox"
    cleaned = [segment.replace("/", _SLASH_STANDIN).strip() or "_" for segment in segments]
    return "/".join(cleaned)


def remote_folders(listed: Sequence[ListedFolder], quirks: ServerQuirks) -> list[RemoteFolder]:
    """The folders to keep locally: every folder the server lists (unsubscribed ones too, so the person can
    subscribe again; `SyncFolder.synced` says which are synced). Inbox first, then in server order."""
    kept: list[RemoteFolder] = []
    paths: set[str] = set()
    for folder in listed:
        flags = frozenset(flag.lower() for flag in folder.flags)
        if "\\nonexistent" in flags:
            continue
        role = role_of(folder.name, folder.delimiter, folder.flags)
        path = local_path(folder.name, folder.delimiter)
        if path.casefold() in paths:  # e.g. "Inbox" beside "INBOX" on a case-sensitive server
            path = f"{path} ({folder.name})"
        paths.add(path.casefold())
        kept.append(
            RemoteFolder(
                remote_name=folder.name,
                path=path,
                delimiter=folder.delimiter,
                role=role,
                subscribed=folder.subscribed,
                selectable="\\noselect" not in flags and role not in quirks.skip_roles,
            )
        )
    kept.sort(key=lambda f: f.role is not FolderRole.INBOX)
    return kept
