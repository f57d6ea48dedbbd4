"""The IMAP commands the sync sends, as blocking functions over an imapclient connection (run on its thread).

Fetches are sent with compact UID sets ("1:500") and parsed without imapclient's per-message filtering;
replies imapclient does not collect (VANISHED, COPYUID, LIST-STATUS) are read from imaplib's untagged
responses. Exceptions pass through untouched: `connection.translate` turns them into ours.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from imapclient import imap_utf7
from imapclient.imapclient import seq_to_parenstr_upper
from imapclient.response_parser import parse_response

from realmail_desktop.core.logs import get_logger
from realmail_desktop.sync.fetch_reply import FetchLines, FetchReply, has_attachments, parse_fetch_replies
from realmail_desktop.sync.uid_sets import parse_uid_set

# The headers the store keeps (mail/envelope.py reads these); Content-Type tells multipart from plain.
HEADER_FIELDS = (
    "BODY.PEEK[HEADER.FIELDS (FROM SENDER TO CC REPLY-TO SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES"
    " LIST-ID CONTENT-TYPE LIST-UNSUBSCRIBE LIST-UNSUBSCRIBE-POST PRECEDENCE AUTO-SUBMITTED)]"
)
# A header block's Content-Type is multipart/mixed (folded lines included): the guess that files are attached.
_MIXED = re.compile(rb"^content-type:\s*multipart/mixed\b", re.IGNORECASE | re.MULTILINE)
# imaplib's own patterns for an untagged reply and a bracketed response code (its module does not export them).
_UNTAGGED = re.compile(rb"\* (?P<type>[A-Z-]+)( (?P<data>.*))?")
_RESPONSE_CODE = re.compile(rb"\[(?P<type>[A-Z-]+)( (?P<data>.*))?\]")
_IDLE_POLL_SECONDS = 0.2
_log = get_logger("sync")
_NEWS = frozenset({b"EXISTS", b"EXPUNGE", b"FETCH", b"VANISHED"})


@dataclass(frozen=True, slots=True)
class Selected:
    """What SELECT told about a folder."""

    name: str
    uidvalidity: int
    uidnext: int
    exists: int
    highestmodseq: int | None
    permanent_flags: frozenset[str] | None = None  # PERMANENTFLAGS (None: not given); "\\*" allows any keyword


@dataclass(frozen=True, slots=True)
class ListedFolder:
    """One LIST reply: the server's name, hierarchy delimiter, attributes, and STATUS when LIST-STATUS gave it."""

    name: str
    delimiter: str
    flags: frozenset[str]
    subscribed: bool
    status: dict[str, int] | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    """One message of a FETCH reply (fields not asked for are None)."""

    uid: int
    flags: tuple[str, ...]
    internaldate: int | None = None
    size: int | None = None
    header: bytes | None = None
    body: bytes | None = None
    has_attachments: bool | None = None  # from BODYSTRUCTURE, before the body is here
    gmail_labels: tuple[str, ...] | None = None  # X-GM-LABELS, decoded (asked for on Gmail's All Mail only)
    gmail_thread: int | None = None  # X-GM-THRID


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _untagged(client: Any, name: str) -> list[Any]:
    responses: list[Any] = client._imap.untagged_responses.pop(name, [])
    return responses


def _forget_untagged(client: Any) -> None:
    """Drop unsolicited replies (EXISTS, EXPUNGE, FETCH …) imaplib would otherwise keep collecting."""
    client._imap.untagged_responses.clear()


def enable_extensions(client: Any) -> frozenset[str]:
    """The capabilities after login, with QRESYNC (or CONDSTORE) enabled when offered (RFC 7162)."""
    capabilities = frozenset(_text(c).upper() for c in client.capabilities())
    if "QRESYNC" in capabilities:
        client.enable("QRESYNC")
    elif "CONDSTORE" in capabilities:
        client.enable("CONDSTORE")
    return capabilities


def select(client: Any, name: str, readonly: bool) -> Selected:
    _forget_untagged(client)
    reply = client.select_folder(name, readonly=readonly)
    modseq = reply.get(b"HIGHESTMODSEQ")
    permanent = reply.get(b"PERMANENTFLAGS")
    return Selected(
        name=name,
        uidvalidity=int(reply[b"UIDVALIDITY"]),
        uidnext=int(reply.get(b"UIDNEXT", 1)),
        exists=int(reply.get(b"EXISTS", 0)),
        highestmodseq=int(modseq) if modseq is not None else None,
        permanent_flags=frozenset(_text(f) for f in permanent) if permanent is not None else None,
    )


def list_folders(client: Any, capabilities: frozenset[str]) -> list[ListedFolder]:
    """LIST every folder with its special use and subscription, in one round trip where the server can
    (LIST-EXTENDED, RFC 5258/6154/5819 — with LIST-STATUS each folder's counters come along); else LIST + LSUB."""
    _forget_untagged(client)
    if "LIST-EXTENDED" not in capabilities:
        subscribed = {name for _flags, _delim, name in client.list_sub_folders()}
        return [
            ListedFolder(name, _text(delim or ""), frozenset(_text(f) for f in flags), name in subscribed)
            for flags, delim, name in client.list_folders()
        ]
    returns = ["SUBSCRIBED"]
    if "SPECIAL-USE" in capabilities:
        returns.append("SPECIAL-USE")
    if "LIST-STATUS" in capabilities:
        items = "MESSAGES UIDNEXT UIDVALIDITY" + (" HIGHESTMODSEQ" if "CONDSTORE" in capabilities else "")
        returns.append(f"STATUS ({items})")
    data = client._raw_command_untagged(
        b"LIST", [b'""', b'"*"', b"RETURN", f"({' '.join(returns)})".encode()], uid=False
    )
    statuses: dict[str, dict[str, int]] = {}
    for line in _untagged(client, "STATUS"):
        parsed = parse_response([line] if isinstance(line, bytes) else list(line))
        name, values = _text(imap_utf7.decode(parsed[0])), parsed[1]
        statuses[name] = {_text(values[i]).upper(): int(values[i + 1]) for i in range(0, len(values) - 1, 2)}
    listed = []
    for flags, delim, name in client._proc_folder_list(data):
        names = frozenset(_text(f) for f in flags)
        listed.append(
            ListedFolder(
                name=name,
                delimiter=_text(delim or ""),
                flags=names,
                subscribed="\\Subscribed" in names,
                status=statuses.get(name),
            )
        )
    return listed


def search_uids(client: Any, low: int, high: int | None) -> list[int]:
    uids = client.search(["UID", f"{low}:{'*' if high is None else high}"])
    # "N:*" always includes the last message, even when its UID is below N (RFC 3501 §6.4.8).
    return sorted(uid for uid in uids if uid >= low and (high is None or uid <= high))


def search_uid_set(client: Any, uid_set: str) -> list[int]:
    return sorted(client.search(["UID", uid_set]))


def search_criteria(client: Any, criteria: list[Any], charset: str | None) -> list[int]:
    """UIDs of the selected folder matching arbitrary SEARCH keys (server search), ascending."""
    return sorted(int(uid) for uid in client.search(criteria, charset))


def search_message_id(client: Any, message_id: str) -> list[int]:
    return sorted(client.search(["HEADER", "Message-ID", message_id]))


def _fetch(client: Any, uid_set: str, items: list[str], modifiers: list[str] | None = None) -> dict[int, FetchReply]:
    return _parsed(_fetch_lines(client, uid_set, items, modifiers))


def _fetch_lines(client: Any, uid_set: str, items: list[str], modifiers: list[str] | None = None) -> FetchLines:
    """The untagged FETCH replies in the shape imaplib collects them (unparsed: fetch_reply.py reads them)."""
    _forget_untagged(client)
    args = ["UID", "FETCH", uid_set, seq_to_parenstr_upper(items)]
    if modifiers:
        args.append(seq_to_parenstr_upper(modifiers))
    imap = client._imap
    tag = imap._command(*args)
    typ, data, replies = _read_fetch_replies(imap, tag)
    client._checkok("fetch", typ, data)
    return replies


def _read_fetch_replies(imap: Any, tag: bytes) -> tuple[str, list[bytes], FetchLines]:
    """Read one FETCH command's replies up to its completion, straight off imaplib's connection.

    The untagged FETCH replies come back as imaplib would collect them (a line ending in a literal `{n}` as the
    tuple (line, literal), the line after a literal as an entry of its own); every other reply (EXISTS, EXPUNGE,
    OK [...], BYE …) is filed in imaplib's untagged responses as imaplib files it, and the completion is checked as
    `IMAP4._command_complete` checks it (BAD raises, NO is returned for imapclient's `_checkok`). Why not
    imaplib's own reader: per line it tries several patterns, formats the line's repr for its debug log and files
    it by type — ~20 µs a message of the header sync's main process, more than reading the reply's bytes
    (docs/PERFORMANCE.md)."""
    replies: FetchLines = []
    imap._check_bye()
    while True:
        line = _reply_line(imap)
        if line.startswith(b"* "):
            number, _, rest = line[2:].partition(b" ")
            if rest.startswith(b"FETCH ") and number.isdigit():
                _with_literals(imap, number + b" " + rest[6:], replies.append)
            else:
                _file_untagged(imap, line)
            continue
        tagged = imap.tagre.match(line)
        if tagged is None:
            if not line.startswith(b"+"):  # a continuation request means nothing here; imaplib skips it too
                raise imap.abort(f"unexpected response: {line!r}")
            continue
        if tagged.group("tag") != tag:
            if tagged.group("tag") not in imap.tagged_commands:
                raise imap.abort(f"unexpected tagged response: {line!r}")
            continue
        imap.tagged_commands.pop(tag, None)
        typ, data = tagged.group("type").decode("ascii"), tagged.group("data")
        _file_response_code(imap, typ, data)
        imap._check_bye()
        if typ == "BAD":
            raise imap.error(f"FETCH command error: {typ} {[data]}")
        return typ, [data], replies


def _reply_line(imap: Any) -> bytes:
    """The next line of the server's reply without its CRLF (imaplib's `_get_line`, without its debug log)."""
    line: bytes = imap.readline()
    if not line:
        raise imap.abort("socket error: EOF")
    if not line.endswith(b"\r\n"):
        raise imap.abort(f"socket error: unterminated line: {line!r}")
    return line[:-2]


def _with_literals(imap: Any, text: bytes, add: Callable[[bytes | tuple[bytes, bytes]], None]) -> None:
    """Add a reply's text; where it ends in a literal, the literal read with it and the line after, and so on."""
    while text.endswith(b"}") and (literal := imap.Literal.match(text)) is not None:
        add((text, imap.read(int(literal.group("size")))))
        text = _reply_line(imap)
    add(text)


def _file_untagged(imap: Any, line: bytes) -> None:
    """An untagged reply other than FETCH, into imaplib's untagged responses as `IMAP4._get_response` files it."""
    found = _UNTAGGED.match(line)
    extra = None
    if found is None:
        found = imap.Untagged_status.match(line)
        if found is None:
            raise imap.abort(f"unexpected response: {line!r}")
        extra = found.group("data2")
    typ = found.group("type").decode("ascii")
    text = found.group("data") or b""
    if extra:
        text += b" " + extra
    parts: list[bytes | tuple[bytes, bytes]] = []
    _with_literals(imap, text, parts.append)
    for part in parts:
        imap._append_untagged(typ, part)
    _file_response_code(imap, typ, parts[-1])


def _file_response_code(imap: Any, typ: str, text: bytes | tuple[bytes, bytes]) -> None:
    """ "OK [UIDNEXT 5] …" also files UIDNEXT (imaplib's bracketed response information)."""
    if typ in ("OK", "NO", "BAD") and isinstance(text, bytes):
        code = _RESPONSE_CODE.match(text)
        if code is not None:
            imap._append_untagged(code.group("type").decode("ascii"), code.group("data"))


def _parsed(lines: FetchLines) -> dict[int, FetchReply]:
    parsed = parse_fetch_replies(lines)
    if parsed.unreadable:
        _log.warning("%d FETCH replies could not be read; those messages are skipped", parsed.unreadable)
    return parsed.replies


def _flags(reply: FetchReply) -> tuple[str, ...]:
    return reply.flags or ()


# Gmail's extension (X-GM-EXT-1): a message's labels, its thread and its own id, asked for on All Mail.
GMAIL_ITEMS = ["X-GM-LABELS", "X-GM-THRID", "X-GM-MSGID"]


def _gmail_labels(reply: FetchReply) -> tuple[str, ...] | None:
    """X-GM-LABELS as names (modified UTF-7 decoded, as mailbox names are); None when not in the reply."""
    if reply.gmail_labels is None:
        return None
    return tuple(_text(imap_utf7.decode(label.encode("ascii", "replace"))) for label in reply.gmail_labels)


def fetch_headers(client: Any, uid_set: str, gmail: bool = False, structure: bool = True) -> list[Fetched]:
    """The header fields the store keeps, flags, INTERNALDATE, size and (with `structure`) BODYSTRUCTURE for the
    attachment mark before the body arrives — the initial sync's fast path: no ENVELOPE, no body. With `gmail`,
    also Gmail's labels and thread id."""
    return header_fetches(_parsed(fetch_header_lines(client, uid_set, gmail, structure)))


def fetch_header_lines(client: Any, uid_set: str, gmail: bool = False, structure: bool = True) -> FetchLines:
    """`fetch_headers`' FETCH, its replies left unparsed (the sync reads them with the rows: sync/header_reader.py).
    Without `structure`, no BODYSTRUCTURE: for messages whose bodies the sync downloads next, it would only tell
    early what the body tells exactly, and it is the dearest item for both sides (the server parses every
    message's MIME structure; reading it was half the header reader's CPU — docs/PERFORMANCE.md). Until the body
    arrives, the attachment mark of such a message comes from its Content-Type (`header_fetches`)."""
    items = [HEADER_FIELDS, "FLAGS", "INTERNALDATE", "RFC822.SIZE"]
    items += (["BODYSTRUCTURE"] if structure else []) + (GMAIL_ITEMS if gmail else [])
    return _fetch_lines(client, uid_set, items)


def header_fetches(reply: dict[int, FetchReply]) -> list[Fetched]:
    """`fetch_headers`' result from parsed replies. The attachment mark: from BODYSTRUCTURE where it was asked for,
    else a guess from the header, as mail clients that fetch no structure make it: multipart/mixed is what mail
    with files attached is sent as (the body, once stored, sets the mark exactly)."""
    fetched = []
    for uid, values in reply.items():
        header = values.section("BODY[HEADER") or b""
        structure = values.bodystructure
        fetched.append(
            Fetched(
                uid=uid,
                flags=_flags(values),
                internaldate=values.internaldate,
                size=values.size,
                header=header,
                has_attachments=has_attachments(structure)
                if structure is not None
                else _MIXED.search(header) is not None,
                gmail_labels=_gmail_labels(values),
                gmail_thread=values.gmail_thread,
            )
        )
    return fetched


def fetch_flags(
    client: Any, uid_set: str, changed_since: int | None, qresync: bool, gmail: bool = False
) -> tuple[list[Fetched], list[int]]:
    """Flags (with `gmail`, also X-GM-LABELS: Gmail counts a label change as a change of the message)."""
    modifiers = None
    if changed_since is not None:
        modifiers = [f"CHANGEDSINCE {changed_since}"] + (["VANISHED"] if qresync else [])
    reply = _fetch(client, uid_set, ["FLAGS", "X-GM-LABELS"] if gmail else ["FLAGS"], modifiers)
    vanished: list[int] = []
    for line in _untagged(client, "VANISHED"):
        text = _text(line).strip()
        if text.upper().startswith("(EARLIER)"):
            text = text[len("(EARLIER)") :]
        vanished.extend(parse_uid_set(text))
    fetched = [
        Fetched(uid=uid, flags=_flags(values), gmail_labels=_gmail_labels(values)) for uid, values in reply.items()
    ]
    return fetched, vanished


def fetch_bodies(client: Any, uid_set: str) -> list[Fetched]:
    reply = _fetch(client, uid_set, ["BODY.PEEK[]", "FLAGS", "INTERNALDATE"])
    return [
        Fetched(uid=uid, flags=_flags(values), internaldate=values.internaldate, body=body)
        for uid, values in reply.items()
        if (body := values.sections.get("BODY[]")) is not None
    ]


def store_flags(client: Any, uid_set: str, add: list[str], remove: list[str]) -> None:
    for command, flags in ((b"+FLAGS.SILENT", add), (b"-FLAGS.SILENT", remove)):
        if flags:  # not upper-cased: keywords keep their spelling ("$NotJunk")
            names = "(" + " ".join(flags) + ")"
            client._command_and_check("store", uid_set, command, names, uid=True)
    _forget_untagged(client)


def store_gmail_labels(client: Any, uid_set: str, add: list[str], remove: list[str]) -> None:
    """UID STORE ±X-GM-LABELS.SILENT (Gmail): labels are quoted strings in modified UTF-7, as mailbox names;
    system labels (\\Inbox, \\Important …) go as they are."""
    for command, labels in ((b"+X-GM-LABELS.SILENT", add), (b"-X-GM-LABELS.SILENT", remove)):
        if labels:
            names = "(" + " ".join(_gmail_label_arg(label) for label in labels) + ")"
            client._command_and_check("store", uid_set, command, names, uid=True)
    _forget_untagged(client)


def _gmail_label_arg(label: str) -> str:
    if label.startswith("\\") and label[1:].isalnum():
        return label
    encoded = _text(imap_utf7.encode(label))
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def move(client: Any, uid_set: str, destination: str, capabilities: frozenset[str]) -> dict[int, int]:
    """UID MOVE (RFC 6851) where offered, else UID COPY + \\Deleted + expunge; source → destination UIDs."""
    _forget_untagged(client)
    if "MOVE" in capabilities:
        client._command_and_check("move", uid_set, client._normalise_folder(destination), uid=True)
    else:
        client._command_and_check("copy", uid_set, client._normalise_folder(destination), uid=True)
    mapping: dict[int, int] = {}
    for line in _untagged(client, "COPYUID"):  # RFC 4315: "uidvalidity source-set destination-set"
        parts = _text(line).split()
        if len(parts) == 3:
            mapping.update(zip(parse_uid_set(parts[1]), parse_uid_set(parts[2]), strict=False))
    if "MOVE" not in capabilities:
        delete(client, uid_set, capabilities)
    _forget_untagged(client)
    return mapping


def delete(client: Any, uid_set: str, capabilities: frozenset[str]) -> None:
    client._command_and_check("store", uid_set, b"+FLAGS.SILENT", b"(\\Deleted)", uid=True)
    if "UIDPLUS" in capabilities:
        client._command_and_check("EXPUNGE", uid_set, uid=True)
    else:  # RFC 3501 EXPUNGE removes every \Deleted message of the folder, not just ours: the best there is
        client.expunge()
    _forget_untagged(client)


def create_folder(client: Any, name: str) -> None:
    client.create_folder(name)
    client.subscribe_folder(name)


def rename_folder(client: Any, name: str, new_name: str) -> None:
    client.rename_folder(name, new_name)
    client.subscribe_folder(new_name)


def delete_folder(client: Any, name: str) -> None:
    client.delete_folder(name)


def idle_until(client: Any, on_news: Callable[[], None], stop: threading.Event, renew_seconds: float) -> None:
    """IDLE (RFC 2177), renewed every `renew_seconds` (servers drop idle clients after 30 min), until `stop`.
    `on_news` is also called each time IDLE has started: whatever arrived just before is then looked at too."""
    while not stop.is_set():
        client.idle()
        on_news()
        renew_at = time.monotonic() + renew_seconds
        silent_wakeups = 0
        while not stop.is_set() and time.monotonic() < renew_at:
            began = time.monotonic()
            responses = client.idle_check(timeout=_IDLE_POLL_SECONDS)
            if any(len(r) > 1 and r[1] in _NEWS for r in responses):
                on_news()
            # imapclient swallows EOF inside idle_check: a socket that keeps waking up with nothing to read
            # has been closed by the other side.
            woke_early = time.monotonic() - began < _IDLE_POLL_SECONDS / 2
            silent_wakeups = silent_wakeups + 1 if woke_early and not responses else 0
            if silent_wakeups >= 3:
                raise ConnectionResetError("the server closed the connection during IDLE")
        client.idle_done()
        _forget_untagged(client)


def logout(client: Any) -> None:
    try:
        client.logout()
    finally:
        shutdown(client)


def shutdown(client: Any) -> None:
    try:
        client.shutdown()
    except Exception:  # closing a socket that is already gone
        return


# --- subscriptions and APPEND (cross-account moves) -------------------------------------------------------


def set_subscribed(client: Any, name: str, subscribed: bool) -> None:
    if subscribed:
        client.subscribe_folder(name)
    else:
        client.unsubscribe_folder(name)


def append(client: Any, name: str, raw: bytes, flags: list[str], internaldate: int | None) -> int | None:
    """APPEND one message with its flags and INTERNALDATE; its new UID where the server says (APPENDUID)."""
    when = datetime.fromtimestamp(internaldate, UTC) if internaldate is not None else None
    reply = _text(client.append(name, raw, tuple(flags), when))
    _forget_untagged(client)
    marker = reply.upper().find("[APPENDUID ")
    if marker < 0:
        return None
    parts = reply[marker + 1 :].split("]", 1)[0].split()
    return int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else None
