"""Builds RealMail's installers for the OS it runs on: the PyInstaller bundle, then that OS's artefacts.

    .venv/bin/python packaging/build.py                # this OS's artefacts (Linux: .deb + .tar.gz)
    .venv/bin/python packaging/build.py --reuse        # skip PyInstaller when dist/pyinstaller/ is there
    .venv/bin/python packaging/build.py --os windows   # fails at once unless run on Windows

Linux → dist/realmail_<version>_amd64.deb and dist/realmail-<version>-linux-x86_64.tar.gz;
Windows → dist/RealMail-<version>-setup.exe (Inno Setup's `iscc` on PATH);
macOS → dist/RealMail-<version>.dmg (signed and notarised when the variables in packaging/README.md are set).
`./dev package` runs this, then the frozen-build smoke test.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
REPO = PACKAGING.parent
DIST = REPO / "dist"
FROZEN = DIST / "pyinstaller"
ICONS = REPO / "build" / "icons"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

sys.path.insert(0, str(REPO))
from realmail_desktop import __version__  # noqa: E402

OS_NAMES = {"linux": "Linux", "win32": "Windows", "darwin": "macOS"}


class BuildError(Exception):
    """A build step that cannot go on: said plainly, with what to do."""


def current_os() -> str:
    for prefix, name in (("linux", "linux"), ("win32", "windows"), ("darwin", "macos")):
        if sys.platform.startswith(prefix):
            return name
    raise BuildError(f"RealMail has no installer for {sys.platform}.")


def require_os(wanted: str) -> None:
    """Windows and macOS artefacts are built on those systems only (Inno Setup, hdiutil, codesign)."""
    here = current_os()
    if wanted != here:
        tools = {"windows": "Inno Setup's iscc", "macos": "hdiutil and codesign", "linux": "dpkg-deb"}[wanted]
        raise BuildError(
            f"The {wanted} artefacts need {tools} and a {wanted} machine; this is {here}. "
            f"Run `python packaging/build.py` on {wanted} (see packaging/README.md)."
        )


def run(command: list[str | Path], **kwargs: object) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], check=True, **kwargs)  # type: ignore[call-overload]


def render_icons() -> None:
    """resources/icons/realmail.svg as PNGs (hicolor sizes; the 256 px one is the .exe/.app icon)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(REPO / "resources" / "icons" / "realmail.svg"))
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        if not image.save(str(ICONS / f"realmail-{size}.png")):
            raise BuildError(f"could not write the {size} px icon in {ICONS}")
    del app


def freeze(*, reuse: bool) -> Path:
    """The one-folder bundle (dist/pyinstaller/realmail/), built by packaging/realmail.spec."""
    bundle = FROZEN / "realmail"
    if reuse and bundle.is_dir():
        print(f"reusing {bundle}")
        return bundle
    if importlib_missing("PyInstaller"):
        raise BuildError(
            'PyInstaller is not installed: `.venv/bin/pip install -e ".[packaging]"` (or `./dev package`).'
        )
    started = time.perf_counter()
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            FROZEN,
            "--workpath",
            REPO / "build" / "pyinstaller",
            PACKAGING / "realmail.spec",
        ],
        cwd=REPO,
    )
    print(f"bundle built in {time.perf_counter() - started:.0f} s: {bundle} ({tree_size(bundle) / 1e6:.0f} MB)")
    return bundle


def importlib_missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


def tree_size(root: Path) -> int:
    return sum(path.lstat().st_size for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def build_tarball(bundle: Path) -> Path:
    """The portable archive: realmail-<version>/ holding the bundle; unpack anywhere and run ./realmail."""
    machine = platform.machine() or "x86_64"
    target = DIST / f"realmail-{__version__}-linux-{machine}.tar.gz"
    top = f"realmail-{__version__}"
    started = time.perf_counter()
    with tarfile.open(target, "w:gz", compresslevel=6) as archive:
        archive.add(bundle, arcname=top, filter=_portable_member)
        archive.add(PACKAGING / "linux" / "realmail.desktop", arcname=f"{top}/share/realmail.desktop")
        archive.add(ICONS / "realmail-256.png", arcname=f"{top}/share/realmail.png")
    print(f"{target.name}: {target.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.0f} s")
    return target


def _portable_member(member: tarfile.TarInfo) -> tarfile.TarInfo:
    member.uid = member.gid = 0
    member.uname = member.gname = ""
    return member


def build_for_linux(bundle: Path) -> list[Path]:
    from linux.deb_package import build_deb

    return [build_deb(bundle, ICONS, DIST, __version__), build_tarball(bundle)]


def build_for_windows(bundle: Path) -> list[Path]:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc is None:
        raise BuildError("Inno Setup's compiler `iscc` is not on PATH: install Inno Setup 6 (jrsoftware.org).")
    run(
        [
            iscc,
            f"/DAppVersion={__version__}",
            f"/DBundleDir={bundle}",
            f"/DOutputDir={DIST}",
            f"/DIconFile={ICONS / 'realmail.ico'}",
            PACKAGING / "windows" / "realmail.iss",
        ]
    )
    return [DIST / f"RealMail-{__version__}-setup.exe"]


def build_for_macos(bundle: Path) -> list[Path]:
    app = FROZEN / "RealMail.app"
    if not app.is_dir():
        raise BuildError(f"{app} is missing: PyInstaller builds it on macOS from packaging/realmail.spec.")
    target = DIST / f"RealMail-{__version__}.dmg"
    run(["bash", PACKAGING / "macos" / "make_dmg.sh", app, target, __version__])
    return [target]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--os", choices=["linux", "windows", "macos"], help="the OS to build for (default: this one)")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing PyInstaller bundle")
    parser.add_argument("--bundle-only", action="store_true", help="only the PyInstaller bundle, no installer")
    args = parser.parse_args(argv)
    try:
        target_os = args.os or current_os()
        require_os(target_os)
        render_icons()
        if target_os == "windows":
            from PIL import Image

            Image.open(ICONS / "realmail-256.png").save(ICONS / "realmail.ico", sizes=[(s, s) for s in ICON_SIZES[:7]])
        bundle = freeze(reuse=args.reuse)
        if args.bundle_only:
            return 0
        builders = {"linux": build_for_linux, "windows": build_for_windows, "macos": build_for_macos}
        for artefact in builders[target_os](bundle):
            print(f"built {artefact} ({artefact.stat().st_size / 1e6:.0f} MB)")
    except BuildError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"build.py: a build step failed (exit {exc.returncode}): {exc.cmd[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
