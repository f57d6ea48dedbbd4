"""The .deb (REALMAIL_DEB, built by `./dev package`): its metadata and files, and install/run/purge in a clean root."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.packaging.conftest import load_script

pytestmark = pytest.mark.packaging


def deb_field(deb: Path, field: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), field], capture_output=True, text=True, check=True).stdout


def test_the_package_declares_what_the_bundle_does_not_carry(deb_file: Path) -> None:
    depends = [alternatives.strip() for alternatives in deb_field(deb_file, "Depends").split(",")]
    assert "libmagic1" in depends  # python-magic loads it at run time
    assert "libnss3" in depends and "libxkbcommon-x11-0" in depends  # QtWebEngine, the X11 platform plugin
    assert any(dep.startswith("fonts-dejavu-core") for dep in depends)  # without a font every glyph is a box
    assert int(deb_field(deb_file, "Installed-Size")) > 100_000  # KiB: the whole bundle is counted


def test_the_package_installs_the_desktop_integration(deb_file: Path) -> None:
    listing = subprocess.run(["dpkg-deb", "-c", str(deb_file)], capture_output=True, text=True, check=True).stdout
    paths = {line.split()[5].removeprefix(".") for line in listing.splitlines()}
    assert {
        "/usr/share/applications/realmail.desktop",
        "/usr/share/metainfo/org.realmail.RealMail.metainfo.xml",
        "/usr/share/icons/hicolor/scalable/apps/realmail.svg",
        "/usr/share/icons/hicolor/256x256/apps/realmail.png",
        "/opt/realmail/realmail",
        "/usr/bin/realmail",
    } <= paths
    assert "/usr/bin/realmail -> ../../opt/realmail/realmail" in listing.replace("./usr", "/usr")


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chroot and mount need root")
def test_install_run_and_purge_in_a_clean_debian_root(deb_file: Path) -> None:
    chroot_test = load_script("linux/deb_chroot_test.py")
    assert chroot_test.main([str(deb_file)]) == 0
