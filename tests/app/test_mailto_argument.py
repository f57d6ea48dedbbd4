"""`realmail mailto:…`: the desktop's e-mail link handler starts the window; subcommands keep their paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from realmail_desktop.app.arguments import parse_arguments


def test_a_mailto_link_is_kept_apart_from_the_options() -> None:
    args = parse_arguments(["--profile", "/tmp/p", "mailto:ann@example.com?subject=Lunch%20on%20Friday"])
    assert args.mailto == "mailto:ann@example.com?subject=Lunch%20on%20Friday"
    assert args.profile == Path("/tmp/p") and args.command is None
    assert parse_arguments(["MAILTO:Ann@Example.com"]).mailto == "MAILTO:Ann@Example.com"  # schemes ignore case
    assert parse_arguments([]).mailto is None


def test_after_a_subcommand_a_mailto_lookalike_is_a_path() -> None:
    args = parse_arguments(["import", "mailto:archive.mbox"])
    assert args.command == "import" and args.path == Path("mailto:archive.mbox") and args.mailto is None


def test_two_links_are_refused_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_arguments(["mailto:a@example.com", "mailto:b@example.com"])
    assert exit_info.value.code == 2
    assert "give at most one mailto: link" in capsys.readouterr().err
