"""Pydantic models of what the store holds: accounts, folders, message rows, attachments, contacts."""

from __future__ import annotations

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
