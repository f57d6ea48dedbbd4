"""IMAP sequence sets of UIDs (RFC 3501 §9 `sequence-set`): compact "1:5,9" text and back."""

from __future__ import annotations

from collections.abc import Iterable


def format_uid_set(uids: Iterable[int]) -> str:
    """'1:3,7,9:10' for [1, 2, 3, 7, 9, 10]: ranges keep a 20,000-UID command short (servers cap its length)."""
    ordered = sorted(set(uids))
    if not ordered:
        raise ValueError("an IMAP UID set cannot be empty")
    parts: list[str] = []
    start = prev = ordered[0]
    for uid in ordered[1:]:
        if uid == prev + 1:
            prev = uid
            continue
        parts.append(f"{start}:{prev}" if prev != start else str(start))
        start = prev = uid
    parts.append(f"{start}:{prev}" if prev != start else str(start))
    return ",".join(parts)


def parse_uid_set(text: str | bytes) -> list[int]:
    """The UIDs of a set such as '41,43:46' (as in VANISHED and COPYUID responses), in the order written."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    uids: list[int] = []
    for part in text.strip().split(","):
        if not part:
            continue
        low, _, high = part.partition(":")
        if not high:
            uids.append(int(low))
            continue
        first, last = int(low), int(high)
        step = 1 if last >= first else -1
        uids.extend(range(first, last + step, step))
    return uids
