"""The TLS context every httpx client of the app shares (Google Drive, the Telegram bridge), made once per process
on a worker thread, with the modules httpx imports only at its first request.

Loading the CA certificates (certifi's, or SSL_CERT_FILE/SSL_CERT_DIR) takes 30-60 ms, which each
`httpx.AsyncClient()` spent on the event loop when it made its own context: the longest stall of a Drive upload in
bench/drive.py, and twice at every start of the Telegram bridge. httpcore and anyio's asyncio backend (~30 ms each)
are imported here too: on a worker thread the loop gets the GIL between bytecodes.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import ssl
import threading

import httpx

# httpx imports httpcore (and h11) in its transport's constructor; httpcore imports anyio's asyncio backend at
# its first request.
_LAZY_IMPORTS = ("httpcore", "anyio._backends._asyncio")


class ClientSetup:
    """What the first HTTP client of a process costs, paid once (`get()` blocks: call it on a worker thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.tls: ssl.SSLContext | None = None

    def get(self) -> ssl.SSLContext:
        with self._lock:
            if self.tls is None:
                for name in _LAZY_IMPORTS:
                    with contextlib.suppress(ImportError):
                        importlib.import_module(name)
                self.tls = httpx.create_ssl_context()
            return self.tls


_SETUP = ClientSetup()


async def shared_tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, made on a worker thread the first time (pass it as `verify=`)."""
    setup = _SETUP
    return setup.tls if setup.tls is not None else await asyncio.to_thread(setup.get)
