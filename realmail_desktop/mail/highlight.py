"""Search-term highlighting in HTML we show: the terms wrapped in marks, outside tags, entities and styles."""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Sequence

MARK_OPEN = '<span class="realmail-highlight" style="background-color:#ffe066;color:#000000">'
MARK_CLOSE = "</span>"
# Tags, comments, and whole <style> elements are copied untouched; only the text between them is marked.
_SKIP = re.compile(r"(<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>)", re.I | re.S)
_ENTITY = re.compile(r"(&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);)", re.I)


def term_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for every non-blank term, longest first (None when there is none)."""
    words = sorted({term.strip() for term in terms if term.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(html.escape(word, quote=False)) for word in words), re.I)


def mark_terms(document: str, terms: Sequence[str]) -> str:
    """`document` with every occurrence of the terms (in its text) wrapped in a highlight span."""
    pattern = term_pattern(terms)
    if pattern is None or not document:
        return document
    pieces = _SKIP.split(document)
    for index in range(0, len(pieces), 2):  # even indexes are text, odd ones tags and style sheets
        text = pieces[index]
        if text and pattern.search(text):
            pieces[index] = _mark_text(text, pattern)
    return "".join(pieces)


def _mark_text(text: str, pattern: re.Pattern[str]) -> str:
    # A match may hold whole character references ("AT&amp;T") but never cut one ("amp" in "&amp;").
    entities = [match.span() for match in _ENTITY.finditer(text)] if "&" in text else []
    starts = [start for start, _ in entities]

    def cuts_entity(position: int) -> bool:
        at = bisect.bisect_right(starts, position) - 1
        return at >= 0 and entities[at][0] < position < entities[at][1]

    def mark(match: re.Match[str]) -> str:
        if entities and (cuts_entity(match.start()) or cuts_entity(match.end())):
            return match.group(0)
        return f"{MARK_OPEN}{match.group(0)}{MARK_CLOSE}"

    return pattern.sub(mark, text)
