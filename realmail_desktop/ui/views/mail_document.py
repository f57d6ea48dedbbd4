"""The HTML page around a sanitised mail body, and dark mode: mail drawn on a light "paper" card.

Most HTML mail assumes a white page (dark text, white-backed images, colours picked for white), so in dark
mode RealMail keeps the mail's own colours and draws it on a white card over the window's dark background,
instead of inverting colours (which breaks logos, photos and brand colours).
"""

from __future__ import annotations

import html

from PySide6.QtGui import QColor, QPalette

PAPER = "#ffffff"
INK = "#1a1a1a"


def is_dark(palette: QPalette) -> bool:
    """Whether the system palette is a dark one (its window colour is darker than mid-grey)."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def mail_document(body_html: str, *, dark: bool, window_color: QColor | None = None, note: str = "") -> str:
    """A whole HTML document around a sanitised body: UTF-8, our paper card, the body's own dir/lang kept.

    `note` (plain text) is a line of ours above the card, outside anything the mail's markup can reach.
    """
    backdrop = (window_color or QColor("#2b2b2b")).name() if dark else PAPER
    note_html = (
        f'<p style="margin:8px 14px;font:italic 90% sans-serif;color:{INK if not dark else PAPER}">'
        f"{html.escape(note)}</p>"
        if note
        else ""
    )
    card = "margin:10px;padding:14px 18px;border-radius:6px;" if dark else "padding:12px 14px;"
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="color-scheme" content="light">'
        f"<style>html{{background:{html.escape(backdrop)}}}body{{margin:0}}"
        f".realmail-paper{{background:{PAPER};color:{INK};{card}overflow-wrap:break-word}}</style>"
        f'</head><body>{note_html}<div class="realmail-paper">{body_html}</div></body></html>'
    )
