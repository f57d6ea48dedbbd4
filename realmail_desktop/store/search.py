"""Full-text search in the store: a SearchQuery as FTS5 MATCH + SQL filters, answering a message list's count,
pages and row lookups (SearchResults), ranked when narrow and with free words, newest first otherwise.

The index (`messages_fts`, migrations/0006) has one column per thing a query can name: subject, sender,
recipients (To), cc, body; diacritics folded, prefix indexes for 2 and 3 characters, and a bm25 rank that
weighs subject and sender above the rest (the plans: store/search_plan.py).
Every term is passed to FTS5 as a quoted string, so nothing a person types is FTS syntax. How each kind of
search is read cheaply is said where it is done; the figures are in docs/PERFORMANCE.md (bench/search.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from realmail_desktop.store.gmail_labels import label_folder_ids
from realmail_desktop.store.search_plan import (
    FTS_INSERT,
    ListSort,
    SearchPlan,
    free_words,
    fts_row,
    has_row_filters,
    match_expression,
    order_by,
)
from realmail_desktop.store.search_query import SearchQuery

# FTS_INSERT, fts_row and match_expression are also read from here (store/messages.py and others).
__all__ = [
    "FTS_INSERT",
    "HEAD_ROWS",
    "NEWEST_FIRST",
    "RANK_LIMIT",
    "ListSort",
    "SearchResults",
    "fts_row",
    "match_expression",
]


RANK_LIMIT = 2_000
"""Up to this many full-text matches are ranked by bm25 (searches with free words); broader searches list
newest first (or in the list's order). Ranking costs ~5 µs a match, and across tens of thousands of matches
says little anyway."""

NEWEST_FIRST: ListSort = (("date", "id"), True)
FEWEST_CANDIDATES = 256  # the first round of newest candidates a broad search reads (SearchResults._newest_among)
HEAD_ROWS = 200  # one page of the message list


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
        self._match_ids: dict[str, list[int]] = {}  # the ids of the matches, when no more than RANK_LIMIT
        self._many: set[str] = set()  # expressions known to find more than RANK_LIMIT (not counted further)
        self._ranked: dict[tuple[SearchQuery, tuple[int, ...]], list[int]] = {}
        self._narrow: dict[tuple[SearchQuery, tuple[int, ...]], list[int]] = {}
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
        self._match_ids = {**self._match_ids, **other._match_ids}
        self._many = self._many | other._many
        self._ranked = {**self._ranked, **other._ranked}
        self._narrow = {**self._narrow, **other._narrow}
        self._counts = {**self._counts, **other._counts}
        self._pages = {**self._pages, **other._pages}
        self._heads = {**self._heads, **other._heads}
        return True

    def _fresh(self) -> None:
        version = (int(self._conn.execute("PRAGMA data_version").fetchone()[0]), self._conn.total_changes)
        if version != self._version:
            self._version = version
            self._matches, self._match_ids, self._many, self._ranked, self._narrow = {}, {}, set(), {}, {}
            self._counts, self._pages, self._heads = {}, {}, {}

    def _match_count(self, expression: str) -> int:
        if expression not in self._matches:
            sql = "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?"
            self._matches = {expression: int(self._conn.execute(sql, (expression,)).fetchone()[0])}
        return self._matches[expression]

    def _broad(self, expression: str) -> bool:
        """Whether the index finds more than RANK_LIMIT matches: counted only that far when the exact count
        is not needed (a search with filters counts its own results), so a date range over common words does
        not pay for counting them in all mail."""
        if expression not in self._matches and expression not in self._many:
            sql = "SELECT count(*) FROM (SELECT 1 FROM messages_fts WHERE messages_fts MATCH ? LIMIT ?)"
            found = int(self._conn.execute(sql, (expression, RANK_LIMIT + 1)).fetchone()[0])
            if found > RANK_LIMIT:
                self._many = {expression}
                return True
            self._matches = {expression: found}
        return expression in self._many or self._matches[expression] > RANK_LIMIT

    def _few_match_ids(self, expression: str, *, count_all: bool = False) -> list[int] | None:
        """The ids of the matches when the index finds no more than RANK_LIMIT, else None; counted in the same
        pass (the first RANK_LIMIT + 1 ids; with `count_all`, then a count of the rest: ~1 ms dearer than a
        bare count when there are tens of thousands, one pass fewer when there are few)."""
        if self._broad_known(expression) and not (count_all and expression not in self._matches):
            return None
        if expression not in self._match_ids:
            sql = "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid LIMIT ?"
            ids = [int(r[0]) for r in self._conn.execute(sql, (expression, RANK_LIMIT + 1))]
            if len(ids) > RANK_LIMIT:
                self._many = {expression}
                if count_all:
                    sql = "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ? AND rowid > ?"
                    rest = int(self._conn.execute(sql, (expression, ids[-1])).fetchone()[0])
                    self._matches = {expression: len(ids) + rest}
                return None
            self._matches, self._match_ids = {expression: len(ids)}, {expression: ids}
        return self._match_ids[expression]

    def _broad_known(self, expression: str) -> bool:
        return expression in self._many or self._matches.get(expression, 0) > RANK_LIMIT

    def _best_first(self, search: SearchQuery, folder_ids: Sequence[int], plan: SearchPlan) -> list[int] | None:
        """Every result best first, when the search is narrow enough (no more than RANK_LIMIT matches); else
        None. Ranked by bm25 when the search has free words; a search whose every word names its field
        (from:, to:, cc:, subject:) lists newest first: where the words are is decided, and bm25 would only
        weigh lengths, at the cost of two more passes over each word's list (its phrase positions)."""
        if free_words(search):
            return self._ranked_ids(search, folder_ids, plan)
        return self._narrow_ids(search, folder_ids, plan)

    def _narrow_ids(self, search: SearchQuery, folder_ids: Sequence[int], plan: SearchPlan) -> list[int] | None:
        """Every result newest first, when the index finds no more than RANK_LIMIT matches; else None."""
        ids = self._few_match_ids(plan.expression) if plan.expression else None
        if ids is None:
            return None
        key = (search, tuple(folder_ids))
        if key not in self._narrow:
            sql = (
                "SELECT m.id FROM json_each(?) j CROSS JOIN messages m ON m.id = j.value"
                f" WHERE {plan.scope} ORDER BY {order_by(NEWEST_FIRST)}"
            )
            rows = self._conn.execute(sql, (json.dumps(ids), *plan.scope_args))
            self._narrow = {key: [int(r[0]) for r in rows]}
        return self._narrow[key]

    def _ranked_ids(self, search: SearchQuery, folder_ids: Sequence[int], plan: SearchPlan) -> list[int] | None:
        """Best match first (then newest), when the search is narrow enough to rank; else None."""
        if not plan.expression or self._broad(plan.expression):
            return None
        key = (search, tuple(folder_ids))
        if key not in self._ranked:
            sql = (
                "SELECT m.id FROM messages_fts f JOIN messages m ON m.id = f.rowid"
                f" WHERE messages_fts MATCH ? AND {plan.scope} ORDER BY f.rank, m.date DESC, m.id DESC"
            )
            self._ranked = {key: [int(r[0]) for r in self._conn.execute(sql, (plan.expression, *plan.scope_args))]}
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
        plan = SearchPlan.of(search, folder_ids, labels=self._labels(folder_ids))
        if plan.expression:
            whole = not has_row_filters(plan.rest) and self._covers_all_mail(folder_ids)
            if not free_words(search):  # likely few matches: their ids come with the count
                self._few_match_ids(plan.expression, count_all=whole)
            if whole:
                return self._match_count(plan.expression)  # words only, over all mail: the index answers alone
            best = self._best_first(search, folder_ids, plan)
            if best is not None:
                return len(best)
            if plan.walk != plan.source and plan.rest.after is None and plan.rest.before is None:
                return self._count_flagged(search, folder_ids, plan, self._match_count(plan.expression))
        # Every result is read for the count anyway: the newest-first head comes in the same pass.
        sql = (
            f"SELECT m.id, count(*) OVER () FROM {plan.walk} WHERE {plan.where}"
            f" ORDER BY {order_by(NEWEST_FIRST)} LIMIT {HEAD_ROWS}"
        )
        rows = self._conn.execute(sql, plan.args).fetchall()
        self._heads = {(search, tuple(folder_ids)): [int(r[0]) for r in rows]}
        return int(rows[0][1]) if rows else 0

    def _count_flagged(self, search: SearchQuery, folder_ids: Sequence[int], plan: SearchPlan, matches: int) -> int:
        """The count of a broad search with a flag filter (has:attachment, is:unread, is:starred), and its
        newest-first head. SQLite keeps the ids of the smaller set (the flagged messages of the folders, or the
        matches) and walks the larger one; the head is read from the newest flagged messages."""
        flagged = int(
            self._conn.execute(f"SELECT count(*) FROM {plan.walk} WHERE {plan.scope}", plan.scope_args).fetchone()[0]
        )
        if flagged <= matches:
            # `+rowid`: a plain rowid IN (…) would make FTS5 look each id up in every word's list.
            sql = (
                "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?"
                f" AND +rowid IN (SELECT m.id FROM {plan.walk} WHERE {plan.scope})"
            )
            count = int(self._conn.execute(sql, (plan.expression, *plan.scope_args)).fetchone()[0])
        else:
            sql = f"SELECT count(*) FROM {plan.walk} WHERE {plan.where}"
            count = int(self._conn.execute(sql, plan.args).fetchone()[0])
        candidates = f"SELECT m.id FROM {plan.walk} WHERE {plan.scope} ORDER BY {order_by(NEWEST_FIRST)} LIMIT ?"
        head = self._newest_among(
            candidates, plan.scope_args, total=flagged, matches=count, expression=plan.expression, wanted=HEAD_ROWS
        )
        if head is not None:
            self._heads = {(search, tuple(folder_ids)): head[:HEAD_ROWS]}
        return count

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
        plan = SearchPlan.of(search, folder_ids, labels=self._labels(folder_ids))
        if sort is None:
            best = self._best_first(search, folder_ids, plan)
            if best is not None:
                return best[offset : offset + limit]
        head = self._heads.get((search, tuple(folder_ids)))
        newest_first = (sort or NEWEST_FIRST) == NEWEST_FIRST
        narrow = self._narrow_ids(search, folder_ids, plan) if newest_first else None
        if narrow is not None:
            return narrow[offset : offset + limit]
        if head is not None and newest_first and (offset + limit <= len(head) or len(head) < HEAD_ROWS):
            return head[offset : offset + limit]
        if plan.expression and newest_first and not has_row_filters(plan.rest) and not self._labels(folder_ids):
            newest = self._newest_matches(plan, folder_ids, offset + limit)
            if newest is not None:
                return newest[offset : offset + limit]
        order = order_by(sort or NEWEST_FIRST)
        sql = f"SELECT m.id FROM {plan.walk} WHERE {plan.where} ORDER BY {order} LIMIT ? OFFSET ?"
        return [int(r[0]) for r in self._conn.execute(sql, (*plan.args, limit, offset))]

    def _newest_matches(self, plan: SearchPlan, folder_ids: Sequence[int], wanted: int) -> list[int] | None:
        """The `wanted` newest matches of a broad words-only search: the newest messages of the folders (index
        messages_by_date_all) are the candidates (see `_newest_among`). Not for Gmail label folders, whose
        messages are All Mail rows."""
        marks = ",".join("?" * len(folder_ids))
        total = int(
            self._conn.execute(
                f"SELECT COALESCE(SUM(total_count), 0) FROM folders WHERE id IN ({marks})", tuple(folder_ids)
            ).fetchone()[0]
        )
        candidates = (
            f"SELECT id FROM messages INDEXED BY messages_by_date_all WHERE folder_id IN ({marks})"
            " ORDER BY date DESC, id DESC LIMIT ?"
        )
        matches = self._match_count(plan.expression)
        return self._newest_among(
            candidates, tuple(folder_ids), total=total, matches=matches, expression=plan.expression, wanted=wanted
        )

    def _newest_among(
        self, candidates: str, args: tuple[object, ...], *, total: int, matches: int, expression: str, wanted: int
    ) -> list[int] | None:
        """The `wanted` newest matches of `expression` among the `total` rows `candidates` (SQL listing ids
        newest first, its LIMIT the last parameter) lists, `matches` of which are expected to match, without
        reading every match: FTS5 reads only the stretch of each word's list between the lowest and highest id
        of the newest candidates. More candidates each round while too few match (all matches when fewer than
        `wanted` exist); None when a round would take more than a quarter of the rows (the plain query is as
        cheap then)."""
        if matches == 0 or total == 0:
            return []
        size = max(FEWEST_CANDIDATES, int(wanted * total / matches * 1.5))
        while size <= total // 4:
            newest = [int(r[0]) for r in self._conn.execute(candidates, (*args, size))]
            if not newest:
                return []
            hits = {
                int(r[0])
                for r in self._conn.execute(
                    "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid >= ? AND rowid <= ?",
                    (expression, min(newest), max(newest)),
                )
            }
            found = [mid for mid in newest if mid in hits]
            if len(found) >= wanted or len(newest) < size:
                return found
            size *= 4
        return None

    def row_of(
        self, search: SearchQuery, folder_ids: Sequence[int], sort: ListSort | None, message_id: int
    ) -> int | None:
        """The row of a message among the results (as `page_ids` orders them), or None when not among them."""
        if not folder_ids:
            return None
        self._fresh()
        plan = SearchPlan.of(search, folder_ids, labels=self._labels(folder_ids))
        if sort is None:
            best = self._best_first(search, folder_ids, plan)
            if best is not None:
                return best.index(message_id) if message_id in best else None
        columns, descending = sort or NEWEST_FIRST
        key = self._conn.execute(
            f"SELECT {', '.join('m.' + c for c in columns)} FROM {plan.source} WHERE m.id = ? AND {plan.where}",
            (message_id, *plan.args),
        ).fetchone()
        if key is None:
            return None
        before = ">" if descending else "<"
        after_key = f"({', '.join('m.' + c for c in columns)}) {before} ({', '.join('?' * len(columns))})"
        sql = f"SELECT count(*) FROM {plan.walk} WHERE {plan.where} AND {after_key}"
        return int(self._conn.execute(sql, (*plan.args, *key)).fetchone()[0])
