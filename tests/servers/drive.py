"""A fake Google Drive v3 on loopback (HTTP, 127.0.0.1) for the Drive bridge's tests and benchmark: the
resumable upload protocol (initiate → Location; chunked PUT with Content-Range, 256 KiB multiples; 308 with
Range; the `bytes */TOTAL` status query; the final 200 with the file's JSON), files.get / files.list (`q` with
name, mimeType, trashed and `'ID' in parents`) / files.create for folders, files.delete, permissions.create,
all with `fields` honoured — and fault injection.

``FakeDrive`` runs a ``ThreadingHTTPServer`` on a thread of its own and keeps uploaded bytes in files under
``root`` (never in memory). ``accepted_tokens`` (None: any) and ``token_check`` (None: none) decide which bearer
tokens pass; others get 401.
``inject(op, fault, times)`` queues faults for the next requests of one kind of operation:

- op ``chunk`` (a PUT carrying bytes): ``503``; ``drop`` (half the body is read and kept, then the connection is
  closed with no answer); ``half`` (the whole chunk is read, only half of it — whole 256 KiB units — is kept,
  308 says so); ``expire`` (the session is forgotten: 404); ``flip`` (one stored byte is damaged);
- op ``initiate``: ``503``, ``quota`` (403 storageQuotaExceeded);
- op ``permission``: ``sharing`` (403 publishOutNotPermitted), ``503``;
- op ``any``: ``401`` (this token is refused once, whatever it is).

Run ``python -m tests.servers.drive --root DIR`` for a server in a process of its own (the benchmark): it
prints its port on the first line and serves until stdin closes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import secrets
import shutil
import socket
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"
UNIT = 256 * 1024
FOLDER_TYPE = "application/vnd.google-apps.folder"
_DEFAULT_FIELDS = ("kind", "id", "name", "mimeType")
_BLOCK = 1 << 20


@dataclass
class FakeFile:
    id: str
    name: str
    mime_type: str
    parents: list[str]
    size: int = 0
    md5: str = ""
    path: Path | None = None
    permissions: list[dict[str, str]] = field(default_factory=list)
    trashed: bool = False

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "drive#file",
            "id": self.id,
            "name": self.name,
            "mimeType": self.mime_type,
            "parents": self.parents,
            "trashed": self.trashed,
            "webViewLink": f"https://drive.google.com/file/d/{self.id}/view?usp=drivesdk",
            "permissions": self.permissions,
        }
        if self.path is not None:
            body["size"] = str(self.size)
            body["md5Checksum"] = self.md5
        return body


@dataclass
class _Session:
    metadata: dict[str, Any]
    total: int
    path: Path
    fields: str
    received: int = 0
    file_id: str = ""


def select_fields(body: dict[str, Any], fields: str) -> dict[str, Any]:
    """Drive's partial response for one resource: `fields` is a comma list (no nesting needed here)."""
    names = [name.strip() for name in fields.split(",") if name.strip()] if fields else list(_DEFAULT_FIELDS)
    if "*" in names:
        return body
    return {name: body[name] for name in names if name in body}


_CLAUSE_EQ = re.compile(r"^(\w+)\s*(=|!=)\s*'((?:[^'\\]|\\.)*)'$")
_CLAUSE_BOOL = re.compile(r"^(\w+)\s*=\s*(true|false)$")
_CLAUSE_PARENT = re.compile(r"^'((?:[^'\\]|\\.)*)'\s+in\s+parents$")


def matches(file: FakeFile, q: str) -> bool:
    """The subset of Drive's query language RealMail uses: clauses joined by `and`."""
    for clause in (part.strip() for part in re.split(r"\s+and\s+", q.strip()) if part.strip()):
        if m := _CLAUSE_EQ.match(clause):
            key, op, raw = m.groups()
            value = re.sub(r"\\(.)", r"\1", raw)
            actual = {"name": file.name, "mimeType": file.mime_type}.get(key)
            if actual is None or (actual == value) != (op == "="):
                return False
        elif m := _CLAUSE_BOOL.match(clause):
            if m.group(1) != "trashed" or file.trashed != (m.group(2) == "true"):
                return False
        elif m := _CLAUSE_PARENT.match(clause):
            if re.sub(r"\\(.)", r"\1", m.group(1)) not in file.parents:
                return False
        else:
            raise ValueError(f"unsupported query clause: {clause}")
    return True


def _error(code: int, reason: str, message: str, domain: str = "global") -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"domain": domain, "reason": reason, "message": message}],
        }
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up is part of the tests
            super().handle_error(request, client_address)


class FakeDrive:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.files: dict[str, FakeFile] = {}
        self.sessions: dict[str, _Session] = {}
        self.accepted_tokens: set[str] | None = None
        self.token_check: Callable[[str], bool] | None = None  # e.g. the fake OAuth server's introspection
        self.requests: list[tuple[str, str, str]] = []  # (method, path, Content-Range)
        self._faults: dict[str, deque[str]] = {}
        self.lock = threading.Lock()
        self._server = _Server((HOST, 0), self._handler_class())
        self.port = self._server.server_address[1]
        self.base_url = f"http://{HOST}:{self.port}"
        self._thread: threading.Thread | None = None

    # --- test controls -----------------------------------------------------------------------------
    def inject(self, op: str, fault: str, times: int = 1) -> None:
        with self.lock:
            self._faults.setdefault(op, deque()).extend([fault] * times)

    def take_fault(self, op: str) -> str:
        with self.lock:
            for key in (op, "any"):
                queue = self._faults.get(key)
                if queue:
                    return queue.popleft()
        return ""

    def take_fault_if(self, op: str, fault: str) -> bool:
        """Consume the next fault of `op` (or `any`) only if it is `fault`."""
        with self.lock:
            for key in (op, "any"):
                queue = self._faults.get(key)
                if queue and queue[0] == fault:
                    queue.popleft()
                    return True
        return False

    def pending_faults(self) -> int:
        with self.lock:
            return sum(len(queue) for queue in self._faults.values())

    def content_path(self, file_id: str) -> Path:
        path = self.files[file_id].path
        assert path is not None, "a folder has no content"
        return path

    def files_named(self, name: str) -> list[FakeFile]:
        with self.lock:
            return [f for f in self.files.values() if f.name == name]

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-drive", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    # --- the API -----------------------------------------------------------------------------------
    def new_id(self) -> str:
        return secrets.token_urlsafe(12)

    def create_file(self, metadata: dict[str, Any]) -> FakeFile:
        file = FakeFile(
            id=self.new_id(),
            name=str(metadata.get("name", "Untitled")),
            mime_type=str(metadata.get("mimeType", "application/octet-stream")),
            parents=[str(p) for p in metadata.get("parents", ["root"])],
        )
        with self.lock:
            self.files[file.id] = file
        return file

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        drive = self

        class Handler(_DriveHandler):
            fake = drive

        return Handler


class _DriveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeDrive

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # --- plumbing ----------------------------------------------------------------------------------
    def _reply(self, status: int, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _length(self) -> int:
        return int(self.headers.get("Content-Length") or 0)

    def _drain(self, length: int) -> None:
        while length > 0:
            got = self.rfile.read(min(_BLOCK, length))
            if not got:
                return
            length -= len(got)

    def _json_body(self) -> dict[str, Any]:
        length = self._length()
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def _authorised(self, op: str) -> bool:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        accepted = self.fake.accepted_tokens
        refused = not token or (accepted is not None and token not in accepted)
        check = self.fake.token_check
        refused = refused or (check is not None and not check(token))
        if not refused and self.fake.take_fault_if(op, "401"):
            refused = True
        if refused:
            self._drain(self._length())
            self._reply(401, _error(401, "authError", "Invalid Credentials"))
        return not refused

    def _route(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}

    # --- methods -----------------------------------------------------------------------------------
    def do_POST(self) -> None:
        path, query = self._route()
        self.fake.requests.append(("POST", path, ""))
        if path == "/upload/drive/v3/files" and query.get("uploadType") == "resumable":
            if self._authorised("initiate"):
                self._initiate(query)
        elif path == "/drive/v3/files":
            if self._authorised("files"):
                file = self.fake.create_file(self._json_body())
                self._reply(200, select_fields(file.as_json(), query.get("fields", "")))
        elif m := re.fullmatch(r"/drive/v3/files/([^/]+)/permissions", path):
            if self._authorised("permission"):
                self._permission(m.group(1), query)
        else:
            self._drain(self._length())
            self._reply(404, _error(404, "notFound", "Not Found"))

    def do_GET(self) -> None:
        path, query = self._route()
        self.fake.requests.append(("GET", path, ""))
        if not self._authorised("files"):
            return
        if path == "/drive/v3/files":
            try:
                with self.fake.lock:
                    found = [f for f in self.fake.files.values() if matches(f, query.get("q", ""))]
            except ValueError as exc:
                self._reply(400, _error(400, "invalid", str(exc)))
                return
            inner = re.fullmatch(r"(?:nextPageToken,)?files\((.*)\)", query.get("fields", ""))
            self._reply(200, {"files": [select_fields(f.as_json(), inner.group(1) if inner else "") for f in found]})
        elif m := re.fullmatch(r"/drive/v3/files/([^/]+)", path):
            file = self.fake.files.get(m.group(1))
            if file is None:
                self._reply(404, _error(404, "notFound", f"File not found: {m.group(1)}."))
            else:
                self._reply(200, select_fields(file.as_json(), query.get("fields", "")))
        else:
            self._reply(404, _error(404, "notFound", "Not Found"))

    def do_DELETE(self) -> None:
        path, _query = self._route()
        self.fake.requests.append(("DELETE", path, ""))
        if not self._authorised("files"):
            return
        m = re.fullmatch(r"/drive/v3/files/([^/]+)", path)
        with self.fake.lock:
            file = self.fake.files.pop(m.group(1), None) if m else None
        if file is None:
            self._reply(404, _error(404, "notFound", "File not found."))
            return
        if file.path is not None:
            file.path.unlink(missing_ok=True)
        self._reply(204)

    def do_PUT(self) -> None:
        path, query = self._route()
        content_range = self.headers.get("Content-Range", "")
        self.fake.requests.append(("PUT", path, content_range))
        length = self._length()
        op = "chunk" if length else "status"
        if not self._authorised(op):
            return
        with self.fake.lock:
            session = self.fake.sessions.get(query.get("upload_id", ""))
        fault = self.fake.take_fault(op) if length else ""
        if fault == "expire" and session is not None:
            with self.fake.lock:
                self.fake.sessions.pop(query.get("upload_id", ""), None)
            session = None
        if path != "/upload/drive/v3/files" or session is None:
            self._drain(length)
            self._reply(404, _error(404, "notFound", "The upload session was not found or has expired."))
            return
        if fault == "503":
            self._drain(length)
            self._reply(503, _error(503, "backendError", "Backend Error"), {"Connection": "close"})
            self.close_connection = True
            return
        status = re.fullmatch(r"bytes \*/(\d+)", content_range)
        chunk = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", content_range)
        if status is not None and length == 0:
            self._session_state(session)
            return
        if chunk is None or int(chunk.group(3)) != session.total:
            self._drain(length)
            self._reply(400, _error(400, "badContentRange", f"Invalid Content-Range: {content_range}"))
            return
        first, last = int(chunk.group(1)), int(chunk.group(2))
        size = last - first + 1
        if first > session.received or size != length or (last + 1 < session.total and size % UNIT):
            self._drain(length)
            self._reply(400, _error(400, "badContentRange", f"Invalid Content-Range: {content_range}"))
            return
        keep = length // 2 if fault == "drop" else length
        received = self._store(session, first, keep, read_all=fault != "drop")
        if fault == "drop":
            # Half the chunk arrived, then the connection died: no answer at all.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if received != length:  # the client stopped sending
            self.close_connection = True
            return
        if fault == "flip":  # the bytes were damaged on the way and nobody noticed
            with session.path.open("r+b") as out:
                out.seek(first)
                byte = out.read(1)
                out.seek(first)
                out.write(bytes([byte[0] ^ 0xFF]))
        if fault == "half":
            with self.fake.lock:
                session.received = first + (length // 2) // UNIT * UNIT
        self._session_state(session)

    # --- the upload protocol -----------------------------------------------------------------------
    def _initiate(self, query: dict[str, str]) -> None:
        metadata = self._json_body()
        fault = self.fake.take_fault("initiate")
        if fault == "503":
            self._reply(503, _error(503, "backendError", "Backend Error"))
            return
        if fault == "quota":
            message = "The user's Drive storage quota has been exceeded."
            self._reply(403, _error(403, "storageQuotaExceeded", message, "usageLimits"))
            return
        upload_id = self.fake.new_id()
        total = int(self.headers.get("X-Upload-Content-Length", "-1"))
        if total < 0:
            self._reply(400, _error(400, "required", "X-Upload-Content-Length is required here."))
            return
        metadata.setdefault("mimeType", self.headers.get("X-Upload-Content-Type", "application/octet-stream"))
        session = _Session(metadata, total, self.fake.root / f"{upload_id}.part", query.get("fields", ""))
        session.path.touch()
        with self.fake.lock:
            self.fake.sessions[upload_id] = session
        location = f"{self.fake.base_url}/upload/drive/v3/files?uploadType=resumable&upload_id={upload_id}"
        self._reply(200, None, {"Location": location})

    def _store(self, session: _Session, first: int, keep: int, *, read_all: bool = True) -> int:
        """Write `keep` bytes of the body at `first` (with `read_all`, the rest is read and dropped, else left
        unread); return how many bytes of the body were read."""
        length = self._length() if read_all else keep
        arrived = 0
        with session.path.open("r+b") as out:
            out.seek(first)
            out.truncate()
            while arrived < length:
                block = self.rfile.read(min(_BLOCK, length - arrived))
                if not block:
                    break
                if arrived < keep:
                    out.write(block[: keep - arrived])
                arrived += len(block)
        with self.fake.lock:
            session.received = first + min(keep, arrived)
        return arrived

    def _session_state(self, session: _Session) -> None:
        if session.received < session.total:
            headers = {"Range": f"bytes=0-{session.received - 1}"} if session.received else {}
            self._reply(308, None, headers)
            return
        if not session.file_id:
            file = self.fake.create_file(session.metadata)
            digest = hashlib.md5(usedforsecurity=False)
            with session.path.open("rb") as data:
                while block := data.read(_BLOCK):
                    digest.update(block)
            target = self.fake.root / file.id
            shutil.move(session.path, target)
            file.path, file.size, file.md5 = target, session.total, digest.hexdigest()
            session.file_id = file.id
        self._reply(200, select_fields(self.fake.files[session.file_id].as_json(), session.fields))

    def _permission(self, file_id: str, query: dict[str, str]) -> None:
        body = self._json_body()
        file = self.fake.files.get(file_id)
        if file is None:
            self._reply(404, _error(404, "notFound", f"File not found: {file_id}."))
            return
        fault = self.fake.take_fault("permission")
        if fault == "sharing":
            message = "The user does not have sufficient permissions to share this item publicly."
            self._reply(403, _error(403, "publishOutNotPermitted", message))
            return
        if fault == "503":
            self._reply(503, _error(503, "backendError", "Backend Error"))
            return
        kind, role = str(body.get("type", "")), str(body.get("role", ""))
        if kind not in ("anyone", "user", "domain", "group") or role not in ("reader", "commenter", "writer"):
            self._reply(400, _error(400, "invalid", "Invalid permission."))
            return
        if kind in ("user", "group") and "@" not in str(body.get("emailAddress", "")):
            self._reply(400, _error(400, "invalid", "An email address is required."))
            return
        permission = {"kind": "drive#permission", "id": self.fake.new_id(), "type": kind, "role": role}
        if kind in ("user", "group"):
            permission["emailAddress"] = str(body["emailAddress"])
        with self.fake.lock:
            file.permissions.append(permission)
        self._reply(200, select_fields(permission, query.get("fields", "") or "kind,id,type,role"))


@contextmanager
def running_drive(root: Path) -> Iterator[FakeDrive]:
    drive = FakeDrive(root)
    drive.start()
    try:
        yield drive
    finally:
        drive.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake Google Drive on 127.0.0.1 (prints its port)")
    parser.add_argument("--root", type=Path, required=True)
    args = parser.parse_args()
    with running_drive(args.root) as drive:
        print(drive.port, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


if __name__ == "__main__":
    main()
