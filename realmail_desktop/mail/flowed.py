"""format=flowed (RFC 3676) for the plain text we send: soft line breaks, quote depth, space-stuffing.

Each line the person typed is one paragraph; a long one is cut at spaces into lines of at most 78 characters,
each but the last ending in a space (a soft break the reader's client re-joins). Quoted lines (`>`, `> >`)
keep their depth on every piece. Lines that begin with a space, "From " or ">" (after the quote marks) are
space-stuffed; trailing spaces of a hard line are dropped, since there they would mean "soft". The signature
separator "-- " is kept as it is (§4.3).
"""

from __future__ import annotations

WIDTH = 78
SIGNATURE_SEPARATOR = "-- "


def _quote_depth(line: str) -> tuple[int, str]:
    """How many quote marks start `line` (">> x", "> > x") and the text after them (one space dropped)."""
    depth = index = 0
    while True:
        if line.startswith(">", index):
            depth, index = depth + 1, index + 1
        elif depth and line.startswith(" >", index):
            index += 1
        else:
            break
    rest = line[index:]
    return depth, rest[1:] if depth and rest.startswith(" ") else rest


def _stuffed(text: str, depth: int) -> str:
    if depth:
        return " " + text if text else ""
    if text.startswith((" ", ">", "From ")):
        return " " + text
    return text


def _pieces(text: str, room: int) -> list[str]:
    """`text` cut at spaces into pieces of at most `room` characters (a longer word stays whole)."""
    pieces: list[str] = []
    while len(text) > room:
        cut = text.rfind(" ", 0, room)
        if cut <= 0:
            cut = text.find(" ", room)
            if cut < 0:
                break
        pieces.append(text[: cut + 1])  # the space stays at the end: the soft break
        text = text[cut + 1 :]
    pieces.append(text)
    return pieces


def encode_flowed(text: str, width: int = WIDTH) -> str:
    """`text` (lines separated by \\n) as format=flowed, DelSp=no; lines end in \\n."""
    out: list[str] = []
    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw_line == SIGNATURE_SEPARATOR:
            out.append(raw_line)
            continue
        depth, body = _quote_depth(raw_line)
        body = body.rstrip(" ")
        prefix = ">" * depth
        room = max(width - len(prefix) - 1, 20)
        pieces = _pieces(body, room)
        for piece in pieces:
            out.append(prefix + _stuffed(piece, depth))
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def decode_flowed(text: str) -> str:
    """The paragraphs of a format=flowed text (DelSp=no): soft breaks joined, stuffing and quote marks
    normalised to "> " per level."""
    lines: list[str] = []
    pending: tuple[int, str] | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        body = body.removeprefix(" ")
        soft = body.endswith(" ") and line != SIGNATURE_SEPARATOR
        if pending is not None and pending[0] == depth:
            body = pending[1] + body
        elif pending is not None:
            lines.append("> " * pending[0] + pending[1])
        pending = (depth, body) if soft else None
        if not soft:
            lines.append((("> " * depth) + body) if body else ("> " * depth).rstrip())
    if pending is not None:
        lines.append("> " * pending[0] + pending[1])
    return "\n".join(lines)
