"""Pydantic models of what the store holds: accounts, folders, message rows, attachments, contacts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class AccountKind(StrEnum):
    LOCAL = "local"
    IMAP = "imap"


class FolderRole(StrEnum):
    INBOX = "inbox"
    SENT = "sent"
    DRAFTS = "drafts"
    TRASH = "trash"
    JUNK = "junk"
    ARCHIVE = "archive"
    ALL = "all"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Account(_Frozen):
    id: int
    kind: AccountKind
    name: str
    address: str
    position: int


class Folder(_Frozen):
    id: int
    account_id: int
    path: str
    role: FolderRole | None
    position: int
    total_count: int
    unread_count: int

    @property
    def name(self) -> str:
        """The last segment of the path: what the folder tree shows."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent_path(self) -> str | None:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else None


class MessageSummary(_Frozen):
    """The hot metadata of one message: what a list row and the reader's header show."""

    id: int
    account_id: int
    folder_id: int
    message_id: str
    date: int
    sender_name: str
    sender_address: str
    recipients: str
    cc: str
    subject: str
    snippet: str
    size: int
    has_attachments: bool
    is_seen: bool
    is_flagged: bool
    is_answered: bool
    is_forwarded: bool
    is_draft: bool
    body_state: int

    @property
    def sender_display(self) -> str:
        return self.sender_name or self.sender_address


class NewAttachment(_Frozen):
    part_id: str
    filename: str
    content_type: str
    size: int
    content_id: str = ""
    inline: bool = False


class NewMessage(BaseModel):
    """A message about to be stored (import, sync). Sort keys and index text are computed by the caller."""

    model_config = ConfigDict(frozen=True)

    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    date: int
    sender_name: str = ""
    sender_address: str = ""
    sender_sort: str = ""
    recipients: str = ""
    cc: str = ""
    subject: str = ""
    subject_sort: str = ""
    snippet: str = ""
    list_id: str = ""
    size: int = 0
    is_seen: bool = False
    is_flagged: bool = False
    is_answered: bool = False
    is_forwarded: bool = False
    is_draft: bool = False
    defects: int = 0
    attachments: tuple[NewAttachment, ...] = ()
    index_people: str = ""
    index_body: str = ""
    raw: bytes | None = None
    uid: int | None = None

    @property
    def has_attachments(self) -> bool:
        return any(not a.inline for a in self.attachments)


class AttachmentRecord(_Frozen):
    id: int
    message_id: int
    part_id: str
    filename: str
    content_type: str
    sniffed_type: str | None
    size: int
    content_id: str
    inline: bool


class Contact(_Frozen):
    id: int
    address: str
    name: str
    last_used: int
    use_count: int


# --- IMAP accounts and their sync state ------------------------------------------------------------------


class ImapSecurity(StrEnum):
    TLS = "tls"  # implicit TLS from the first byte (port 993)
    STARTTLS = "starttls"  # plain connection upgraded before login (port 143)
    NONE = "none"  # no encryption: accepted for loopback test servers only


class ImapSettings(_Frozen):
    """How to reach an IMAP account (the password is in the OS keyring, never in the store)."""

    host: str
    port: int
    security: ImapSecurity
    username: str
    sync_window_days: int = 30  # bodies fetched ahead of time for this many days; 0 = all


class RemoteFolder(_Frozen):
    """A mailbox as the server lists it, mapped to a local path and role (input of folder reconciling)."""

    remote_name: str
    path: str
    delimiter: str = ""
    role: FolderRole | None = None
    subscribed: bool = True
    selectable: bool = True


class SyncFolder(_Frozen):
    """A server-backed folder with its sync state (see migrations/0002 for what each number means)."""

    id: int
    account_id: int
    path: str
    role: FolderRole | None
    remote_name: str
    delimiter: str
    subscribed: bool
    selectable: bool
    uidvalidity: int | None
    uidnext: int | None
    highestmodseq: int | None
    headers_floor_uid: int | None
    last_checked_at: int | None
    total_count: int

    @property
    def headers_complete(self) -> bool:
        """Every message of the folder has its header row (the initial sync reached the oldest UID)."""
        return self.headers_floor_uid is not None and self.headers_floor_uid <= 1


class FolderProgress(_Frozen):
    """Sync state to save with (or without) a batch of headers; None leaves a field unchanged."""

    uidvalidity: int | None = None
    uidnext: int | None = None
    highestmodseq: int | None = None
    headers_floor_uid: int | None = None
    last_checked_at: int | None = None


@dataclass(frozen=True, slots=True)
class UidFlags:
    """The system flags of one message as the server reports them (a plain dataclass: thousands at a time)."""

    uid: int
    is_seen: bool
    is_flagged: bool
    is_answered: bool
    is_forwarded: bool
    is_draft: bool


@dataclass(frozen=True, slots=True)
class BodyWanted:
    """A message whose body the sync should fetch: its row, UID and size (for batching by bytes)."""

    message_id: int
    uid: int
    size: int


class RemoteOpKind(StrEnum):
    FLAGS = "flags"
    MOVE = "move"
    DELETE = "delete"
    CREATE_FOLDER = "create_folder"
    RENAME_FOLDER = "rename_folder"
    DELETE_FOLDER = "delete_folder"


class RemoteOp(_Frozen):
    """One queued action for the server (migrations/0002 `remote_ops`), decoded.

    `uids`, `rows` and `mids` run in parallel: the messages' UIDs in `folder_id` (None where not known),
    their row ids and their Message-ID headers. `set_flags` maps "seen"/"flagged" to the wanted value.
    Folder ops have no `folder_id`; they name server mailboxes: `name` (and `new_name` for a rename).
    """

    id: int
    account_id: int
    kind: RemoteOpKind
    folder_id: int | None
    uidvalidity: int | None = None
    uids: tuple[int | None, ...] = ()
    rows: tuple[int, ...] = ()
    mids: tuple[str, ...] = ()
    set_flags: dict[str, bool] = {}
    to_folder_id: int | None = None
    name: str = ""
    new_name: str = ""
    attempts: int = 0
    last_error: str = ""
