"""CSS inside mail HTML: style attributes and style sheets cut down to allow-listed, non-loading declarations.

nh3 cannot filter CSS while keeping <style> elements, so this module does it: declarations keep only
properties from `html_policy.CSS_PROPERTIES`; a `url()` survives only in backgrounds and only where the
caller's `image_url` accepts it (cid:, data:image, or remote when the person allowed remote content).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from realmail_desktop.mail.html_policy import CSS_FORBIDDEN, CSS_PROPERTIES

ImageUrl = Callable[[str], str | None]

_DECLARATION = re.compile(r"""(?:[^;"'(]|\([^)]*\)?|"[^"]*"?|'[^']*'?)+""")
_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
# CSS Syntax §4 tokens that matter for structure: strings (a "}" inside one closes nothing), comments,
# braces and semicolons; everything else is carried along as text.
_TOKEN = re.compile(r"""["](?:[^"\\\n]|\\.)*["]?|['](?:[^'\\\n]|\\.)*[']?|/\*.*?(?:\*/|\Z)|[{};]|[^"'{};/]+|/""", re.S)
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
        if not colon or not value or not (name in CSS_PROPERTIES or name.startswith("mso-")):
            return None
        lower = value.lower()
        if any(bad in lower for bad in CSS_FORBIDDEN):
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
        kept = [self.declaration(match.group(0)) for match in _DECLARATION.finditer(_without_comments(css))]
        return ";".join(declaration for declaration in kept if declaration)

    def stylesheet(self, css: str) -> str:
        """A <style> element's text rebuilt from its rules, each block filtered like a style attribute."""
        if "\\" in css:
            return ""  # escapes can spell "url(" or "expression" past any check
        sheet = _StyleSheet(self)
        for piece in _TOKEN.findall(css.replace("<!--", "").replace("-->", "")):
            if piece == "{":
                sheet.open_block()
            elif piece == "}":
                sheet.close_block()
            elif not piece.startswith("/*"):
                sheet.add(piece)
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
        if not self.blocks:
            self.prelude = []
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
        # A selector may hold "<" (a[title="<"]); nothing inside a style element may look like a tag.
        return "".join(self.out).replace("<", "")


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
