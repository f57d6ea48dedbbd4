"""The Drive bridge's errors the person can act on (quota, an organisation's sharing policy, revoked access)."""

from __future__ import annotations

from realmail_desktop.core.errors import KnownError


class DriveError(KnownError):
    """Google Drive refused or could not finish an upload, a folder or a share."""


class DriveUnreachableError(DriveError):
    """Drive could not be reached, or kept failing, after every retry."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Google Drive cannot be reached right now" + (f" ({detail})." if detail else "."),
            hint="Check the network; the upload resumes where it stopped when you try again.",
        )


class DriveQuotaExceededError(DriveError):
    """The person's Drive storage is full (403 storageQuotaExceeded)."""

    def __init__(self) -> None:
        super().__init__(
            "Your Google Drive is full.",
            hint="Free some space in Drive (or buy more), or send the file as a normal attachment.",
        )


class DriveSharingForbiddenError(DriveError):
    """An organisation's policy forbids sharing the file as asked (403 on permissions.create)."""

    def __init__(self) -> None:
        super().__init__(
            "Your organisation does not allow sharing Drive files this way.",
            hint='Choose "Only people I send to" in the Drive settings, or ask your administrator.',
        )


class DriveAccessRevokedError(DriveError):
    """RealMail's access to Drive ended (revoked, or a token refused even after a refresh)."""

    def __init__(self) -> None:
        super().__init__(
            "RealMail may no longer use your Google Drive.",
            hint="Sign in with Google again and allow access to Drive.",
        )


class DriveUploadCorruptedError(DriveError):
    """Drive stored a file whose size or MD5 differs from the bytes we read."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"“{name}” arrived damaged in Google Drive.",
            hint="Try again; the damaged copy was not shared.",
        )


class DriveRefusedError(DriveError):
    """Drive answered with an error we have no better words for (the status and its message are kept)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(
            f"Google Drive refused the request ({status}: {message or 'no reason given'}).",
            hint="Try again later.",
        )
        self.status = status


class DriveNotSetUpError(DriveError):
    """A message has files to send as Drive links, but RealMail has no Google sign-in to reach Drive with."""

    def __init__(self) -> None:
        super().__init__(
            "Google Drive is not set up for this account.",
            hint='Sign in with Google (File → Add account…), or turn off "Use Google Drive for large attachments"'
            " in the account's Drive settings, then send again.",
        )


class DriveUploadCancelledError(DriveError):
    """The person cancelled the upload of a message's files: the message waits in the Outbox."""

    def __init__(self) -> None:
        super().__init__(
            "Upload to Google Drive cancelled.",
            hint='"Send again" uploads the files again; "Move to Drafts" gives the message back to edit.',
        )
