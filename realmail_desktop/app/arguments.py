"""Command-line arguments of `realmail`: the window (default), `import` and `export`."""

from __future__ import annotations

import argparse
from pathlib import Path

from realmail_desktop import __version__


def _add_common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Given before or after the subcommand; SUPPRESS keeps a subcommand's default from hiding the top one.
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        default=default,
        help="use the profile in DIR instead of the default one",
    )
    parser.add_argument(
        "--log-level",
        default="INFO" if top else argparse.SUPPRESS,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="how much to write to the log",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="realmail",
        description="RealMail Desktop: read, search, write and send mail from all your accounts.",
    )
    parser.add_argument("--version", action="version", version=f"RealMail {__version__}")
    _add_common(parser, top=True)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="start offscreen (temporary profile unless --profile), import the demo if empty, build the window,"
        " check it and exit 0",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    importer = commands.add_parser("import", help="import an .eml file, a folder of .eml files, an mbox or a Maildir")
    _add_common(importer, top=False)
    importer.add_argument("path", type=Path, metavar="PATH")
    importer.add_argument(
        "--folder",
        default="Inbox",
        metavar="NAME",
        help="local folder to import into, e.g. 'Inbox' or 'Archive/2024' (created if missing)",
    )
    importer.add_argument("--account", metavar="NAME", help="account owning the folder (default: Local Folders)")

    exporter = commands.add_parser("export", help="export a local folder as mbox, Maildir or .eml files")
    _add_common(exporter, top=False)
    exporter.add_argument(
        "destination",
        type=Path,
        metavar="DEST",
        help="mbox file (or a folder to put <name>.mbox in), or the folder for Maildir/.eml",
    )
    exporter.add_argument("--folder", required=True, metavar="NAME", help="the folder to export, e.g. 'Inbox'")
    exporter.add_argument("--format", choices=["mbox", "maildir", "eml"], default="mbox")
    exporter.add_argument("--account", metavar="NAME", help="account owning the folder (default: Local Folders)")
    return parser
