"""A loopback TCP proxy that breaks connections on demand: the network failures a mail client must survive.

``CuttingProxy(target)`` listens on ``127.0.0.1:<free port>`` and forwards each connection to ``target``
with two threads (one per direction). The controls act at once and deterministically, without timers:

- ``cut_all()``: every live connection is closed on both sides before the call returns (the client sees
  EOF at its next read);
- ``cut_after_bytes(n)``: each connection, live or new, is closed after ``n`` more bytes from the server to
  the client; exactly ``n`` bytes are delivered ("the connection died in the middle of a FETCH");
  ``cut_after_bytes(None)`` lifts it;
- ``refuse(True)``: new connections are accepted and closed at once, before the server's greeting ("the
  server is down"); ``refuse(False)`` serves again;
- ``close()``: stop listening, cut everything and join the threads.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType

_LOOPBACK = "127.0.0.1"
_CHUNK = 64 * 1024
_JOIN_SECONDS = 5.0


class _Connection:
    """One client connection and its upstream connection; the client→server and server→client pumps."""

    def __init__(self, proxy: CuttingProxy, client: socket.socket, upstream: socket.socket, budget: int | None) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.budget = budget  # bytes server→client still allowed; None: no limit (guarded by proxy._lock)
        self.to_client = 0
        self.to_server = 0
        self._cut = False
        self._pumps_left = 2
        self.threads = [
            threading.Thread(target=self._pump_up, name="proxy-c2s", daemon=True),
            threading.Thread(target=self._pump_down, name="proxy-s2c", daemon=True),
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def cut(self) -> None:
        """Shut both sockets down (wakes the pumps); the last pump to finish closes them. Lock held."""
        if self._cut:
            return
        self._cut = True
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _pump_up(self) -> None:
        try:
            while True:
                data = self.client.recv(_CHUNK)
                if not data:
                    break
                self.upstream.sendall(data)
                with self.proxy._lock:
                    self.to_server += len(data)
        except OSError:
            pass
        self._finish()

    def _pump_down(self) -> None:
        try:
            while True:
                data = self.upstream.recv(_CHUNK)
                if not data:
                    break
                with self.proxy._lock:
                    if self._cut:
                        break
                    allowed = len(data) if self.budget is None else min(len(data), self.budget)
                    if self.budget is not None:
                        self.budget -= allowed
                    exhausted = self.budget == 0
                if allowed:
                    self.client.sendall(data[:allowed])
                with self.proxy._lock:
                    self.to_client += allowed
                    if exhausted:
                        self.proxy._cut_connection(self, on_purpose=True)
                        break
        except OSError:
            pass
        self._finish()

    def _finish(self) -> None:
        """A pump ended: the connection is over for both directions (a half-closed IMAP session is useless)."""
        with self.proxy._lock:
            self.proxy._cut_connection(self, on_purpose=False)
            self._pumps_left -= 1
            last = self._pumps_left == 0
        if last:
            for sock in (self.client, self.upstream):
                with contextlib.suppress(OSError):
                    sock.close()


class CuttingProxy:
    """TCP proxy on loopback towards ``target``, with controls to cut, truncate and refuse connections."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._connections: list[_Connection] = []
        self._budget: int | None = None
        self._refusing = False
        self._closed = False
        self.accepted = 0  # connections accepted so far (refused ones included)
        self.refused = 0
        self.cuts = 0  # connections the proxy closed on purpose (cut_all, cut_after_bytes, close)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((_LOOPBACK, 0))
        self._listener.listen(64)
        self.host = _LOOPBACK
        self.port: int = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, name="proxy-accept", daemon=True)
        self._acceptor.start()

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    @property
    def live_connections(self) -> int:
        with self._lock:
            return len(self._connections)

    # -- controls ---------------------------------------------------------------------------------------------

    def cut_all(self) -> int:
        """Close every live connection, both sides, before returning; returns how many were cut."""
        with self._lock:
            live = list(self._connections)
            for connection in live:
                self._cut_connection(connection, on_purpose=True)
            return len(live)

    def cut_after_bytes(self, count: int | None) -> None:
        """Cut each connection (live ones from now, new ones from their start) after ``count`` more bytes
        from server to client. ``None`` lifts the limit; ``0`` cuts at the server's next byte."""
        if count is not None and count < 0:
            raise ValueError("count must be >= 0")
        with self._lock:
            self._budget = count
            for connection in self._connections:
                connection.budget = count

    def refuse(self, refusing: bool = True) -> None:
        """While refusing, new connections are accepted and closed at once (no greeting): the server is down.
        Live connections are left alone (call ``cut_all()`` too for a server that went away)."""
        with self._lock:
            self._refusing = refusing

    def wait_for_connections(self, count: int, timeout: float = 10.0) -> None:
        """Block until ``count`` connections were accepted in total (for a client that connects on its own)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.accepted < count:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise TimeoutError(f"{self.accepted} of {count} connections after {timeout} s")
                self._changed.wait(left)

    def close(self) -> None:
        """Stop accepting, cut every connection and wait (bounded) for the proxy's threads."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._changed.notify_all()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept() on Linux
        with contextlib.suppress(OSError):
            socket.create_connection(self.address, timeout=1).close()  # and elsewhere
        self._acceptor.join(_JOIN_SECONDS)
        self._listener.close()
        with self._lock:
            live = list(self._connections)
            for connection in live:
                self._cut_connection(connection, on_purpose=True)
        for connection in live:
            for thread in connection.threads:
                thread.join(_JOIN_SECONDS)

    def __enter__(self) -> CuttingProxy:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------------------------------

    def _cut_connection(self, connection: _Connection, *, on_purpose: bool) -> None:
        """Forget a connection and shut its sockets down. Lock held."""
        if connection in self._connections:
            self._connections.remove(connection)
            if on_purpose:
                self.cuts += 1
            connection.cut()
            self._changed.notify_all()

    def _accept_loop(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._closed:
                    client.close()
                    return
                self.accepted += 1
                refusing, budget = self._refusing, self._budget
                if refusing:
                    self.refused += 1
                self._changed.notify_all()
            if refusing:
                with contextlib.suppress(OSError):
                    client.shutdown(socket.SHUT_RDWR)
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()  # the target is really down: the client sees the same as with refuse()
                continue
            connection = _Connection(self, client, upstream, budget)
            with self._lock:
                if self._closed:
                    connection.cut()
                else:
                    self._connections.append(connection)
            connection.start()
