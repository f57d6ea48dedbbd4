"""html_to_text for snippets and the index; sanitize_html for the reader."""

from __future__ import annotations

import asyncio
import logging
import re

import nh3
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
        '<a href="vbscript:msgbox(1)">x</a><a href=" java&#x0A;script:alert(1)">y</a>',
        '<img src="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">',
        '<p style="background:url(javascript:alert(1))">x</p>',
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
        "vbscript",
    ):
        assert needle not in cleaned


@pytest.mark.parametrize(
    "html",
    [
        '<img srcset="https://evil.example/a.png 1x, https://evil.example/b.png 2x" src="cid:x">',
        '<picture><source srcset="https://evil.example/a.png"><img src="cid:x"></picture>',
        '<table background="https://evil.example/t.png"><tr><td background=" HTTP://evil.example/c">x</td></tr></table>',
        '<div background="//evil.example/d.png">x</div><body background="https://evil.example/b.png">y</body>',
        '<p style="list-style:url(https://evil.example/l.png);cursor:url(https://evil.example/c.cur)">x</p>',
        '<p style="background-image:-webkit-image-set(&quot;https://evil.example/x.png&quot; 1x)">x</p>',
        '<p style="background:u\\72l(https://evil.example/x.png)">x</p>',
        '<p style="background:attr(data-u url)" data-u="https://evil.example/x.png">x</p>',
        "<style>@import 'https://evil.example/a.css'; @IMPORT url(https://evil.example/b.css);</style>",
        "<style>@font-face{src:url(https://evil.example/f.woff)} p{background:url(//evil.example/p.png)}</style>",
        '<link rel="stylesheet" href="https://evil.example/s.css"><base href="https://evil.example/">',
        '<video poster="https://evil.example/v.png"></video><audio src="https://evil.example/a.mp3"></audio>',
    ],
)
def test_no_remote_url_survives_without_allow_remote(html: str) -> None:
    assert "evil.example" not in _clean(html)


def test_rust_panic_in_nh3_falls_back_to_escaped_text(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class PanicException(BaseException):  # what pyo3 raises for a Rust panic; not importable by name
        pass

    PanicException.__module__ = "pyo3_runtime"

    def panic(*_args: object, **_kwargs: object) -> str:
        raise PanicException("rust panicked on <secret body>")

    monkeypatch.setattr(nh3, "clean", panic)
    html = (
        '<p onclick="x()">Hi &amp; <b>bye</b> &lt;img src=https://evil.example/a&gt;</p>'
        "<script>alert(1)</script><img src=https://evil.example/b><style>p{color:red}</style>"
    )
    with caplog.at_level(logging.WARNING):
        result = sanitize_html(html)
    assert result.remote_blocked == 0
    assert result.html.startswith('<pre style="white-space:pre-wrap">') and result.html.endswith("</pre>")
    body = result.html.removeprefix('<pre style="white-space:pre-wrap">').removesuffix("</pre>")
    assert body == "Hi &amp; bye &lt;img src=https://evil.example/a&gt;"
    assert "<" not in body and ">" not in body  # no tag of the input survives, not even as markup
    assert "onclick" not in result.html and "alert" not in result.html and "color:red" not in result.html
    assert len(caplog.records) == 1
    logged = caplog.records[0].getMessage()
    assert "PanicException" in logged and "secret" not in logged and "bye" not in logged
    assert caplog.records[0].exc_info is None


@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit, GeneratorExit, asyncio.CancelledError])
def test_cancellation_from_nh3_is_not_swallowed(monkeypatch: pytest.MonkeyPatch, error: type[BaseException]) -> None:
    def stop(*_args: object, **_kwargs: object) -> str:
        raise error

    monkeypatch.setattr(nh3, "clean", stop)
    with pytest.raises(error):
        sanitize_html("<p>x</p>")


def test_other_base_exceptions_from_nh3_are_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    class Unrelated(BaseException):
        pass

    def fail(*_args: object, **_kwargs: object) -> str:
        raise Unrelated

    monkeypatch.setattr(nh3, "clean", fail)
    with pytest.raises(Unrelated):
        sanitize_html("<p>x</p>")


def test_style_element_with_attributes_is_still_filtered() -> None:
    # nh3 keeps global attributes (title, class …) on <style>; "<style title=x>" used to skip the filter.
    result = sanitize_html(
        '<style title="x">@import url(https://evil.example/a.css); p{background:url(https://evil.example/b)}</style>'
        '<style class="y" lang="en">q{color:red;position:fixed}</style>'
    )
    assert "evil.example" not in result.html and "position" not in result.html and "@import" not in result.html
    assert "title=" not in result.html and "class=" not in result.html
    assert result.html == "<style>p{}</style><style>q{color:red}</style>"
    assert result.remote_blocked == 1


def test_attribute_value_cannot_pose_as_style_element() -> None:
    cleaned = _clean('<p title="<style>">a</p><style>p{color:red}</style><b title=" src=https://evil.example/x ">b</b>')
    assert "<style" not in cleaned.replace("<style>p{color:red}</style>", "")
    assert cleaned.count("<style>") == 1 and '<p title="' not in cleaned


@pytest.mark.parametrize(
    "css",
    [
        "p{background:u<rl(https://evil.example/x)}",
        "p{background-image:image-<set('https://evil.example/x' 1x)}",
        "p{width:expr<ession(alert(1))}",
        "@imp<ort url(https://evil.example/x.css);",
        "p{background:u<!---->rl(https://evil.example/x)}",
    ],
)
def test_style_sheet_angle_brackets_cannot_assemble_forbidden_css(css: str) -> None:
    # "<" is removed from style sheets; it used to be removed after the checks, so "u<rl(" became "url(".
    cleaned = _clean(f"<style>{css}</style>").lower()
    assert "evil.example" not in cleaned and "expression" not in cleaned
    assert "url(" not in cleaned and "image-set(" not in cleaned and "@import" not in cleaned


@pytest.mark.parametrize(
    "css",
    [
        "p{background-image:u&#114;l(https://evil.example/x)}",
        'p{font-family:"&#34;;background-image:u&#x72;l(https://evil.example/x);&#34;"}',
        "p{width:expr&#101;ssion(alert(1))}",
    ],
)
def test_style_sheet_with_character_references_is_dropped(css: str) -> None:
    # QTextDocument decodes character references inside <style> (browsers do not): "u&#114;l(" loads there.
    assert _clean(f"<style>{css}</style>") == "<style></style>"


def test_style_sheet_ampersands_that_are_no_references_are_kept() -> None:
    assert _clean("<style>p{font-family:'A&B'}</style>") == "<style>p{font-family:'A&B'}</style>"


@pytest.mark.parametrize(
    ("html", "kept"),
    [
        # A CSS string ends at a line break; the old splitter ran it on to the next quote, hiding ";".
        ('<p style="color:&quot;x&#10;;position:fixed;top:0&quot;">x</p>', "<p>x</p>"),
        ("<p style=\"color:'x\n;position:fixed;top:0'\">x</p>", "<p>x</p>"),
        ('<p style="color:red;font-family:&quot;x">x</p>', '<p style="color:red">x</p>'),
        # A ")" inside a string does not close "(": the old splitter closed it and took the next quote as
        # the start of a string, while CSS ends the block and starts a new declaration at ";".
        ('<p style="color:(&quot;)&quot;);position:fixed;&quot;">x</p>', '<p style="color:(&quot;)&quot;)">x</p>'),
        ('<p style="color:x(;position:fixed;color:red">x</p>', "<p>x</p>"),
        ('<p style="color:red;width:calc(1px">x</p>', '<p style="color:red">x</p>'),
    ],
)
def test_style_attribute_is_split_like_css_splits_it(html: str, kept: str) -> None:
    assert _clean(html) == kept


@pytest.mark.parametrize(
    "css",
    [
        # After "p[x=\"a" + line break became one line, the string ran on to the next quote and a
        # browser read 'body{background:url(…)}' (a selector string here) as a rule.
        '@media all{p[x="a\n]{color:red} q[y="}body{background:url(https://evil.example/x)}"]{color:blue}}',
        'p{color:(")");position:fixed;"}',
        "p{color:'x}",
    ],
)
def test_style_sheet_with_unterminated_string_is_dropped(css: str) -> None:
    assert _clean(f"<style>{css}</style>") == "<style></style>"


@pytest.mark.parametrize(
    ("css", "kept"),
    [
        # An open "(" in a declaration swallows the "}" in a browser, so the next "selector" is read as
        # part of the block.
        ("p{color:x(} a{color:red}", "p{}a{color:red}"),
        ("p:is(.a{color:red} ) b{color:blue}", ""),
        ("a[href{color:red} b{color:blue}", "b{color:blue}"),
        ('a[title="url(https://evil.example/x)"]{color:red} b{color:blue}', "b{color:blue}"),
        ("@supports (background:url(https://evil.example/x)){p{color:red}} b{color:blue}", "b{color:blue}"),
    ],
)
def test_style_sheet_unbalanced_or_loading_heads_are_dropped(css: str, kept: str) -> None:
    assert _clean(f"<style>{css}</style>") == f"<style>{kept}</style>"


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


def test_style_sheet_comments_cannot_join_into_new_comments() -> None:
    # Dropping "/**/" from "a//**/*" used to leave "a/*": in a browser that comment ran on to the "*/" in
    # the next selector's string and brought 'body{position:fixed}' to life.
    cleaned = _clean('<style>a//**/*{color:red} b[x="*/}body{position:fixed}"]{color:blue}</style>')
    assert cleaned == '<style>a/ *{color:red}b[x="*/}body{position:fixed}"]{color:blue}</style>'
    # Two tokens, "u" and "rl(", for a browser as for the filter: never "url(".
    cleaned = _clean("<style>p{color:red/**/;background:u/**/rl(https://evil.example/x)}</style>")
    assert cleaned.startswith("<style>p{color:red;") and "url(" not in cleaned
