"""Store: the local SQLite mail store — migrations, repositories (writes return Changes), paged reads."""

from realmail_desktop.store.accounts import LOCAL_FOLDERS, normalize_folder_path
from realmail_desktop.store.models import (
    Account,
    AccountKind,
    AttachmentRecord,
    Contact,
    Folder,
    FolderRole,
    MessageSummary,
    NewAttachment,
    NewMessage,
)
from realmail_desktop.store.reader import MessageQuery, SortKey, SortOrder, StoreReader
from realmail_desktop.store.store import Store

__all__ = [
    "LOCAL_FOLDERS",
    "Account",
    "AccountKind",
    "AttachmentRecord",
    "Contact",
    "Folder",
    "FolderRole",
    "MessageQuery",
    "MessageSummary",
    "NewAttachment",
    "NewMessage",
    "SortKey",
    "SortOrder",
    "Store",
    "StoreReader",
    "normalize_folder_path",
]
