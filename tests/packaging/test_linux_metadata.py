"""The desktop entry and AppStream metadata: valid for the desktop's own validators, and a mailto: handler."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from tests.packaging.conftest import PACKAGING

DESKTOP = PACKAGING / "linux" / "realmail.desktop"
METAINFO = PACKAGING / "linux" / "org.realmail.RealMail.metainfo.xml"


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_desktop_entry_hands_mailto_links_to_realmail() -> None:
    entry = desktop_entry()
    assert entry["Exec"] == "realmail %u"
    assert "x-scheme-handler/mailto" in entry["MimeType"].split(";")
    assert entry["Icon"] == "realmail"  # the hicolor icon the .deb installs
    assert "Email" in entry["Categories"].split(";")


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils is not installed")
def test_the_desktop_entry_validates() -> None:
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout == "", result.stdout


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream is not installed")
def test_the_metainfo_validates_and_names_the_desktop_entry() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("provides/mediatype") == "x-scheme-handler/mailto"
