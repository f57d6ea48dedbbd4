"""The files one message may carry, from the SMTP server's SIZE (store/message_size.py)."""

from __future__ import annotations

from realmail_desktop.store.message_size import DEFAULT_ATTACHMENT_LIMIT, MB, MESSAGE_OVERHEAD, attachment_limit


def test_an_unknown_or_unlimited_size_gives_25_mb() -> None:
    assert attachment_limit(0) == DEFAULT_ATTACHMENT_LIMIT == 25 * MB


def test_base64_and_the_headers_take_their_share() -> None:
    assert attachment_limit(4 * MB) == 3 * MB - MESSAGE_OVERHEAD
    assert attachment_limit(2_000_000) == 1_500_000 - 64 * 1024


def test_gmail_announces_about_35_mb_which_leaves_its_25_mb_of_files() -> None:
    limit = attachment_limit(35882577)
    assert 25 * MB < limit < 26 * MB


def test_a_tiny_size_gives_nothing_rather_than_a_negative_limit() -> None:
    assert attachment_limit(1000) == 0
