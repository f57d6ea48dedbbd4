"""Installs, runs and removes the .deb in a clean Debian 12 root (debootstrap + chroot; needs root and apt's mirror).

    python3 packaging/linux/deb_chroot_test.py dist/realmail_0.1.0_amd64.deb

A minimal Debian 12 root is made once with `debootstrap --variant=minbase` and kept as a tarball in
REALMAIL_CHROOT_CACHE (default /var/tmp/realmail-chroot); each run unpacks a fresh copy, so nothing from an
earlier run or from this machine leaks in. In it: `apt-get install ./realmail_….deb` (which must pull every
run-time dependency from the Depends line), `realmail --smoke` with a temporary profile (the same checks as
packaging/bundle_smoke.py), the desktop entry, icons and metainfo in place, then `apt-get purge` leaves no
file behind. Each step is timed; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bundle_smoke import smoke_problems

SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
CACHE = Path(os.environ.get("REALMAIL_CHROOT_CACHE", "/var/tmp/realmail-chroot"))
INSTALLED_FILES = (
    "usr/bin/realmail",
    "opt/realmail/realmail",
    "usr/share/applications/realmail.desktop",
    "usr/share/icons/hicolor/scalable/apps/realmail.svg",
    "usr/share/icons/hicolor/48x48/apps/realmail.png",
    "usr/share/metainfo/org.realmail.RealMail.metainfo.xml",
)
CHROOT_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "DEBIAN_FRONTEND": "noninteractive",
    "LANG": "C.UTF-8",
}


class ChrootTestError(Exception):
    pass


def base_tarball(figures: dict[str, float]) -> Path:
    """The cached minimal root, made with debootstrap on first use."""
    tarball = CACHE / f"{SUITE}-minbase.tar"
    if tarball.is_file():
        return tarball
    if shutil.which("debootstrap") is None:
        raise ChrootTestError("debootstrap is missing: apt-get install debootstrap (./dev package does)")
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        started = time.perf_counter()
        subprocess.run(
            ["debootstrap", "--variant=minbase", SUITE, f"{scratch}/root", MIRROR], check=True, capture_output=True
        )
        figures["debootstrap_s"] = round(time.perf_counter() - started, 1)
        subprocess.run(["tar", "-C", f"{scratch}/root", "-cf", str(tarball) + ".part", "."], check=True)
        Path(str(tarball) + ".part").rename(tarball)
    return tarball


def in_root(root: Path, *command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["chroot", str(root), *command],
        capture_output=True,
        text=True,
        env={**CHROOT_ENV, **(env or {})},
        check=False,
        timeout=1800,
    )


def must(result: subprocess.CompletedProcess[str], what: str) -> subprocess.CompletedProcess[str]:
    if result.returncode != 0:
        raise ChrootTestError(
            f"{what} failed (exit {result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def run_in_clean_root(deb: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    tarball = base_tarball(figures)
    with tempfile.TemporaryDirectory(prefix="realmail-deb-", dir=CACHE) as scratch:
        root = Path(scratch) / "root"
        root.mkdir()
        started = time.perf_counter()
        subprocess.run(["tar", "-C", str(root), "-xf", str(tarball)], check=True)
        figures["unpack_root_s"] = round(time.perf_counter() - started, 1)
        shutil.copy2("/etc/resolv.conf", root / "etc" / "resolv.conf")
        shutil.copy2(deb, root / "tmp" / deb.name)
        mounts = [root / "proc", root / "dev"]
        subprocess.run(["mount", "-t", "proc", "proc", str(mounts[0])], check=True)
        subprocess.run(["mount", "--bind", "/dev", str(mounts[1])], check=True)
        try:
            _exercise(root, deb.name, figures)
        finally:
            for mount in reversed(mounts):
                subprocess.run(["umount", "-l", str(mount)], check=False)
    return figures


def _root_mb(root: Path) -> float:
    return int(must(in_root(root, "du", "-sxk", "/"), "du").stdout.split()[0]) / 1024


def _exercise(root: Path, deb_name: str, figures: dict[str, float]) -> None:
    before_mb = _root_mb(root)
    started = time.perf_counter()
    must(in_root(root, "apt-get", "update", "-qq"), "apt-get update")
    must(
        in_root(root, "apt-get", "install", "-y", "-qq", "--no-install-recommends", f"/tmp/{deb_name}"),
        "apt-get install of the .deb",
    )
    figures["apt_install_s"] = round(time.perf_counter() - started, 1)
    missing = [name for name in INSTALLED_FILES if not (root / name).exists()]
    if missing:
        raise ChrootTestError(f"installed package lacks {missing}")
    du = must(in_root(root, "du", "-sk", "/opt/realmail"), "du").stdout.split()[0]
    figures["installed_mb"] = round(int(du) / 1024, 1)
    figures["with_dependencies_mb"] = round(_root_mb(root) - before_mb, 1)  # what apt added to a minimal root
    version = must(in_root(root, "realmail", "--version"), "realmail --version").stdout.strip()
    print(f"installed: {version}, /opt/realmail {figures['installed_mb']} MB")
    home, profile = "/tmp/home", "/tmp/profile"
    (root / home.lstrip("/")).mkdir()
    started = time.perf_counter()
    smoke = in_root(
        root, "realmail", "--smoke", "--profile", profile, env={"HOME": home, "QT_QPA_PLATFORM": "offscreen"}
    )
    figures["smoke_s"] = round(time.perf_counter() - started, 2)
    print(f"realmail --smoke in the clean root: exit {smoke.returncode}, {smoke.stdout.strip()}")
    problems = smoke_problems(smoke, root / profile.lstrip("/"))
    if problems:
        raise ChrootTestError("smoke test in the clean root:\n" + "\n".join(problems))
    started = time.perf_counter()
    must(in_root(root, "apt-get", "purge", "-y", "-qq", "realmail"), "apt-get purge realmail")
    figures["purge_s"] = round(time.perf_counter() - started, 1)
    left = [name for name in INSTALLED_FILES if (root / name).exists() or (root / name).is_symlink()]
    if left or (root / "opt" / "realmail").exists():
        raise ChrootTestError(f"files left after purge: {left or ['/opt/realmail']}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: deb_chroot_test.py PATH-TO-realmail.deb", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("deb_chroot_test.py: chroot and mount need root", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        figures = run_in_clean_root(Path(argv[0]).resolve())
    except (ChrootTestError, subprocess.CalledProcessError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    figures["total_s"] = round(time.perf_counter() - started, 1)
    print("install, run and purge in a clean Debian 12 root passed")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
