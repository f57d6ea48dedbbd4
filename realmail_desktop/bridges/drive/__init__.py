"""Google Drive bridge: big attachments leave as Drive links, received ones go to Drive in one click.

Resumable uploads on `httpx.AsyncClient` (never blocking the loop, verified by size and MD5), the
"RealMail attachments" folder, sharing, and errors in plain words. Qt-free; the app wires it to the UI.
"""

from realmail_desktop.bridges.drive._api import RetryPolicy
from realmail_desktop.bridges.drive.errors import (
    DriveAccessRevokedError,
    DriveError,
    DriveNotSetUpError,
    DriveQuotaExceededError,
    DriveRefusedError,
    DriveSharingForbiddenError,
    DriveUnreachableError,
    DriveUploadCancelledError,
    DriveUploadCorruptedError,
)
from realmail_desktop.bridges.drive.outbox_uploads import OutboxUploadOptions, OutboxUploads
from realmail_desktop.bridges.drive.service import FOLDER_NAME, DriveService
from realmail_desktop.bridges.drive.sources import BytesSource, FileSource, UploadSource
from realmail_desktop.bridges.drive.tokens import AccountTokens, TokenSource
from realmail_desktop.bridges.drive.uploader import CHUNK_UNIT, DriveFile, ResumableUpload

__all__ = [
    "CHUNK_UNIT",
    "FOLDER_NAME",
    "AccountTokens",
    "BytesSource",
    "DriveAccessRevokedError",
    "DriveError",
    "DriveFile",
    "DriveNotSetUpError",
    "DriveQuotaExceededError",
    "DriveRefusedError",
    "DriveService",
    "DriveSharingForbiddenError",
    "DriveUnreachableError",
    "DriveUploadCancelledError",
    "DriveUploadCorruptedError",
    "FileSource",
    "OutboxUploadOptions",
    "OutboxUploads",
    "ResumableUpload",
    "RetryPolicy",
    "TokenSource",
    "UploadSource",
]
