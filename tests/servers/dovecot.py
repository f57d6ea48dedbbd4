"""A real Dovecot IMAP server on loopback, private to one test run.

``DovecotServer.start()`` writes its own ``dovecot.conf`` into a temporary directory (nothing in ``/etc/dovecot``
is read or changed), starts ``dovecot -F -c CONF`` with its output in a file and returns once both the plain
and the implicit-TLS port answer with a greeting. Start one server per test run (~0.1 s) and a fresh user per test:
``add_user()`` writes a passwd-file of the user's own, which Dovecot reads at that user's first login.

Notes (FIELD-NOTES, Dovecot 2.3.19 on Debian 12):
- As root, mail processes refuse uid 0: the userdb maps every user to ``nobody``/``nogroup`` and the mail
  homes are chowned to it. As a normal user, everything runs as that user and the login services are not
  chrooted.
- A TLS login process sometimes logs a "Panic" when a test cuts its connection, and is respawned: harmless.
- Stopping takes ~1 s (Dovecot waits for its children), so stop once, at the end of the run.
- Failed logins answer after ~0.5 s (2.3 keeps a 0.5 s failure timer even with auth_failure_delay = 0); the
  anvil penalty that would grow that to 2, 4, 8… s per failure from 127.0.0.1 is switched off.
- ``DovecotServer(oauth2_introspection_url=URL)`` also accepts XOAUTH2 and OAUTHBEARER: an ``oauth2`` passdb
  (FIELD-NOTES recipe) POSTs each token to URL (tests/servers/oauth.py's ``/introspect``) at every login and
  takes the answer's ``email`` as the user, so one person's token presented for another address is refused.
  Passwords still work for PLAIN/LOGIN (each passdb is asked only for its own mechanisms).
"""

from __future__ import annotations

import contextlib
import grp
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from imapclient import imap_utf7

from tests.servers.tls import CertificateFiles, session_certificates

HOST = "127.0.0.1"
SPECIAL_USE = {"Drafts": r"\Drafts", "Sent": r"\Sent", "Trash": r"\Trash", "Junk": r"\Junk", "Archive": r"\Archive"}
_DH_PARAMS = Path("/usr/share/dovecot/dh.pem")
_START_DEADLINE = 15.0
_STOP_DEADLINE = 15.0
# Maildir info letters for the IMAP system flags (https://cr.yp.to/proto/maildir.html; Dovecot's maildir-util).
_USER_NAME = re.compile(r"[A-Za-z0-9_@-][A-Za-z0-9._@-]*")  # Dovecot's default auth_username_chars
_FLAG_LETTERS = {r"\Draft": "D", r"\Flagged": "F", r"\Answered": "R", r"\Seen": "S", r"\Deleted": "T"}


@dataclass(frozen=True, slots=True)
class ImapUser:
    """A mailbox on the test server: log in with ``name`` and ``password``."""

    name: str
    password: str


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _temp_parent() -> str | None:
    """tmpfs when there is one: this machine's disk makes creating many small files slow and erratic."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


class DovecotServer:
    """One private Dovecot instance: ``start()``, ``add_user()``, ``fill_maildir()``, ``stop()``."""

    host = HOST
    separator = "."  # Maildir++'s hierarchy separator, as LIST reports it

    def __init__(self, *, oauth2_introspection_url: str | None = None) -> None:
        self._oauth2_introspection_url = oauth2_introspection_url
        self._directory: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._port = 0
        self._tls_port = 0
        self._certificates: CertificateFiles | None = None
        self._users: dict[str, ImapUser] = {}
        self._user_numbers = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self._lock = threading.Lock()
        self.start_seconds = 0.0
        self.stop_seconds = 0.0
        if os.geteuid() == 0:
            self._uid = pwd.getpwnam("nobody").pw_uid
            self._gid = grp.getgrnam("nogroup").gr_gid
        else:
            self._uid, self._gid = os.getuid(), os.getgid()

    # -- properties -------------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The plain IMAP port (no TLS; LOGIN allowed)."""
        self._require_running()
        return self._port

    @property
    def tls_port(self) -> int:
        """The implicit-TLS IMAP port (IMAPS); its certificate is signed by ``ca_file``."""
        self._require_running()
        return self._tls_port

    @property
    def ca_file(self) -> Path:
        """The test CA's certificate (PEM): trust it to verify ``tls_port``."""
        return self._require_certificates().ca_cert

    @property
    def directory(self) -> Path:
        """The server's private directory: config, log, passwd-file, mail homes."""
        if self._directory is None:
            raise RuntimeError("Dovecot is not started")
        return self._directory

    @property
    def log_path(self) -> Path:
        return self.directory / "dovecot.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_text(self) -> str:
        """Everything Dovecot logged so far (useful in a failing test's message)."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # -- life cycle -------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Write a private config, start Dovecot and return when both ports greet. Raises RuntimeError."""
        if self._process is not None:
            raise RuntimeError("Dovecot is already started")
        binary = shutil.which("dovecot") or next(
            (p for p in ("/usr/sbin/dovecot", "/sbin/dovecot") if os.access(p, os.X_OK)), None
        )
        if binary is None or not Path("/usr/lib/dovecot/imap").exists():
            raise RuntimeError(
                "Dovecot is not installed (Debian packages dovecot-core and dovecot-imapd): "
                "run ./dev test, which installs the test servers before running pytest"
            )
        began = time.monotonic()
        self._certificates = session_certificates()
        self._directory = Path(tempfile.mkdtemp(prefix="realmail-dovecot-", dir=_temp_parent()))
        # The mail processes run as an unprivileged user: it must reach the homes below this directory.
        self._directory.chmod(0o755)
        (self._directory / "home").mkdir(mode=0o755)
        (self._directory / "state").mkdir(mode=0o750)
        (self._directory / "users").mkdir(mode=0o755)
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between the probe and Dovecot's bind
            self._port, self._tls_port = free_port(), free_port()
            if self._port == self._tls_port:
                continue
            self._write_config(binary)
            self.log_path.write_bytes(b"")
            with self.log_path.open("ab") as output:
                self._process = subprocess.Popen(
                    [binary, "-F", "-c", str(self._directory / "dovecot.conf")],
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl-C reaches pytest, which stops the server in order
                )
            try:
                self._wait_until_ready()
            except RuntimeError as error:
                last_error = str(error)
                self._kill()
                if "in use" in last_error:
                    continue
                break
            self.start_seconds = time.monotonic() - began
            return
        directory, self._directory = self._directory, None
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"Dovecot did not start: {last_error}")

    def stop(self) -> None:
        """SIGTERM to the master process, wait (bounded) for it to exit, then remove the directory."""
        process, self._process = self._process, None
        if process is None:
            return
        began = time.monotonic()
        # With -F the master is our child: its pid is the one Dovecot writes to run/master.pid.
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=_STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=_STOP_DEADLINE)
        self.stop_seconds = time.monotonic() - began
        directory, self._directory = self._directory, None
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    def __enter__(self) -> DovecotServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # -- users and mail ---------------------------------------------------------------------------------------

    def add_user(self, name: str | None = None, password: str = "secret") -> ImapUser:
        """A new user with an empty mailbox, usable at once: no reload, no restart.

        Each user has a passwd-file of its own (``users/<name>``): Dovecot opens a file it has not seen on the
        first lookup, whereas it re-checks a file it knows at most once a second (so one shared passwd-file
        would hide a user added in the same second as the last login).
        """
        self._require_running()
        if any(c in password for c in ":\r\n\0") or password != password.strip() or not password:
            raise ValueError(f"not allowed as a passwd-file password: {password!r}")
        if name is not None and not _USER_NAME.fullmatch(name):
            raise ValueError(f"not allowed as a Dovecot user name: {name!r}")
        with self._lock:
            if name is None:
                name = f"user{next(self._user_numbers):04d}"
                while name in self._users:
                    name = f"user{next(self._user_numbers):04d}"
            elif name in self._users:
                raise ValueError(f"user {name!r} exists already")
            user = ImapUser(name, password)
            self._users[name] = user
            home = self.home(user)
            home.mkdir(mode=0o700)
            self._chown(home)
            self._write_password(user)
        return user

    def set_password(self, user: ImapUser | str, password: str) -> ImapUser:
        """Change a user's password on the server ("the password was changed elsewhere").

        Returns when Dovecot is bound to see it: its passwd-file driver re-checks a known file at most once per
        second, so this waits (bounded, under a second) for the clock to pass the second of the change.
        """
        name = user if isinstance(user, str) else user.name
        if any(c in password for c in ":\r\n\0") or password != password.strip() or not password:
            raise ValueError(f"not allowed as a passwd-file password: {password!r}")
        with self._lock:
            if name not in self._users:
                raise ValueError(f"no user {name!r}")
            changed = ImapUser(name, password)
            self._users[name] = changed
            written = self._write_password(changed)
        while time.time() < written + 1:  # readiness wait inside the harness, bounded by one second
            time.sleep(0.02)
        return changed

    def home(self, user: ImapUser | str) -> Path:
        name = user if isinstance(user, str) else user.name
        return self.directory / "home" / name

    def maildir(self, user: ImapUser | str, folder: str = "INBOX") -> Path:
        """The Maildir++ directory of ``folder`` (``INBOX`` is the Maildir root; others are ``.Name``).

        The hierarchy separator is ``.`` (``separator``): ``"Projects.2024"`` is a subfolder of ``Projects``.
        """
        if "/" in folder or folder.startswith(".") or ".." in folder or not folder:
            raise ValueError(f"not a folder name on this server (separator {self.separator!r}): {folder!r}")
        root = self.home(user) / "Maildir"
        if folder.upper() == "INBOX":
            return root
        encoded: bytes = imap_utf7.encode(folder)
        return root / ("." + encoded.decode("ascii"))

    def fill_maildir(self, user: ImapUser | str, folder: str, messages: Iterable[tuple[bytes, str, int]]) -> list[Path]:
        """Write messages straight into ``folder``'s ``cur/``: the fast way to fill a big folder.

        Each message is ``(raw bytes, flags, internaldate)``: flags are IMAP flags separated by spaces
        (``r"\\Seen \\Flagged $Forwarded"``; keywords go through ``dovecot-keywords``), internaldate is a Unix
        time that becomes the file's mtime, which Dovecot reports as INTERNALDATE. UIDs follow the order given.

        Best before the user's first login: Dovecot then indexes the files at the first SELECT/STATUS. Files
        added to a folder Dovecot has already indexed show up at its next sync (NOOP, SELECT, STATUS: checked
        by test_harness), like mail delivered by another program, as \\Recent. The folder is created on disk if
        needed (``separator`` is ``.``) and is not subscribed unless it is one of the special-use folders.
        ``\\Recent`` cannot be given (Dovecot sets it): a ValueError, like any flag Maildir cannot store.
        """
        self._require_running()
        directory = self.maildir(user, folder)
        root = self.home(user) / "Maildir"
        created: list[Path] = []
        for path in (root, directory):
            for sub in ("", "cur", "new", "tmp"):
                target = path / sub
                if not target.exists():
                    target.mkdir(mode=0o700, parents=True)
                    created.append(target)
        if directory != root and not (directory / "maildirfolder").exists():
            (directory / "maildirfolder").touch(mode=0o600)
            created.append(directory / "maildirfolder")
        keywords = _read_keywords(directory)
        written: list[Path] = []
        cur = directory / "cur"
        pid = os.getpid()
        for raw, flags, internaldate in messages:
            letters = []
            for flag in flags.split():
                if flag in _FLAG_LETTERS:
                    letters.append(_FLAG_LETTERS[flag])
                elif flag.startswith("\\"):
                    raise ValueError(f"Maildir cannot store the flag {flag!r}")
                else:
                    if flag not in keywords:
                        if len(keywords) == 26:
                            raise ValueError("Maildir stores at most 26 keywords per folder")
                        keywords.append(flag)
                    letters.append(chr(ord("a") + keywords.index(flag)))
            number = next(self._file_numbers)
            # Dovecot gives new files UIDs in the order of the time part of their names: count up from 1e9.
            base = f"{1_000_000_000 + number}.M{number}P{pid}.realmail-test,S={len(raw)}"
            path = cur / f"{base}:2,{''.join(sorted(set(letters)))}"
            with path.open("xb") as file:
                file.write(raw)
            os.utime(path, (internaldate, internaldate))
            written.append(path)
        if keywords:
            keywords_file = directory / "dovecot-keywords"
            keywords_file.write_text("".join(f"{i} {word}\n" for i, word in enumerate(keywords)))
            created.append(keywords_file)
        for path in [*created, *written]:
            self._chown(path)
        return written

    # -- internals --------------------------------------------------------------------------------------------

    def _require_running(self) -> None:
        if not self.running:
            raise RuntimeError("Dovecot is not running")

    def _require_certificates(self) -> CertificateFiles:
        if self._certificates is None:
            raise RuntimeError("Dovecot is not started")
        return self._certificates

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            os.chown(path, self._uid, self._gid)

    def _write_password(self, user: ImapUser) -> int:
        """Write ``users/<name>`` atomically with an mtime never used before; returns the second written."""
        target = self.directory / "users" / user.name
        scratch = target.with_name(f".{user.name}.new")
        scratch.write_text(f"{user.name}:{{PLAIN}}{user.password}\n")
        scratch.chmod(0o644)  # read by the auth process, which runs as the dovecot user
        # Dovecot reloads a known file when its mtime or size changed: make sure the mtime did.
        stamp = 1_000_000_000 - next(self._file_numbers)
        os.utime(scratch, (stamp, stamp))
        scratch.replace(target)
        return int(time.time())

    def _write_config(self, binary: str) -> None:
        directory = self.directory
        certificates = self._require_certificates()
        instance = f"realmail-test-{os.getpid()}-{directory.name.rsplit('-', 1)[-1]}"
        unprivileged = chroot = ""
        if os.geteuid() != 0:  # Dovecot's "running as non-root" recipe: one user for everything, no chroot
            me, my_group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
            unprivileged = (
                f"default_login_user = {me}\ndefault_internal_user = {me}\ndefault_internal_group = {my_group}\n"
            )
            chroot = "  chroot =\n"
        mechanisms, oauth2_passdb, password_only = "plain login", "", ""
        if self._oauth2_introspection_url is not None:
            mechanisms = "plain login xoauth2 oauthbearer"
            password_only = "  mechanisms = plain login\n"
            oauth2_passdb = (
                f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                f"  args = {directory}/dovecot-oauth2.conf.ext\n}}\n"
            )
            (directory / "dovecot-oauth2.conf.ext").write_text(
                f"introspection_mode = post\nintrospection_url = {self._oauth2_introspection_url}\n"
                "username_attribute = email\nactive_attribute = active\nactive_value = true\n"
                "force_introspection = yes\n"
            )
        mailboxes = "".join(
            f"  mailbox {name} {{\n    special_use = {flag}\n    auto = subscribe\n  }}\n"
            for name, flag in SPECIAL_USE.items()
        )
        config = f"""# Written by tests/servers/dovecot.py for one test run ({binary}).
base_dir = {directory}/run
state_dir = {directory}/state
instance_name = {instance}
log_path = {directory}/dovecot.log
listen = {HOST}
protocols = imap
shutdown_clients = yes

ssl = yes
ssl_cert = <{certificates.server_cert}
ssl_key = <{certificates.server_key}
ssl_dh = <{_DH_PARAMS}
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
auth_verbose = yes
# Tests try wrong passwords on purpose: 2.3 still answers a failure after ~0.5 s, not the default 2 s.
auth_failure_delay = 0
# Several clients (the app, "another client", a proxy) log in as one user from 127.0.0.1.
mail_max_userip_connections = 200

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {directory}/users/%u
{password_only}}}
{oauth2_passdb}userdb {{
  driver = static
  args = uid={self._uid} gid={self._gid} home={directory}/home/%u
}}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
mail_fsync = never

namespace inbox {{
  inbox = yes
{mailboxes}}}

service imap-login {{
{chroot}  inet_listener imap {{
    address = {HOST}
    port = {self._port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {self._tls_port}
    ssl = yes
  }}
}}
# No anvil penalty socket, so no growing delay (2, 4, 8… s) after failed logins from 127.0.0.1.
service anvil {{
{chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
{unprivileged}"""
        (directory / "dovecot.conf").write_text(config)

    def _wait_until_ready(self) -> None:
        """Poll (bounded) until the plain port greets and the TLS port completes a verified handshake."""
        deadline = time.monotonic() + _START_DEADLINE
        context = ssl.create_default_context(cafile=str(self.ca_file))
        plain_ready = tls_ready = False
        while True:
            process = self._process
            if process is None or process.poll() is not None:
                raise RuntimeError(f"dovecot exited at start:\n{self.log_text()[-3000:]}")
            if "Address already in use" in self.log_text():
                raise RuntimeError("port in use")
            with contextlib.suppress(OSError):
                if not plain_ready:
                    with socket.create_connection((HOST, self._port), timeout=2) as plain:
                        plain_ready = _read_line(plain).startswith(b"* OK")
                if plain_ready and not tls_ready:
                    with (
                        socket.create_connection((HOST, self._tls_port), timeout=2) as raw,
                        context.wrap_socket(raw, server_hostname=HOST) as secure,
                    ):
                        tls_ready = _read_line(secure).startswith(b"* OK")
            if plain_ready and tls_ready:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"dovecot did not answer within {_START_DEADLINE} s:\n{self.log_text()[-3000:]}")
            time.sleep(0.01)  # readiness polling inside the harness only, bounded by the deadline above

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=_STOP_DEADLINE)


def _read_line(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _read_keywords(directory: Path) -> list[str]:
    path = directory / "dovecot-keywords"
    if not path.exists():
        return []
    keywords: dict[int, str] = {}
    for line in path.read_text().splitlines():
        index, _, word = line.partition(" ")
        if index.isdigit() and word:
            keywords[int(index)] = word
    return [keywords[i] for i in sorted(keywords)]


@contextlib.contextmanager
def running_dovecot(*, oauth2_introspection_url: str | None = None) -> Iterator[DovecotServer]:
    """``with running_dovecot() as server:`` for scripts and benchmarks outside pytest."""
    server = DovecotServer(oauth2_introspection_url=oauth2_introspection_url)
    server.start()
    try:
        yield server
    finally:
        server.stop()
