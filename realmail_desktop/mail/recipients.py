"""Recipient fields as the person types them: split into addresses, each checked before anything is sent."""

from __future__ import annotations

import re
from dataclasses import dataclass

from realmail_desktop.mail.headers import Address, parse_addresses

# RFC 5321 §4.1.2 / 5322 §3.4.1 dot-atom local part (quoted local parts are legal but only spammers use
# them); a domain of labels with at least one dot, or a bracketed address literal.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_LITERAL = re.compile(r"^\[(?:\d{1,3}\.){3}\d{1,3}\]$")


def idna_address(address: str) -> str:
    """`address` with its domain in ASCII (IDNA): `jürgen@bücher.de` → `jürgen@xn--bcher-kva.de`."""
    local, at, domain = address.strip().rpartition("@")
    if not at or domain.isascii():
        return address.strip()
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address.strip()


def is_valid_address(address: str) -> bool:
    """A deliverable-looking address: `local@domain.tld` (the local part ASCII; the domain may be IDN)."""
    local, at, domain = idna_address(address).rpartition("@")
    if not at or not local or len(local) > 64 or not _LOCAL.match(local):
        return False
    if _LITERAL.match(domain):
        return True
    labels = domain.split(".")
    return len(domain) <= 253 and len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


@dataclass(frozen=True, slots=True)
class RecipientField:
    """One To/Cc/Bcc field read: the addresses it names and the pieces that are not addresses."""

    addresses: tuple[Address, ...]
    invalid: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.invalid


def read_recipients(text: str) -> RecipientField:
    """Addresses typed into a field ("Ann <ann@x.org>, bob@y.com; carl@z.net"); never raises."""
    normalized = text.replace(";", ",").replace("\n", ",")
    found: list[Address] = []
    invalid: list[str] = []
    for address in parse_addresses(normalized):
        if address.address and is_valid_address(address.address):
            found.append(address)
        else:
            invalid.append(address.display() or address.name)
    return RecipientField(tuple(found), tuple(i for i in invalid if i.strip()))


def format_recipients(addresses: tuple[Address, ...] | list[Address]) -> str:
    """Addresses as a field shows them (the inverse of `read_recipients`)."""
    out = []
    for a in addresses:
        if a.name and any(c in a.name for c in ',;<>"@'):
            name = a.name.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'"{name}" <{a.address}>')
        else:
            out.append(a.display())
    return ", ".join(out)
