"""First run: when a profile has no account yet, create "Local Folders" and fill it with the demo mailbox."""

from __future__ import annotations

from pathlib import Path

from realmail_desktop.core.bundle import demo_mailbox_dir
from realmail_desktop.core.logs import get_logger
from realmail_desktop.store import LOCAL_FOLDERS, Store
from realmail_desktop.transfer.service import MailTransfer

_log = get_logger("transfer")


async def ensure_demo_mailbox(store: Store, transfer: MailTransfer, source: Path | None = None) -> bool:
    """Seed the demo when the profile has no account; returns True when it did. A missing demo is logged."""
    if store.reader.accounts():
        return False
    account, _ = await store.accounts.create_local(LOCAL_FOLDERS)
    demo = source or demo_mailbox_dir()
    if not demo.is_dir():
        _log.warning("demo mailbox missing at %s; starting with an empty %s", demo, LOCAL_FOLDERS)
        return True
    report = await transfer.import_maildir_tree(demo, account.id)
    _log.info("demo mailbox: %s", report.summary())
    return True
