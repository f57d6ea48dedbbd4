"""How one search becomes SQL: its FTS5 MATCH text and the conditions on `messages m` that select exactly its
results (SearchPlan), and each message's row in the full-text index (fts_row, with ATTACHMENT_MARK).

Pure string building over a SearchQuery (store/search_query.py); SearchResults (store/search.py) runs the plans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from realmail_desktop.store.gmail_labels import in_folders_sql
from realmail_desktop.store.models import NewMessage
from realmail_desktop.store.search_query import SearchQuery, Term, TextField, has_words

# A list order for search results: messages columns (as in reader._ORDER_COLUMNS) and whether descending.
ListSort = tuple[tuple[str, ...], bool]

FTS_INSERT = "INSERT INTO messages_fts (rowid, subject, sender, recipients, cc, body) VALUES (?, ?, ?, ?, ?, ?)"

_COLUMNS: dict[TextField, str] = {
    TextField.ANY: "",
    TextField.FROM: "sender : ",
    TextField.TO: "{recipients cc} : ",
    TextField.CC: "cc : ",
    TextField.SUBJECT: "subject : ",
}


ATTACHMENT_MARK = "\ue000attachment"
"""The word a message with attachments carries in the index's cc column (migrations/0015): a private-use
character nobody types, then "attachment". has:attachment with words is then one FTS5 query."""
_ATTACHMENT_TERM = f'cc : "{ATTACHMENT_MARK}"'


def fts_row(message_id: int, message: NewMessage) -> tuple[int, str, str, str, str, str]:
    """The index row of a message being stored (its FTS_INSERT parameters)."""
    sender = f"{message.sender_name} {message.sender_address}".strip()
    cc = f"{message.cc} {ATTACHMENT_MARK}" if message.has_attachments else message.cc
    return (message_id, message.subject, sender, message.recipients, cc, message.index_body)


def _fts_term(term: Term) -> str:
    quoted = '"' + term.text.replace('"', '""') + '"'
    return f"{_COLUMNS[term.field]}{quoted}{'*' if term.prefix else ''}"


def match_expression(terms: Sequence[Sequence[Term]]) -> str:
    """FTS5 MATCH text for clauses that must all match (each clause: terms joined by OR); "" for none."""
    parts = []
    for clause in terms:
        alternatives = [_fts_term(t) for t in clause if has_words(t.text)]
        if alternatives:
            parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)


def _filters(search: SearchQuery, folder_ids: Sequence[int], *, labels: bool = False) -> tuple[list[str], list[object]]:
    """WHERE conditions on `messages m` for the scope and the non-text filters. With `labels`, the scope
    includes Gmail label folders, which show All Mail rows through message_labels (store/gmail_labels.py)."""
    args: list[object] = []
    if labels:
        where = [in_folders_sql(folder_ids, column="m.id", folder_column="m.folder_id")]
    else:
        where = [f"m.folder_id IN ({','.join('?' * len(folder_ids))})"]
        args.extend(folder_ids)
    # Literal 0/1, not parameters: SQLite picks a partial index (migrations/0006) only for a literal.
    for column, value in (
        ("m.has_attachments", search.has_attachment),
        ("m.is_seen", None if search.unread is None else not search.unread),
        ("m.is_flagged", search.starred),
    ):
        if value is not None:
            where.append(f"{column} = {int(value)}")
    if search.after is not None:
        where.append("m.date >= ?")
        args.append(search.after)
    if search.before is not None:
        where.append("m.date < ?")
        args.append(search.before)
    for name in search.folders:
        # A folder path, its last segment ("Projects/2025" is found by in:2025) or its role (in:sent).
        where.append(
            "m.folder_id IN (SELECT id FROM folders WHERE path = ? COLLATE NOCASE OR role = lower(?)"
            " OR path LIKE '%/' || ? ESCAPE '\\')"
        )
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        args.extend((name, name, escaped))
    return where, args


def _has_indexed_filter(search: SearchQuery) -> bool:
    """A filter an index narrows: dates (messages_by_date), in: (folder), and the partial indexes of 0006."""
    return (
        search.after is not None
        or search.before is not None
        or bool(search.folders)
        or True in (search.has_attachment, search.unread, search.starred)
    )


def _flag_index(search: SearchQuery) -> str | None:
    """The partial index (migrations/0006) of a has:attachment, is:unread or is:starred filter, the smallest
    set first. Named in the SQL (INDEXED BY): without statistics SQLite may walk another index that starts
    with folder_id (messages_by_category), reading every message of the folders to test the flag."""
    for index, value in (
        ("messages_starred", search.starred),
        ("messages_with_attachments", search.has_attachment),
        ("messages_unread", search.unread),
    ):
        if value is True:
            return index
    return None


def free_words(search: SearchQuery) -> bool:
    """Whether a search has words to find anywhere (not only from:, to:, cc:, subject:)."""
    return any(term.field is TextField.ANY for clause in search.clauses for term in clause)


def has_row_filters(search: SearchQuery) -> bool:
    filters = (search.has_attachment, search.unread, search.starred, search.after, search.before)
    return bool(search.folders) or any(value is not None for value in filters)


def order_by(sort: ListSort) -> str:
    columns, descending = sort
    direction = "DESC" if descending else "ASC"
    return ", ".join(f"m.{column} {direction}" for column in columns)


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """One search compiled: its FTS5 expression ("" when it has no words to find), and the rows (`source`,
    naming the messages table `m`) and conditions that select exactly its results.

    Words alone, or with a filter an index narrows (dates, in:, has:attachment, is:unread, is:starred): SQLite
    walks that index over the folders and keeps the ids in the match set. Words with only unindexed filters
    (is:read, -is:starred …): the matches drive, each looked up by id, since SQLite would otherwise read
    every row of the folders at random.

    `walk` is `source` for queries that read many rows: through the flag's partial index when there is one.
    `scope` (with `scope_args`) is `where` without the full-text condition: the folders and the filters.
    With words, has:attachment (or -has:attachment) is a word of the expression (ATTACHMENT_MARK); `rest`
    is the search with the filters `scope` still has to apply.
    """

    expression: str
    source: str
    where: str
    args: tuple[object, ...]
    walk: str
    scope: str
    scope_args: tuple[object, ...]
    rest: SearchQuery

    @classmethod
    def of(cls, search: SearchQuery, folder_ids: Sequence[int], *, labels: bool = False) -> SearchPlan:
        wanted = match_expression(search.clauses)
        unwanted = " OR ".join(_fts_term(t) for t in search.excluded if has_words(t.text))
        if search.has_attachment is not None and (wanted or unwanted):
            if search.has_attachment:
                wanted = f"({wanted}) AND {_ATTACHMENT_TERM}" if wanted else _ATTACHMENT_TERM
            else:
                unwanted = f"{_ATTACHMENT_TERM} OR {unwanted}" if unwanted else _ATTACHMENT_TERM
            search = replace(search, has_attachment=None)
        where, args = _filters(search, folder_ids, labels=labels)
        scope, scope_args = " AND ".join(where), tuple(args)
        expression = f"({wanted}) NOT ({unwanted})" if wanted and unwanted else wanted
        source = "messages m"
        if wanted and has_row_filters(search) and not _has_indexed_filter(search):
            source = "messages_fts f JOIN messages m ON m.id = f.rowid"
            where, args = ["messages_fts MATCH ?", *where], [expression, *args]
        elif wanted and (search.after is not None or search.before is not None):
            # The ids of the messages in the date range bound the index scan: messages of a few weeks were
            # mostly stored together, so FTS5 reads only that stretch of each word's list.
            span, span_args = _filters(
                replace(search, has_attachment=None, unread=None, starred=None), folder_ids, labels=labels
            )
            bounds = f"FROM messages m WHERE {' AND '.join(span)}"
            where.append(
                "m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?"
                f" AND rowid >= (SELECT min(m.id) {bounds}) AND rowid <= (SELECT max(m.id) {bounds}))"
            )
            args.extend((expression, *span_args, *span_args))
        elif wanted:
            where.append("m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)")
            args.append(expression)
        elif unwanted:
            where.append("m.id NOT IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)")
            args.append(unwanted)
        index = _flag_index(search)
        walk = f"messages m INDEXED BY {index}" if index and source == "messages m" else source
        return cls(expression, source, " AND ".join(where), tuple(args), walk, scope, scope_args, search)
