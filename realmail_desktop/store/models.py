"""Pydantic models of what the store holds: accounts, folders, message rows, attachments, contacts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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
    color: str = ""  # '#rrggbb' the person chose for the account, '' for none (migrations/0009)


class Folder(_Frozen):
    id: int
    account_id: int
    path: str
    role: FolderRole | None
    position: int
    total_count: int
    unread_count: int
    subscribed: bool = True  # an IMAP folder the person unsubscribed from is known but not synced

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
    keywords: tuple[str, ...] = ()  # IMAP keywords other than the flags above ($Label1, Work, $Junk …), sorted

    @property
    def sender_display(self) -> str:
        return self.sender_name or self.sender_address


class ThreadSummary(MessageSummary):
    """A row of a threaded list: the newest message of a conversation in the listed folder, with the
    conversation's counts there; `is_seen` and `is_flagged` speak for the thread (none unread, any starred)."""

    thread_id: int
    message_count: int
    unread_count: int


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
    category: str = ""  # 'people' / 'updates' / 'notifications' (mail/categories.py); '' not known
    unsubscribe: str = ""  # the List-Unsubscribe header; with `unsubscribe_one_click`, RFC 8058 applies
    unsubscribe_one_click: bool = False
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
    # A header-only row whose BODYSTRUCTURE shows attachments, or (no BODYSTRUCTURE asked for) whose Content-Type
    # is multipart/mixed (sync/imap_commands.header_fetches); the body, once read, lists the parts exactly.
    attachments_expected: bool = False

    @property
    def has_attachments(self) -> bool:
        return self.attachments_expected or any(not a.inline for a in self.attachments)

    def field_values(self) -> dict[str, Any]:
        """The field values, for `from_field_values` in another process (the header sync's worker sends
        thousands a second): pydantic's own pickling carries each instance's set of field names besides, and
        loading it took ~20 µs a row of the main process, this ~8 (sync/header_reader.py)."""
        return self.__dict__

    @classmethod
    def from_field_values(cls, values: dict[str, Any]) -> NewMessage:
        """The NewMessage whose `field_values()` these are — not validated again: only for values that came out
        of a NewMessage (the same as pydantic's unpickling does, with every field counted as set)."""
        message = cls.__new__(cls)
        object.__setattr__(message, "__dict__", values)
        object.__setattr__(message, "__pydantic_fields_set__", set(values))
        object.__setattr__(message, "__pydantic_extra__", None)
        object.__setattr__(message, "__pydantic_private__", None)
        return message


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


class OutboxState(StrEnum):
    QUEUED = "queued"  # waiting for its send_at / next_attempt_at
    SENDING = "sending"  # handed to the SMTP server; not yet acknowledged
    SENT = "sent"  # the server acknowledged the DATA (its reply is kept in `ack`)
    FAILED = "failed"  # the server refused it for good (5xx) or the account cannot send; see last_error


class OutboxDriveFile(_Frozen):
    """An attachment of a queued message that goes as a Google Drive link (migrations/0014 `drive_files`):
    its name, size and the SHA-256 of its decoded bytes, by which the Drive stage finds its part."""

    name: str
    size: int
    sha256: str


class OutgoingMessage(_Frozen):
    """A message the composer hands to the outbox: final bytes plus the SMTP envelope.

    `raw` is the exact RFC 5322 message to transmit (Message-ID already assigned, no Bcc header);
    `recipients` is the envelope (To + Cc + Bcc addresses). `priority` 0 goes first, 3 last (FIFO within
    one); `send_at` (Unix seconds) is now + the undo delay, or the time chosen for Send later. `answers`
    is the row of the message this replies to (gets \\Answered once sent), `forwards` the rows forwarded
    (get $Forwarded). `drive_files` are the attachments that go as Drive links (the Drive stage uploads them
    and rewrites `raw` before the SMTP sender may take the message).
    """

    account_id: int
    raw: bytes
    message_id: str
    mail_from: str
    recipients: tuple[str, ...]
    send_at: float
    priority: int = Field(default=2, ge=0, le=3)
    answers: int | None = None
    forwards: tuple[int, ...] = ()
    drive_files: tuple[OutboxDriveFile, ...] = ()
    # The list row read from `raw` as any stored message is (snippet, attachment mark, the body's words for
    # search — kept when it moves to Sent); None: the outbox makes one from the header alone.
    row: NewMessage | None = None


class OutboxItem(_Frozen):
    """One message of the outbox (migrations/0007 `outbox`), as the sender service and the Outbox view see it.
    `message_row` is its row in `messages` (in the Outbox folder until sent, then in the account's Sent)."""

    id: int
    account_id: int
    message_row: int
    message_id: str
    mail_from: str
    recipients: tuple[str, ...]
    priority: int
    send_at: float
    state: OutboxState
    attempts: int
    next_attempt_at: float
    last_error: str
    ack: str
    answers: int | None
    forwards: tuple[int, ...]
    queued_at: float
    sent_at: float | None
    drive_files: tuple[OutboxDriveFile, ...] = ()  # not empty: waiting for the Drive stage, not for SMTP


class Contact(_Frozen):
    id: int
    address: str
    name: str
    last_used: int
    use_count: int


class Identity(_Frozen):
    """Who the person writes as on an account (migrations/0008): the composer's From, signature, Reply-To."""

    id: int
    account_id: int
    name: str
    address: str
    signature: str = ""
    reply_to: str = ""
    is_default: bool = False


class DraftOrigin(_Frozen):
    """What a saved draft answers or forwards, and which identity wrote it (kept across autosaves)."""

    answers: int | None = None
    forwards: tuple[int, ...] = ()
    identity_id: int | None = None


# --- IMAP accounts and their sync state ------------------------------------------------------------------


class ImapSecurity(StrEnum):
    TLS = "tls"  # implicit TLS from the first byte (port 993)
    STARTTLS = "starttls"  # plain connection upgraded before login (port 143)
    NONE = "none"  # no encryption: accepted for loopback test servers only


class ImapAuth(StrEnum):
    """How an IMAP account logs in (migrations/0009)."""

    PASSWORD = "password"  # noqa: S105 (a method name) LOGIN with the password from the keyring
    XOAUTH2 = "xoauth2"  # AUTHENTICATE XOAUTH2 with an access token from the token provider (Google sign-in)


class ImapSettings(_Frozen):
    """How to reach an IMAP account (the password is in the OS keyring, never in the store)."""

    host: str
    port: int
    security: ImapSecurity
    username: str
    sync_window_days: int = 30  # bodies fetched ahead of time for this many days; 0 = all
    auth: ImapAuth = ImapAuth.PASSWORD


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
    def synced(self) -> bool:
        """Subscribed folders are synced; the Inbox and special-use folders always (they hold what the person
        receives, sends, drafts and deletes)."""
        return self.selectable and (self.subscribed or self.role is not None)

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
    keywords: tuple[str, ...] = ()  # the other flags that are not system flags, sorted
    is_deleted: bool = False  # \Deleted, not yet expunged (another client's doing): not listed here


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
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    APPEND = "append"
    LABELS = "labels"  # Gmail: UID STORE ±X-GM-LABELS on All Mail (migrations/0013)


class AppendSource(_Frozen):
    """Where the message of an 'append' op came from on another IMAP account (deleted there after the APPEND)."""

    account: int
    folder: int
    uid: int | None = None
    uidvalidity: int | None = None


class RemoteOp(_Frozen):
    """One queued action for the server (migrations/0002 `remote_ops`), decoded.

    `uids`, `rows` and `mids` run in parallel: the messages' UIDs in `folder_id` (None where not known),
    their row ids and their Message-ID headers. `set_flags` maps "seen"/"flagged" to the wanted value.
    Folder ops have no `folder_id`; they name server mailboxes: `name` (and `new_name` for a rename).
    `add_keywords`/`remove_keywords` ride on 'flags' ops. An 'append' op's `folder_id` is its target folder
    and `sources` names, per row, the copy to delete on another account's server afterwards (None: local).
    A 'delete' op that is `detached` never removes rows (they live on elsewhere); `keep_body` fetches the
    body into the row first (a message moved to a local folder).
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
    add_keywords: tuple[str, ...] = ()
    remove_keywords: tuple[str, ...] = ()
    add_labels: tuple[str, ...] = ()  # 'labels' ops (Gmail): X-GM-LABELS names
    remove_labels: tuple[str, ...] = ()
    sources: tuple[AppendSource | None, ...] = ()
    detached: bool = False
    keep_body: bool = False
    attempts: int = 0
    last_error: str = ""


# --- sending (migrations/0007) ------------------------------------------------------------------------------


class SmtpAuth(StrEnum):
    PASSWORD = "password"  # noqa: S105 (a method name, not a password) AUTH PLAIN / LOGIN with the account's password from the keyring
    XOAUTH2 = "xoauth2"  # a bearer token from a token provider (Google sign-in)


class SmtpSettings(_Frozen):
    """How to reach an account's SMTP server (migrations/0007); `security` offers the same three choices as
    IMAP ('none' for loopback test servers only). `username` '' means the IMAP user name and password."""

    host: str
    port: int
    security: ImapSecurity = ImapSecurity.STARTTLS
    username: str = ""
    auth: SmtpAuth = SmtpAuth.PASSWORD


class SendingAccount(_Frozen):
    """What the sender service needs of one account: its SMTP settings and the IMAP side's names."""

    account_id: int
    address: str
    smtp: SmtpSettings
    imap_host: str
    imap_username: str
    # The sync's finding (sync/folder_roles.py quirks): the server files relayed mail in Sent by itself
    # (Gmail). None: not connected yet.
    server_files_sent: bool | None = None
    # The largest message its server takes, as last announced (EHLO SIZE, migrations/0017); 0: not known.
    smtp_size_limit: int = 0

    @property
    def login(self) -> str:
        return self.smtp.username or self.imap_username or self.address


class DeliveryProblem(_Frozen):
    """What a bounce (DSN) said about one recipient of a message we sent (migrations/0007 delivery_reports)."""

    recipient: str
    action: str  # failed / delayed / delivered / relayed / expanded (RFC 3464 §2.3.3)
    status: str  # e.g. 5.1.1
    diagnostic: str  # the remote server's words
