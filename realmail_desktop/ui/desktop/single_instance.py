"""One RealMail per profile: a second start hands its `mailto:` link (or just "show yourself") to the first.

The first instance listens on a local socket (QLocalServer: a Unix socket, a named pipe on Windows) named
after the profile folder; a later `realmail mailto:…` connects, sends one line and exits. A stale socket
left by a crash is removed before listening.

Signals (InstanceServer): linkReceived(str link) — "" when a second start had no link (show the window).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from realmail_desktop.core.logs import get_logger

_log = get_logger("ui.instance")
_WAIT_MS = 2000
_MAX_LINK = 64 * 1024


def server_name(profile: Path) -> str:
    """The socket's name for a profile folder (short: Unix socket paths are limited to ~100 bytes)."""
    digest = hashlib.sha256(str(profile.resolve()).encode()).hexdigest()[:16]
    return f"realmail-{digest}"


def hand_over(name: str, link: str | None) -> bool:
    """Give `link` to the instance listening on `name`; False when none answers (then this one runs)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_WAIT_MS):
        return False
    socket.write((link or "").encode() + b"\n")
    handed = socket.waitForBytesWritten(_WAIT_MS)
    socket.disconnectFromServer()
    return handed


class InstanceServer(QObject):
    linkReceived = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(name)  # a socket file left by a crash would refuse the listen
        self.listening = self._server.listen(name)
        if not self.listening:
            _log.warning("cannot listen for other starts of RealMail: %s", self._server.errorString())
        self._server.newConnection.connect(self._on_connection)

    def _on_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > _MAX_LINK:
                socket.abort()
            return
        line = bytes(socket.readLine(_MAX_LINK).data()).decode(errors="replace").strip()
        self.linkReceived.emit(line if line[:7].lower() == "mailto:" else "")

    def close(self) -> None:
        self._server.close()
