"""The search query language: what a person types in the search box, parsed into a SearchQuery (pure, no SQL).

    from:ann to:bob cc:carl subject:budget has:attachment is:unread is:read is:starred in:Archive
    before:2025-03-01 after:2025-01-01 after:7d "exact phrase" -excluded plain words, a OR b

Plain words match anywhere (subject, people, body); the last word gets a prefix match while the person is
still typing it (the text does not end in a space). Dates are local days (`YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY-MM`,
`YYYY`) or an age (`7d`, `2w`, `3m`, `1y`): `after:` includes its day, `before:` excludes it. Parsing never
raises: a key we do not know (`foo:bar`), a bad value (`before:soon`), a stray quote or colon, or FTS syntax a
person might type (`*`, `^`, `NEAR`, `AND`) all end up as plain text, which the store quotes.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

_DAY = 86_400
_AGE_UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}


class TextField(StrEnum):
    """Where a text term must match."""

    ANY = "any"
    FROM = "from"
    TO = "to"  # To or Cc, as mail clients usually mean it
    CC = "cc"
    SUBJECT = "subject"


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase to find; `prefix` matches words that start with its last word."""

    text: str
    field: TextField = TextField.ANY
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed search: every clause must match (a clause is one term or several joined by OR), no excluded
    term may match, and the message filters hold. `text` is what the person typed."""

    text: str = ""
    clauses: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    has_attachment: bool | None = None
    unread: bool | None = None
    starred: bool | None = None
    folders: tuple[str, ...] = ()  # in:NAME, a folder path, its last segment or its role
    after: int | None = None  # unix seconds, inclusive
    before: int | None = None  # unix seconds, exclusive

    @property
    def empty(self) -> bool:
        """Nothing to search for: the list shows the folder as it is."""
        return self == SearchQuery(text=self.text)

    @property
    def has_text(self) -> bool:
        return bool(self.clauses or self.excluded)

    def highlight_terms(self) -> tuple[str, ...]:
        """The words and phrases to highlight in a found message (not excluded ones)."""
        seen: dict[str, None] = {}
        for clause in self.clauses:
            for term in clause:
                seen.setdefault(term.text, None)
        return tuple(seen)


def has_words(text: str) -> bool:
    """Whether the full-text tokenizer (unicode61) would find any word in `text`: letters, digits or
    private-use characters; everything else separates words."""
    return any(unicodedata.category(char)[0] in "LN" or unicodedata.category(char) == "Co" for char in text)


def parse_search(text: str, *, now: float | None = None) -> SearchQuery:
    """Parse what was typed; never raises. `now` (unix seconds) is for ages such as `after:7d`."""
    return _Parser(text, time.time() if now is None else now).parse()


@dataclass(slots=True)
class _Token:
    text: str
    negated: bool = False
    key: str = ""
    quoted: bool = False
    closed: bool = True  # a quote that was not closed is still being typed
    last: bool = False  # the text ends right after it (no space): still being typed


_TEXT_KEYS = {"from": TextField.FROM, "to": TextField.TO, "cc": TextField.CC, "subject": TextField.SUBJECT}
_ALL_KEYS = {*_TEXT_KEYS, "has", "is", "in", "before", "after"}


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        key = ""
        colon = _key_end(text, i)
        if colon is not None:
            key = text[i:colon].lower()
            i = colon + 1
        if i < n and text[i] == '"':
            end = text.find('"', i + 1)
            closed = end != -1
            end = end if closed else n
            value, i = text[i + 1 : end], end + 1
            tokens.append(_Token(value, negated, key, quoted=True, closed=closed, last=not closed or i >= n))
            continue
        start = i
        while i < n and not text[i].isspace():
            i += 1
        tokens.append(_Token(text[start:i], negated, key, last=i >= n))
    return tokens


def _key_end(text: str, start: int) -> int | None:
    """The index of the colon after a known key at `start` (`from:`), or None."""
    colon = text.find(":", start, start + 8)
    if colon == -1 or text[start:colon].lower() not in _ALL_KEYS:
        return None
    return colon


class _Parser:
    def __init__(self, text: str, now: float) -> None:
        self._text = text
        self._now = now
        self._clauses: list[list[Term]] = []
        self._excluded: list[Term] = []
        self._filters: dict[str, object] = {}
        self._folders: list[str] = []
        self._or_pending = False

    def parse(self) -> SearchQuery:
        # FTS5 reads a NUL as the end of its query text: never let one through.
        for token in _tokens(self._text.replace("\x00", " ")):
            if not token.key:
                self._text_token(token, TextField.ANY, token.text)
            elif token.key in _TEXT_KEYS:
                if token.text:
                    self._text_token(token, _TEXT_KEYS[token.key], token.text)
            elif not self._filter(token):
                self._text_token(token, TextField.ANY, f"{token.key}:{token.text}")
        after, before = self._filters.get("after"), self._filters.get("before")
        return SearchQuery(
            text=self._text,
            clauses=tuple(tuple(clause) for clause in self._clauses),
            excluded=tuple(self._excluded),
            has_attachment=_flag(self._filters.get("has_attachment")),
            unread=_flag(self._filters.get("unread")),
            starred=_flag(self._filters.get("starred")),
            folders=tuple(self._folders),
            after=after if isinstance(after, int) else None,
            before=before if isinstance(before, int) else None,
        )

    def _text_token(self, token: _Token, field: TextField, text: str) -> None:
        if not token.quoted and not token.negated and field is TextField.ANY and text == "OR":
            self._or_pending = bool(self._clauses)
            return
        if not has_words(text):
            return
        last_word = text.rsplit(maxsplit=1)[-1]
        prefix = token.last and token.closed and not token.quoted and sum(has_words(c) for c in last_word) >= 2
        prefix = prefix or (token.last and not token.closed and len(text.strip()) >= 2)
        term = Term(text=text.strip(), field=field, phrase=token.quoted, prefix=prefix)
        if token.negated:
            self._excluded.append(term)
        elif self._or_pending and self._clauses:
            self._clauses[-1].append(term)
        else:
            self._clauses.append([term])
        self._or_pending = False

    def _filter(self, token: _Token) -> bool:
        """Apply a has:/is:/in:/before:/after: token; False when its value means nothing to us."""
        value, yes = token.text.strip().lower(), not token.negated
        self._or_pending = False
        if token.key == "has" and value in ("attachment", "attachments"):
            self._filters["has_attachment"] = yes
        elif token.key == "is" and value in ("unread", "read", "seen", "unseen"):
            self._filters["unread"] = yes == (value in ("unread", "unseen"))
        elif token.key == "is" and value in ("starred", "flagged"):
            self._filters["starred"] = yes
        elif token.key == "in" and token.text.strip() and yes:
            self._folders.append(token.text.strip())
        elif token.key in ("before", "after") and yes:
            moment = _parse_date(value, self._now)
            if moment is None:
                return False
            self._filters[token.key] = moment
        else:
            return False
        return True


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _parse_date(value: str, now: float) -> int | None:
    """Start of a local day (`2025-03-01`, `2025/03/01`, `2025-03`, `2025`) or `now` minus an age (`7d`)."""
    if len(value) >= 2 and value[:-1].isdigit() and value[-1] in _AGE_UNITS:
        days = int(value[:-1]) * _AGE_UNITS[value[-1]]
        return int(now) - min(days, 100_000) * _DAY
    parts = value.replace("/", "-").split("-")
    if not all(p.isdigit() for p in parts) or not 1 <= len(parts) <= 3:
        return None
    numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
    try:
        return int(datetime(numbers[0], numbers[1], numbers[2]).timestamp())
    except (ValueError, OverflowError, OSError):
        return None
