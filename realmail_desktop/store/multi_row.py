"""Multi-row INSERTs: many rows in one statement execution, where that is cheaper than executemany.

executemany runs its statement once per row. On a table with triggers (messages: the count triggers of
migrations 0005/0016, even when their WHEN skips them) each execution costs SQLite more — most likely the
statement journal it keeps for a statement that fires triggers: +2–4 µs a row on a test table with four
indexes, ~7 µs a row for messages with its twelve. One `INSERT … VALUES (…), (…), …` pays that once per
statement: the header chunk's messages INSERT took ~30 % less CPU on the 23,500-message benchmark corpus.
Tables without triggers gained nothing (the FTS index was slower so; thread_subjects too, its row count differs
per chunk and each new count is a new statement to compile), so only the messages INSERT uses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import aiosqlite

PARAMETERS_PER_STATEMENT = 32_000
"""Bound parameters per statement: under SQLite's default limit (32,766), which a build may only lower at
compile time."""


@lru_cache(maxsize=64)
def multi_row(insert: str, rows: int) -> str:
    """`insert`, a plain `INSERT … VALUES (?, …)` of one row (no upsert clause after it), made to take `rows`."""
    head, values = insert.rstrip().rsplit("VALUES", 1)
    return f"{head}VALUES {', '.join([values.strip()] * rows)}"


async def insert_rows(tx: aiosqlite.Connection, insert: str, rows: Sequence[tuple[object, ...]]) -> None:
    """Run `insert` (see `multi_row`) for each of `rows`, in input order, as few multi-row statements."""
    if not rows:
        return
    per_statement = max(1, PARAMETERS_PER_STATEMENT // len(rows[0]))
    for start in range(0, len(rows), per_statement):
        part = rows[start : start + per_statement]
        await tx.execute(multi_row(insert, len(part)), [value for row in part for value in row])
