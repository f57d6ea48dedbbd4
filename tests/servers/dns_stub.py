"""A DNS server stub on 127.0.0.1 (UDP) that answers SRV questions from a dict, for RFC 6186 discovery tests.

``records``: ``{"_imaps._tcp.example.org": [(priority, weight, port, target), ...]}``; any other name gets
NXDOMAIN. Answers use name compression for the owner name (a pointer to the question), as real servers do.
"""

from __future__ import annotations

import socket
import struct
import threading
from types import TracebackType

from realmail_desktop.auth.dns_srv import IN, SRV, encode_name, read_name

HOST = "127.0.0.1"


class DnsStub:
    def __init__(self, records: dict[str, list[tuple[int, int, int, str]]]) -> None:
        self.records = records
        self.questions: list[str] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((HOST, 0))
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="dns-stub", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        port: int = self._sock.getsockname()[1]
        return (HOST, port)

    def __enter__(self) -> DnsStub:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                packet, client = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self._sock.sendto(self.answer(packet), client)

    def answer(self, packet: bytes) -> bytes:
        query_id = struct.unpack("!H", packet[:2])[0]
        name, end = read_name(packet, 12)
        question = packet[12 : end + 4]
        self.questions.append(name)
        found = self.records.get(name.lower())
        if found is None:
            return struct.pack("!HHHHHH", query_id, 0x8183, 1, 0, 0, 0) + question  # NXDOMAIN
        answers = b""
        for priority, weight, port, target in found:
            rdata = struct.pack("!HHH", priority, weight, port) + (encode_name(target) if target != "." else b"\0")
            answers += struct.pack("!HHHIH", 0xC00C, SRV, IN, 300, len(rdata)) + rdata
        return struct.pack("!HHHHHH", query_id, 0x8180, 1, len(found), 0, 0) + question + answers
