"""Reading a FETCH command's replies off the connection (imap_commands._read_fetch_replies) gives what imaplib's
own reader gives for the same bytes: the FETCH replies in imaplib's shape, every other untagged reply filed as
imaplib files it, and the same outcome for NO, BAD, BYE and a connection that ends mid-reply.

The oracle is imaplib itself, reading the same bytes; a real Dovecot's replies are compared with imapclient's
reading in tests/integration/test_fetch_headers.py."""

from __future__ import annotations

import imaplib
import io
import re
from typing import Any

import pytest

from realmail_desktop.sync.imap_commands import _read_fetch_replies

TAG = b"RM1"


class ScriptedImap(imaplib.IMAP4):
    """imaplib's IMAP4 with the server's reply given as bytes instead of a socket, one command (TAG) pending."""

    def __init__(self, reply: bytes) -> None:
        self._reply = reply
        super().__init__()
        self.tagged_commands[TAG] = None

    def open(self, host: str = "", port: int = 0, timeout: float | None = None) -> None:
        self.file = io.BytesIO(self._reply)

    def _connect(self) -> None:
        self._cmd_log_len, self._cmd_log_idx, self._cmd_log = 10, 0, {}
        self.tagpre = b"RM"
        self.tagre = re.compile(rb"(?P<tag>RM\d+) (?P<type>[A-Z]+) (?P<data>.*)", re.ASCII)
        self.state = "SELECTED"


def imaplib_reading(reply: bytes) -> tuple[str, list[Any], list[Any], dict[str, list[Any]]]:
    imap = ScriptedImap(reply)
    typ, data = imap._command_complete("FETCH", TAG)
    return typ, data, imap.untagged_responses.pop("FETCH", []), imap.untagged_responses


def our_reading(reply: bytes) -> tuple[str, list[Any], list[Any], dict[str, list[Any]]]:
    imap = ScriptedImap(reply)
    typ, data, lines = _read_fetch_replies(imap, TAG)
    assert TAG not in imap.tagged_commands
    return typ, data, lines, imap.untagged_responses


HEADER = b"Subject: hi\r\n\r\n"
REPLIES = {
    "plain": b"* 1 FETCH (UID 7 FLAGS (\\Seen) RFC822.SIZE 120)\r\nRM1 OK Fetch completed.\r\n",
    "literals": (
        b"* 1 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] {15}\r\n" + HEADER + b")\r\n"
        b"* 2 FETCH (UID 8 BODY[HEADER.FIELDS (SUBJECT)] {15}\r\n" + HEADER + b" FLAGS ())\r\n"
        b"RM1 OK Fetch completed (0.001 + 0.000 secs).\r\n"
    ),
    "two literals in one reply": (b"* 3 FETCH (UID 9 BODY[1] {3}\r\nabc BODY[2] {2}\r\nde)\r\nRM1 OK done\r\n"),
    "binary literal8": b"* 3 FETCH (UID 9 BINARY[1] ~{3}\r\nabc)\r\nRM1 OK done\r\n",
    "news between the replies": (
        b"* 1 FETCH (UID 7 FLAGS ())\r\n* 5 EXISTS\r\n* 1 RECENT\r\n* 3 EXPUNGE\r\n"
        b"* OK [HIGHESTMODSEQ 9] changed\r\n* VANISHED (EARLIER) 1:2\r\n* 2 FETCH (UID 8 FLAGS (\\Flagged))\r\n"
        b"* 4 XTHING {3}\r\nabc rest\r\nRM1 OK [READ-ONLY] done\r\n"
    ),
    "no messages": b"RM1 OK Fetch completed.\r\n",
    "refused": b"* 1 FETCH (UID 7 FLAGS ())\r\nRM1 NO [SERVERBUG] Internal error\r\n",
}


@pytest.mark.parametrize("name", list(REPLIES))
def test_reads_as_imaplib_reads(name: str) -> None:
    assert our_reading(REPLIES[name]) == imaplib_reading(REPLIES[name])


def test_the_replies_of_interest_are_the_fetch_ones() -> None:
    _typ, _data, lines, untagged = our_reading(REPLIES["news between the replies"])
    assert lines == [b"1 (UID 7 FLAGS ())", b"2 (UID 8 FLAGS (\\Flagged))"]
    assert untagged["EXISTS"] == [b"5"] and untagged["EXPUNGE"] == [b"3"]
    assert untagged["HIGHESTMODSEQ"] == [b"9"] and untagged["VANISHED"] == [b"(EARLIER) 1:2"]


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (b"* 1 FETCH (UID 7 FLAGS ())\r\nRM1 BAD Error in IMAP command\r\n", imaplib.IMAP4.error),
        (b"* 1 FETCH (UID 7 FLAGS ())\r\n* BYE Shutting down\r\nRM1 OK done\r\n", imaplib.IMAP4.abort),
        (b"* 1 FETCH (UID 7 BODY[] {40}\r\nonly part of it", imaplib.IMAP4.abort),
        (b"* 1 FETCH (UID 7 FLAGS ())\r\n", imaplib.IMAP4.abort),
        (b"* 1 FETCH (UID 7 FLAGS ())\r\nRM1 OK done", imaplib.IMAP4.abort),
        (b"what is this\r\nRM1 OK done\r\n", imaplib.IMAP4.abort),
        (b"RM9 OK not ours\r\n", imaplib.IMAP4.abort),
    ],
)
def test_fails_as_imaplib_fails(reply: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        imaplib_reading(reply)
    with pytest.raises(error):
        our_reading(reply)
