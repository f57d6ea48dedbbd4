"""MailTransfer: the service the window and the command line call to import and export mail."""

from __future__ import annotations

from pathlib import Path

from realmail_desktop.core.errors import NotFoundError
from realmail_desktop.core.events import EventBus
from realmail_desktop.mail.maildir import MaildirSource, list_maildir_folders
from realmail_desktop.mail.sources import open_source
from realmail_desktop.store import Folder, FolderRole, Store
from realmail_desktop.transfer.exporter import ExportFormat, ExportReport, export_folder
from realmail_desktop.transfer.importer import ImportReport, import_source

# Maildir++ folder names that map onto a local account's standard folders.
_ROLE_NAMES: dict[str, FolderRole] = {
    "inbox": FolderRole.INBOX,
    "sent": FolderRole.SENT,
    "sent items": FolderRole.SENT,
    "sent messages": FolderRole.SENT,
    "drafts": FolderRole.DRAFTS,
    "trash": FolderRole.TRASH,
    "deleted items": FolderRole.TRASH,
    "deleted messages": FolderRole.TRASH,
    "junk": FolderRole.JUNK,
    "spam": FolderRole.JUNK,
    "archive": FolderRole.ARCHIVE,
    "archives": FolderRole.ARCHIVE,
}


class MailTransfer:
    def __init__(self, store: Store, bus: EventBus) -> None:
        self._store = store
        self._bus = bus

    async def import_path(self, path: Path, folder_id: int) -> ImportReport:
        """Import an .eml file, a folder of .eml files, an mbox file or a Maildir into one folder."""
        if self._store.reader.folder(folder_id) is None:
            raise NotFoundError("The folder to import into no longer exists.")
        source = open_source(path)
        return await import_source(self._store, self._bus, source, folder_id, path.name or str(path))

    async def import_maildir_tree(self, root: Path, account_id: int) -> ImportReport:
        """Import a whole Maildir++ tree: each of its folders into the account's folder of that name
        (standard names map onto the standard folders; others are created)."""
        total = ImportReport(0, 0, 0, ())
        for name, path in list_maildir_folders(root):
            folder = await self._folder_for(account_id, name)
            report = await import_source(self._store, self._bus, MaildirSource(path), folder.id, name)
            total = ImportReport(
                total.imported + report.imported,
                total.skipped + report.skipped,
                total.duplicates + report.duplicates,
                total.problems + report.problems,
            )
        return total

    async def export_folder(self, folder_id: int, destination: Path, fmt: ExportFormat) -> ExportReport:
        return await export_folder(self._store, self._bus, folder_id, destination, fmt)

    async def _folder_for(self, account_id: int, name: str) -> Folder:
        reader = self._store.reader
        role = _ROLE_NAMES.get(name.casefold())
        existing = (reader.folder_by_role(account_id, role) if role else None) or reader.folder_by_path(
            account_id, name
        )
        if existing is not None:
            return existing
        folder, _ = await self._store.accounts.create_folder(account_id, name)
        return folder
