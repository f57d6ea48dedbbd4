"""Big attachments sent as Google Drive links: the link block (name, size, link) in the HTML and plain-text
parts, and `replace_large_attachments`, which takes the uploaded files out of a `Draft` and puts the block in.

The block is written once as HTML (rich drafts: `mail/rich_text.py` derives the plain part from it, links as
`text <url>`) and once as text (plain drafts), so both parts of a sent message carry every link.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from realmail_desktop.mail.compose import Draft

BLOCK_TITLE = "Shared with Google Drive:"


@dataclass(frozen=True, slots=True)
class DriveLink:
    """A file put in Drive and the link that opens it."""

    name: str
    size: int
    url: str
    file_id: str = ""


def human_size(size: int) -> str:
    """Bytes in the units a person reads (1 KB = 1024 bytes, as file managers on most systems show)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def large_attachments(draft: Draft, threshold: int) -> list[int]:
    """Indexes of the draft's files of at least `threshold` bytes: those that go as Drive links."""
    return [i for i, attachment in enumerate(draft.attachments) if len(attachment.data) >= threshold]


def link_block_text(links: Sequence[DriveLink]) -> str:
    lines = [BLOCK_TITLE]
    for link in links:
        lines.append(f"- {link.name} ({human_size(link.size)})")
        lines.append(f"  {link.url}")
    return "\n".join(lines)


def link_block_html(links: Sequence[DriveLink]) -> str:
    items = "".join(
        f'<li>\N{PAPERCLIP} <a href="{html.escape(link.url)}">{html.escape(link.name)}</a>'
        f" ({html.escape(human_size(link.size))})</li>"
        for link in links
    )
    return f"<p>{html.escape(BLOCK_TITLE)}</p><ul>{items}</ul>"


def replace_large_attachments(draft: Draft, links: Mapping[int, DriveLink]) -> Draft:
    """The draft without the attachments at the indexes of `links`, with a link block for them after the body.
    Indexes that name no attachment are ignored; no links, no change."""
    chosen = sorted(i for i in links if 0 <= i < len(draft.attachments))
    if not chosen:
        return draft
    kept = tuple(a for i, a in enumerate(draft.attachments) if i not in links)
    shared = [links[i] for i in chosen]
    if draft.html is None:
        text = draft.text.rstrip("\n")
        return replace(
            draft,
            attachments=kept,
            text=f"{text}\n\n{link_block_text(shared)}\n" if text else link_block_text(shared) + "\n",
        )
    return replace(draft, attachments=kept, html=_append_html(draft.html, link_block_html(shared)))


def _append_html(document: str, block: str) -> str:
    """`block` at the end of the body (before `</body>` when the document has one)."""
    lower = document.lower()
    at = lower.rfind("</body>")
    return document + block if at < 0 else document[:at] + block + document[at:]
