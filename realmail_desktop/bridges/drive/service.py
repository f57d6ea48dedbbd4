"""DriveService: what the app asks of Google Drive — put a file into the person's "RealMail attachments" folder
(found, or made once), share it (anyone with the link, or each recipient), and give back its link.

Upload sessions are kept in the store (`store.drive`) as soon as Drive gives one, so the same file (same
`UploadSource.key`) resumes after an app restart; an expired session starts again by itself. Cancelling the
task keeps the session (the app may be quitting); `discard` forgets it when the person cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from realmail_desktop.bridges.drive._api import GOOGLE_API, DriveApi, RetryPolicy
from realmail_desktop.bridges.drive.errors import DriveError, DriveRefusedError, DriveUnreachableError
from realmail_desktop.bridges.drive.sources import UploadSource
from realmail_desktop.bridges.drive.tokens import TokenSource
from realmail_desktop.bridges.drive.uploader import DEFAULT_CHUNK, DriveFile, Progress, ResumableUpload
from realmail_desktop.core.logs import get_logger
from realmail_desktop.mail.drive_links import DriveLink
from realmail_desktop.store import LinkSharing, Store

FOLDER_NAME = "RealMail attachments"
FOLDER_TYPE = "application/vnd.google-apps.folder"
_log = get_logger("drive")


def _quoted(value: str) -> str:
    """A string literal of Drive's query language."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class DriveService:
    """Drive for every account that turned it on. `tokens_for(account_id)` gives that account's tokens; an
    account whose Drive settings name another Google sign-in (`DriveSettings.google_account`) uses that one's,
    so its files go into that Google account's Drive. `base_url` is Google's, or a local fake's. Each call
    opens its own HTTP client and closes it when done, so nothing is left to close when the app quits (an
    upload cut short keeps its session in the store)."""

    def __init__(
        self,
        store: Store,
        tokens_for: Callable[[int], TokenSource],
        *,
        base_url: str = GOOGLE_API,
        chunk_size: int = DEFAULT_CHUNK,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._store = store
        self._tokens_for = tokens_for
        self._base_url = base_url
        self._chunk_size = chunk_size
        self._retry = retry
        self._folder_locks: dict[int, asyncio.Lock] = {}
        self.last_upload: ResumableUpload | None = None  # for tests and the benchmark: retries, restarts

    @asynccontextmanager
    async def _api(self, account_id: int) -> AsyncIterator[DriveApi]:
        signed_in = (await self._store.drive.settings(account_id)).sign_in_account(account_id)
        api = DriveApi(self._tokens_for(signed_in), base_url=self._base_url, retry=self._retry)
        try:
            yield api
        finally:
            await api.aclose()

    async def folder(self, account_id: int) -> str:
        """The id of the account's "RealMail attachments" folder: the one remembered if it still exists, else
        the one Drive finds by name, else a new one."""
        async with self._api(account_id) as api:
            return await self._folder(api, account_id)

    async def _folder(self, api: DriveApi, account_id: int) -> str:
        async with self._folder_locks.setdefault(account_id, asyncio.Lock()):
            known = (await self._store.drive.settings(account_id)).folder_id
            if known:
                try:
                    found = await api.call("GET", f"/drive/v3/files/{known}", params={"fields": "id,trashed"})
                except DriveRefusedError as exc:
                    if exc.status != 404:
                        raise
                    found = {}
                if found.get("id") == known and not found.get("trashed"):
                    return known
            query = f"name = {_quoted(FOLDER_NAME)} and mimeType = {_quoted(FOLDER_TYPE)} and trashed = false"
            listed = await api.call("GET", "/drive/v3/files", params={"q": query, "fields": "files(id,name)"})
            files = listed.get("files") or []
            if files:
                folder_id = str(files[0]["id"])
            else:
                made = await api.call(
                    "POST",
                    "/drive/v3/files",
                    params={"fields": "id"},
                    json={"name": FOLDER_NAME, "mimeType": FOLDER_TYPE},
                )
                folder_id = str(made["id"])
                _log.info("account %s: made the Drive folder %r", account_id, FOLDER_NAME)
            await self._store.drive.set_folder(account_id, folder_id)
            return folder_id

    async def upload(
        self,
        account_id: int,
        source: UploadSource,
        *,
        sharing: LinkSharing | None = None,
        recipients: Sequence[str] = (),
        progress: Progress | None = None,
    ) -> DriveLink:
        """Upload `source` (resuming a kept session of the same bytes), share it as `sharing` says (None: only
        the person), and return its link. Raises `DriveError`s in plain words."""
        async with self._api(account_id) as api:
            kept = await self._store.drive.upload(account_id, source.key)
            session_url = kept.session_url if kept is not None and kept.size == source.size else ""
            parents = (await self._folder(api, account_id),)

            async def on_session(url: str) -> None:
                if url:
                    await self._store.drive.remember(account_id, source.key, source.name, source.size, url)
                else:
                    await self._store.drive.forget(account_id, source.key)

            upload = ResumableUpload(
                api,
                source,
                parents=parents,
                chunk_size=self._chunk_size,
                session_url=session_url,
                on_session=on_session,
                progress=progress,
            )
            self.last_upload = upload
            try:
                file = await upload.run()
            except DriveUnreachableError:
                raise  # the session stays: trying again later resumes it
            except DriveError:
                await self._store.drive.forget(account_id, source.key)
                raise
            await self._store.drive.forget(account_id, source.key)
            if sharing is not None:
                await self._share(api, file.id, sharing, recipients)
            link = await self._link(api, file)
        return DriveLink(name=file.name or source.name, size=file.size, url=link, file_id=file.id)

    async def discard(self, account_id: int, source_key: str) -> None:
        """The person cancelled an upload: forget its session (Drive drops it when it expires)."""
        await self._store.drive.forget(account_id, source_key)

    async def share(self, account_id: int, file_id: str, sharing: LinkSharing, recipients: Sequence[str] = ()) -> None:
        """Let anyone with the link read the file, or each of `recipients` (Drive does not mail them: the
        message itself carries the link)."""
        async with self._api(account_id) as api:
            await self._share(api, file_id, sharing, recipients)

    async def _share(self, api: DriveApi, file_id: str, sharing: LinkSharing, recipients: Sequence[str]) -> None:
        if sharing is LinkSharing.ANYONE:
            bodies = [{"type": "anyone", "role": "reader"}]
        else:
            addresses = dict.fromkeys(a.strip().lower() for a in recipients if "@" in a)
            bodies = [{"type": "user", "role": "reader", "emailAddress": address} for address in addresses]
        for body in bodies:
            params = {"fields": "id", "sendNotificationEmail": "false"} if body["type"] == "user" else {"fields": "id"}
            await api.call("POST", f"/drive/v3/files/{file_id}/permissions", sharing=True, params=params, json=body)

    async def _link(self, api: DriveApi, file: DriveFile) -> str:
        if file.web_view_link:
            return file.web_view_link
        got = await api.call("GET", f"/drive/v3/files/{file.id}", params={"fields": "webViewLink"})
        return str(got.get("webViewLink", ""))
