"""Store: the local SQLite mail store — migrations, repositories (writes return Changes), paged reads."""

from realmail_desktop.store.accounts import LOCAL_FOLDERS, normalize_folder_path
from realmail_desktop.store.models import (
    Account,
    AccountKind,
    AttachmentRecord,
    BodyWanted,
    Contact,
    Folder,
    FolderProgress,
    FolderRole,
    ImapSecurity,
    ImapSettings,
    MessageSummary,
    NewAttachment,
    NewMessage,
    RemoteFolder,
    RemoteOp,
    RemoteOpKind,
    SyncFolder,
    UidFlags,
)
from realmail_desktop.store.reader import MessageQuery, SortKey, SortOrder, StoreReader
from realmail_desktop.store.store import Store
from realmail_desktop.store.sync_reader import SyncReader

__all__ = [
    "LOCAL_FOLDERS",
    "Account",
    "AccountKind",
    "AttachmentRecord",
    "BodyWanted",
    "Contact",
    "Folder",
    "FolderProgress",
    "FolderRole",
    "ImapSecurity",
    "ImapSettings",
    "MessageQuery",
    "MessageSummary",
    "NewAttachment",
    "NewMessage",
    "RemoteFolder",
    "RemoteOp",
    "RemoteOpKind",
    "SortKey",
    "SortOrder",
    "Store",
    "StoreReader",
    "SyncFolder",
    "SyncReader",
    "UidFlags",
    "normalize_folder_path",
]
