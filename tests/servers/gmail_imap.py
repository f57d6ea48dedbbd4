"""A small fake of Gmail's IMAP server (X-GM-EXT-1) for tests: one message store where a message has a set of
labels and appears in each label's mailbox, as Gmail does, served over plain TCP on 127.0.0.1.

It speaks what RealMail's sync sends (sync/imap_commands.py): CAPABILITY, LOGIN, AUTHENTICATE XOAUTH2, ENABLE,
LIST, LSUB, SELECT/EXAMINE, (UID) SEARCH, (UID) FETCH with X-GM-LABELS/X-GM-THRID/X-GM-MSGID, (UID) STORE of
flags and X-GM-LABELS, UID MOVE/COPY, (UID) EXPUNGE, APPEND, CREATE/RENAME/DELETE, (UN)SUBSCRIBE, STATUS, IDLE,
NOOP, LOGOUT. No CONDSTORE: the sync uses its full flag comparison. Reply shapes follow RFC 3501 and Google's
"IMAP Extensions" page: `X-GM-LABELS (\\Inbox "Work")`, `X-GM-THRID 123`, `X-GM-MSGID 456`.

Mailboxes and labels: INBOX ↔ \\Inbox, [Gmail]/Sent Mail ↔ \\Sent, [Gmail]/Drafts ↔ \\Draft, [Gmail]/Important
↔ \\Important, [Gmail]/Starred ↔ the \\Flagged flag, a user mailbox "Work" ↔ the label "Work";
[Gmail]/All Mail holds every message that is not in Trash or Spam; [Gmail]/Trash ↔ \\Trash, [Gmail]/Spam ↔
\\Spam (a message there has no other label). A message gets a new UID in a mailbox each time it enters it.
Moving out of a label mailbox removes that label; expunging from a label mailbox removes the label (Gmail's
"archive" default), from All Mail it moves the message to Trash, from Trash it deletes it for good.

Run it with `running_gmail_imap()`: the server lives on a thread of its own, so tests may use blocking
clients (imapclient) as "another client". `commands` records every command name received, `selects` every
SELECT/EXAMINE, `bodies_served` how often each message's whole body went out, `appended` every APPEND.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email
import email.policy
import itertools
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message

ALL_MAIL = "[Gmail]/All Mail"
SENT = "[Gmail]/Sent Mail"
_SYSTEM: dict[str, tuple[str, str]] = {  # mailbox → (label, SPECIAL-USE attribute)
    "INBOX": ("\\Inbox", ""),
    SENT: ("\\Sent", "\\Sent"),
    "[Gmail]/Drafts": ("\\Draft", "\\Drafts"),
    "[Gmail]/Important": ("\\Important", "\\Important"),
    "[Gmail]/Starred": ("\\Starred", "\\Flagged"),
    "[Gmail]/Trash": ("\\Trash", "\\Trash"),
    "[Gmail]/Spam": ("\\Spam", "\\Junk"),
    ALL_MAIL: ("", "\\All"),
}
CAPABILITIES = "IMAP4rev1 UNSELECT IDLE NAMESPACE ID CHILDREN X-GM-EXT-1 UIDPLUS ENABLE MOVE SPECIAL-USE AUTH=XOAUTH2"
_TOKEN = re.compile(
    rb'\(|\)|"(?:[^"\\]|\\.)*"|\x00\d+\x00|(?:BODY|BINARY)(?:\.PEEK)?\[[^\]]*\](?:<[\d.]+>)?|[^\s()"]+', re.IGNORECASE
)
_LITERAL = re.compile(rb"\{(\d+)\+?\}$")
_Value = bytes | list["_Value"]


@dataclass
class GmailMessage:
    """One message of the store: Gmail's ids, its bytes, flags and labels."""

    msgid: int
    thrid: int
    raw: bytes
    internaldate: float
    flags: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)


@dataclass
class _Mailbox:
    name: str
    uidvalidity: int
    uidnext: int = 1
    uids: dict[int, int] = field(default_factory=dict)  # msgid → UID in this mailbox


class GmailStore:
    """The single message store every connection shares (guarded by one lock: clients run on threads)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.messages: dict[int, GmailMessage] = {}
        self.user_labels: list[str] = []
        self._mailboxes: dict[str, _Mailbox] = {}
        self._ids = itertools.count(1_700_000_000_000_000_001)
        self._validity = itertools.count(7)
        self.changed = threading.Condition(self.lock)
        self.version = 0

    # --- used by tests directly --------------------------------------------------------------------------
    def add(
        self, raw: bytes, labels: Iterable[str] = ("\\Inbox",), *, flags: Iterable[str] = (), thrid: int | None = None
    ) -> GmailMessage:
        with self.lock:
            msgid = next(self._ids)
            message = GmailMessage(msgid, thrid or msgid, raw, time.time(), set(flags), set(labels))
            self.messages[msgid] = message
            for label in message.labels:
                if not label.startswith("\\") and label not in self.user_labels:
                    self.user_labels.append(label)
            self._touch()
            return message

    def by_message_id(self, header: str) -> GmailMessage:
        with self.lock:
            for message in self.messages.values():
                if header.encode() in message.raw:
                    return message
        raise KeyError(header)

    # --- mailboxes ---------------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [*_SYSTEM, *self.user_labels]

    def exists(self, name: str) -> bool:
        return self.canonical(name) in self.names()

    @staticmethod
    def canonical(name: str) -> str:
        return "INBOX" if name.upper() == "INBOX" else name

    def in_mailbox(self, name: str, message: GmailMessage) -> bool:
        if name == ALL_MAIL:
            return not message.labels & {"\\Trash", "\\Spam"}
        if name == "[Gmail]/Starred":
            return "\\Flagged" in message.flags and not message.labels & {"\\Trash", "\\Spam"}
        label = _SYSTEM[name][0] if name in _SYSTEM else name
        return label in message.labels

    def mailbox(self, name: str) -> _Mailbox:
        """The mailbox with UIDs for its current members (a message that entered it gets the next UID)."""
        name = self.canonical(name)
        box = self._mailboxes.get(name)
        if box is None:
            box = self._mailboxes[name] = _Mailbox(name, next(self._validity))
        members = [m for m in sorted(self.messages.values(), key=lambda m: m.msgid) if self.in_mailbox(name, m)]
        ids = {m.msgid for m in members}
        for msgid in [msgid for msgid in box.uids if msgid not in ids]:
            del box.uids[msgid]
        for message in members:
            if message.msgid not in box.uids:
                box.uids[message.msgid] = box.uidnext
                box.uidnext += 1
        return box

    def label_of_mailbox(self, name: str) -> str:
        name = self.canonical(name)
        return _SYSTEM[name][0] if name in _SYSTEM else name

    def set_label(self, message: GmailMessage, label: str, present: bool) -> None:
        if label == "\\Starred":  # Starred is the \Flagged flag
            (message.flags.add if present else message.flags.discard)("\\Flagged")
        elif label:
            (message.labels.add if present else message.labels.discard)(label)
            if present and label in ("\\Trash", "\\Spam"):
                message.labels = {label}
            if present and not label.startswith("\\") and label not in self.user_labels:
                self.user_labels.append(label)

    def labels_of(self, message: GmailMessage) -> list[str]:
        shown = sorted(message.labels)
        return [*shown, "\\Starred"] if "\\Flagged" in message.flags else shown

    def _touch(self) -> None:
        self.version += 1
        self.changed.notify_all()

    def touch(self) -> None:
        with self.lock:
            self._touch()


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label_text(label: str) -> str:
    return label if label.startswith("\\") and " " not in label else _quote(label)


def _nested(tokens: list[bytes], literals: list[bytes]) -> list[_Value]:
    root: list[_Value] = []
    stack = [root]
    for token in tokens:
        if token == b"(":
            inner: list[_Value] = []
            stack[-1].append(inner)
            stack.append(inner)
        elif token == b")":
            if len(stack) > 1:
                stack.pop()
        elif token.startswith(b'"'):
            stack[-1].append(re.sub(rb"\\(.)", rb"\1", token[1:-1]))
        elif token.startswith(b"\x00"):
            stack[-1].append(literals[int(token[1:-1])])
        else:
            stack[-1].append(token)
    return root


def _text(value: _Value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def _uid_set(text: str, highest: int) -> set[int]:
    wanted: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition(":")
        a = highest if low == "*" else int(low)
        b = a if not high else highest if high == "*" else int(high)
        wanted.update(range(min(a, b), max(a, b) + 1))
    return wanted


def _structure(part: Message) -> str:
    if part.is_multipart():
        children = "".join(_structure(child) for child in part.get_payload())  # type: ignore[union-attr]
        return f'({children} "{part.get_content_subtype().upper()}")'
    maintype, subtype = part.get_content_maintype().upper(), part.get_content_subtype().upper()
    payload = part.get_payload(decode=False)
    size = len(payload.encode()) if isinstance(payload, str) else 0
    params = " ".join(f"{_quote(k.upper())} {_quote(v)}" for k, v in part.get_params()[1:]) if part.get_params() else ""
    encoding = _quote((part.get("Content-Transfer-Encoding") or "7BIT").upper())
    lines = f" {len(payload.splitlines()) if isinstance(payload, str) else 0}" if maintype == "TEXT" else ""
    disposition = "NIL"
    filename = part.get_param("filename", header="Content-Disposition")
    if part.get_content_disposition():
        extra = f"({_quote('FILENAME')} {_quote(str(filename))})" if filename else "NIL"
        disposition = f"({_quote(part.get_content_disposition() or '')} {extra})"
    return (
        f"({_quote(maintype)} {_quote(subtype)} {f'({params})' if params else 'NIL'} NIL NIL {encoding}"
        f" {size}{lines} NIL {disposition} NIL NIL)"
    )


def _header_fields(raw: bytes, names: list[str]) -> bytes:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    wanted = {n.lower() for n in names}
    kept: list[str] = []
    keep = False
    for line in head.split("\r\n"):
        if line[:1] in (" ", "\t"):
            if keep:
                kept.append(line)
            continue
        keep = line.split(":", 1)[0].strip().lower() in wanted
        if keep:
            kept.append(line)
    return ("\r\n".join(kept) + "\r\n\r\n").encode()


class _Session:
    """One client connection."""

    def __init__(self, server: FakeGmailImap, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server, self.store = server, server.store
        self.reader, self.writer = reader, writer
        self.selected: str | None = None
        self.readonly = False
        self.authenticated = False
        self.seen_uids: list[int] = []  # the session's view: message sequence numbers → UIDs

    # --- I/O -----------------------------------------------------------------------------------------------
    async def send(self, *lines: bytes | str) -> None:
        for line in lines:
            self.writer.write((line.encode() if isinstance(line, str) else line) + b"\r\n")
        await self.writer.drain()

    async def read_command(self) -> tuple[bytes, list[bytes]] | None:
        """A command line with its literals (synchronising literals get a continuation)."""
        parts: list[bytes] = []
        literals: list[bytes] = []
        while True:
            line = await self.reader.readline()
            if not line:
                return None
            line = line.rstrip(b"\r\n")
            found = _LITERAL.search(line)
            if found is None:
                parts.append(line)
                return b"".join(parts), literals
            if not line.endswith(b"+}"):
                await self.send("+ go ahead")
            parts.append(line[: found.start()] + b"\x00%d\x00" % len(literals))
            literals.append(await self.reader.readexactly(int(found.group(1))))

    # --- the loop ------------------------------------------------------------------------------------------
    async def run(self) -> None:
        await self.send(f"* OK [CAPABILITY {CAPABILITIES}] Gimap ready")
        while True:
            got = await self.read_command()
            if got is None:
                return
            line, literals = got
            tag, _, rest = line.partition(b" ")
            items = _nested(_TOKEN.findall(rest), literals)
            if not items:
                await self.send(tag + b" BAD empty command")
                continue
            name = _text(items[0]).upper()
            uid = name == "UID"
            if uid:
                name = "UID " + _text(items[1]).upper()
                items = items[1:]
            self.server.commands.append(name)
            try:
                done = await self.dispatch(tag.decode(), name, items[1:], uid)
            except (ValueError, KeyError, IndexError) as exc:
                await self.send(f"{tag.decode()} BAD {exc}")
                continue
            if done:
                return

    async def dispatch(self, tag: str, name: str, args: list[_Value], uid: bool) -> bool:
        command = name.removeprefix("UID ")
        if command == "CAPABILITY":
            await self.send(f"* CAPABILITY {CAPABILITIES}", f"{tag} OK Success")
        elif command == "LOGIN":
            self.authenticated = _text(args[1]) == self.server.password
            await self.send(
                f"{tag} OK user authenticated"
                if self.authenticated
                else f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials"
            )
        elif command == "AUTHENTICATE":
            if len(args) < 2:
                await self.send("+ ")
                got = await self.reader.readline()
                response = got.strip()
            else:
                response = args[1] if isinstance(args[1], bytes) else b""
            decoded = base64.b64decode(response + b"==")
            self.authenticated = f"auth=Bearer {self.server.token}".encode() in decoded
            await self.send(
                f"{tag} OK Success" if self.authenticated else f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials"
            )
        elif command == "LOGOUT":
            await self.send("* BYE LOGOUT Requested", f"{tag} OK 73 good day")
            return True
        elif command == "NOOP":
            await self.report_exists()
            await self.send(f"{tag} OK Success")
        elif not self.authenticated:
            await self.send(f"{tag} NO not authenticated")
        elif command == "ENABLE":
            await self.send("* ENABLED", f"{tag} OK Success")
        elif command in ("ID", "NAMESPACE"):
            await self.send(
                '* NAMESPACE (("" "/")) NIL NIL' if command == "NAMESPACE" else "* ID NIL", f"{tag} OK Success"
            )
        elif command in ("LIST", "LSUB"):
            await self.list_folders(tag, command)
        elif command == "STATUS":
            await self.status(tag, _text(args[0]))
        elif command in ("SELECT", "EXAMINE"):
            self.server.selects.append((command, _text(args[0])))
            await self.select(tag, _text(args[0]), command == "EXAMINE")
        elif command in ("UNSELECT", "CLOSE"):
            self.selected = None
            await self.send(f"{tag} OK Returned to authenticated state")
        elif command in ("CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE"):
            await self.folder_command(tag, command, [_text(a) for a in args])
        elif command == "APPEND":
            await self.append(tag, args)
        elif command == "IDLE":
            await self.idle(tag)
        elif self.selected is None:
            await self.send(f"{tag} BAD no mailbox selected")
        elif command == "SEARCH":
            await self.search(tag, args, uid)
        elif command == "FETCH":
            await self.fetch(tag, _text(args[0]), args[1] if isinstance(args[1], list) else args[1:], uid)
        elif command == "STORE":
            await self.store_command(tag, _text(args[0]), _text(args[1]).upper(), args[2], uid)
        elif command in ("MOVE", "COPY"):
            await self.copy(tag, _text(args[0]), _text(args[1]), uid, move=command == "MOVE")
        elif command == "EXPUNGE":
            await self.expunge(tag, _text(args[0]) if uid and args else None)
        else:
            await self.send(f"{tag} BAD Unknown command {name}")
        return False

    # --- folders -------------------------------------------------------------------------------------------
    async def list_folders(self, tag: str, command: str) -> None:
        lines = [f'* {command} (\\HasChildren \\Noselect) "/" "[Gmail]"']
        with self.store.lock:
            for name in self.store.names():
                special = _SYSTEM[name][1] if name in _SYSTEM else ""
                attributes = " ".join(a for a in ("\\HasNoChildren", special) if a)
                lines.append(f'* {command} ({attributes}) "/" {_quote(name)}')
        await self.send(*lines, f"{tag} OK Success")

    async def status(self, tag: str, name: str) -> None:
        with self.store.lock:
            if not self.store.exists(name):
                await self.send(f"{tag} NO [NONEXISTENT] Unknown Mailbox")
                return
            box = self.store.mailbox(name)
            text = f"(MESSAGES {len(box.uids)} UIDNEXT {box.uidnext} UIDVALIDITY {box.uidvalidity})"
        await self.send(f"* STATUS {_quote(name)} {text}", f"{tag} OK Success")

    async def select(self, tag: str, name: str, readonly: bool) -> None:
        with self.store.lock:
            if not self.store.exists(name):
                self.selected = None
                await self.send(f"{tag} NO [NONEXISTENT] Unknown Mailbox: {name}")
                return
            self.selected, self.readonly = self.store.canonical(name), readonly
            box = self.store.mailbox(name)
            self.seen_uids = sorted(box.uids.values())
            lines = [
                "* FLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $Forwarded)",
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Draft \\Deleted \\Seen $Forwarded \\*)] Flags permitted.",
                f"* OK [UIDVALIDITY {box.uidvalidity}] UIDs valid.",
                f"* {len(self.seen_uids)} EXISTS",
                "* 0 RECENT",
                f"* OK [UIDNEXT {box.uidnext}] Predicted next UID.",
            ]
        mode = "READ-ONLY" if readonly else "READ-WRITE"
        await self.send(*lines, f"{tag} OK [{mode}] {name} selected. (Success)")

    async def folder_command(self, tag: str, command: str, args: list[str]) -> None:
        with self.store.lock:
            name = args[0]
            if command in ("SUBSCRIBE", "UNSUBSCRIBE"):
                pass
            elif command == "CREATE":
                if self.store.exists(name):
                    await self.send(f"{tag} NO [ALREADYEXISTS] Duplicate folder name")
                    return
                self.store.user_labels.append(name)
            elif name not in self.store.user_labels:
                await self.send(f"{tag} NO [CANNOT] That mailbox cannot be changed")
                return
            elif command == "DELETE":
                self.store.user_labels.remove(name)
                for message in self.store.messages.values():
                    message.labels.discard(name)
            else:  # RENAME
                new = args[1]
                self.store.user_labels[self.store.user_labels.index(name)] = new
                for message in self.store.messages.values():
                    if name in message.labels:
                        message.labels = (message.labels - {name}) | {new}
            self.store.touch()
        await self.send(f"{tag} OK Success")

    async def append(self, tag: str, args: list[_Value]) -> None:
        name = _text(args[0])
        raw = args[-1] if isinstance(args[-1], bytes) else b""
        flags = next((a for a in args[1:-1] if isinstance(a, list)), [])
        with self.store.lock:
            if not self.store.exists(name):
                await self.send(f"{tag} NO [TRYCREATE] Folder doesn't exist")
                return
            label = self.store.label_of_mailbox(name)
            message = self.store.add(raw, [label] if label else [], flags={_text(f) for f in flags})
            box = self.store.mailbox(name)
            uid = box.uids[message.msgid]
        self.server.appended.append((name, raw))
        await self.send(f"{tag} OK [APPENDUID {box.uidvalidity} {uid}] (Success)")

    # --- the selected mailbox --------------------------------------------------------------------------------
    def _members(self) -> dict[int, GmailMessage]:
        """UID → message of the selected mailbox now."""
        assert self.selected is not None
        box = self.store.mailbox(self.selected)
        return {uid: self.store.messages[msgid] for msgid, uid in box.uids.items()}

    def _targets(self, set_text: str, uid: bool) -> list[tuple[int, int, GmailMessage]]:
        """(sequence number, UID, message) of the set, in the session's view."""
        members = self._members()
        ordered = [u for u in self.seen_uids if u in members] + sorted(set(members) - set(self.seen_uids))
        self.seen_uids = ordered
        if uid:
            wanted = _uid_set(set_text, max(ordered, default=0))
            return [(i + 1, u, members[u]) for i, u in enumerate(ordered) if u in wanted]
        wanted = _uid_set(set_text, len(ordered))
        return [(i + 1, u, members[u]) for i, u in enumerate(ordered) if i + 1 in wanted]

    async def report_exists(self) -> None:
        """Untagged EXPUNGE/EXISTS for what changed in the selected mailbox since the session last looked."""
        if self.selected is None:
            return
        lines: list[str] = []
        with self.store.lock:
            members = self._members()
            for seq in reversed(range(len(self.seen_uids))):
                if self.seen_uids[seq] not in members:
                    lines.append(f"* {seq + 1} EXPUNGE")
                    del self.seen_uids[seq]
            new = sorted(set(members) - set(self.seen_uids))
            if new or lines:
                self.seen_uids.extend(new)
                lines.append(f"* {len(self.seen_uids)} EXISTS")
        if lines:
            await self.send(*lines)

    async def search(self, tag: str, args: list[_Value], uid: bool) -> None:
        with self.store.lock:
            targets = self._targets("1:*", True)
            found = [t for t in targets if self._matches(t, [_text(a) if isinstance(a, bytes) else a for a in args])]
        numbers = " ".join(str(u if uid else seq) for seq, u, _ in found)
        await self.send(f"* SEARCH {numbers}".rstrip(), f"{tag} OK SEARCH completed (Success)")

    def _matches(self, target: tuple[int, int, GmailMessage], keys: list[object]) -> bool:
        seq, uid, message = target
        index = 0
        while index < len(keys):
            key = str(keys[index]).upper()
            if key == "ALL":
                index += 1
            elif key == "UID":
                if uid not in _uid_set(str(keys[index + 1]), max(self.seen_uids, default=0)):
                    return False
                index += 2
            elif key == "HEADER":
                wanted = f"{keys[index + 1]}: {keys[index + 2]}".lower()
                if wanted.encode() not in message.raw.lower():
                    return False
                index += 3
            elif key == "X-GM-LABELS":
                if str(keys[index + 1]) not in self.store.labels_of(message):
                    return False
                index += 2
            elif key[:1].isdigit() or key.startswith("*"):
                if seq not in _uid_set(key, len(self.seen_uids)):
                    return False
                index += 1
            else:
                raise ValueError(f"search key {key} not supported by the fake")
        return True

    async def fetch(self, tag: str, set_text: str, items: list[_Value], uid: bool) -> None:
        names = [_text(item).upper() for item in items if isinstance(item, bytes)]
        if uid and "UID" not in names:
            names.insert(0, "UID")
        with self.store.lock:
            targets = self._targets(set_text, uid)
            replies = [self._fetch_one(seq, u, m, names) for seq, u, m in targets]
        for reply in replies:
            self.writer.write(reply)
        await self.writer.drain()
        await self.send(f"{tag} OK Success")

    def _fetch_one(self, seq: int, uid: int, message: GmailMessage, names: list[str]) -> bytes:
        parts: list[bytes] = []
        for name in names:
            if name == "UID":
                parts.append(b"UID %d" % uid)
            elif name == "FLAGS":
                parts.append(f"FLAGS ({' '.join(sorted(message.flags))})".encode())
            elif name == "INTERNALDATE":
                when = datetime.fromtimestamp(message.internaldate, UTC).strftime("%d-%b-%Y %H:%M:%S +0000")
                parts.append(f'INTERNALDATE "{when}"'.encode())
            elif name == "RFC822.SIZE":
                parts.append(b"RFC822.SIZE %d" % len(message.raw))
            elif name == "X-GM-LABELS":
                labels = [
                    label
                    for label in self.store.labels_of(message)
                    if label != self.store.label_of_mailbox(self.selected or "")
                ]
                parts.append(f"X-GM-LABELS ({' '.join(_label_text(label) for label in labels)})".encode())
            elif name == "X-GM-THRID":
                parts.append(b"X-GM-THRID %d" % message.thrid)
            elif name == "X-GM-MSGID":
                parts.append(b"X-GM-MSGID %d" % message.msgid)
            elif name == "BODYSTRUCTURE":
                parsed = email.message_from_bytes(message.raw, policy=email.policy.compat32)
                parts.append(b"BODYSTRUCTURE " + _structure(parsed).encode())
            elif name.startswith(("BODY[", "BODY.PEEK[", "RFC822")):
                section = name.replace(".PEEK", "")
                if section.startswith("BODY[HEADER.FIELDS"):
                    fields = section[section.index("(") + 1 : section.index(")")].split()
                    data = _header_fields(message.raw, fields)
                elif section == "BODY[HEADER]":
                    data = message.raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
                else:
                    data = message.raw
                    section = "BODY[]" if section.startswith("BODY") else section
                    self.server.bodies_served[message.msgid] = self.server.bodies_served.get(message.msgid, 0) + 1
                    if ".PEEK" not in name and not self.readonly:
                        message.flags.add("\\Seen")
                parts.append(section.encode() + b" {%d}\r\n" % len(data) + data)
        return b"* %d FETCH (" % seq + b" ".join(parts) + b")\r\n"

    async def store_command(self, tag: str, set_text: str, action: str, value: _Value, uid: bool) -> None:
        words = [_text(v) for v in (value if isinstance(value, list) else [value])]
        silent = action.endswith(".SILENT")
        action = action.removesuffix(".SILENT")
        sign, what = action[:1], action.lstrip("+-")
        with self.store.lock:
            targets = self._targets(set_text, uid)
            for _seq, _uid, message in targets:
                if what == "FLAGS":
                    if sign == "+":
                        message.flags.update(words)
                    elif sign == "-":
                        message.flags.difference_update(words)
                    else:
                        message.flags = set(words)
                elif what == "X-GM-LABELS":
                    if sign not in "+-":
                        for label in self.store.labels_of(message):
                            self.store.set_label(message, label, False)
                    for label in words:
                        self.store.set_label(message, label, sign != "-")
                else:
                    raise ValueError(f"STORE {action}")
            lines = (
                [] if silent else [self._fetch_one(seq, u, m, ["UID", what]).rstrip(b"\r\n") for seq, u, m in targets]
            )
            self.store.touch()
        await self.send(*lines, f"{tag} OK Success")

    async def copy(self, tag: str, set_text: str, destination: str, uid: bool, *, move: bool) -> None:
        with self.store.lock:
            if not self.store.exists(destination):
                await self.send(f"{tag} NO [TRYCREATE] No folder {destination}")
                return
            targets = self._targets(set_text, uid)
            source_label = self.store.label_of_mailbox(self.selected or "")
            target_label = self.store.label_of_mailbox(destination)
            for _seq, _uid, message in targets:
                if move and source_label and source_label not in ("\\Trash", "\\Spam"):
                    self.store.set_label(message, source_label, False)
                if move and source_label in ("\\Trash", "\\Spam"):
                    message.labels.discard(source_label)
                self.store.set_label(message, target_label, True)
            box = self.store.mailbox(destination)
            source = ",".join(str(u) for _s, u, _m in targets)
            new = ",".join(str(box.uids[m.msgid]) for _s, _u, m in targets if m.msgid in box.uids)
            self.store.touch()
        await self.send(f"* OK [COPYUID {box.uidvalidity} {source} {new}]")
        if move:
            await self.report_exists()
        await self.send(f"{tag} OK Success")

    async def expunge(self, tag: str, set_text: str | None) -> None:
        with self.store.lock:
            targets = self._targets(set_text or "1:*", set_text is not None)
            label = self.store.label_of_mailbox(self.selected or "")
            for _seq, _uid, message in targets:
                if "\\Deleted" not in message.flags:
                    continue
                message.flags.discard("\\Deleted")
                if label == "\\Trash" or label == "\\Spam":
                    del self.store.messages[message.msgid]
                elif self.selected == ALL_MAIL:
                    self.store.set_label(message, "\\Trash", True)
                else:
                    self.store.set_label(message, label, False)
            self.store.touch()
        await self.report_exists()
        await self.send(f"{tag} OK Success")

    async def idle(self, tag: str) -> None:
        await self.send("+ idling")
        done = asyncio.ensure_future(self.reader.readline())
        try:
            while not done.done():
                version = self.store.version
                await self.report_exists()
                changed = asyncio.ensure_future(asyncio.to_thread(self._wait_change, version))
                await asyncio.wait({done, changed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not done.done():
                done.cancel()
        await self.send(f"{tag} OK IDLE terminated (Success)")

    def _wait_change(self, version: int) -> None:
        with self.store.changed:
            self.store.changed.wait_for(lambda: self.store.version != version or self.server.stopping, timeout=0.5)


class FakeGmailImap:
    """The server: `host`, `port`, `store`; `password` for LOGIN and `token` for XOAUTH2."""

    def __init__(self, password: str = "secret", token: str = "ya29.token") -> None:
        self.store = GmailStore()
        self.password, self.token = password, token
        self.host, self.port = "127.0.0.1", 0
        self.commands: list[str] = []
        self.appended: list[tuple[str, bytes]] = []
        self.selects: list[tuple[str, str]] = []  # (SELECT or EXAMINE, mailbox)
        self.bodies_served: dict[int, int] = {}  # X-GM-MSGID → how many times its whole body was sent
        self.stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._sessions: set[asyncio.Task[None]] = set()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-gmail-imap", daemon=True)

    def _serve(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(asyncio.start_server(self._client, self.host, 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        loop.run_forever()
        for task in list(self._sessions):
            task.cancel()
        loop.run_until_complete(asyncio.gather(*self._sessions, return_exceptions=True))
        self._server.close()
        loop.run_until_complete(self._server.wait_closed())
        loop.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._sessions.add(task)
        try:
            await _Session(self, reader, writer).run()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._sessions.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        self.stopping = True
        self.store.touch()
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@contextlib.contextmanager
def running_gmail_imap(password: str = "secret") -> Iterator[FakeGmailImap]:
    server = FakeGmailImap(password)
    server.start()
    try:
        yield server
    finally:
        server.stop()
