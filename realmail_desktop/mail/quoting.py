"""Quoted text in replies: which parts of a body repeat earlier mail, so a conversation can fold them away.

Plain text: `>` lines, the attribution line(s) before them ("On … wrote:", and the German, French, Spanish,
Italian and Dutch forms), and an Outlook "-----Original Message-----" block to the end. HTML (already
sanitised): the outermost `<blockquote>` elements, with an "On … wrote:" line right before one.
Nothing here raises on odd input; a body with no recognisable quote comes back unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTE_LINE = re.compile(r"^[ \t]*>")
_ATTRIBUTION_END = re.compile(
    r"(wrote|writes|schrieb|a écrit|escribió|ha scritto|scrisse|schreef|heeft geschreven|skrev|kirjoitti)"
    r"[^:\n]{0,120}:\s*$",  # "schrieb Kim <kim@example.org>:" names the writer after the verb
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^\s*(On|Am|Le|El|Il|Op|Den|På)\b", re.IGNORECASE)
_ORIGINAL = re.compile(r"^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$", re.I)
_BLOCKQUOTE = re.compile(r"<(/?)blockquote\b[^>]*>", re.IGNORECASE)
_HTML_ATTRIBUTION = re.compile(
    r"(?:<(?:div|p|span)\b[^>]*>\s*)?\b(?:On|Am|Le|El|Il|Op)\b[^<>]{0,300}?"
    r"(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef)\s*:\s*(?:<br\s*/?>\s*|</(?:div|p|span)>\s*)*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TextPart:
    """A run of lines of a plain-text body; `quoted` when it repeats earlier mail."""

    text: str
    quoted: bool


def split_quoted_text(text: str) -> list[TextPart]:
    """The body as alternating runs of own and quoted lines (joined back, they are `text` again)."""
    lines = text.splitlines(keepends=True)
    quoted = [bool(_QUOTE_LINE.match(line)) for line in lines]
    for index, line in enumerate(lines):
        if _ORIGINAL.match(line):
            quoted[index:] = [True] * (len(lines) - index)
            break
    # Attribution: the line (or two) just above a quote block, ending in "wrote:".
    for index in range(len(lines)):
        if not quoted[index] or (index > 0 and quoted[index - 1]):
            continue
        above = index - 1
        while above >= 0 and not lines[above].strip():
            above -= 1
        if above < 0 or not _ATTRIBUTION_END.search(lines[above]):
            continue
        start = above
        if not _ATTRIBUTION_START.match(lines[above]) and above > 0 and _ATTRIBUTION_START.match(lines[above - 1]):
            start = above - 1  # "On Mon, 5 Mar 2024 at 10:00, Alice <a@example.org>\nwrote:"
        quoted[start:index] = [True] * (index - start)
    # Blank lines between two quoted runs belong to the quote.
    for index, line in enumerate(lines):
        if not quoted[index] and not line.strip():
            before = next((quoted[i] for i in range(index - 1, -1, -1) if lines[i].strip()), False)
            after = next((quoted[i] for i in range(index + 1, len(lines)) if lines[i].strip()), False)
            quoted[index] = before and after
    parts: list[TextPart] = []
    for line, is_quoted in zip(lines, quoted, strict=True):
        if parts and parts[-1].quoted == is_quoted:
            parts[-1] = TextPart(parts[-1].text + line, is_quoted)
        else:
            parts.append(TextPart(line, is_quoted))
    return parts


def has_quoted_text(text: str) -> bool:
    return any(part.quoted for part in split_quoted_text(text))


def without_quoted_text(text: str) -> str:
    """The body's own lines only, trailing blank lines dropped."""
    own = "".join(part.text for part in split_quoted_text(text) if not part.quoted)
    return own.rstrip() + ("\n" if own.strip() else "")


def collapse_quoted_html(body_html: str) -> tuple[str, bool]:
    """Sanitised HTML without its outermost `<blockquote>` elements (and an "On … wrote:" line just before
    one); True when something was removed. Unbalanced tags: an unclosed quote runs to the end."""
    pieces: list[str] = []
    depth = 0
    last = 0
    removed = False
    for match in _BLOCKQUOTE.finditer(body_html):
        closing = match.group(1) == "/"
        if not closing:
            if depth == 0:
                before = body_html[last : match.start()]
                attribution = _HTML_ATTRIBUTION.search(before)
                pieces.append(before[: attribution.start()] if attribution else before)
                removed = True
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                last = match.end()
    if depth == 0:
        pieces.append(body_html[last:])
    return "".join(pieces), removed
