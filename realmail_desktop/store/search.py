"""Full-text search in the store: a SearchQuery as FTS5 MATCH + SQL filters, answering a message list's count,
pages and row lookups (SearchResults), ranked when narrow, newest first when broad.

The index (`messages_fts`, migrations/0006) has one column per thing a query can name: subject, sender,
recipients (To), cc, body; diacritics folded, prefix indexes for 2 and 3 characters, and a bm25 rank that
weighs subject and sender above the rest. Every term is passed to FTS5 as a quoted string, so nothing a
person types is FTS syntax. How each kind of search is read cheaply is said where it is done; the figures
are in docs/PERFORMANCE.md (bench/search.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace

from realmail_desktop.store.gmail_labels import in_folders_sql, label_folder_ids
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


def fts_row(message_id: int, message: NewMessage) -> tuple[int, str, str, str, str, str]:
    """The index row of a message being stored (its FTS_INSERT parameters)."""
    sender = f"{message.sender_name} {message.sender_address}".strip()
    return (message_id, message.subject, sender, message.recipients, message.cc, message.index_body)


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


RANK_LIMIT = 2_000
"""Up to this many full-text matches are ranked by bm25; broader searches list newest first (or in the
list's order). Ranking costs ~5 µs a match, and across tens of thousands of matches says little anyway."""

NEWEST_FIRST: ListSort = (("date", "id"), True)
HEAD_ROWS = 200  # one page of the message list


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


def _has_row_filters(search: SearchQuery) -> bool:
    filters = (search.has_attachment, search.unread, search.starred, search.after, search.before)
    return bool(search.folders) or any(value is not None for value in filters)


def _order_by(sort: ListSort) -> str:
    columns, descending = sort
    direction = "DESC" if descending else "ASC"
    return ", ".join(f"m.{column} {direction}" for column in columns)


@dataclass(frozen=True, slots=True)
class _Plan:
    """One search compiled: its FTS5 expression ("" when it has no words to find), and the rows (`source`,
    naming the messages table `m`) and conditions that select exactly its results.

    Words alone, or with a filter an index narrows (dates, in:, has:attachment, is:unread, is:starred): SQLite
    walks that index over the folders and keeps the ids in the match set. Words with only unindexed filters
    (is:read, -is:starred …): the matches drive, each looked up by id, since SQLite would otherwise read
    every row of the folders at random.
    """

    expression: str
    source: str
    where: str
    args: tuple[object, ...]

    @classmethod
    def of(cls, search: SearchQuery, folder_ids: Sequence[int], *, labels: bool = False) -> _Plan:
        where, args = _filters(search, folder_ids, labels=labels)
        wanted = match_expression(search.clauses)
        unwanted = " OR ".join(_fts_term(t) for t in search.excluded if has_words(t.text))
        expression = f"({wanted}) NOT ({unwanted})" if wanted and unwanted else wanted
        source = "messages m"
        if wanted and _has_row_filters(search) and not _has_indexed_filter(search):
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
        return cls(expression, source, " AND ".join(where), tuple(args))


class SearchResults:
    """Answers a message list's questions (count, a page, the row of a message) for a search.

    Lives with one read connection (StoreReader). Answers (match counts, counts, pages, and a narrow
    search's ranked ids) are kept until the store changes: `PRAGMA data_version` tells when another
    connection committed, `total_changes` when this one wrote, so nothing kept answers for an older store.
    A worker thread's answers can be handed to the GUI's reader (`adopt`), so the list shows them at once. Broad
    searches are never read whole: SQLite walks the list's sort index and keeps the rows whose id is in
    the match set, so a first page costs the same at 1,000 matches as at 100,000.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._version: tuple[int, int] = (-1, -1)
        self._matches: dict[str, int] = {}
        self._ranked: dict[tuple[SearchQuery, tuple[int, ...]], list[int]] = {}
        self._counts: dict[tuple[SearchQuery, tuple[int, ...]], int] = {}
        self._pages: dict[tuple[object, ...], list[int]] = {}
        # The newest-first head of a search whose count had to read every result (read in the same pass).
        self._heads: dict[tuple[SearchQuery, tuple[int, ...]], list[int]] = {}

    def version(self) -> tuple[int, int]:
        """The store version this connection sees now (read it before handing work to another thread)."""
        self._fresh()
        return self._version

    def adopt(self, other: SearchResults, version: tuple[int, int]) -> bool:
        """Keep the answers `other` (another connection's) found, when this connection still sees the store
        `version` they were asked at; False (nothing kept) when it changed since."""
        if self.version() != version:
            return False
        self._matches = {**self._matches, **other._matches}
        self._ranked = {**self._ranked, **other._ranked}
        self._counts = {**self._counts, **other._counts}
        self._pages = {**self._pages, **other._pages}
        self._heads = {**self._heads, **other._heads}
        return True

    def _fresh(self) -> None:
        version = (int(self._conn.execute("PRAGMA data_version").fetchone()[0]), self._conn.total_changes)
        if version != self._version:
            self._version = version
            self._matches, self._ranked, self._counts, self._pages, self._heads = {}, {}, {}, {}, {}

    def _match_count(self, expression: str) -> int:
        if expression not in self._matches:
            sql = "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?"
            self._matches = {expression: int(self._conn.execute(sql, (expression,)).fetchone()[0])}
        return self._matches[expression]

    def _ranked_ids(self, search: SearchQuery, folder_ids: Sequence[int], plan: _Plan) -> list[int] | None:
        """Best match first (then newest), when the search is narrow enough to rank; else None."""
        if not plan.expression or self._match_count(plan.expression) > RANK_LIMIT:
            return None
        key = (search, tuple(folder_ids))
        if key not in self._ranked:
            where, args = _filters(search, folder_ids, labels=self._labels(folder_ids))
            sql = (
                "SELECT m.id FROM messages_fts f JOIN messages m ON m.id = f.rowid"
                f" WHERE messages_fts MATCH ? AND {' AND '.join(where)} ORDER BY f.rank, m.date DESC, m.id DESC"
            )
            self._ranked = {key: [int(r[0]) for r in self._conn.execute(sql, (plan.expression, *args))]}
        return self._ranked[key]

    def _labels(self, folder_ids: Sequence[int]) -> bool:
        """Whether the scope has Gmail label folders (their messages are All Mail rows)."""
        return bool(label_folder_ids(self._conn, folder_ids))

    def _covers_all_mail(self, folder_ids: Sequence[int]) -> bool:
        marks = ",".join("?" * len(folder_ids))
        sql = f"SELECT 1 FROM folders WHERE total_count > 0 AND id NOT IN ({marks}) LIMIT 1"
        return self._conn.execute(sql, tuple(folder_ids)).fetchone() is None

    def count(self, search: SearchQuery, folder_ids: Sequence[int]) -> int:
        if not folder_ids:
            return 0
        self._fresh()
        key = (search, tuple(folder_ids))
        if key not in self._counts:
            if len(self._counts) > 8:
                self._counts = {}
            self._counts[key] = self._count(search, folder_ids)
        return self._counts[key]

    def _count(self, search: SearchQuery, folder_ids: Sequence[int]) -> int:
        plan = _Plan.of(search, folder_ids, labels=self._labels(folder_ids))
        if plan.expression:
            matches = self._match_count(plan.expression)
            if matches == 0:
                return 0
            if not _has_row_filters(search) and self._covers_all_mail(folder_ids):
                return matches  # words only, over all mail: the index answers alone
            ranked = self._ranked_ids(search, folder_ids, plan)
            if ranked is not None:
                return len(ranked)
        # Every result is read for the count anyway: the newest-first head comes in the same pass.
        sql = (
            f"SELECT m.id, count(*) OVER () FROM {plan.source} WHERE {plan.where}"
            f" ORDER BY {_order_by(NEWEST_FIRST)} LIMIT {HEAD_ROWS}"
        )
        rows = self._conn.execute(sql, plan.args).fetchall()
        self._heads = {(search, tuple(folder_ids)): [int(r[0]) for r in rows]}
        return int(rows[0][1]) if rows else 0

    def page_ids(
        self, search: SearchQuery, folder_ids: Sequence[int], sort: ListSort | None, offset: int, limit: int
    ) -> list[int]:
        """Ids offset…offset+limit: best first (`sort` None; newest first when too broad to rank), or in `sort`."""
        if not folder_ids or limit <= 0:
            return []
        self._fresh()
        offset = max(0, offset)
        key = (search, tuple(folder_ids), sort, offset, limit)
        if key not in self._pages:
            if len(self._pages) > 64:
                self._pages = {}
            self._pages[key] = self._page_ids(search, folder_ids, sort, offset, limit)
        return self._pages[key]

    def _page_ids(
        self, search: SearchQuery, folder_ids: Sequence[int], sort: ListSort | None, offset: int, limit: int
    ) -> list[int]:
        plan = _Plan.of(search, folder_ids, labels=self._labels(folder_ids))
        if sort is None:
            ranked = self._ranked_ids(search, folder_ids, plan)
            if ranked is not None:
                return ranked[offset : offset + limit]
        head = self._heads.get((search, tuple(folder_ids)))
        newest_first = (sort or NEWEST_FIRST) == NEWEST_FIRST
        if head is not None and newest_first and (offset + limit <= len(head) or len(head) < HEAD_ROWS):
            return head[offset : offset + limit]
        if plan.expression and newest_first and not _has_row_filters(search):
            newest = self._newest_matches(plan, folder_ids, offset + limit)
            if newest is not None:
                return newest[offset : offset + limit]
        order = _order_by(sort or NEWEST_FIRST)
        sql = f"SELECT m.id FROM {plan.source} WHERE {plan.where} ORDER BY {order} LIMIT ? OFFSET ?"
        return [int(r[0]) for r in self._conn.execute(sql, (*plan.args, limit, offset))]

    def _newest_matches(self, plan: _Plan, folder_ids: Sequence[int], wanted: int) -> list[int] | None:
        """The `wanted` newest matches of a broad search without reading every match: the newest messages of
        the folders (index messages_by_date_all) are the candidates, and FTS5 reads only the stretch of each
        word's list between their lowest and highest id. More candidates each round while too few match;
        None when a round would take more than a quarter of the folders (the plain query is as cheap then)."""
        matches = self._match_count(plan.expression)
        marks = ",".join("?" * len(folder_ids))
        total = int(
            self._conn.execute(
                f"SELECT COALESCE(SUM(total_count), 0) FROM folders WHERE id IN ({marks})", tuple(folder_ids)
            ).fetchone()[0]
        )
        if matches == 0 or total == 0:
            return []
        candidates = max(256, int(wanted * total / matches * 1.5))
        while candidates <= total // 4:
            rows = self._conn.execute(
                f"SELECT id FROM messages INDEXED BY messages_by_date_all WHERE folder_id IN ({marks})"
                " ORDER BY date DESC, id DESC LIMIT ?",
                (*folder_ids, candidates),
            ).fetchall()
            newest = [int(r[0]) for r in rows]
            if not newest:
                return []
            hits = {
                int(r[0])
                for r in self._conn.execute(
                    "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid >= ? AND rowid <= ?",
                    (plan.expression, min(newest), max(newest)),
                )
            }
            found = [mid for mid in newest if mid in hits]
            if len(found) >= wanted or len(newest) < candidates:
                return found
            candidates *= 4
        return None

    def row_of(
        self, search: SearchQuery, folder_ids: Sequence[int], sort: ListSort | None, message_id: int
    ) -> int | None:
        """The row of a message among the results (as `page_ids` orders them), or None when not among them."""
        if not folder_ids:
            return None
        self._fresh()
        plan = _Plan.of(search, folder_ids, labels=self._labels(folder_ids))
        if sort is None:
            ranked = self._ranked_ids(search, folder_ids, plan)
            if ranked is not None:
                return ranked.index(message_id) if message_id in ranked else None
        columns, descending = sort or NEWEST_FIRST
        key = self._conn.execute(
            f"SELECT {', '.join('m.' + c for c in columns)} FROM {plan.source} WHERE m.id = ? AND {plan.where}",
            (message_id, *plan.args),
        ).fetchone()
        if key is None:
            return None
        before = ">" if descending else "<"
        after_key = f"({', '.join('m.' + c for c in columns)}) {before} ({', '.join('?' * len(columns))})"
        sql = f"SELECT count(*) FROM {plan.source} WHERE {plan.where} AND {after_key}"
        return int(self._conn.execute(sql, (*plan.args, *key)).fetchone()[0])
