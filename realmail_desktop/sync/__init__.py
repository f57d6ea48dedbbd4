"""Sync: the IMAP sync engine (Qt-free, asyncio; imapclient on worker threads). Its public face is SyncService."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from realmail_desktop.sync.options import SyncOptions

if TYPE_CHECKING:
    from realmail_desktop.sync.service import SYNC_WINDOWS, SyncService

__all__ = ["SYNC_WINDOWS", "SyncOptions", "SyncService"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the header reader's worker process imports this package too, and needs none of
    # the service (sync/header_reader.py; the worker starts ~0.3 s sooner).
    if name in ("SYNC_WINDOWS", "SyncService"):
        from realmail_desktop.sync import service

        return getattr(service, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
