"""`realmail`: parse the command line, pick the profile, set up logging, run the window or a subcommand."""

from __future__ import annotations

import argparse
import faulthandler
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from realmail_desktop.app.arguments import parse_arguments
from realmail_desktop.core.config import ProfilePaths, Settings
from realmail_desktop.core.logs import get_logger, setup_logging


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    settings = Settings()
    if args.smoke and args.profile is None and settings.profile_dir is None:
        with tempfile.TemporaryDirectory(prefix="realmail-smoke-") as scratch:
            args.profile = Path(scratch)
            return _run(args, settings)
    return _run(args, settings)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    paths = ProfilePaths.resolve(args.profile, settings)
    try:
        paths.ensure()
    except OSError as exc:
        print(f"realmail: cannot use the profile folder {paths.root}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    setup_logging(paths.logs, level=args.log_level or settings.log_level)
    _record_crashes(paths.logs / "crash.log")
    if args.command is not None:
        from realmail_desktop.app.commands import run_command

        return run_command(args, paths)
    if args.mailto is not None:
        # The desktop's mailto: handler (realmail %u): the window opens a composer for it (or the running one
        # does). The link itself is not logged: it holds addresses and maybe a message text.
        get_logger("app").info("started for a mailto: link")
    from realmail_desktop.app.gui import run_gui

    return run_gui(paths, smoke=args.smoke, mailto=args.mailto)


def _record_crashes(path: Path) -> None:
    """A crash in native code (Qt, Chromium, SQLite) writes every thread's Python stack to the profile's
    crash.log instead of vanishing without a trace; the file stays open for the life of the process. Left
    alone when something already set a handler up (python -X faulthandler, a test runner)."""
    if faulthandler.is_enabled():
        return
    try:
        crash_log = path.open("a", encoding="utf-8")
    except OSError:
        return
    faulthandler.enable(file=crash_log, all_threads=True)


if __name__ == "__main__":
    raise SystemExit(main())
