"""Deceptive links in sanitised HTML, and search-term highlighting that never breaks tags or entities."""

from __future__ import annotations

from realmail_desktop.mail import sanitize_html
from realmail_desktop.mail.highlight import MARK_CLOSE, MARK_OPEN, mark_terms
from realmail_desktop.mail.links import deceptive_links


def test_a_link_whose_text_names_another_domain_is_deceptive() -> None:
    clean = sanitize_html(
        '<a href="https://evil.example/login">Log in at <b>PayPal.com</b></a>'
        '<a href="https://www.paypal.com/help">paypal.com</a>'
        '<a href="https://mail.bank.example/">bank.example</a>'
        '<a href="https://paypal.com.evil.example/">paypal.com</a>'
        '<a href="https://news.example/x">Read more</a>'
        '<a href="mailto:x@evil.example">support@paypal.com</a>'
    ).html
    found = deceptive_links(clean)
    assert [(link.shown, link.actual) for link in found] == [
        ("paypal.com", "evil.example"),
        ("paypal.com", "paypal.com.evil.example"),
    ]
    assert found[0].warning == "The link says paypal.com but goes to evil.example"


def test_an_address_in_the_text_is_not_a_domain_claim() -> None:
    clean = sanitize_html('<a href="https://help.example/">write to bob@bank.example</a>').html
    assert deceptive_links(clean) == ()


def test_terms_are_marked_in_text_only() -> None:
    document = '<style>p.budget{color:red}</style><p class="budget" title="Budget">The Budget &amp; budgets</p>'
    marked = mark_terms(document, ["budget", "amp", " "])
    assert marked.count(MARK_OPEN) == 2
    assert f"{MARK_OPEN}Budget{MARK_CLOSE} &amp; {MARK_OPEN}budget{MARK_CLOSE}s" in marked
    assert marked.startswith('<style>p.budget{color:red}</style><p class="budget" title="Budget">')
    assert mark_terms(document, []) == document


def test_terms_with_markup_characters_match_their_escaped_text() -> None:
    assert mark_terms("<p>AT&amp;T and 1 &lt; 2</p>", ["at&t", "1 < 2"]) == (
        f"<p>{MARK_OPEN}AT&amp;T{MARK_CLOSE} and {MARK_OPEN}1 &lt; 2{MARK_CLOSE}</p>"
    )
