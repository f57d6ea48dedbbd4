"""The Debian package: the frozen bundle in /opt/realmail, a `realmail` command, desktop entry, icons, metainfo.

Built with `dpkg-deb --root-owner-group` (no fakeroot, no debian/ source tree). Menus, the mailto: handler
and the icon cache are refreshed by the dpkg triggers of desktop-file-utils and hicolor-icon-theme, so the
package needs no maintainer scripts.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

LINUX = Path(__file__).resolve().parent
REPO = LINUX.parents[1]
PACKAGE = "realmail"
INSTALL_DIR = Path("opt") / "realmail"

# What the bundle does not carry: Qt's X11/EGL/font libraries, QtWebEngine's (NSS, X extensions, ALSA),
# and libmagic for attachment sniffing (FIELD-NOTES: checked on a minimal Debian 12).
DEPENDS = [
    "libc6 (>= 2.28)",
    "libegl1",
    "libgl1",
    "libx11-6",
    "libx11-xcb1",
    "libdbus-1-3",
    "libfontconfig1",
    "libfreetype6",
    "libglib2.0-0",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-render-util0",
    "libxcb-render0",
    "libxcb-shape0",
    "libxcb-util1",
    "libxcb-xkb1",
    "libxcb-randr0",
    "libxcb-xinerama0",
    "libnss3",
    "libxcomposite1",
    "libxdamage1",
    "libxrandr2",
    "libxtst6",
    "libasound2",
    "libxkbfile1",
    "libxshmfence1",
    "libmagic1",
    "fonts-dejavu-core | fonts-liberation2 | fonts-freefont-ttf",
]
RECOMMENDS = ["fonts-noto-color-emoji", "fonts-wqy-microhei | fonts-noto-cjk", "gnome-keyring | kwalletmanager"]
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

CONTROL = """\
Package: {package}
Version: {version}
Architecture: {arch}
Maintainer: RealMail developers <realmail@localhost>
Installed-Size: {installed_kib}
Depends: {depends}
Recommends: {recommends}
Section: mail
Priority: optional
Description: e-mail client for the desktop
 RealMail reads, searches, writes and sends mail from all your accounts in one
 fast window, over a local store that keeps working offline. HTML mail is
 sanitised and remote content is blocked until you allow it.
"""


def dpkg_architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def stage(bundle: Path, icons: Path, root: Path, version: str) -> int:
    """Lay out the package's files under `root`; returns their size in KiB for Installed-Size."""
    if root.exists():
        shutil.rmtree(root)
    target = root / INSTALL_DIR
    shutil.copytree(bundle, target, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    # The bootloader resolves its own path through symlinks, so /usr/bin/realmail finds /opt/realmail/_internal.
    (root / "usr" / "bin" / "realmail").symlink_to(Path("..", "..", INSTALL_DIR, "realmail"))
    share = root / "usr" / "share"
    _install(LINUX / "realmail.desktop", share / "applications" / "realmail.desktop")
    _install(LINUX / "org.realmail.RealMail.metainfo.xml", share / "metainfo" / "org.realmail.RealMail.metainfo.xml")
    hicolor = share / "icons" / "hicolor"
    _install(REPO / "resources" / "icons" / "realmail.svg", hicolor / "scalable/apps/realmail.svg")
    for size in HICOLOR_SIZES:
        _install(icons / f"realmail-{size}.png", hicolor / f"{size}x{size}" / "apps" / "realmail.png")
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "RealMail Desktop\nLicense: GPL-3.0-or-later (see /usr/share/common-licenses/GPL-3)\n"
        "The bundled Qt for Python (PySide6) is LGPL-3.0; Qt WebEngine includes Chromium (BSD-style licences).\n",
        encoding="utf-8",
    )
    for path in root.rglob("*"):  # dpkg keeps the modes it finds: files 0644, programs and folders 0755
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or path.stat().st_mode & 0o111 else 0o644)
    size = sum(p.lstat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    return (size + 1023) // 1024


def _install(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def build_deb(bundle: Path, icons: Path, dist: Path, version: str) -> Path:
    """dist/realmail_<version>_<arch>.deb from the one-folder bundle and the rendered icons."""
    arch = dpkg_architecture()
    root = dist.parent / "build" / "deb-root"
    installed_kib = stage(bundle, icons, root, version)
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(
        CONTROL.format(
            package=PACKAGE,
            version=version,
            arch=arch,
            installed_kib=installed_kib,
            depends=", ".join(DEPENDS),
            recommends=", ".join(RECOMMENDS),
        ),
        encoding="utf-8",
    )
    target = dist / f"{PACKAGE}_{version}_{arch}.deb"
    started = time.perf_counter()
    # zstd -9: measured on this bundle, xz -6 took 367 s for 143 MB; zstd compresses the 195 MB WebEngine library
    # at ~18 MB/s to 15 % more than xz. dpkg reads zstd from 1.21.18 (Debian 12, Ubuntu 21.10).
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zzstd", "-z9", "--threads-max=2", "--build", str(root), str(target)],
        check=True,
    )
    print(f"{target.name}: {target.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.0f} s")
    shutil.rmtree(root)
    return target
