"""Google Drive bridge: big attachments leave as Drive links, received ones go to Drive in one click.

Resumable uploads on `httpx.AsyncClient` (never blocking the loop, verified by size and MD5), the
"RealMail attachments" folder, sharing, and errors in plain words. Qt-free; the app wires it to the UI.
"""

from realmail_desktop.bridges.drive._api import RetryPolicy
from realmail_desktop.bridges.drive.errors import (
    DriveAccessRevokedError,
    DriveError,
    DriveQuotaExceededError,
    DriveRefusedError,
    DriveSharingForbiddenError,
    DriveUnreachableError,
    DriveUploadCorruptedError,
)
from realmail_desktop.bridges.drive.outgoing import DriveAttachments
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
    "DriveAttachments",
    "DriveError",
    "DriveFile",
    "DriveQuotaExceededError",
    "DriveRefusedError",
    "DriveService",
    "DriveSharingForbiddenError",
    "DriveUnreachableError",
    "DriveUploadCorruptedError",
    "FileSource",
    "ResumableUpload",
    "RetryPolicy",
    "TokenSource",
    "UploadSource",
]
