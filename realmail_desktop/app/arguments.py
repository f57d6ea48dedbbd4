"""Command-line arguments of `realmail`: the window (default, optionally for a `mailto:` link), `import`, `export`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
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
        epilog="`realmail mailto:ADDRESS?subject=…` is how the desktop hands RealMail an e-mail link:"
        " a composer opens with the link's fields filled (in the running RealMail, if there is one).",
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


_SUBCOMMANDS = frozenset({"import", "export"})


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """`argv` parsed, with a `mailto:` link kept apart as `args.mailto` (None when there is none).

    The desktop hands a clicked link over as `realmail mailto:…` (the .desktop file's `Exec=realmail %u`, the
    Windows installer's registration). argparse cannot take an optional positional next to subcommands, so
    the link is taken out before parsing; after `import`/`export` an argument is a path, never a link.
    """
    parser = build_parser()
    rest: list[str] = []
    links: list[str] = []
    for position, arg in enumerate(argv):
        if arg in _SUBCOMMANDS:
            rest.extend(argv[position:])
            break
        (links if arg[:7].lower() == "mailto:" else rest).append(arg)
    if len(links) > 1:
        parser.error("give at most one mailto: link")
    args = parser.parse_args(rest)
    args.mailto = links[0] if links else None
    return args
