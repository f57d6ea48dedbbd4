"""Turns FETCH replies into store rows: header rows on the fast path (no MIME parse, no body), full rows from
bodies, and IMAP flags into ours. CPU-bound: the sync calls these in a worker thread, a batch at a time."""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Sequence

from realmail_desktop.core.logs import get_logger
from realmail_desktop.ingest import new_message
from realmail_desktop.mail.envelope import read_envelope, read_header_envelope
from realmail_desktop.mail.sources import Flag
from realmail_desktop.store import NewMessage, UidFlags
from realmail_desktop.sync.imap_commands import Fetched

_log = get_logger("sync")

_IMAP_FLAGS: dict[str, Flag] = {
    "\\seen": Flag.SEEN,
    "\\flagged": Flag.FLAGGED,
    "\\answered": Flag.ANSWERED,
    "\\draft": Flag.DRAFT,
    "\\deleted": Flag.DELETED,
    "$forwarded": Flag.FORWARDED,
}
# What the store's flag names (RemoteOp.set_flags) are called on the server.
SERVER_FLAG_NAMES: dict[str, str] = {
    "seen": "\\Seen",
    "flagged": "\\Flagged",
    "answered": "\\Answered",
    "forwarded": "$Forwarded",
    "draft": "\\Draft",
}


def flags_from_imap(names: Iterable[str]) -> Flag:
    key = tuple(names)
    flags = _FLAGS_SEEN.get(key)
    if flags is None:
        flags = Flag(0)
        for name in key:
            flags |= _IMAP_FLAGS.get(name.lower(), Flag(0))
        if len(_FLAGS_SEEN) < 1024:  # a mailbox has few flag combinations; enum arithmetic is slow (header sync)
            _FLAGS_SEEN[key] = flags
    return flags


_FLAGS_SEEN: dict[tuple[str, ...], Flag] = {}


def uid_flags(fetched: Fetched) -> UidFlags:
    flags = flags_from_imap(fetched.flags)
    return UidFlags(
        fetched.uid,
        Flag.SEEN in flags,
        Flag.FLAGGED in flags,
        Flag.ANSWERED in flags,
        Flag.FORWARDED in flags,
        Flag.DRAFT in flags,
        keywords_of(fetched.flags),
        Flag.DELETED in flags,
    )


def header_rows(fetched: Sequence[Fetched], failures: list[tuple[int, str]] | None = None) -> list[NewMessage]:
    """Header-only rows (no body, no snippet yet): the header fields as read by mail.read_envelope, the size
    the server reported, INTERNALDATE where the Date header is missing or unreadable, the attachment mark
    from BODYSTRUCTURE. A header that cannot be read is skipped: logged, or (UID, traceback) added to
    `failures` when given (in a worker process, whose log goes nowhere)."""
    rows = []
    for item in fetched:
        try:
            envelope = read_header_envelope(item.header or b"", fallback_date=item.internaldate)
            rows.append(
                new_message(
                    envelope,
                    None,
                    flags_from_imap(item.flags),
                    uid=item.uid,
                    size=item.size or envelope.size,
                    attachments_expected=bool(item.has_attachments),
                )
            )
        except Exception:  # one odd message must never stall a folder
            if failures is None:
                _log.exception("header of UID %d could not be read; skipped", item.uid)
            else:
                failures.append((item.uid, traceback.format_exc()))
    return rows


def body_rows(fetched: Sequence[Fetched], uids_to_rows: dict[int, int]) -> list[tuple[int, NewMessage]]:
    """Full rows (snippet, attachments, index text, raw bytes) for fetched bodies, keyed by message row id."""
    rows = []
    for item in fetched:
        row_id = uids_to_rows.get(item.uid)
        if row_id is None or item.body is None:
            continue
        try:
            envelope = read_envelope(item.body, fallback_date=item.internaldate)
            rows.append((row_id, new_message(envelope, item.body, flags_from_imap(item.flags), uid=item.uid)))
        except Exception:
            _log.exception("body of UID %d could not be read; skipped", item.uid)
    return rows


# --- IMAP keywords and \Deleted (read from Fetched.flags on the sync's own paths) -----------------------------


def keywords_of(names: Iterable[str]) -> tuple[str, ...]:
    """The keywords among a message's flags: anything that is not a system flag (\\Seen …) and not one we keep
    in a column of its own ($Forwarded); sorted, without duplicates, as the store keeps them."""
    key = tuple(names)
    words = _KEYWORDS_SEEN.get(key)
    if words is None:
        words = tuple(sorted({name for name in key if not name.startswith("\\") and name.lower() not in _IMAP_FLAGS}))
        if len(_KEYWORDS_SEEN) < 1024:  # as _FLAGS_SEEN: a mailbox has few flag combinations (header sync)
            _KEYWORDS_SEEN[key] = words
    return words


_KEYWORDS_SEEN: dict[tuple[str, ...], tuple[str, ...]] = {}


def is_deleted(fetched: Fetched) -> bool:
    """\\Deleted but not expunged (another client's doing): such a message is neither listed nor counted."""
    return any(name.lower() == "\\deleted" for name in fetched.flags)


def keywords_by_uid(fetched: Sequence[Fetched]) -> dict[int, tuple[str, ...]]:
    """UID → keywords of the fetched messages that have any (the header rows do not carry them)."""
    found = {item.uid: keywords_of(item.flags) for item in fetched}
    return {uid: words for uid, words in found.items() if words}
