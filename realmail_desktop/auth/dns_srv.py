"""DNS SRV lookups for RFC 6186 mail discovery (`_imaps._tcp.<domain>`, `_submission._tcp.<domain>`, …): a tiny
DNS codec over one UDP query (RFC 1035 §4), enough for SRV answers, so no DNS library is needed. The resolver's
address is injectable (tests run a stub on 127.0.0.1); by default it is the first nameserver of
/etc/resolv.conf. Blocking: run in a worker thread."""

from __future__ import annotations

import secrets
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

SRV = 33
IN = 1
_MAX_POINTERS = 32  # a name that jumps more often than this is malformed (or a loop)


@dataclass(frozen=True, slots=True, order=True)
class SrvRecord:
    """One SRV answer (RFC 2782): lowest `priority` first, then highest `weight`."""

    priority: int
    weight: int
    port: int
    target: str


class DnsError(Exception):
    """The answer could not be had or read (timeout, a malformed packet, a server failure)."""


def system_resolver() -> tuple[str, int] | None:
    """The first nameserver in /etc/resolv.conf (None where there is none, e.g. Windows: no SRV lookups)."""
    try:
        for line in Path("/etc/resolv.conf").read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "nameserver":
                return (parts[1], 53)
    except OSError:
        return None
    return None


def encode_name(name: str) -> bytes:
    out = b""
    for label in name.strip(".").split("."):
        raw = label.encode("idna") if label else b""
        if not raw or len(raw) > 63:
            raise DnsError(f"not a DNS name: {name!r}")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def encode_query(name: str, qtype: int = SRV, query_id: int = 0) -> bytes:
    """A standard query with recursion desired, one question."""
    return struct.pack("!HHHHHH", query_id, 0x0100, 1, 0, 0, 0) + encode_name(name) + struct.pack("!HH", qtype, IN)


def read_name(packet: bytes, offset: int) -> tuple[str, int]:
    """The name at `offset` (following compression pointers) and the offset just after it in the packet."""
    labels: list[str] = []
    end = -1
    jumps = 0
    while True:
        if offset >= len(packet):
            raise DnsError("a name runs past the end of the answer")
        length = packet[offset]
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(packet):
                raise DnsError("a cut compression pointer")
            jumps += 1
            if jumps > _MAX_POINTERS:
                raise DnsError("a compression loop")
            if end < 0:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | packet[offset + 1]
            continue
        if length & 0xC0:
            raise DnsError("an unknown label type")
        offset += 1
        if length == 0:
            break
        labels.append(packet[offset : offset + length].decode("ascii", "replace"))
        offset += length
    return ".".join(labels), (end if end >= 0 else offset)


def decode_srv_answer(packet: bytes, query_id: int) -> list[SrvRecord]:
    """The SRV records of an answer to our query, best first. NXDOMAIN and "no records" give []."""
    if len(packet) < 12:
        raise DnsError("a short answer")
    answer_id, flags, questions, answers, _, _ = struct.unpack("!HHHHHH", packet[:12])
    if answer_id != query_id or not flags & 0x8000:
        raise DnsError("not the answer to our query")
    rcode = flags & 0x000F
    if rcode == 3:  # NXDOMAIN
        return []
    if rcode != 0:
        raise DnsError(f"the DNS server failed (code {rcode})")
    offset = 12
    for _ in range(questions):
        _, offset = read_name(packet, offset)
        offset += 4
    records: list[SrvRecord] = []
    for _ in range(answers):
        _, offset = read_name(packet, offset)
        if offset + 10 > len(packet):
            raise DnsError("a cut record")
        rtype, rclass, _ttl, length = struct.unpack("!HHIH", packet[offset : offset + 10])
        offset += 10
        data_end = offset + length
        if data_end > len(packet):
            raise DnsError("a cut record")
        if rtype == SRV and rclass == IN and length >= 7:
            priority, weight, port = struct.unpack("!HHH", packet[offset : offset + 6])
            target, _ = read_name(packet, offset + 6)
            records.append(SrvRecord(priority, -weight, port, target.rstrip(".").lower()))
        offset = data_end
    # RFC 2782: "." as target means the service is decidedly not available at this domain.
    best = sorted(records)
    return [SrvRecord(r.priority, -r.weight, r.port, r.target) for r in best if r.target]


def lookup_srv(name: str, resolver: tuple[str, int] | None, *, timeout: float = 3.0) -> list[SrvRecord]:
    """SRV records of `name`, best first ([] when there are none or no resolver). Raises DnsError."""
    if resolver is None:
        return []
    query_id = secrets.randbelow(0x10000)
    family = socket.AF_INET6 if ":" in resolver[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(encode_query(name, SRV, query_id), resolver)
            while True:
                packet, sender = sock.recvfrom(4096)
                if sender[0] == resolver[0]:  # ignore stray datagrams from anyone else
                    return decode_srv_answer(packet, query_id)
        except OSError as exc:  # timeouts included
            raise DnsError(f"no answer from the DNS server {resolver[0]}") from exc
