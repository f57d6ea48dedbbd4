"""The peer in bench/drive.py's comparison: one resumable upload through google-api-python-client, driven from an
asyncio (qasync) loop the way issue 7 describes it. Only the benchmark imports this; the app does not (its
uploader is realmail_desktop/bridges/drive/, on httpx).

How the library is used, with the fixes of FIELD-NOTES ("Google Drive"):
- every blocking call runs in a worker thread (`asyncio.to_thread`), each thread with its own HTTP object
  (`httplib2.Http` is not thread-safe): `googleapiclient.http.build_http()` (it drops 308 from the redirect
  codes; a bare `httplib2.Http()` follows the resumable protocol's 308) wrapped by google-auth's
  `AuthorizedHttp` for the bearer token;
- the service comes from the packaged discovery document with `rootUrl` pointed at the fake
  (`build_from_document`; `client_options` would keep https:// on upload URLs);
- `MediaIoBaseUpload` resumable, with `has_stream()` returning False, so each chunk — and a retried one — is
  sent as bytes (with the stream slice, a retried chunk goes out empty and hangs until the socket timeout), read
  into one reused buffer as the app's uploader reads them, and hashed as they are read, so the MD5 Drive returns
  is checked as the app's uploader checks it;
- `next_chunk()` is called again after a transport error (httplib2 resends once by itself; a second drop reaches
  us), which makes the library ask the session where it stands (`bytes */TOTAL`) and go on from there; 5xx
  answers are retried inside `next_chunk(num_retries=…)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import random
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httplib2
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.http import MediaIoBaseUpload, build_http

FILE_FIELDS = "id,name,mimeType,size,md5Checksum,webViewLink"  # the app's (bridges/drive/uploader.py)
FOLDER_TYPE = "application/vnd.google-apps.folder"
ATTEMPTS = 8  # transport failures in a row before giving up (the app's RetryPolicy)
SERVER_RETRIES = 5  # 5xx/429 answers retried inside next_chunk

_local = threading.local()


def thread_http(token: str) -> AuthorizedHttp:
    """This worker thread's own authorised HTTP object (made on first use)."""
    http: AuthorizedHttp | None = getattr(_local, "http", None)
    if http is None:
        http = AuthorizedHttp(Credentials(token=token), http=build_http())  # type: ignore[no-untyped-call]
        _local.http = http
    return http


def drive_service(base_url: str, token: str) -> Any:
    """Drive v3 from the packaged discovery document, its rootUrl set to `base_url`."""
    doc = get_static_doc("drive", "v3")
    assert doc is not None, "google-api-python-client ships the Drive v3 discovery document"
    description = json.loads(doc)
    description["rootUrl"] = base_url.rstrip("/") + "/"
    return build_from_document(description, http=thread_http(token))


class HashingChunkUpload(MediaIoBaseUpload):  # type: ignore[misc]
    """`MediaIoBaseUpload` whose chunks are sent as bytes (`has_stream()` is False: FIELD-NOTES' fix for retried
    chunks sent empty), read with `readinto` into one reused buffer (a new 8 MiB `bytes` per chunk, as the
    library's `getbytes` makes, grew peak RSS with the file: +44 MB at 50 MiB, +81 MB at 200 MiB — glibc's
    per-thread arenas keep the freed ones, as they did for the app's uploader before the same fix) and hashed, in
    file order and once each, as they are read."""

    def __init__(self, fd: IO[bytes], *, chunksize: int, reuse_buffer: bool = True) -> None:
        super().__init__(fd, mimetype="application/octet-stream", chunksize=chunksize, resumable=True)
        self._buffer = memoryview(bytearray(min(chunksize, self.size()) if reuse_buffer else 0))
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._hashed = 0

    def has_stream(self) -> bool:
        return False

    def getbytes(self, begin: int, length: int) -> memoryview:
        self._fd.seek(begin)
        if self._buffer:
            data = self._buffer[: self._fd.readinto(self._buffer[:length])]
        else:  # the library's way (bench/drive.py --peer-fresh-chunks)
            data = memoryview(self._fd.read(length))
        if begin <= self._hashed < begin + len(data):  # a resumed chunk repeats what was hashed already
            self._md5.update(data[self._hashed - begin :])
            self._hashed = begin + len(data)
        return data

    def hexdigest(self) -> str:
        return self._md5.hexdigest()


@dataclass
class Uploaded:
    file: dict[str, Any]
    retries: int  # transport failures that reached our loop (each followed by next_chunk again)
    verified: bool  # Drive's size and md5Checksum equal the bytes read


async def make_folder(base_url: str, token: str, name: str) -> str:
    """A folder to upload into (made before the clock starts, as the app's is)."""

    def create() -> str:
        service = drive_service(base_url, token)
        body = {"name": name, "mimeType": FOLDER_TYPE}
        made = service.files().create(body=body, fields="id").execute(http=thread_http(token))
        return str(made["id"])

    return await asyncio.to_thread(create)


async def upload(
    path: Path,
    *,
    base_url: str,
    token: str,
    chunk_size: int,
    parent: str,
    reuse_buffer: bool = True,
    sending: threading.Lock | None = None,
) -> Uploaded:
    """Upload `path` into the folder `parent`: each `next_chunk()` on a worker thread, the loop free between.
    `sending` (for the benchmark) is held while a `next_chunk()` runs."""
    service = await asyncio.to_thread(drive_service, base_url, token)
    with path.open("rb") as data:
        media = HashingChunkUpload(data, chunksize=chunk_size, reuse_buffer=reuse_buffer)
        request = service.files().create(
            body={"name": path.name, "parents": [parent]}, media_body=media, fields=FILE_FIELDS
        )

        def step() -> tuple[Any, dict[str, Any] | None]:
            with sending or contextlib.nullcontext():
                result: tuple[Any, dict[str, Any] | None] = request.next_chunk(
                    http=thread_http(token), num_retries=SERVER_RETRIES
                )
            return result

        response: dict[str, Any] | None = None
        retries = failures = 0
        while response is None:
            try:
                _status, response = await asyncio.to_thread(step)
            except (httplib2.HttpLib2Error, OSError):
                retries += 1
                failures += 1
                if failures >= ATTEMPTS:
                    raise
                # the app's back-off: full jitter, 0.5 s × 2ⁿ
                await asyncio.sleep(random.uniform(0, 0.5 * 2 ** (failures - 1)))
                continue
            failures = 0
    verified = int(response.get("size", -1)) == media.size() and response.get("md5Checksum") == media.hexdigest()
    return Uploaded(response, retries, verified)
