"""HTML mail bodies: fast text extraction for snippets and the index, and sanitising for display (nh3)."""

from __future__ import annotations

import asyncio
import html as html_entities
import re
from dataclasses import dataclass

import nh3

from realmail_desktop.core.logs import get_logger
from realmail_desktop.mail.css import CssFilter
from realmail_desktop.mail.html_policy import (
    ATTRIBUTES,
    BLOCK_ELEMENTS,
    DROP_WITH_CONTENT,
    INLINE_ELEMENTS,
    TAGS,
    URL_SCHEMES,
)

_log = get_logger("mail")

# ---- text extraction -------------------------------------------------------------------------------

_HIDDEN = ("script", "style", "head", "title", "noscript", "template", "svg", "math", "!--")
# Elements that may legitimately lack their end tag: dropping to the end of the text would lose the body.
_SOFT_HIDDEN = frozenset({"head", "title"})
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789-:")
# `[^<>]*` keeps an unclosed "<" from scanning to the end of a 20 MB document (and again from the next one).
_TAG = re.compile(r"<(?:(/?[a-zA-Z][a-zA-Z0-9]*)|[!?])[^<>]*>")


def _tag_text() -> dict[str | None, str]:
    """What each start and end tag becomes in text; None stands for a comment or doctype."""
    table: dict[str | None, str] = {None: ""}
    for names, text in ((BLOCK_ELEMENTS, "\n"), (("td", "th"), " "), (INLINE_ELEMENTS, "")):
        for name in names:
            table[name] = table[name.upper()] = text
            # An item's end tag adds nothing: "</li><li>" is one line break, not a blank line.
            end_text = "" if name in ("li", "dt", "dd", "tr") else text
            table[f"/{name}"] = table[f"/{name.upper()}"] = end_text
    return table


_TAG_TEXT = _tag_text()


def _find_open(probe: bytes, kind: str, pos: int) -> int:
    token = f"<{kind}".encode()
    while True:
        index = probe.find(token, pos)
        after = index + len(token)
        if index < 0 or kind == "!--" or after >= len(probe) or probe[after] not in _NAME_BYTES:
            return index
        pos = after  # "<header" is not "<head"


def _find_close(probe: bytes, kind: str, pos: int) -> int:
    """Index just past the end tag (or "-->") closing `kind`, or -1."""
    if kind == "!--":
        index = probe.find(b"-->", pos)
        return index + 3 if index >= 0 else -1
    token = f"</{kind}".encode()
    while True:
        index = probe.find(token, pos)
        after = index + len(token)
        if index < 0:
            return -1
        if after >= len(probe) or probe[after] not in _NAME_BYTES:
            end = probe.find(b">", after)
            return end + 1 if end >= 0 else len(probe)
        pos = after


def _drop_hidden(source: str) -> str:
    # An ASCII probe with one byte per character: tag names are ASCII, so bytes.find (memchr speed)
    # locates them case-insensitively at the same offsets as in `source`.
    probe = source.encode("ascii", "replace").lower()
    next_at = {kind: _find_open(probe, kind, 0) for kind in _HIDDEN}
    out: list[str] = []
    pos = 0
    while True:
        found = [(index, kind) for kind, index in next_at.items() if index >= 0]
        if not found:
            out.append(source[pos:])
            break
        start, kind = min(found)
        close = _find_close(probe, kind, start + len(kind) + 1)
        if close >= 0:
            out.append(source[pos:start])
            pos = close
        elif kind in _SOFT_HIDDEN:
            # No end tag after this one means none after any later one either: stop looking. The tag
            # itself is stripped with the others and what follows it stays.
            next_at[kind] = -1
            continue
        else:
            out.append(source[pos:start])
            pos = len(source)  # browsers treat an unclosed script, style or comment as running to the end
        for other, index in next_at.items():
            if 0 <= index < pos:
                next_at[other] = _find_open(probe, other, pos)
    return "".join(out)


def _collapse(text: str, run: str, into: str) -> str:
    while run in text:
        text = text.replace(run, into)
    return text


def html_to_text(html: str) -> str:
    """Readable text of an HTML document: hidden parts dropped, blocks as lines, entities decoded."""
    if not html:
        return ""
    # HTML white space (line breaks included) is one space; str.split() does that at C speed.
    text = " ".join(_drop_hidden(html).split())
    parts = _TAG.split(text)
    text_for = _TAG_TEXT.get
    # re.split puts each tag name at the odd indexes: one lookup each instead of a callback per match.
    parts[1::2] = [
        known if (known := text_for(name)) is not None else text_for(name.lower(), "") for name in parts[1::2]
    ]
    text = "".join(parts)
    if "&" in text:
        text = html_entities.unescape(text)
    text = _collapse(text.replace("\xa0", " ").replace("\t", " "), "  ", " ")
    text = text.replace(" \n", "\n").replace("\n ", "\n")
    return _collapse(text, "\n\n\n", "\n\n").strip()


# ---- sanitising -------------------------------------------------------------------------------------

_STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.S)
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpe?g|gif|webp|bmp)[;,]", re.I)


@dataclass(frozen=True)
class SanitizedHtml:
    """HTML safe to show with scripts off; `remote_blocked` counts remote images/CSS URLs removed."""

    html: str
    remote_blocked: int


class _Filter:
    """nh3 attribute filter for one document; counts what it blocks."""

    def __init__(self, allow_remote: bool) -> None:
        self.allow_remote = allow_remote
        self.remote_blocked = 0
        self.css = CssFilter(self.image_url)

    def image_url(self, value: str) -> str | None:
        # nh3 calls the filter before `_absolute_or_nothing` rewrites "//host/…", so both forms arrive here.
        url = value.strip()
        lower = url.lower()
        if lower.startswith("cid:") or _DATA_IMAGE.match(lower):
            return url
        if lower.startswith(("http:", "https:", "//")):
            if self.allow_remote:
                return f"https:{url}" if url.startswith("//") else url
            self.remote_blocked += 1
        return None

    def attribute(self, tag: str, name: str, value: str) -> str | None:
        if tag == "style" or ("<" in value and "<style" in value.lower()):
            # `_filter_style_sheets` finds style elements by a bare "<style>": none may have attributes
            # (`title` would also make an alternate style sheet), and no attribute value may hold one,
            # whether or not the serialiser escapes "<" in attribute values.
            return None
        if name == "style":
            return self.css.declarations(value) or None
        if name == "href":
            return value if value.strip().lower().startswith(("http:", "https:", "mailto:", "//")) else None
        if name == "src":
            return self.image_url(value) if tag == "img" else None
        if name == "background":
            return self.image_url(value)
        return value


def _absolute_or_nothing(url: str) -> str | None:
    # Protocol-relative URLs ("//host/x.png") count as https; a mail has no base for other relative URLs.
    return f"https:{url}" if url.startswith("//") else None


# Must never be swallowed, whatever nh3 does.
_CANCELLATION = (KeyboardInterrupt, SystemExit, GeneratorExit, asyncio.CancelledError)


def _is_rust_panic(error: BaseException) -> bool:
    """A pyo3 PanicException (a BaseException); `pyo3_runtime` cannot be imported by name to catch it."""
    return any(kind.__module__ == "pyo3_runtime" or kind.__name__ == "PanicException" for kind in type(error).__mro__)


def _as_text(html: str, error: BaseException) -> SanitizedHtml:
    # One line, no content (the exception message may quote the message): a mail must not leak into logs.
    _log.warning("sanitising a %d-character HTML body failed (%s); showing it as text", len(html), type(error).__name__)
    return SanitizedHtml(f'<pre style="white-space:pre-wrap">{html_entities.escape(html_to_text(html))}</pre>', 0)


def _filter_style_sheets(cleaned: str, rules: _Filter) -> str:
    return _STYLE_ELEMENT.sub(lambda match: f"<style>{rules.css.stylesheet(match.group(1))}</style>", cleaned)


def sanitize_html(html: str, *, allow_remote: bool = False) -> SanitizedHtml:
    """Allow-listed HTML for the reader; remote images and CSS URLs only with `allow_remote`.

    Never raises for bad input: if nh3 fails (an exception, or a Rust panic, which pyo3 raises as a
    BaseException), the document's text is shown escaped instead.
    """
    if not html:
        return SanitizedHtml("", 0)
    rules = _Filter(allow_remote)
    try:
        cleaned = nh3.clean(
            html,
            tags=set(TAGS),
            clean_content_tags=set(DROP_WITH_CONTENT),
            attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
            attribute_filter=rules.attribute,
            url_schemes=set(URL_SCHEMES),
            url_relative=_absolute_or_nothing,
            link_rel="noopener noreferrer",
            strip_comments=True,
        )
    except _CANCELLATION:
        raise
    except Exception as error:
        return _as_text(html, error)
    except BaseException as error:
        if not _is_rust_panic(error):
            raise
        return _as_text(html, error)
    if "<style>" in cleaned:
        cleaned = _filter_style_sheets(cleaned, rules)
    return SanitizedHtml(cleaned, rules.remote_blocked)
