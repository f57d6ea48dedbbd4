"""Helpers of the QtWebEngine reader tests: a loopback HTTP server that counts requests, and page queries."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PySide6.QtWebEngineCore import QWebEnginePage

from .mail_samples import PNG
from .qt_async import wait_for


class CountingServer:
    """A threading http.server on 127.0.0.1 answering every GET with a PNG and recording its path."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self._waiters: list[tuple[frozenset[str], asyncio.Future[None], asyncio.AbstractEventLoop]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.record(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css" if self.path.endswith(".css") else "image/png")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(b"" if self.path.endswith(".css") else PNG)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def record(self, path: str) -> None:
        with self._lock:
            self.paths.append(path)
            seen = set(self.paths)
            for wanted, future, loop in self._waiters:
                if wanted <= seen:
                    loop.call_soon_threadsafe(lambda f=future: None if f.done() else f.set_result(None))

    async def saw(self, *paths: str) -> None:
        """Until every one of `paths` was requested at least once."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if set(paths) <= set(self.paths):
                return
            self._waiters.append((frozenset(paths), future, loop))
        await wait_for(future)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()


def counting_server() -> Iterator[CountingServer]:
    server = CountingServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def page_html(page: QWebEnginePage) -> str:
    """The page's current DOM as HTML (asked of Chromium; no JavaScript involved)."""
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    page.toHtml(lambda html: None if future.done() else future.set_result(html))
    result: str = await wait_for(future)
    return result


async def page_text(page: QWebEnginePage) -> str:
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    page.toPlainText(lambda text: None if future.done() else future.set_result(text))
    result: str = await wait_for(future)
    return result
