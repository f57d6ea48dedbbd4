"""The Store: one profile's SQLite file, its repositories and its readers, opened and closed together."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from realmail_desktop.core.bundle import migrations_dir
from realmail_desktop.core.events import EventBus
from realmail_desktop.store.accounts import AccountRepository
from realmail_desktop.store.contacts import ContactRepository
from realmail_desktop.store.database import Database
from realmail_desktop.store.drafts import DraftRepository
from realmail_desktop.store.drive_uploads import DriveUploadRepository
from realmail_desktop.store.gmail_labels import GmailLabelRepository
from realmail_desktop.store.identities import IdentityRepository
from realmail_desktop.store.junk_tokens import JunkRepository
from realmail_desktop.store.message_copies import MessageCopies
from realmail_desktop.store.messages import MessageRepository
from realmail_desktop.store.outbox import OutboxRepository
from realmail_desktop.store.outbox_drive import OutboxDriveRepository
from realmail_desktop.store.preferences import PreferenceRepository
from realmail_desktop.store.reader import StoreReader
from realmail_desktop.store.remote_ops import RemoteOpQueue
from realmail_desktop.store.rules import RuleRepository
from realmail_desktop.store.sending import SendingRepository
from realmail_desktop.store.sync_state import SyncRepository
from realmail_desktop.store.telegram_bridge import TelegramBridgeRepository
from realmail_desktop.store.threads import ThreadRepository
from realmail_desktop.store.trust import RemoteContentTrust

T = TypeVar("T")


class Store:
    """Writes through `accounts`, `messages`, `contacts`, and for the IMAP sync `sync` and `remote_ops` (each
    returns `Changes`); sync reads via `reader` (GUI thread only), async reads via `read` (any coroutine; runs
    in a worker thread; the IMAP sync's reads are `reader.sync`)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.accounts = AccountRepository(db)
        self.messages = MessageRepository(db)
        self.contacts = ContactRepository(db)
        self.sync = SyncRepository(db)
        self.remote_ops = RemoteOpQueue(db)
        self.gmail = GmailLabelRepository(db)  # Gmail label folders and labels (store/gmail_labels.py)
        self.trust = RemoteContentTrust(db)  # senders whose mail may load remote content
        self.threads = ThreadRepository(db)  # conversations (rows get threads as they are added)
        self.outbox = OutboxRepository(db)  # messages to send (store/outbox.py)
        self.outbox_drive = OutboxDriveRepository(db)  # their big files on the way to Drive (store/outbox_drive.py)
        self.sending = SendingRepository(db)  # SMTP settings, delivery reports
        self.identities = IdentityRepository(db)  # From addresses, signatures (store/identities.py)
        self.drafts = DraftRepository(db)  # the composer's autosaves (store/drafts.py)
        self.preferences = PreferenceRepository(db)
        self.drive = DriveUploadRepository(db)  # Drive settings and resumable uploads (store/drive_uploads.py)
        self.telegram = TelegramBridgeRepository(db)  # the Telegram bridge's chats and settings
        self.rules = RuleRepository(db)  # mail rules (store/rules.py; run by realmail_desktop/sorting/)
        self.junk = JunkRepository(db)  # the junk filter's token counts (store/junk_tokens.py)
        self.copies = MessageCopies(db)  # copies of messages into another folder (a rule's "copy")
        self.reader = StoreReader(db.reader)

    @classmethod
    async def open(cls, path: Path, bus: EventBus, migrations: Path | None = None) -> Store:
        store = cls(await Database.open(path, migrations or migrations_dir(), bus))
        # Rows stored before threading existed get their threads once (on the writer's thread).
        try:
            await store.threads.backfill()
        except BaseException:
            await store.close()
            raise
        return store

    async def read(self, query: Callable[[StoreReader], T]) -> T:
        """Run a read in a worker thread, e.g. `await store.read(lambda r: r.raw_message(42))`."""
        return await self.db.read_async(lambda conn: query(StoreReader(conn)))

    async def close(self) -> None:
        await self.db.close()
