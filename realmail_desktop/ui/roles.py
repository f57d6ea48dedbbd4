"""Semantic item roles and columns of the message list and folder tree models (Trojitá's ItemRoles.h idea)."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from PySide6.QtCore import Qt

_USER_ROLE = int(Qt.ItemDataRole.UserRole)


class MessageRole(IntEnum):
    """Roles of MessageListModel; each answers for any column of a row."""

    Id = _USER_ROLE + 1  # int: the store's message id
    Summary = _USER_ROLE + 2  # store MessageSummary
    Unread = _USER_ROLE + 3  # bool
    Starred = _USER_ROLE + 4  # bool
    HasAttachments = _USER_ROLE + 5  # bool
    Date = _USER_ROLE + 6  # int: unix seconds, UTC
    Sender = _USER_ROLE + 7  # str: the sender's name, or address when there is no name
    Subject = _USER_ROLE + 8  # str: the subject as stored (may be empty)


class MessageColumn(IntEnum):
    STAR = 0
    ATTACHMENT = 1
    SENDER = 2
    SUBJECT = 3
    DATE = 4


class FolderNodeKind(StrEnum):
    ALL_INBOXES = "all_inboxes"
    ACCOUNT = "account"
    FOLDER = "folder"  # a stored folder, or a synthetic parent for a path segment with no folder of its own


class FolderItemRole(IntEnum):
    """Roles of FolderTreeModel."""

    NodeKind = _USER_ROLE + 1  # FolderNodeKind (a plain str once it has crossed a QVariant: compare with ==)
    FolderId = _USER_ROLE + 2  # int | None (None for All Inboxes, accounts and synthetic parents)
    AccountId = _USER_ROLE + 3  # int | None (None for All Inboxes)
    Unread = _USER_ROLE + 4  # int
    Query = _USER_ROLE + 5  # store MessageQuery | None: what the message list shows when this node is current
