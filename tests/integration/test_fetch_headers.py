"""The initial sync's header fetch against a real Dovecot: what the fast reply reader takes from FETCH equals
what imapclient reads from the same server, and the attachment mark read from BODYSTRUCTURE equals the one
the full parse of the body gives later."""

from __future__ import annotations

import pytest
from imapclient import IMAPClient

from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.sync import imap_commands
from tests.integration.conftest import append_messages
from tests.integration.sync_support import message

pytestmark = pytest.mark.integration

HEAD = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: =?utf-8?q?r=C3=A9sum=C3=A9?=\r\nMIME-Version: 1.0\r\n"
RELATED = HEAD + (
    b'Content-Type: multipart/related; boundary="r"\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n'
    b'<img src="cid:logo@x">\r\n--r\r\nContent-Type: image/png; name="logo.png"\r\nContent-ID: <logo@x>\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--\r\n"
)
NON_ASCII_NAME = HEAD + (
    b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n'
    b"--m\r\nContent-Type: application/octet-stream\r\n"
    b"Content-Disposition: attachment; filename*=utf-8''%E6%97%A5%E6%9C%AC.bin\r\n\r\nxx\r\n--m--\r\n"
)
FORWARD = HEAD + (
    b'Content-Type: multipart/mixed; boundary="f"\r\n\r\n--f\r\nContent-Type: text/plain\r\n\r\nFYI\r\n'
    b"--f\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n--f--\r\n"
)
ALTERNATIVE = HEAD + (
    b'Content-Type: multipart/alternative; boundary="a"\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\nhi\r\n'
    b"--a\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--a--\r\n"
)
BROKEN = b"Subject: no blank line and no boundary\r\nContent-Type: multipart/mixed\r\n"


def test_header_fetch_equals_imapclient_and_the_full_parse(imap: IMAPClient) -> None:
    samples = [message(1), message(2, attachment=True), RELATED, NON_ASCII_NAME, FORWARD, ALTERNATIVE, BROKEN]
    append_messages(imap, "INBOX", samples, flags=["\\Seen", "$Label1"])
    imap.select_folder("INBOX")

    ours = {f.uid: f for f in imap_commands.fetch_headers(imap, "1:*")}
    items = [imap_commands.HEADER_FIELDS, "FLAGS", "INTERNALDATE", "RFC822.SIZE"]
    uids = imap.search(["ALL"])
    theirs = imap.fetch(uids, items)
    bodies = {uid: values[b"BODY[]"] for uid, values in imap.fetch(uids, ["BODY.PEEK[]"]).items()}

    assert set(ours) == set(theirs) and len(ours) == len(samples)
    for uid, fetched in ours.items():
        expected = theirs[uid]
        header = next(v for k, v in expected.items() if k.startswith(b"BODY[HEADER"))
        assert fetched.header == header
        assert set(fetched.flags) == {f.decode() for f in expected[b"FLAGS"]}
        assert {"\\Seen", "$Label1"} <= set(fetched.flags)
        assert fetched.size == expected[b"RFC822.SIZE"]
        assert fetched.internaldate == int(expected[b"INTERNALDATE"].timestamp())
        assert fetched.has_attachments == read_envelope(bodies[uid]).has_attachments, bodies[uid][:200]
    marks = [ours[uid].has_attachments for uid in sorted(ours)]
    assert marks == [False, True, False, True, True, False, False]


def test_without_bodystructure_the_mark_is_the_content_type_guess(imap: IMAPClient) -> None:
    samples = [message(1), message(2, attachment=True), RELATED, NON_ASCII_NAME, FORWARD, ALTERNATIVE, BROKEN]
    append_messages(imap, "INBOX", samples)
    imap.select_folder("INBOX")

    exact = {f.uid: f for f in imap_commands.fetch_headers(imap, "1:*")}
    guessed = {f.uid: f for f in imap_commands.fetch_headers(imap, "1:*", structure=False)}

    assert set(guessed) == set(exact)
    for uid, fetched in guessed.items():
        assert (fetched.header, fetched.flags, fetched.size) == (exact[uid].header, exact[uid].flags, exact[uid].size)
    # multipart/mixed reads as "files attached": right for the PDF, the named file and the forward; wrong only
    # for the broken one, whose body (stored next) gives the exact mark.
    marks = [guessed[uid].has_attachments for uid in sorted(guessed)]
    assert marks == [False, True, False, True, True, False, True]
