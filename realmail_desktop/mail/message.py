"""Full parse of one message for the reader (stdlib `email` parser), and part payloads by IMAP id.

policy.compat32 comes first: policy.default's header objects lose an unquoted boundary containing "="
(`boundary==_x3`, a real Outlook shape) and so read another tree than the one `envelope.py` stored;
headers are decoded by `headers.py` either way. policy.default is the fallback should compat32 raise.
"""

from __future__ import annotations

import email.parser
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import Message

from realmail_desktop.core.logs import get_logger
from realmail_desktop.mail.charsets import decode_bytes
from realmail_desktop.mail.headers import Address, decode_header_value, parse_addresses, parse_date
from realmail_desktop.mail.mime import (
    MAX_DEPTH,
    MAX_PARTS,
    AttachmentInfo,
    MimePart,
    PartFields,
    attachments_in,
    decode_transfer,
    header_text,
    part_fields,
    read_structure,
    unfold_bytes,
)

_log = get_logger("mail")


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """A message as the reader shows it; `html` is NOT sanitised (see `html.sanitize_html`)."""

    headers: tuple[tuple[str, str], ...]
    subject: str
    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    date: int | None
    text: str | None
    html: str | None
    attachments: tuple[AttachmentInfo, ...]
    defects: tuple[str, ...]


@dataclass(slots=True)
class _Node:
    part_id: str
    part: Message
    fields: PartFields
    parent_type: str
    children: list[_Node] = field(default_factory=list)

    def leaves(self) -> Iterator[_Node]:
        if not self.children:
            yield self
        for child in self.children:
            yield from child.leaves()


def _raw_header(part: Message, name: str) -> bytes | None:
    for key, value in part.raw_items():
        if key.lower() == name:
            # BytesParser keeps undecodable bytes as surrogates; give the original bytes back.
            return unfold_bytes(str(value).encode("utf-8", "surrogateescape"))
    return None


def _fields(part: Message) -> PartFields:
    return part_fields(
        _raw_header(part, "content-type"),
        _raw_header(part, "content-disposition"),
        _raw_header(part, "content-transfer-encoding"),
        _raw_header(part, "content-id"),
        part.get_default_type(),
    )


def _tree(message: Message) -> _Node:
    """The MIME tree with IMAP part ids, limited like `mime.read_structure` so both number parts alike."""
    budget = [MAX_PARTS]

    def visit(part: Message, part_id: str, parent_type: str, depth: int) -> _Node:
        node = _Node(part_id or "1", part, _fields(part), parent_type)
        payload = part.get_payload()
        if part.get_content_maintype() != "multipart" or not isinstance(payload, list) or depth >= MAX_DEPTH:
            return node
        for index, child in enumerate(payload, 1):
            if budget[0] <= 0:
                break
            budget[0] -= 1
            child_id = f"{part_id}.{index}" if part_id else str(index)
            node.children.append(visit(child, child_id, node.fields.content_type, depth + 1))
        return node

    return visit(message, "", "", 0)


def _body_leaf(node: _Node, subtype: str) -> list[_Node]:
    """Body leaves of the wanted kind: one choice per alternative, every one in a mixed body."""
    if not node.children:
        return [node] if node.fields.is_body_text and node.fields.content_type == subtype else []
    if node.fields.content_type == "multipart/alternative":
        return next((found for child in node.children if (found := _body_leaf(child, subtype))), [])
    return [leaf for child in node.children for leaf in _body_leaf(child, subtype)]


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # broken transfer encoding: show nothing rather than fail the whole message
        return b""
    return data if isinstance(data, bytes) else b""


def _text(node: _Node) -> str:
    return decode_bytes(_payload(node.part), node.fields.charset).replace("\r\n", "\n")


def _header(message: Message, name: str) -> str | None:
    value = _raw_header(message, name)
    return header_text(value) if value is not None else None


def _build(message: Message, attachments: tuple[AttachmentInfo, ...], defects: list[str]) -> ParsedMessage:
    headers = tuple(
        (str(name), decode_header_value(header_text(unfold_bytes(str(value).encode("utf-8", "surrogateescape")))))
        for name, value in message.raw_items()
    )
    root = _tree(message)
    plain = _body_leaf(root, "text/plain")
    rich = _body_leaf(root, "text/html")
    found = [type(defect).__name__ for part in message.walk() for defect in getattr(part, "defects", ())]
    senders = parse_addresses(_header(message, "from")) or parse_addresses(_header(message, "sender"))
    return ParsedMessage(
        headers=headers,
        subject=decode_header_value(_header(message, "subject")),
        sender=senders[0] if senders else None,
        to=parse_addresses(_header(message, "to")),
        cc=parse_addresses(_header(message, "cc")),
        reply_to=parse_addresses(_header(message, "reply-to")),
        date=parse_date(_header(message, "date")),
        text="\n\n".join(_text(leaf) for leaf in plain) if plain else None,
        html=_text(rich[0]) if rich else None,
        attachments=attachments,
        defects=tuple(dict.fromkeys([*defects, *found])),
    )


def _empty(attachments: tuple[AttachmentInfo, ...], defects: list[str]) -> ParsedMessage:
    return ParsedMessage((), "", None, (), (), (), None, None, None, attachments, tuple(defects))


def _structure(raw: bytes, defects: list[str]) -> MimePart | None:
    try:
        return read_structure(raw, frozenset(), defects)[1]
    except Exception:  # a bug of ours; the reader still gets what the stdlib parser can give
        _log.exception("reading the structure of a %d-byte message failed", len(raw))
        return None


def parse_message(raw: bytes) -> ParsedMessage:
    """Everything the reader shows about one raw message. Never raises: problems become `defects`.

    Attachments come from `mime.read_structure`, like the envelope's, so their ids are the ones
    `attachment_payload` understands even where the stdlib parser would see another tree.
    """
    defects: list[str] = []
    root = _structure(raw, defects)
    attachments = attachments_in(raw, root) if root is not None else ()
    result = _empty(attachments, defects)
    for chosen in (policy.compat32, policy.default):
        try:
            result = _build(email.parser.BytesParser(policy=chosen).parsebytes(raw), attachments, defects)
            break
        except Exception as exc:  # the stdlib parser has raised on hostile input in past releases
            _log.debug("parsing a %d-byte message failed with %s", len(raw), chosen, exc_info=True)
            defects.append(f"parser failed ({type(exc).__name__})")
            result = _empty(attachments, defects)
    if result.defects:
        _log.debug("message with %d defects: %s", len(result.defects), "; ".join(result.defects[:10]))
    return result


def _leaf(raw: bytes, part_id: str) -> MimePart | None:
    root = _structure(raw, [])
    if root is None:
        return None
    return next((part for part in root.walk() if not part.children and part.part_id == part_id), None)


def attachment_payload(raw: bytes, part_id: str) -> bytes | None:
    """Decoded bytes of the part with that IMAP id (an attached message comes back as raw RFC 822).

    Read with `mime.read_structure`, the splitter `read_envelope` uses: ids match the stored envelope,
    an attached message keeps its exact bytes, and a 50 MB attachment is not run through the stdlib parser.
    """
    part = _leaf(raw, part_id)
    if part is None:
        return None
    return decode_transfer(raw[part.body_start : part.body_end], part.fields.transfer_encoding)


def attachment_payloads(raw: bytes, part_ids: Iterable[str]) -> Iterator[tuple[str, bytes | None]]:
    """`attachment_payload` for several parts, reading the structure once; yields (id, bytes) in the asked order,
    one part at a time, so a message of many big attachments is not decoded into memory all at once."""
    root = _structure(raw, [])
    leaves = {part.part_id: part for part in root.walk() if not part.children} if root is not None else {}
    for part_id in part_ids:
        part = leaves.get(part_id)
        data = decode_transfer(raw[part.body_start : part.body_end], part.fields.transfer_encoding) if part else None
        yield part_id, data


def inline_parts(raw: bytes) -> dict[str, tuple[str, bytes]]:
    """Images a `cid:` URL can name: content id (no angle brackets) → (content type, decoded bytes)."""
    found: dict[str, tuple[str, bytes]] = {}
    root = _structure(raw, [])
    for part in root.walk() if root is not None else ():
        fields = part.fields
        if not part.children and fields.content_id and fields.content_type.startswith("image/"):
            data = decode_transfer(raw[part.body_start : part.body_end], fields.transfer_encoding)
            found.setdefault(fields.content_id, (fields.content_type, data))
    return found
