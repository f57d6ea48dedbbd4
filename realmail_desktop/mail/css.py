"""CSS inside mail HTML: style attributes and style sheets cut down to allow-listed, non-loading declarations.

nh3 cannot filter CSS while keeping <style> elements, so this module does it: declarations keep only
properties from `html_policy.CSS_PROPERTIES`; a `url()` survives only in backgrounds and only where the
caller's `image_url` accepts it (cid:, data:image, or remote when the person allowed remote content).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from realmail_desktop.mail.html_policy import CSS_FORBIDDEN, CSS_PROPERTIES

ImageUrl = Callable[[str], str | None]

# CSS Syntax §4 tokens for splitting a declaration list: a string ends at its quote or, unterminated (a
# "bad string"), before a line break; brackets and ";" stand alone; everything else is carried as text.
_PIECE = re.compile(r"""["][^"\n\r\f]*["]?|['][^'\n\r\f]*[']?|[^"';()\[\]{}]+|.""", re.S)
_CLOSING = {"(": ")", "[": "]", "{": "}"}
_MSO_PROPERTY = re.compile(r"mso-[a-z0-9-]+")
_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
# CSS Syntax §4 tokens that matter for structure: strings (a "}" inside one closes nothing), comments,
# braces and semicolons; everything else is carried along as text.
_TOKEN = re.compile(
    r"""["](?:[^"\\\n\r\f]|\\.)*["]?|['](?:[^'\\\n\r\f]|\\.)*[']?|/\*.*?(?:\*/|\Z)|[{};]|[^"'{};/]+|/""", re.S
)
# At-rules whose blocks hold rules (filtered further); the blocks of all others (@font-face, @page,
# @keyframes …) are dropped, and statement at-rules (@import, @namespace, @charset) go with their ";".
_GROUPING_RULES = ("@media", "@supports")


class CssFilter:
    """Filters the CSS of one document; `image_url` decides (and counts) every URL met."""

    def __init__(self, image_url: ImageUrl) -> None:
        self._image_url = image_url

    def declaration(self, declaration: str) -> str | None:
        name, colon, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if not colon or not value or not (name in CSS_PROPERTIES or _MSO_PROPERTY.fullmatch(name)):
            return None
        lower = value.lower()
        if any(bad in lower for bad in CSS_FORBIDDEN) or not _closed(value):
            return None
        if "url(" in lower:
            if name not in ("background", "background-image"):
                return None
            urls = list(_URL.finditer(value))
            if len(urls) != lower.count("url("):
                return None
            # A list, not a generator: every URL must be seen so that each blocked one is counted.
            if not all([self._image_url(url.group(1) or url.group(2) or url.group(3) or "") for url in urls]):
                return None
        return f"{name}:{value}"

    def declarations(self, css: str) -> str:
        """A style attribute's value (or a rule's block) with only the allowed declarations."""
        kept = [self.declaration(declaration) for declaration in _split_declarations(_without_comments(css))]
        return ";".join(declaration for declaration in kept if declaration)

    def stylesheet(self, css: str) -> str:
        """A <style> element's text rebuilt from its rules, each block filtered like a style attribute."""
        # Nothing inside a style element may look like a tag; and "<" goes before any check, or
        # "u<rl(" would pass them all and become "url(" afterwards.
        css = css.replace("<!--", "").replace("-->", "").replace("<", "")
        # Escapes can spell "url(" or "expression" past any check; so can character references, which
        # QTextDocument decodes inside <style> (browsers do not): "u&#114;l(" loads in a QTextBrowser.
        if "\\" in css or html.unescape(css) != css:
            return ""
        sheet = _StyleSheet(self)
        for piece in _TOKEN.findall(css):
            if piece[0] in "\"'" and (len(piece) < 2 or piece[-1] != piece[0]):
                # An unterminated string: read again without the line break (heads are joined into one
                # line) it would swallow what follows, and a later quote could bring a hidden rule to life.
                return ""
            if piece == "{":
                sheet.open_block()
            elif piece == "}":
                sheet.close_block()
            else:
                # A comment separates tokens; dropped outright it could join "a/" and "*b" into a new
                # "/*" that hides the rest of the rebuilt sheet up to some "*/" from a browser.
                sheet.add(" " if piece.startswith("/*") else piece)
        return sheet.finish()


class _StyleSheet:
    """Rebuilds a style sheet while reading its pieces; blocks it cannot vouch for are left out."""

    def __init__(self, css: CssFilter) -> None:
        self.css = css
        self.out: list[str] = []
        self.blocks: list[str] = []  # "rules", "declarations" or "skip", innermost last
        self.prelude: list[str] = []
        self.body: list[str] = []

    @property
    def inside(self) -> str:
        return self.blocks[-1] if self.blocks else "rules"

    def open_block(self) -> None:
        head = " ".join("".join(self.prelude).split())
        self.prelude = []
        if self.inside != "rules":
            # A nested rule (CSS Nesting) is not kept; its selector is not a declaration either.
            if self.inside == "declarations":
                ends = [index for index, piece in enumerate(self.body) if piece == ";"]
                del self.body[ends[-1] + 1 if ends else 0 :]
            self.blocks.append("skip")
        elif not _safe_head(head):
            self.blocks.append("skip")
        elif head.lower().startswith(_GROUPING_RULES):
            self.out.append(head + "{")
            self.blocks.append("rules")
        elif head and not head.startswith("@"):
            self.out.append(head + "{")
            self.blocks.append("declarations")
            self.body = []
        else:
            self.blocks.append("skip")

    def close_block(self) -> None:
        self.prelude = []  # text before a "}" that no "{" followed is no rule
        if not self.blocks:
            return
        closed = self.blocks.pop()
        if closed == "declarations":
            self.out.append(self.css.declarations("".join(self.body)) + "}")
        elif closed == "rules":
            self.out.append("}")

    def add(self, piece: str) -> None:
        if self.inside == "declarations":
            self.body.append(piece)
        elif self.inside == "rules":
            # A ";" ends a statement at-rule (@import, @namespace, @charset): it is dropped.
            if piece == ";":
                self.prelude = []
            else:
                self.prelude.append(piece)

    def finish(self) -> str:
        while self.blocks:  # unclosed blocks end with the style sheet
            self.close_block()
        return "".join(self.out)


def _split_declarations(css: str) -> list[str]:
    """A declaration list cut where CSS cuts it: at each ";" outside strings and (), [] and {} blocks."""
    declarations: list[str] = []
    current: list[str] = []
    expected: list[str] = []  # closing brackets awaited, innermost last
    for piece in _PIECE.findall(css):
        if piece == ";" and not expected:
            declarations.append("".join(current))
            current = []
            continue
        if piece in _CLOSING:
            expected.append(_CLOSING[piece])
        elif expected and piece == expected[-1]:
            expected.pop()
        current.append(piece)
    declarations.append("".join(current))
    return declarations


def _closed(css: str) -> bool:
    """True when `css` ends where it began for a CSS parser: every string terminated, every bracket closed.

    Only such pieces are kept, so that joined with ";" they split in a browser exactly as they did here:
    an open "(" or an unterminated string would carry the parser past our ";" and "}" into what follows.
    """
    expected: list[str] = []
    for piece in _PIECE.findall(css):
        if piece[0] in "\"'":
            if len(piece) < 2 or piece[-1] != piece[0]:
                return False
        elif piece in _CLOSING:
            expected.append(_CLOSING[piece])
        elif piece in (")", "]", "}") and (not expected or piece != expected.pop()):
            return False
    return not expected


def _safe_head(head: str) -> bool:
    """A selector or @media prelude: brackets balanced, and nothing that could load or run anything."""
    lower = head.lower()
    return _closed(head) and "url(" not in lower and not any(bad in lower for bad in CSS_FORBIDDEN)


def _without_comments(css: str) -> str:
    if "/*" not in css:
        return css
    out: list[str] = []
    pos = 0
    while True:
        start = css.find("/*", pos)
        if start < 0:
            out.append(css[pos:])
            break
        out.append(css[pos:start])
        end = css.find("*/", start + 2)
        if end < 0:
            break
        pos = end + 2
    return " ".join(out)
