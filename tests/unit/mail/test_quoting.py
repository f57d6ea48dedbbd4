"""Quoted-text splitting for the conversation view: plain-text quotes and attributions, HTML blockquotes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from realmail_desktop.mail.quoting import (
    collapse_quoted_html,
    has_quoted_text,
    split_quoted_text,
    without_quoted_text,
)

REPLY = """Sounds good, see you then.

Best,
Sam

On Mon, 5 Mar 2024 at 10:00, Alex Morgan <alex@example.org>
wrote:
> Shall we meet on Friday?
>
> > Earlier: what about next week?
"""


def test_quote_lines_and_a_two_line_attribution_are_quoted() -> None:
    parts = split_quoted_text(REPLY)
    assert [p.quoted for p in parts] == [False, True]
    assert parts[0].text == "Sounds good, see you then.\n\nBest,\nSam\n\n"
    assert parts[1].text.startswith("On Mon, 5 Mar 2024")
    assert without_quoted_text(REPLY) == "Sounds good, see you then.\n\nBest,\nSam\n"


def test_interleaved_replies_keep_their_order() -> None:
    text = "Am 5. März schrieb Kim:\n> first question\nAnswer one.\n> second question\nAnswer two.\n"
    parts = split_quoted_text(text)
    assert [(p.quoted, p.text) for p in parts] == [
        (True, "Am 5. März schrieb Kim:\n> first question\n"),
        (False, "Answer one.\n"),
        (True, "> second question\n"),
        (False, "Answer two.\n"),
    ]


def test_outlook_original_message_block_runs_to_the_end() -> None:
    text = "Thanks!\n\n-----Original Message-----\nFrom: Kim\nSubject: numbers\n\nHere they are.\n"
    assert without_quoted_text(text) == "Thanks!\n"


def test_a_body_without_quotes_is_one_own_part() -> None:
    text = "Nothing quoted here.\nA line that ends with wrote:\nNo quote follows.\n"
    assert not has_quoted_text(text)
    assert split_quoted_text(text)[0].text == text


@given(st.text())
def test_parts_join_back_to_the_text(text: str) -> None:
    assert "".join(p.text for p in split_quoted_text(text)) == text


def test_html_blockquotes_and_their_attribution_are_removed() -> None:
    body = (
        "<p>Yes, Friday works.</p><div>On Mon, 5 Mar 2024, Alex wrote:<br></div>"
        "<blockquote><p>Friday?</p><blockquote>Earlier text</blockquote><p>more</p></blockquote>"
        "<p>Sam</p>"
    )
    collapsed, removed = collapse_quoted_html(body)
    assert removed
    assert collapsed == "<p>Yes, Friday works.</p><p>Sam</p>"


def test_html_without_quotes_or_with_broken_tags() -> None:
    assert collapse_quoted_html("<p>Hi</p></blockquote>") == ("<p>Hi</p></blockquote>", False)
    assert collapse_quoted_html("<p>Hi</p><blockquote>never closed") == ("<p>Hi</p>", True)
