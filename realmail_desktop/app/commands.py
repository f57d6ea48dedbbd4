"""The `import` and `export` subcommands: the same services as the window, on a plain asyncio loop."""

from __future__ import annotations

import argparse
import asyncio
import sys

from realmail_desktop.core.config import ProfilePaths
from realmail_desktop.core.errors import KnownError, NotFoundError
from realmail_desktop.core.events import EventBus, TaskFinished, TaskProgress
from realmail_desktop.store import LOCAL_FOLDERS, Account, AccountKind, Folder, Store
from realmail_desktop.transfer import ExportFormat, MailTransfer


def run_command(args: argparse.Namespace, paths: ProfilePaths) -> int:
    """Run one subcommand to the end; a KnownError is printed in plain words with exit status 1."""
    try:
        return asyncio.run(_run(args, paths))
    except KnownError as exc:
        print(f"realmail: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  {exc.hint}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("realmail: interrupted; everything imported so far is kept.", file=sys.stderr)
        return 130


async def _run(args: argparse.Namespace, paths: ProfilePaths) -> int:
    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    _report_progress(bus)
    store = await Store.open(paths.database, bus)
    try:
        transfer = MailTransfer(store, bus)
        if args.command == "import":
            folder = await _folder(store, args.account, args.folder, create=True)
            report = await transfer.import_path(args.path, folder.id)
            print(f"{args.path} → {folder.path}: {report.summary()}")
            for problem in report.problems[:20]:
                print(f"  skipped: {problem}")
            return 0
        folder = await _folder(store, args.account, args.folder, create=False)
        export = await transfer.export_folder(folder.id, args.destination, ExportFormat(args.format))
        print(
            f"{folder.path} → {export.destination}: {export.exported:,} exported"
            + (f", {export.skipped:,} without a local body skipped" if export.skipped else "")
        )
        return 0
    finally:
        await store.close()


async def _folder(store: Store, account_name: str | None, path: str, *, create: bool) -> Folder:
    account = await _account(store, account_name, create=create)
    folder = store.reader.folder_by_path(account.id, path.strip("/"))
    if folder is None:
        known = store.reader.folders(account.id, include_unsubscribed=True)
        matches = [f for f in known if f.path.casefold() == path.strip("/").casefold()]
        folder = matches[0] if matches else None
    if folder is not None:
        return folder
    if not create:
        raise NotFoundError(f"There is no folder “{path}” in {account.name}.")
    created, _ = await store.accounts.create_folder(account.id, path)
    return created


async def _account(store: Store, name: str | None, *, create: bool) -> Account:
    accounts = store.reader.accounts()
    if name is not None:
        for account in accounts:
            if account.name.casefold() == name.casefold():
                return account
        raise NotFoundError(f"There is no account named “{name}”.")
    for account in accounts:
        if account.kind is AccountKind.LOCAL:
            return account
    if not create:
        raise NotFoundError(f"This profile has no {LOCAL_FOLDERS} yet.")
    account, _ = await store.accounts.create_local(LOCAL_FOLDERS)
    return account


def _report_progress(bus: EventBus) -> None:
    interactive = sys.stderr.isatty()

    def on_progress(event: TaskProgress) -> None:
        if interactive:
            total = f" of {event.total:,}" if event.total else ""
            print(f"\r{event.label}: {event.done:,}{total}", end="", file=sys.stderr, flush=True)

    def on_finished(event: TaskFinished) -> None:
        if interactive:
            print(file=sys.stderr)

    bus.subscribe(TaskProgress, on_progress)
    bus.subscribe(TaskFinished, on_finished)
