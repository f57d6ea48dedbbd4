"""html_to_text for snippets and the index; sanitize_html for the reader."""

from __future__ import annotations

import re

import pytest

from realmail_desktop.mail.html import html_to_text, sanitize_html


def test_html_to_text_blocks_entities_and_hidden_parts() -> None:
    html = (
        "<!DOCTYPE html><html><HEAD><title>Title</title><style>p{color:red}</style></HEAD><body>"
        "<h1>Head&shy;line</h1><P>One&nbsp;<b>two</b> &amp; three</P><div>four<br>five</div>"
        "<table><tr><td>a</td><TD>b</td></tr></table><!-- hidden --><script>var x = 1;</script>"
        "<ul><li>x</li><li>y</li></ul>&#x263A; &euro;</body></html>"
    )
    assert html_to_text(html) == "Head\xadline\n\nOne two & three\n\nfour\nfive\n\na b\n\nx\ny\n☺ €"


def test_html_to_text_keeps_text_after_unclosed_head_and_drops_unclosed_script() -> None:
    assert html_to_text("<head><title>t</title><p>body text") == "body text"
    assert html_to_text("<p>shown</p><script>never closed <p>hidden") == "shown"
    assert html_to_text("a <header>kept</header> b") == "a\nkept\nb"


def test_html_to_text_leaves_stray_angle_brackets() -> None:
    assert html_to_text("if a < b and c>d then <b>x</b>") == "if a < b and c>d then x"


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "html",
    [
        "<div class='x'><p>Hello <b>world</b> &amp; <a href='https://x'>link</a></p></div>\n" * 250_000,
        "<a<b<c<d" * 2_500_000,
        "<head " * 3_000_000,
        "<!--" + "x" * 20_000_000,
    ],
    ids=["20MB-newsletter", "unclosed-tags", "unclosed-heads", "unclosed-comment"],
)
def test_html_to_text_is_linear_on_twenty_megabytes(html: str) -> None:
    assert len(html) >= 18_000_000
    text = html_to_text(html)
    assert "<b>" not in text and "<p>" not in text


def _clean(html: str, **options: bool) -> str:
    return sanitize_html(html, **options).html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src="x.png" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<iframe src="https://evil.example/"></iframe>',
        '<form action="https://evil.example/"><input name="password"></form>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
        '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/y">',
        '<svg><script>alert(1)</script></svg><svg onload="alert(1)"/>',
        '<link rel="stylesheet" href="https://evil.example/x.css"><base href="https://evil.example/">',
        '<p style="width:expression(alert(1))">x</p>',
        '<div style="behavior:url(x.htc);-moz-binding:url(x.xml)">x</div>',
        '<body onload="alert(1)">x</body>',
    ],
)
def test_sanitizer_removes_active_content(attack: str) -> None:
    cleaned = _clean(attack).lower()
    for needle in (
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "<iframe",
        "<form",
        "<input",
        "<meta",
        "<object",
        "<embed",
        "<svg",
        "<link",
        "<base",
        "expression",
        "behavior",
        "binding",
        "data:text",
    ):
        assert needle not in cleaned


def test_fixed_position_css_is_dropped_but_harmless_css_kept() -> None:
    cleaned = _clean('<div style="position:fixed; top:0; color: red; font-size:12px">x</div>')
    assert "position" not in cleaned and "top" not in cleaned
    assert 'style="color:red;font-size:12px"' in cleaned


def test_links_get_noopener_and_only_safe_schemes() -> None:
    cleaned = _clean('<a href="https://example.com">a</a><a href="mailto:x@example.com">b</a><a href="ftp://x">c</a>')
    assert cleaned.count('rel="noopener noreferrer"') == 3
    assert 'href="https://example.com"' in cleaned
    assert 'href="mailto:x@example.com"' in cleaned
    assert "ftp:" not in cleaned


def test_remote_images_are_removed_and_counted() -> None:
    result = sanitize_html(
        '<img src="https://tracker.example/p.gif" width="1"><img src="//cdn.example/a.png">'
        '<table background="http://x.example/bg.png"><tr><td style="background:url(https://x.example/c.png);color:red">'
        "x</td></tr></table>"
    )
    assert "tracker.example" not in result.html and "cdn.example" not in result.html
    assert "x.example" not in result.html
    assert 'style="color:red"' in result.html
    assert result.remote_blocked == 4


def test_remote_images_are_kept_when_allowed() -> None:
    result = sanitize_html(
        '<img src="https://example.com/a.png"><div style="background-image:url(https://example.com/b.png)">x</div>',
        allow_remote=True,
    )
    assert 'src="https://example.com/a.png"' in result.html
    assert "url(https://example.com/b.png)" in result.html
    assert result.remote_blocked == 0


def test_cid_and_data_images_are_always_kept() -> None:
    result = sanitize_html('<img src="cid:logo@example.com"><img src="data:image/png;base64,iVBORw0KGgo=">')
    assert 'src="cid:logo@example.com"' in result.html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in result.html
    assert result.remote_blocked == 0


def test_svg_data_images_and_relative_urls_are_dropped() -> None:
    cleaned = _clean('<img src="data:image/svg+xml;base64,PHN2Zz4="><img src="local.png"><a href="/path">x</a>')
    assert "svg" not in cleaned and "local.png" not in cleaned and "/path" not in cleaned


def test_style_element_is_filtered_not_dropped() -> None:
    result = sanitize_html(
        "<style>/* c */ @import url(https://evil.example/x.css); p { color: red; position: fixed; "
        "background: url(http://t.example/p.gif) } @media (max-width: 600px) { .a { width: 100% } } "
        "@font-face { font-family: X; src: url(https://f.example/x.woff) }</style><p class='a'>x</p>"
    )
    style = re.search(r"<style>(.*)</style>", result.html, re.S)
    assert style is not None
    css = style.group(1)
    assert "color:red" in css and "width:100%" in css
    assert "evil.example" not in css and "t.example" not in css and "f.example" not in css
    assert "position" not in css and "@import" not in css
    assert result.remote_blocked == 1


def test_style_element_cannot_be_closed_by_comment_tricks() -> None:
    cleaned = _clean('<style>p{color:red}</sty/**/le><img src="https://evil.example/x"></style>')
    css = cleaned.removeprefix("<style>").removesuffix("</style>")
    assert "<" not in css  # what was "</sty/**/le><img …>" is inert text inside the style element
    assert cleaned.count("<style>") == cleaned.count("</style>") == 1


def test_css_escapes_are_refused() -> None:
    cleaned = _clean('<p style="background:\\75 rl(https://evil.example/x)">x</p><style>p{color:\\72 ed}</style>')
    assert "evil.example" not in cleaned
    assert "\\" not in cleaned


def test_tables_and_formatting_survive() -> None:
    html = (
        '<table width="600" cellpadding="4" bgcolor="#fff"><tr><td colspan="2" align="center">'
        '<font color="red" face="Arial">x</font></td></tr></table>'
    )
    cleaned = _clean(html)
    for kept in (
        'width="600"',
        'cellpadding="4"',
        'bgcolor="#fff"',
        'colspan="2"',
        'align="center"',
        'color="red"',
        'face="Arial"',
    ):
        assert kept in cleaned


def test_empty_html() -> None:
    assert sanitize_html("").html == ""
    assert html_to_text("") == ""
