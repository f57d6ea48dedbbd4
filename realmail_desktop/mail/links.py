"""Deceptive links in sanitised mail HTML: the text shows one domain ("paypal.com"), the href goes elsewhere."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# nh3 writes every attribute double-quoted and closes every <a>, so a regex over its output is safe here.
_ANCHOR = re.compile(r"""<a\b[^>]*?\shref="([^"]*)"[^>]*>(.*?)</a\s*>""", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
# A host name as people write it in link text: "paypal.com", "www.bank.example", "https://x.org/…".
_DOMAIN = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63})\b", re.I)


@dataclass(frozen=True, slots=True)
class DeceptiveLink:
    """One link whose text names `shown` while its target `href` is on `actual`."""

    href: str
    shown: str
    actual: str

    @property
    def warning(self) -> str:
        return f"The link says {self.shown} but goes to {self.actual}"


def _bare(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _same_site(shown: str, actual: str) -> bool:
    # "paypal.com" shown for "www.paypal.com" or "mail.paypal.com" is fine; "paypal.com.evil.example" is not.
    shown, actual = _bare(shown), _bare(actual)
    return shown == actual or actual.endswith(f".{shown}") or shown.endswith(f".{actual}")


def deceptive_links(clean_html: str) -> tuple[DeceptiveLink, ...]:
    """Links of `clean_html` (output of `sanitize_html`) whose visible text shows another domain than the href."""
    if "<a" not in clean_html and "<A" not in clean_html:
        return ()
    found: list[DeceptiveLink] = []
    for match in _ANCHOR.finditer(clean_html):
        href = html.unescape(match.group(1)).strip()
        if not href.lower().startswith(("http:", "https:")):
            continue
        try:
            actual = urlsplit(href).hostname or ""
        except ValueError:
            continue
        text = html.unescape(_TAG.sub("", match.group(2)))
        shown = _DOMAIN.search(text)
        if shown is None or "@" in text[max(shown.start() - 1, 0) : shown.start()]:
            continue  # no domain in the text, or an e-mail address ("write to bob@bank.example")
        domain = shown.group(1).lower()
        if actual and not _same_site(domain, actual):
            found.append(DeceptiveLink(href, domain, actual))
    return tuple(found)
