"""Sync: the IMAP sync engine (Qt-free, asyncio; imapclient on worker threads). Its public face is SyncService."""

from realmail_desktop.sync.options import SyncOptions
from realmail_desktop.sync.service import SYNC_WINDOWS, SyncService

__all__ = ["SYNC_WINDOWS", "SyncOptions", "SyncService"]
