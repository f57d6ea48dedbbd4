"""What an upload reads from: a file on disk or bytes already in memory (an attachment part), read in chunks.

`read(offset, length)` blocks (disk): the uploader calls it on a worker thread, one chunk at a time, so a file
is never read whole into memory. `key` names the content for resuming a persisted upload session: the same
key after a restart means the same bytes.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Protocol


class UploadSource(Protocol):
    name: str
    size: int
    mime_type: str
    key: str

    def read(self, offset: int, length: int) -> bytes:
        """Up to `length` bytes from `offset` (blocking)."""
        ...

    def readinto(self, offset: int, buffer: memoryview) -> int:
        """Fill `buffer` with the bytes from `offset` (blocking); returns how many were read."""
        ...


def _guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class FileSource:
    """A file on disk; its key is its path, size and modification time (a changed file starts a new upload)."""

    def __init__(self, path: Path, *, name: str = "", mime_type: str = "") -> None:
        stat = path.stat()
        self.path = path
        self.name = name or path.name
        self.size = stat.st_size
        self.mime_type = mime_type or _guess_type(self.name)
        self.key = f"file:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"

    def read(self, offset: int, length: int) -> bytes:
        with self.path.open("rb") as file:
            file.seek(offset)
            return file.read(length)

    def readinto(self, offset: int, buffer: memoryview) -> int:
        with self.path.open("rb", buffering=0) as file:
            file.seek(offset)
            filled = 0
            while filled < len(buffer):
                got = file.readinto(buffer[filled:])
                if not got:
                    break
                filled += got
            return filled


class BytesSource:
    """Bytes in memory (a received attachment part, a composer's file). `key` defaults to their SHA-256,
    computed here: build a big one on a worker thread."""

    def __init__(self, name: str, data: bytes, *, mime_type: str = "", key: str = "") -> None:
        self.name = name
        self.data = data
        self.size = len(data)
        self.mime_type = mime_type or _guess_type(name)
        self.key = key or f"sha256:{hashlib.sha256(data).hexdigest()}"

    def read(self, offset: int, length: int) -> bytes:
        return self.data[offset : offset + length]

    def readinto(self, offset: int, buffer: memoryview) -> int:
        piece = memoryview(self.data)[offset : offset + len(buffer)]
        buffer[: len(piece)] = piece
        return len(piece)
