"""How big the files attached to one message may be, from the message size limit the account's SMTP server
announces (EHLO SIZE, RFC 1870; migrations/0017 accounts.smtp_size_limit)."""

from __future__ import annotations

MB = 1024 * 1024
DEFAULT_ATTACHMENT_LIMIT = 25 * MB  # when the server has not told us yet: what Gmail and most providers take
# Headers, the text and the MIME boundaries take a little of the message's size besides the files.
MESSAGE_OVERHEAD = 64 * 1024


def attachment_limit(smtp_size_limit: int) -> int:
    """The total size of files a message may carry for a server that takes messages of `smtp_size_limit`
    bytes (0: not known, or no limit announced). Base64 sends 3 bytes of a file as 4, so a file takes 4/3 of
    its size in the message: Gmail's SIZE 35882577 leaves ~25.6 MB, its documented 25 MB."""
    if smtp_size_limit <= 0:
        return DEFAULT_ATTACHMENT_LIMIT
    return max(0, smtp_size_limit * 3 // 4 - MESSAGE_OVERHEAD)
