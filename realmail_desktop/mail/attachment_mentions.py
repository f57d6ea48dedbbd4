"""The "forgot the attachment?" check: does the person's own text (not the quote) speak of an attachment?"""

from __future__ import annotations

import re

from realmail_desktop.mail.quoting import without_quoted_text

# Words people write when a file should come with the mail (English, German, French, Spanish, Italian,
# Dutch, Portuguese); whole words only, so "attachment theory" still counts but "reattached" does not.
_MENTIONS = re.compile(
    r"\b(?:attach(?:ed|ment|ments|ing)?|enclosed|enclosing|herewith|anbei|anhang|angehängt|beigefügt|"
    r"ci-joint|ci-jointe|pièce jointe|pièces jointes|en pièce jointe|adjunto|adjunta|adjuntos|allegato|"
    r"allegati|in allegato|bijlage|bijgevoegd|em anexo|anexo)\b",
    re.IGNORECASE,
)


def mentions_attachment(text: str) -> bool:
    """Whether `text`, without its quoted part and signature, mentions an attachment."""
    own = without_quoted_text(text)
    own = own.split("\n-- \n", 1)[0].split("-------- Forwarded Message --------", 1)[0]
    return _MENTIONS.search(own) is not None
