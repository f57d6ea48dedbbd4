"""A fake Telegram Bot API on 127.0.0.1 over real HTTP, for python-telegram-bot pointed at it by base URL.

It answers what the bridge calls — getMe, getUpdates (long polling with `offset` and `timeout`), sendMessage,
editMessageText, editMessageReplyMarkup, sendDocument (multipart), answerCallbackQuery, getFile and the file
download under /file/bot<token>/ — records every call the bot made, lets a test inject updates (commands
carry a `bot_command` entity at offset 0, as Telegram's do; callback queries; replies) and orders 429s.

Parameters arrive as Telegram takes them: form fields (or multipart parts), strings as they are, anything
else JSON-encoded (reply_markup). Runs on a thread of its own, so the test's loop is a real client.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

from tests.servers.dovecot import free_port

HOST = "127.0.0.1"
BOT_ID = 7000001
BOT_USERNAME = "realmail_test_bot"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone writing to the bot: a private chat with them (chat id = user id) or, with `group`, a group."""

    user_id: int
    first_name: str
    username: str = ""
    group: int | None = None  # a group chat's (negative) id: the message comes from that group

    @property
    def chat_id(self) -> int:
        return self.group if self.group is not None else self.user_id

    def user(self) -> dict[str, Any]:
        found: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            found["username"] = self.username
        return found

    def chat(self) -> dict[str, Any]:
        if self.group is not None:
            return {"id": self.group, "type": "group", "title": "A group"}
        return {"id": self.user_id, "type": "private", "first_name": self.first_name, "username": self.username}


@dataclass(frozen=True, slots=True)
class Call:
    """One Bot API call the bot made: its method and parameters (strings, as sent), files by field name."""

    method: str
    params: dict[str, str]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    result: Any = None

    def json(self, name: str) -> Any:
        return json.loads(self.params[name]) if name in self.params else None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text", "")

    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of the inline keyboard sent with this call."""
        markup = self.json("reply_markup") or {}
        return [
            (str(b.get("text")), str(b.get("callback_data", "")))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]


class FakeBotApi:
    """The server. `base_url` / `base_file_url` go to `ApplicationBuilder`; `token` is the one it accepts."""

    def __init__(self, token: str, port: int | None = None) -> None:
        self.token = token
        self.port = port or free_port()
        self._lock = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._file_ids = itertools.count(1)
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, message id) → message, bot's or not
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, data)
        self.too_many: dict[str, list[int]] = {}  # method → retry_after values to answer with 429, in order
        self.highest_offset = 0
        self._closing = False
        self._connections: set[socket.socket] = set()
        self._server = ThreadingHTTPServer((HOST, self.port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-bot-api", daemon=True)

    # --- life -----------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{HOST}:{self.port}/file/bot"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._closing = True
            self._lock.notify_all()
        self._server.shutdown()
        self._server.server_close()
        # Kept-alive connections would go on being served by their threads: a stopped server answers nothing.
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    # --- what a test does -----------------------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> int:
        with self._lock:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
            self._lock.notify_all()
        return update_id

    def say(self, person: Person, text: str, *, reply_to: int | None = None) -> int:
        """`person` writes `text` (a command gets its bot_command entity) — as a reply to bot message
        `reply_to` when given. Returns the update's id."""
        with self._lock:
            message: dict[str, Any] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": person.chat(),
                "from": person.user(),
                "text": text,
            }
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
            if reply_to is not None:
                message["reply_to_message"] = self.messages[(person.chat_id, reply_to)]
            self.messages[(person.chat_id, message["message_id"])] = message
        return self.push({"message": message})

    def press(self, person: Person, message_id: int, data: str) -> int:
        """`person` presses a button with callback data `data` under bot message `message_id`."""
        with self._lock:
            shown = self.messages.get((person.chat_id, message_id)) or {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": person.chat(),
            }
            query_id = str(next(self._update_ids) + 10_000)
        return self.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": person.user(),
                    "chat_instance": f"ci{person.chat_id}",
                    "message": shown,
                    "data": data,
                }
            }
        )

    def bot_calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if method is None or c.method == method]

    def wait_for_call(self, predicate: Callable[[Call], bool], timeout: float = 15.0) -> Call:
        """Block until the bot made a call `predicate` accepts (any earlier one counts). Call it through
        `asyncio.to_thread` from a test's loop."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for call in self.calls:
                    if predicate(call):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the bot made no such call; it made: {[c.method for c in self.calls]}")
                self._lock.wait(left)

    def wait_for_offset(self, update_id: int, timeout: float = 15.0) -> None:
        """Block until the bot asked for updates past `update_id` (so it has received that update)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.highest_offset < update_id:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the bot never confirmed update {update_id}")
                self._lock.wait(left)

    # --- the API --------------------------------------------------------------------------------------
    def _answer(self, method: str, params: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[int, Any]:
        with self._lock:
            waiting = self.too_many.get(method)
            if waiting:
                retry_after = waiting.pop(0)
                self.calls.append(Call(method, params, files, "429"))
                self._lock.notify_all()
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                }
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self._lock:
            result = self._call(method, params, files)
            if result is None:
                return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {method} not faked"}
            self.calls.append(Call(method, params, files, result))
            self._lock.notify_all()
        return 200, {"ok": True, "result": result}

    def _get_updates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", "0") or 0)
        timeout = float(params.get("timeout", "0") or 0)
        deadline = time.monotonic() + timeout
        with self._lock:
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                self.highest_offset = max(self.highest_offset, offset - 1)
                self._lock.notify_all()
            while not self._updates and not self._closing:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            return list(self._updates)

    def _bot_message(self, chat_id: int, extra: dict[str, Any]) -> dict[str, Any]:
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "group"}
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "RealMail", "username": BOT_USERNAME},
            **extra,
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _call(self, method: str, params: dict[str, str], files: dict[str, tuple[str, bytes]]) -> Any:
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "RealMail", "username": BOT_USERNAME}
        if method in ("deleteWebhook", "answerCallbackQuery", "setMyCommands"):
            return True
        if method == "sendMessage":
            extra: dict[str, Any] = {"text": params["text"]}
            markup = json.loads(params.get("reply_markup", "{}"))
            if markup.get("inline_keyboard"):  # Telegram shows only inline keyboards on a message it returns
                extra["reply_markup"] = markup
            return self._bot_message(int(params["chat_id"]), extra)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            key = (int(params["chat_id"]), int(params["message_id"]))
            message = self.messages.get(key)
            if message is None:
                return None
            if "text" in params:
                message["text"] = params["text"]
            markup = json.loads(params["reply_markup"]) if "reply_markup" in params else None
            if markup and markup.get("inline_keyboard"):
                message["reply_markup"] = markup
            else:
                message.pop("reply_markup", None)
            return message
        if method == "sendDocument":
            name, data = files.get("document", ("", b""))
            file_id = f"doc{next(self._file_ids)}"
            self.files[file_id] = (f"documents/{name}", data)
            document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name, "file_size": len(data)}
            return self._bot_message(
                int(params["chat_id"]), {"document": document, "caption": params.get("caption", "")}
            )
        if method == "getFile":
            file_id = params["file_id"]
            if file_id not in self.files:
                return None
            path, data = self.files[file_id]
            return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data), "file_path": path}
        return None

    def _download(self, path: str) -> bytes | None:
        with self._lock:
            for file_path, data in self.files.values():
                if file_path == path:
                    return data
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with api._lock:
                    api._connections.add(self.connection)

            def finish(self) -> None:
                with api._lock:
                    api._connections.discard(self.connection)
                with contextlib.suppress(OSError):
                    super().finish()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the default writes every request (with the token in its URL) to stderr

            def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)  # a long poll the bot gave up on (it stopped) has no reader

            def do_GET(self) -> None:
                file_prefix = f"/file/bot{api.token}/"
                path = unquote(self.path)  # the library URL-quotes the file URL (the token's colon too)
                if path.startswith(file_prefix):
                    data = api._download(path[len(file_prefix) :])
                    if data is None:
                        self._send(404, b"not found", "text/plain")
                    else:
                        self._send(200, data, "application/octet-stream")
                    return
                self._dispatch({}, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                params, files = _parse_body(self.headers.get("Content-Type", ""), body)
                self._dispatch(params, files)

            def _dispatch(self, params: dict[str, str], files: dict[str, tuple[str, bytes]]) -> None:
                prefix, _, method = self.path.rpartition("/")
                if prefix != f"/bot{api.token}":
                    self._send(
                        401, json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
                    )
                    return
                status, answer = api._answer(method.split("?")[0], params, files)
                self._send(status, json.dumps(answer).encode())

        return Handler


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}, {}
    if content_type.startswith("application/json"):
        loaded = json.loads(body or b"{}")
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in loaded.items()}, {}
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        params: dict[str, str] = {}
        files: dict[str, tuple[str, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                files[str(name)] = (filename, data)
            else:
                params[str(name)] = data.decode()
        return params, files
    return {}, {}


@contextmanager
def fake_bot_api(token: str, port: int | None = None) -> Iterator[FakeBotApi]:
    api = FakeBotApi(token, port)
    api.start()
    try:
        yield api
    finally:
        api.stop()
