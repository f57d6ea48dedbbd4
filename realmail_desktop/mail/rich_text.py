"""Composer rich text → the HTML we send and its faithful plain-text twin (lists, links, quotes kept).

The composer's editor (QTextEdit) exports a whole styled document: bold is `<span style="font-weight:700">`,
and a quote is a paragraph with `margin-left: 40px` per level (Qt drops `<blockquote>` on export). This
module reads that — or ordinary HTML with <b>, <i>, <blockquote> — into paragraphs and writes both parts of
a multipart/alternative from the same reading, so the plain part says what the HTML says:
lists as `- ` / `1. `, links as `text <url>`, quotes as `> `.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

QUOTE_INDENT_PX = 40  # the composer's quote: one level per 40 px of left margin


@dataclass(slots=True)
class _Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    href: str = ""
    image: str = ""  # an <img src>, text is its alt


@dataclass(slots=True)
class _Block:
    quote: int = 0
    list_kind: str = ""  # "ul" / "ol" / ""
    list_depth: int = 0
    number: int = 0
    heading: int = 0
    preformatted: bool = False
    runs: list[_Run] = field(default_factory=list)

    def text(self) -> str:
        return "".join(r.text for r in self.runs)


_STYLE_MARGIN = re.compile(r"margin-left:\s*(\d+)px")
_STYLE_LIST_INDENT = re.compile(r"-qt-list-indent:\s*(\d+)")
_BLOCK_TAGS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "tr", "dt", "dd"})
_SKIP_TAGS = frozenset({"head", "style", "script", "title"})


@dataclass(slots=True)
class _Inline:
    tag: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    href: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._current: _Block | None = None
        self._quote = 0
        self._quote_stack: list[int] = []  # what each open block element added to the quote depth
        self._lists: list[list[object]] = []  # [kind, next number]
        self._inline: list[_Inline] = []
        self._skip = 0
        self._pre = 0

    # --- blocks
    def _open_block(self, tag: str, attrs: dict[str, str]) -> None:
        style = attrs.get("style", "")
        margin = _STYLE_MARGIN.search(style)
        extra = int(margin.group(1)) // QUOTE_INDENT_PX if margin else 0
        block = _Block(quote=self._quote + extra, preformatted=self._pre > 0 or tag == "pre")
        if tag == "li" and self._lists:
            kind, number = self._lists[-1]
            block.list_kind, block.number, block.list_depth = str(kind), int(str(number)), len(self._lists)
            self._lists[-1][1] = int(str(number)) + 1
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            block.heading = int(tag[1])
        self.blocks.append(block)
        self._current = block

    def _block(self) -> _Block:
        if self._current is None:
            self._open_block("p", {})
        assert self._current is not None
        return self._current

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        if tag == "blockquote":
            self._quote += 1
            self._current = None
        elif tag in ("ul", "ol"):
            start = attrs.get("start", "1")
            self._lists.append([tag, int(start) if start.isdigit() else 1])
            self._current = None
        elif tag == "pre":
            self._pre += 1
            self._open_block(tag, attrs)
        elif tag in _BLOCK_TAGS:
            self._open_block(tag, attrs)
        elif tag == "br":
            block = self._block()
            block.runs.append(_Run("\n"))
        elif tag == "img":
            src = attrs.get("src", "")
            self._block().runs.append(self._run(attrs.get("alt", ""), image=src))
        elif tag in ("b", "strong", "i", "em", "u", "a", "span"):
            style = attrs.get("style", "")
            self._inline.append(
                _Inline(
                    tag,
                    bold=tag in ("b", "strong") or bool(re.search(r"font-weight:\s*(6|7|8|9)00|bold", style)),
                    italic=tag in ("i", "em") or "font-style:italic" in style.replace(" ", ""),
                    underline=tag == "u" or ("underline" in style and not self._in_link()),
                    href=attrs.get("href", "") if tag == "a" else "",
                )
            )

    def _in_link(self) -> bool:
        return any(i.href for i in self._inline)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag == "blockquote":
            self._quote = max(0, self._quote - 1)
            self._current = None
        elif tag in ("ul", "ol"):
            if self._lists:
                self._lists.pop()
            self._current = None
        elif tag in _BLOCK_TAGS:
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            self._current = None
        elif tag in ("b", "strong", "i", "em", "u", "a", "span"):
            for index in range(len(self._inline) - 1, -1, -1):
                if self._inline[index].tag == tag:
                    del self._inline[index]
                    break

    def _run(self, text: str, image: str = "") -> _Run:
        return _Run(
            text,
            bold=any(i.bold for i in self._inline),
            italic=any(i.italic for i in self._inline),
            underline=any(i.underline for i in self._inline),
            href=next((i.href for i in reversed(self._inline) if i.href), ""),
            image=image,
        )

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre == 0:
            data = data.replace("\r", "").replace("\n", " ")
            if self._current is None and not data.strip():
                return  # white space between blocks
        self._block().runs.append(self._run(data.replace("\u2029", "\n").replace("\u2028", "\n")))


def _read(source: str) -> list[_Block]:
    reader = _Reader()
    reader.feed(source)
    reader.close()
    return reader.blocks


@dataclass(frozen=True, slots=True)
class RichText:
    """One rich body in both forms: `html` (a small clean document) and `text` (its plain twin)."""

    html: str
    text: str
    image_sources: tuple[str, ...]  # every <img src> kept (cid: URLs of inline images)


def _run_html(run: _Run) -> str:
    if run.image:
        return f'<img src="{html.escape(run.image)}" alt="{html.escape(run.text)}">'
    out = html.escape(run.text, quote=False).replace("\n", "<br>")
    if run.underline:
        out = f"<u>{out}</u>"
    if run.italic:
        out = f"<i>{out}</i>"
    if run.bold:
        out = f"<b>{out}</b>"
    if run.href:
        out = f'<a href="{html.escape(run.href)}">{out}</a>'
    return out


def _merged_runs(runs: list[_Run]) -> list[_Run]:
    """Adjacent runs of one link become one (Qt splits a link's text into styled spans)."""
    merged: list[_Run] = []
    for run in runs:
        last = merged[-1] if merged else None
        if (
            last is not None
            and not run.image
            and not last.image
            and (last.bold, last.italic, last.underline, last.href) == (run.bold, run.italic, run.underline, run.href)
        ):
            last.text += run.text
        else:
            merged.append(_Run(run.text, run.bold, run.italic, run.underline, run.href, run.image))
    return merged


def _blocks_html(blocks: list[_Block]) -> str:
    out: list[str] = []
    quote = 0
    lists: list[str] = []
    for block in blocks:
        want_lists = [block.list_kind] * block.list_depth if block.list_kind else []
        # Close lists that end here (and all of them before a quote level changes).
        while lists and (block.quote != quote or len(lists) > len(want_lists) or lists != want_lists[: len(lists)]):
            out.append(f"</{lists.pop()}>")
        while quote < block.quote:
            out.append('<blockquote type="cite">')
            quote += 1
        while quote > block.quote:
            out.append("</blockquote>")
            quote -= 1
        while len(lists) < len(want_lists):
            kind = want_lists[len(lists)]
            start = (
                f' start="{block.number}"'
                if kind == "ol" and block.number != 1 and len(lists) == len(want_lists) - 1
                else ""
            )
            out.append(f"<{kind}{start}>")
            lists.append(kind)
        inner = "".join(_run_html(r) for r in _merged_runs(block.runs)) or "<br>"
        if block.list_kind:
            out.append(f"<li>{inner}</li>")
        elif block.heading:
            out.append(f"<h{block.heading}>{inner}</h{block.heading}>")
        elif block.preformatted:
            out.append(f"<pre>{inner}</pre>")
        else:
            out.append(f"<p>{inner}</p>")
    while lists:
        out.append(f"</{lists.pop()}>")
    out.extend("</blockquote>" for _ in range(quote))
    body = "\n".join(out)
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n{body}\n</body></html>\n'


def _run_text(run: _Run) -> str:
    if run.image:
        return f"[{run.text}]" if run.text else ""
    if run.href:
        target = run.href.removeprefix("mailto:")
        label = run.text.strip()
        if not label or label in (run.href, target):
            return target
        return f"{run.text} <{target}>"
    return run.text


def _blocks_text(blocks: list[_Block]) -> str:
    lines: list[str] = []
    previous: _Block | None = None
    for block in blocks:
        text = "".join(_run_text(r) for r in _merged_runs(block.runs)).rstrip(" ")
        if not block.preformatted:
            text = text.replace("\u00a0", " ")
        prefix = "> " * block.quote
        if previous is not None and previous.quote != block.quote and lines and lines[-1].strip(">").strip():
            # A blank line where a quote starts or ends, quoted at the shallower depth.
            lines.append(("> " * min(previous.quote, block.quote)).rstrip())
        if block.list_kind:
            marker = "- " if block.list_kind == "ul" else f"{block.number}. "
            indent = "   " * (block.list_depth - 1)
            body_lines = text.split("\n")
            lines.append(f"{prefix}{indent}{marker}{body_lines[0]}".rstrip())
            lines.extend(f"{prefix}{indent}{' ' * len(marker)}{more}".rstrip() for more in body_lines[1:])
        else:
            lines.extend(f"{prefix}{line}".rstrip() if line else prefix.rstrip() for line in text.split("\n"))
        previous = block
    return "\n".join(lines).rstrip("\n") + "\n" if lines else ""


def read_rich_text(source: str) -> RichText:
    """The composer's HTML (Qt's export or plain HTML) as clean HTML and plain text. Never raises."""
    blocks = _read(source)
    for block in blocks:
        if [r.text for r in block.runs] == ["\n"] and not block.runs[0].image:
            block.runs = []  # <p><br></p>: an empty line, not two
    while blocks and not blocks[-1].text().strip() and not any(r.image for r in blocks[-1].runs):
        blocks.pop()  # trailing empty paragraphs Qt keeps
    images = tuple(r.image for b in blocks for r in b.runs if r.image)
    return RichText(html=_blocks_html(blocks), text=_blocks_text(blocks), image_sources=images)


EMPTY_STYLE = "-qt-paragraph-type:empty"  # QTextDocument's own mark of an empty line (a lone <br> makes two)


def text_to_html(text: str) -> str:
    """Plain text as the rich editor's HTML (a reply quote, a signature): `>` lines become quote paragraphs."""
    out: list[str] = []
    for line in text.split("\n"):
        depth, rest = 0, line
        while rest.startswith(">"):
            depth += 1
            rest = rest[1:].removeprefix(" ")
        styles = [f"margin-left:{QUOTE_INDENT_PX * depth}px"] if depth else []
        inner = html.escape(rest, quote=False)
        if not inner:
            styles.append(EMPTY_STYLE)
            inner = "<br>"
        style = f' style="{"; ".join(styles)}"' if styles else ""
        out.append(f"<p{style}>{inner}</p>")
    return "\n".join(out)


def editor_html(clean: str) -> str:
    """HTML this module wrote (a reopened draft) as the editor should load it: empty lines stay single."""
    return clean.replace("<p><br></p>", f'<p style="{EMPTY_STYLE}"><br></p>')
