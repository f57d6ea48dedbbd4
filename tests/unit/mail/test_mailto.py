"""mailto: links (RFC 6068) read for a new message."""

from __future__ import annotations

from realmail_desktop.mail.headers import Address
from realmail_desktop.mail.mailto import MailtoLink, read_mailto


def test_addresses_subject_body_and_thread() -> None:
    link = (
        "mailto:ann@example.org,Bob%20%3Cbob@example.com%3E?cc=carol@example.net&bcc=dave@example.net"
        "&subject=Gr%C3%BC%C3%9Fe%20%26%20more&body=Line%201%0D%0ALine+2&In-Reply-To=%3Cm1@example.org%3E"
    )
    got = read_mailto(link)
    assert got.to == (Address("", "ann@example.org"), Address("Bob", "bob@example.com"))
    assert got.cc == (Address("", "carol@example.net"),) and got.bcc == (Address("", "dave@example.net"),)
    assert got.subject == "Grüße & more"
    assert got.body == "Line 1\nLine+2"  # "+" is a plus in mailto:, not a space
    assert got.in_reply_to == "<m1@example.org>"


def test_junk_and_other_schemes_give_nothing() -> None:
    assert read_mailto("https://example.org") == MailtoLink()
    assert read_mailto("mailto:") == MailtoLink()
    assert read_mailto("MAILTO:?subject=only") == MailtoLink(subject="only")
