"""The header reader: raw FETCH replies of the header sync into store rows — in a worker process and on a thread
the rows are the same, and the same as reading the parsed replies directly; a worker that dies leaves the rest
of the chunks to a thread."""

from __future__ import annotations

import gc
import os
import pickle
import signal

import pytest

from realmail_desktop.sync._worker_start import WORKER_NICENESS
from realmail_desktop.sync.fetch_reply import FetchLines, internaldate_seconds, parse_fetch_replies
from realmail_desktop.sync.fetched_mail import header_rows, is_deleted, keywords_by_uid
from realmail_desktop.sync.header_reader import HeaderReader, freeze_long_lived, read_header_batch, thaw_long_lived
from realmail_desktop.sync.imap_commands import header_fetches

PLAIN = b'("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 12 1 NIL NIL NIL NIL)'
PDF_ATTACHED = (
    b'(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 40 2 NIL NIL NIL NIL)'
    b'("APPLICATION" "PDF" NIL NIL NIL "BASE64" 14 NIL ("ATTACHMENT" ("FILENAME" "r1.pdf")) NIL NIL)'
    b' "MIXED" ("BOUNDARY" "b1") NIL NIL NIL)'
)
HEADERS = [
    b"From: Ann Lee <ann@example.com>\r\nTo: Bob <bob@example.org>, carl@example.net\r\n"
    b"Subject: Quarterly figures\r\nDate: Mon, 2 Nov 2026 09:15:00 +0100\r\nMessage-ID: <q1@example.com>\r\n\r\n",
    # Encoded words in two charsets, a reply with References, Cc
    b"From: =?iso-8859-1?q?J=F6rg_M=FCller?= <joerg@example.de>\r\nCc: =?utf-8?b?5bGx55Sw?= <yamada@example.jp>\r\n"
    b"Subject: =?utf-8?q?Re=3A_=C3=9Cbersicht?=\r\nDate: Tue, 3 Nov 2026 10:00:00 +0000\r\n"
    b"Message-ID: <r1@example.de>\r\nIn-Reply-To: <q1@example.com>\r\n"
    b"References: <q0@example.com> <q1@example.com>\r\n\r\n",
    # A mailing list with one-click unsubscribe
    b"From: News <news@lists.example.com>\r\nSubject: [news] Weekly\r\nDate: Wed, 4 Nov 2026 07:00:00 +0000\r\n"
    b"Message-ID: <w1@lists.example.com>\r\nList-Id: Weekly news <news.lists.example.com>\r\n"
    b"List-Unsubscribe: <https://example.com/u?1>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    b"Precedence: bulk\r\n\r\n",
    # No Date (INTERNALDATE stands in), no Message-ID, raw 8-bit in the subject
    b"From: someone@example.com\r\nSubject: caf\xe9 cr\xe8me\r\n\r\n",
    # Nothing at all
    b"",
]


def reply(uid: int, header: bytes, flags: bytes, structure: bytes, extra: bytes = b"") -> FetchLines:
    """One message as imaplib hands it over: the line up to the literal with the literal, then the rest."""
    return [
        (
            b'%d (UID %d %sFLAGS (%s) INTERNALDATE "21-Nov-2026 22:35:51 +0100" RFC822.SIZE %d '
            b"BODY[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)] {%d}"
            % (uid, uid, extra, flags, 1000 + uid, len(header)),
            header,
        ),
        b" BODYSTRUCTURE " + structure + b")",
    ]


def chunk() -> FetchLines:
    lines: FetchLines = []
    for uid, header in enumerate(HEADERS, start=1):
        flags = (rb"\Seen", rb"\Flagged $Label1", b"", rb"\Answered $Forwarded", rb"\Draft")[uid - 1]
        lines += reply(uid, header, flags, PDF_ATTACHED if uid % 2 else PLAIN)
    lines += reply(40, HEADERS[0], rb"\Seen \Deleted", PLAIN)  # deleted elsewhere, not expunged: left out
    lines.append(b"garbage that is no FETCH reply")
    return lines


def test_a_batch_reads_as_the_parsed_replies_do() -> None:
    lines = chunk()
    batch = read_header_batch(lines)
    direct = [item for item in header_fetches(parse_fetch_replies(lines).replies) if not is_deleted(item)]
    assert batch.rows == header_rows(direct)
    assert [row.uid for row in batch.rows] == [1, 2, 3, 4, 5]
    assert batch.keywords == keywords_by_uid(direct) == {2: ("$Label1",)}  # $Forwarded is a column, not a keyword
    assert batch.gmail_threads == {} and batch.gmail_labels == {}  # not asked for here
    assert batch.unreadable == 1 and batch.failures == ()
    rows = {row.uid: row for row in batch.rows}
    assert rows[2].sender_name == "Jörg Müller" and rows[2].subject == "Re: Übersicht"
    assert rows[2].references == ("<q0@example.com>", "<q1@example.com>")
    assert rows[3].unsubscribe_one_click and rows[3].list_id == "news.lists.example.com"
    assert rows[4].date == internaldate_seconds(b"21-Nov-2026 22:35:51 +0100")  # for the missing Date
    assert rows[4].message_id == "" and rows[4].subject == "café crème"
    assert rows[1].has_attachments and not rows[2].has_attachments


def test_a_batch_goes_between_processes_as_field_values_and_arrives_equal() -> None:
    one_file = b'From: a@example.com\r\nContent-Type: application/pdf; name="a.pdf"\r\n\r\n'
    batch = read_header_batch(chunk() + reply(9, one_file, b"", PLAIN))
    assert any(row.attachments for row in batch.rows)  # a nested model among the values too
    loaded = pickle.loads(pickle.dumps(batch))
    assert loaded == batch
    for arrived, sent in zip(loaded.rows, batch.rows, strict=True):
        assert arrived.model_dump() == sent.model_dump() and hash(arrived) == hash(sent)
        assert arrived.has_attachments == sent.has_attachments


def test_gmail_labels_and_threads_come_with_the_rows() -> None:
    lines = reply(7, HEADERS[0], rb"\Flagged", PLAIN, extra=rb'X-GM-THRID 1234 X-GM-LABELS ("\\Inbox" Work) ')
    batch = read_header_batch(lines)
    assert batch.gmail_threads == {7: 1234}
    assert batch.gmail_labels == {7: ("\\Inbox", "Work", "\\Starred")}  # the flag is Gmail's Starred label


async def test_the_worker_process_reads_the_same_rows() -> None:
    reader = HeaderReader(process_from=1_000)
    try:
        reader.expect(999)  # too small a sync to pay for a process
        assert not await reader.started()
        reader.expect(1_000)
        assert await reader.started()
        assert reader.worker_pid is not None and reader.worker_pid != os.getpid()
        if hasattr(os, "getpriority"):  # background work: the app's own process goes first
            own = os.getpriority(os.PRIO_PROCESS, 0)
            assert os.getpriority(os.PRIO_PROCESS, reader.worker_pid) == min(own + WORKER_NICENESS, 19)
        lines = chunk() + reply(7, HEADERS[0], rb"\Flagged", PLAIN, extra=rb"X-GM-THRID 1234 X-GM-LABELS (Work) ")
        assert await reader.read(lines) == read_header_batch(lines)
        assert reader.chunks_in_process == 1
    finally:
        await reader.close()
    assert not reader.in_process


async def test_without_a_process_a_thread_reads_the_same_rows() -> None:
    reader = HeaderReader(process_from=None)
    if reader.expect(1_000_000):  # a header phase as big as this freezes the long-lived objects…
        thaw_long_lived()  # …until it ends
    assert not await reader.started()
    lines = chunk()
    assert await reader.read(lines) == read_header_batch(lines)
    assert reader.chunks_in_process == 0
    await reader.close()


async def test_a_worker_that_dies_leaves_the_chunks_to_a_thread(caplog: pytest.LogCaptureFixture) -> None:
    reader = HeaderReader(process_from=0)
    try:
        reader.expect(1)
        assert await reader.started()
        pid = reader.worker_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        lines = chunk()
        assert await reader.read(lines) == read_header_batch(lines)
        assert not reader.in_process and reader.chunks_in_process == 0
        assert "reading them on a thread" in caplog.text
        assert await reader.read(lines) == read_header_batch(lines)  # and so on, on the thread
    finally:
        await reader.close()


def _collectable(obj: object) -> bool:
    """Whether the garbage collector still walks `obj` (frozen objects are left out of every collection)."""
    return any(o is obj for o in gc.get_objects())


async def test_a_big_header_sync_takes_the_long_lived_objects_out_of_full_collections() -> None:
    gc.unfreeze()  # whatever an earlier test froze
    reader = HeaderReader(process_from=None)
    try:
        long_lived = {"kept": [1, 2]}
        assert not reader.expect(1_999)  # a small sync leaves the collector alone
        assert _collectable(long_lived) and gc.get_freeze_count() == 0
        assert reader.expect(2_000)
        assert not _collectable(long_lived)
        later = {"made": ["after"]}
        assert _collectable(later)  # what comes after is still collected
        assert reader.expect(5_000)  # another account's big sync overlaps
        thaw_long_lived()  # one of them ends: still frozen for the other
        assert not _collectable(long_lived)
        thaw_long_lived()  # the last one ends: everything is walked again
        assert _collectable(long_lived) and _collectable(later) and gc.get_freeze_count() == 0
        freeze_long_lived()  # the same, on its own
        assert not _collectable(later)
        thaw_long_lived()
    finally:
        gc.unfreeze()
        await reader.close()
