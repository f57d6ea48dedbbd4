"""Benchmark: IMAP sync of a realistic mailbox from a real Dovecot over TLS — RealMail against mbsync, notmuch and
offlineimap, in the same run, on the same mailbox, each writing to tmpfs.

    ./dev bench sync --messages 2000          (installs Dovecot, isync, notmuch and offlineimap3 first)
    .venv/bin/python bench/sync.py [--messages 23500] [--skip-offlineimap] [--skip-realmail]

Steps: start a private Dovecot (tests/servers/dovecot.py) in a directory on /dev/shm; write the generated mailbox
(bench/corpus.py `mailbox`: INBOX, Archive, Sent, Lists) straight into its Maildir files before anyone logs in
(one APPEND per message would take minutes); let Dovecot index the folders once (one SELECT each), so no
client pays for that; then measure, all over implicit TLS to `localhost` (mbsync checks DNS names only):

- mbsync (isync): full sync of the four folders to a Maildir on tmpfs, then a resync with nothing changed;
- notmuch: `notmuch new` over mbsync's Maildir (its index is the search RealMail's FTS stands against);
- RealMail, in a child process that runs only RealMail's sync (its peak RSS is the sync's, not the generator's
  or the peers'), on a qasync loop with a 10 ms QTimer as in the app (asyncio timer if Qt is missing):
  `add_imap_account` with the sync window "all", then the time from that call until the newest 50 Inbox
  messages are stored (first_50_s), every header of every folder is stored (headers_s) and every body is
  stored and full-text indexed (searchable_s); then a `check_now` with nothing changed (resync_s); the longest
  gap between timer ticks during the sync (max_stall_ms) and the child's peak RSS (rss_mb);
- offlineimap (offlineimap3): full sync to a Maildir on tmpfs, unless --skip-offlineimap (~143 s at 23,500).

Prints figures and the ratios to the targets of docs/PERFORMANCE.md, then, as its last line, one JSON object.
Every wait has a deadline; the server is stopped and the temporary directories removed even on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from stall import Ticker  # noqa: E402

FOLDERS = [name for name, _ in corpus.FOLDER_SHARES]  # INBOX, Archive, Sent, Lists
PASSWORD = "bench-secret"  # a throw-away user of a throw-away server on loopback
HOST = "localhost"  # mbsync matches the certificate against DNS names only; the test certificate names localhost
FIRST_ROWS = 50


def _shm() -> Path | None:
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def _deadline(messages: int, per_message: float, floor: float) -> float:
    """A generous bound for one step: `floor` seconds, or `per_message` seconds a message when that is more."""
    return max(floor, messages * per_message)


# --- the mailbox --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Mailbox:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FOLDERS, 0))
    size: int = 0
    big: int = 0
    newest_inbox: list[str] = field(default_factory=list)  # Message-IDs of the newest FIRST_ROWS Inbox messages
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def build_mailbox(server: Any, user: Any, count: int) -> Mailbox:
    """Generate `count` messages and write them into the user's Maildir folders (before any login)."""
    started = time.perf_counter()
    box = Mailbox()
    pending: dict[str, list[tuple[bytes, str, int]]] = collections.defaultdict(list)
    newest: collections.deque[str] = collections.deque(maxlen=FIRST_ROWS)
    for message in corpus.mailbox(count):
        box.counts[message.folder] += 1
        box.size += len(message.raw)
        box.big += len(message.raw) > 4_000_000
        if message.folder == "INBOX":
            newest.append(message.message_id)
        batch = pending[message.folder]
        batch.append((message.raw, message.flags, message.internaldate))
        if len(batch) >= 500:
            server.fill_maildir(user, message.folder, pending.pop(message.folder))
    for folder, batch in pending.items():
        server.fill_maildir(user, folder, batch)
    for folder in FOLDERS:  # an empty folder must exist too
        server.fill_maildir(user, folder, [])
    # Dovecot 2.3's Maildir++ subscriptions file: the sync engine takes subscribed folders by default, and
    # only the special-use ones are subscribed automatically (Lists is not).
    root = server.maildir(user, "INBOX")
    subscriptions = root / "subscriptions"
    subscriptions.write_text("".join(f"{folder}\n" for folder in FOLDERS))
    owner = root.stat()
    os.chown(subscriptions, owner.st_uid, owner.st_gid)
    box.newest_inbox = list(newest)
    box.seconds = time.perf_counter() - started
    return box


def index_on_server(server: Any, user: Any, box: Mailbox) -> float:
    """Log in once and SELECT every folder, so Dovecot builds its indexes before any measured client."""
    from imapclient import IMAPClient

    started = time.perf_counter()
    context = ssl.create_default_context(cafile=str(server.ca_file))
    client = IMAPClient(HOST, port=server.tls_port, ssl=True, ssl_context=context, timeout=120)
    try:
        client.login(user.name, user.password)
        subscribed = {name for _flags, _delimiter, name in client.list_sub_folders()}
        missing = [f for f in FOLDERS if f != "INBOX" and f not in subscribed]
        if missing:
            raise RuntimeError(f"folders not subscribed on the server: {missing}")
        for folder in FOLDERS:
            exists = client.select_folder(folder, readonly=True)[b"EXISTS"]
            if exists != box.counts[folder]:
                raise RuntimeError(f"{folder}: the server has {exists} messages, {box.counts[folder]} were written")
        client.logout()
    finally:
        with contextlib.suppress(Exception):
            client.shutdown()
    return time.perf_counter() - started


def count_maildir(root: Path) -> int:
    """Messages in a tree of Maildirs (files in cur/ and new/), skipping notmuch's database."""
    total = 0
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d != ".notmuch"]
        if Path(directory).name in ("cur", "new"):
            total += len(files)
    return total


# --- the peers ----------------------------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} is not installed: run ./dev bench sync, which installs the benchmark's peers")
    return path


def _version(command: list[str]) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    lines = (completed.stdout or completed.stderr).strip().splitlines()
    return lines[0] if lines else "?"


def run_timed(command: list[str], *, env: dict[str, str], timeout: float, log: Path) -> float:
    """Run a peer tool with its output in `log`; returns wall-clock seconds. Raises with the log's tail."""
    started = time.perf_counter()
    with log.open("ab") as output:
        try:
            completed = subprocess.run(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"{command[0]} did not finish within {timeout:.0f} s (log: {_tail(log)})") from exc
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {completed.returncode}:\n{_tail(log)}")
    return elapsed


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def mbsync_config(scratch: Path, server: Any, user: Any) -> tuple[Path, Path]:
    target = scratch / "mbsync"
    target.mkdir()
    config = scratch / "mbsyncrc"
    config.write_text(
        f"""IMAPAccount bench
Host {HOST}
Port {server.tls_port}
User {user.name}
Pass {user.password}
SSLType IMAPS
CertificateFile {server.ca_file}

IMAPStore bench-far
Account bench

MaildirStore bench-near
Path {target}/
Inbox {target}/INBOX
SubFolders Verbatim

Channel bench
Far :bench-far:
Near :bench-near:
Patterns {" ".join(FOLDERS)}
Create Near
Expunge None
SyncState *
"""
    )
    return config, target


def notmuch_config(scratch: Path, maildir: Path) -> Path:
    config = scratch / "notmuch-config"
    config.write_text(
        f"""[database]
path={maildir}
[user]
name=Alex Morgan
primary_email=alex@example.org
[new]
tags=unread;inbox;
ignore=.mbsyncstate;.mbsyncstate.journal;.mbsyncstate.new;.uidvalidity;.mbsyncstate.lock
[search]
exclude_tags=deleted;spam;
[maildir]
synchronize_flags=true
"""
    )
    return config


def offlineimap_config(scratch: Path, server: Any, user: Any) -> tuple[Path, Path]:
    target = scratch / "offlineimap"
    target.mkdir()
    config = scratch / "offlineimaprc"
    config.write_text(
        f"""[general]
accounts = bench
metadata = {scratch}/offlineimap-metadata
ui = quiet

[Account bench]
localrepository = bench-local
remoterepository = bench-remote

[Repository bench-local]
type = Maildir
localfolders = {target}

[Repository bench-remote]
type = IMAP
remotehost = {HOST}
remoteport = {server.tls_port}
remoteuser = {user.name}
remotepass = {user.password}
ssl = yes
sslcacertfile = {server.ca_file}
folderfilter = lambda name: name in {FOLDERS!r}
"""
    )
    return config, target


def _peer_env(scratch: Path) -> dict[str, str]:
    home = scratch / "home"  # the peers' dot-files stay in the scratch directory
    home.mkdir(exist_ok=True)
    return dict(os.environ, HOME=str(home))


def measure_mbsync_notmuch(scratch: Path, server: Any, user: Any, box: Mailbox) -> dict[str, Any]:
    """mbsync's full sync and no-change resync, then notmuch's indexing of mbsync's Maildir."""
    figures: dict[str, Any] = {}
    env = _peer_env(scratch)
    n = box.total

    mbsync = _tool("mbsync")
    config, maildir = mbsync_config(scratch, server, user)
    command = [mbsync, "-c", str(config), "-q", "bench"]
    figures["mbsync_full_s"] = run_timed(command, env=env, timeout=_deadline(n, 0.02, 120), log=scratch / "mbsync.log")
    got = count_maildir(maildir)
    if got != n:
        raise RuntimeError(f"mbsync fetched {got} of {n} messages:\n{_tail(scratch / 'mbsync.log')}")
    # mbsync's Maildir side waits out the rest of the second when a folder changed within the current second
    # (isync's guard against missing a change): right after the full sync that adds ~1 s, which no real resync
    # pays. Let the clock pass a second first, as it would between two syncs.
    time.sleep(1.5)
    runs = [run_timed(command, env=env, timeout=120, log=scratch / "mbsync.log") for _ in range(3)]
    figures["mbsync_resync_s"] = runs[0]
    figures["mbsync_resync_runs_s"] = [round(r, 4) for r in runs]
    print(
        f"mbsync: full sync {figures['mbsync_full_s']:.2f} s,"
        f" no-change resync {', '.join(f'{r:.3f}' for r in runs)} s (three runs; the first counts)"
    )

    notmuch = _tool("notmuch")
    env_notmuch = dict(env, NOTMUCH_CONFIG=str(notmuch_config(scratch, maildir)))
    figures["notmuch_index_s"] = run_timed(
        [notmuch, "new", "--quiet"], env=env_notmuch, timeout=_deadline(n, 0.03, 300), log=scratch / "notmuch.log"
    )
    counted = subprocess.run(
        [notmuch, "count", "--output=messages", "*"],
        env=env_notmuch,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.strip()
    if int(counted or 0) != n:
        raise RuntimeError(f"notmuch indexed {counted} of {n} messages:\n{_tail(scratch / 'notmuch.log')}")
    print(f"notmuch: indexed mbsync's Maildir in {figures['notmuch_index_s']:.2f} s")
    return figures


def measure_offlineimap(scratch: Path, server: Any, user: Any, box: Mailbox) -> float:
    """offlineimap's full sync of the four folders (its defaults otherwise)."""
    tool = _tool("offlineimap")
    config, maildir = offlineimap_config(scratch, server, user)
    log = scratch / "offlineimap.log"
    command = [tool, "-c", str(config), "-o", "-u", "quiet"]
    seconds = run_timed(command, env=_peer_env(scratch), timeout=_deadline(box.total, 0.05, 600), log=log)
    got = count_maildir(maildir)
    if got != box.total:
        raise RuntimeError(f"offlineimap fetched {got} of {box.total} messages:\n{_tail(log)}")
    print(f"offlineimap: full sync {seconds:.1f} s")
    return seconds


# --- RealMail (in a child process) --------------------------------------------------------------------------------


def measure_realmail(
    scratch: Path, server: Any, user: Any, box: Mailbox, *, rows_on_thread: bool = False, window_days: int = 0
) -> dict[str, Any]:
    """Run RealMail's sync in a child process (this script with --realmail-child); returns its figures."""
    params = {
        "rows_on_thread": rows_on_thread,
        "window_days": window_days,
        "profile": str(scratch / "realmail"),
        "host": HOST,
        "port": server.tls_port,
        "username": user.name,
        "password": user.password,
        "ca_file": str(server.ca_file),
        "server_pid": server._process.pid if server._process is not None else None,
        "counts": box.counts,
        "newest_inbox": box.newest_inbox,
        "deadline_s": _deadline(box.total, 0.04, 300),
    }
    (scratch / "realmail").mkdir()
    params_file = scratch / "realmail-params.json"
    params_file.write_text(json.dumps(params))
    env = dict(os.environ, REALMAIL_EXTRA_CA_FILE=str(server.ca_file), QT_QPA_PLATFORM="offscreen")
    env["HOME"] = str(scratch / "home")
    env.pop("REALMAIL_PROFILE_DIR", None)
    log = scratch / "realmail.log"
    try:
        with log.open("wb") as errors:
            completed = subprocess.run(
                [sys.executable, __file__, "--realmail-child", str(params_file)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                timeout=params["deadline_s"] + 120,
                check=False,
            )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"RealMail's sync did not finish in time:\n{_tail(log)}") from exc
    lines = completed.stdout.decode(errors="replace").strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"RealMail's sync failed (exit {completed.returncode}):\n{_tail(log, 60)}")
    for line in lines[:-1]:
        print(f"  {line}")
    figures: dict[str, Any] = json.loads(lines[-1])
    return figures


class StoreWatch(threading.Thread):
    """Watches the profile's store from a thread of its own (its own read connection, off the event loop): after
    each published Changes (or every 0.25 s) it checks the three milestones and notes when each was first met."""

    def __init__(self, database: Path, expected: int, newest_inbox: list[str], loop: asyncio.AbstractEventLoop):
        super().__init__(name="bench-store-watch", daemon=True)
        self._database = database
        self._expected = expected
        # The store may keep Message-IDs with or without their angle brackets: ask for both spellings.
        self._newest = [*newest_inbox, *(m.strip("<>") for m in newest_inbox)]
        self._loop = loop
        self._poked = threading.Event()
        self._stopping = threading.Event()
        self.reached: dict[str, float] = {}
        self.events = {name: asyncio.Event() for name in ("first_50", "headers", "searchable")}
        self.latest: dict[str, int] = {"first_50": 0, "headers": 0, "searchable": 0}
        self.error: BaseException | None = None

    def poke(self) -> None:
        self._poked.set()

    def stop(self) -> None:
        self._stopping.set()
        self._poked.set()
        if self.ident is not None:  # started
            self.join(timeout=10)

    def run(self) -> None:
        from realmail_desktop.store.database import connect_reader

        conn = None
        marks = ",".join("?" * len(self._newest))
        try:
            while not self._stopping.is_set():
                self._poked.wait(0.25)
                self._poked.clear()
                if self._stopping.is_set():
                    break
                if conn is None:
                    if not self._database.exists():
                        continue
                    conn = connect_reader(self._database)
                checked = time.perf_counter()  # the state read below was committed before this moment
                if "first_50" not in self.reached:
                    row = conn.execute(
                        "SELECT count(DISTINCT m.message_id) FROM messages m JOIN folders f ON f.id = m.folder_id"
                        f" WHERE f.role = 'inbox' AND m.message_id IN ({marks})",
                        self._newest,
                    ).fetchone()
                    self._milestone("first_50", checked, int(row[0]), len(self._newest) // 2)
                if "headers" not in self.reached:
                    row = conn.execute("SELECT COALESCE(SUM(total_count), 0) FROM folders").fetchone()
                    self._milestone("headers", checked, int(row[0]), self._expected)
                # Only once every header is stored (it cannot be searchable before): this count reads the whole
                # table, and ~50 of them a second took a good part of a core from the header sync being measured.
                if "headers" in self.reached and "searchable" not in self.reached:
                    row = conn.execute("SELECT count(*) FROM messages WHERE body_state = 1").fetchone()
                    self._milestone("searchable", checked, int(row[0]), self._expected)
                if len(self.reached) == 3:
                    break
                time.sleep(0.02)  # at most ~50 checks a second; each is a few milliseconds
        except BaseException as exc:  # reported by the waiting coroutine
            self.error = exc
        finally:
            if conn is not None:
                conn.close()

    def _milestone(self, name: str, checked: float, value: int, wanted: int) -> None:
        self.latest[name] = value
        if value >= wanted:
            self.reached[name] = checked
            self._loop.call_soon_threadsafe(self.events[name].set)


async def realmail_sync(params: dict[str, Any], qt: bool) -> dict[str, Any]:
    from realmail_desktop.core.events import AccountState, AccountStatus, Changes, EventBus, TaskProgress
    from realmail_desktop.store import ImapSecurity, Store
    from realmail_desktop.sync import SyncService
    from realmail_desktop.sync.options import SyncOptions

    loop = asyncio.get_running_loop()
    began = time.perf_counter()
    deadline = began + float(params["deadline_s"])
    counts: dict[str, int] = params["counts"]
    expected = sum(counts.values())
    database = Path(params["profile"]) / "realmail.sqlite3"  # the directory is made by the parent
    bus = EventBus()
    bus.attach_loop(loop)
    store = await Store.open(database, bus)
    # --rows-on-thread: header rows read on a thread, as before sync/header_reader.py's worker process (A/B runs)
    options = SyncOptions(header_process_from=None) if params.get("rows_on_thread") else SyncOptions()
    service = SyncService(store, bus, lambda _account_id: str(params["password"]), options=options)
    watch = StoreWatch(database, expected, list(params["newest_inbox"]), loop)
    statuses: list[tuple[float, AccountState, str]] = []
    progress: list[TaskProgress] = []
    changed = asyncio.Event()

    def on_status(status: AccountStatus) -> None:
        statuses.append((time.perf_counter(), status.state, status.message))
        changed.set()

    bus.subscribe(Changes, lambda _changes: watch.poke())
    bus.subscribe(AccountStatus, on_status)
    bus.subscribe(TaskProgress, progress.append)
    ticker = Ticker(qt)
    figures: dict[str, Any] = {"stall_timer": ticker.kind}
    figures["rss_before_sync_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    def remaining() -> float:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError(f"RealMail's sync took longer than {params['deadline_s']:.0f} s: {watch.latest}")
        return left

    def failed() -> str | None:
        if watch.error is not None:
            return f"the store watch failed: {watch.error!r}"
        if statuses and statuses[-1][1] is AccountState.ERROR:
            return f"the account went into error: {statuses[-1][2]}"
        return None

    async def until(name: str) -> float:
        """Wait (bounded) for a milestone; returns when it was reached."""
        while not watch.events[name].is_set():
            problem = failed()
            if problem:
                raise RuntimeError(f"{problem} (waiting for {name}; progress {watch.latest})")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(watch.events[name].wait(), min(0.5, remaining()))
        return watch.reached[name]

    async def until_state(state: AccountState, since: int, limit: float) -> float | None:
        """Wait (bounded by `limit` seconds) until the latest status since index `since` is `state`."""
        stop = time.perf_counter() + min(limit, remaining())
        while True:
            recent = statuses[since:]
            if recent and recent[-1][1] is state:
                return recent[-1][0]
            left = stop - time.perf_counter()
            if left <= 0:
                return None
            changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), left)

    try:
        await asyncio.wait_for(service.start(), 60)
        watch.start()
        ticker.start()
        started = time.perf_counter()
        cpu_at_start = _phase_cpu(None, params.get("server_pid"))
        account = await asyncio.wait_for(
            service.add_imap_account(
                name="Bench",
                address="alex@example.org",
                host=params["host"],
                port=int(params["port"]),
                security=ImapSecurity.TLS,
                username=params["username"],
                password=params["password"],
                # Every body by default, so "searchable" means the whole mailbox, like notmuch's index.
                sync_window_days=int(params.get("window_days", 0)),
            ),
            remaining(),
        )
        figures["add_account_s"] = time.perf_counter() - started
        figures["first_50_s"] = await until("first_50") - started
        figures["headers_s"] = await until("headers") - started
        cpu = _phase_cpu(service.header_reader.worker_pid, params.get("server_pid"))
        figures["headers_cpu_s"] = {name: round(cpu[name] - cpu_at_start[name], 2) for name in cpu}
        # With a window of days not every body comes: nothing to compare with notmuch's index of everything.
        figures["searchable_s"] = None if params.get("window_days") else await until("searchable") - started
        figures["max_stall_ms"] = ticker.max_gap * 1000
        figures["max_stall_at_s"] = ticker.max_gap_at - started
        figures["timer_ticks"] = ticker.ticks  # ~100 a second when the loop keeps up
        figures["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        watch.stop()

        # The full sync is over when the engine says so (the last bodies may still be committing their Changes).
        idle_at = await until_state(AccountState.IDLE, 0, 60)
        figures["idle_after_full_s"] = None if idle_at is None else idle_at - started
        ticker.reset()
        runs = []
        for _ in range(3):
            since = len(statuses)
            began_resync = time.perf_counter()
            await asyncio.wait_for(service.check_now(account.id), remaining())
            returned = time.perf_counter()
            # If check_now only started the work, wait for the account to come back to IDLE.
            syncing = [s for s in statuses[since:] if s[1] is AccountState.SYNCING]
            if syncing and statuses[-1][1] is not AccountState.IDLE:
                idle = await until_state(AccountState.IDLE, since, 120)
                if idle is None:
                    raise RuntimeError(f"the resync did not finish within 120 s: {statuses[since:]}")
                returned = idle
            runs.append(returned - began_resync)
        figures["resync_s"] = runs[0]
        figures["resync_runs_s"] = [round(r, 4) for r in runs]
        figures["max_stall_resync_ms"] = ticker.max_gap * 1000
        figures["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        # The header reader's worker process (sync/header_reader.py): its own peak RSS, and how many chunks it read
        figures["worker_rss_mb"] = _peak_rss_mb(service.header_reader.worker_pid)
        figures["header_chunks_in_worker"] = service.header_reader.chunks_in_process
        figures["progress_events"] = len(progress)
        figures["progress_sample"] = [p.label for p in progress[:: max(1, len(progress) // 4)]][:5]
        figures.update(await store.db.read_async(lambda conn: verify_store(conn, counts)))
    finally:
        ticker.stop()
        watch.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(service.stop(), 60)
        await store.close()
    return figures


def _phase_cpu(worker_pid: int | None, server_pid: int | None) -> dict[str, float]:
    """CPU seconds used so far (user + system) by this process (all its threads), the header reader's worker
    process and the IMAP server's session processes (the children of Dovecot's master): on two cores the
    header phase is bound by their sum as much as by any one of them."""
    times = os.times()
    return {
        "realmail": times.user + times.system,
        "worker": _process_cpu(worker_pid) if worker_pid is not None else 0.0,
        "imap_server": sum(_process_cpu(pid) for pid in _children(server_pid)) if server_pid is not None else 0.0,
    }


def _process_cpu(pid: int) -> float:
    """CPU seconds of a process by its /proc stat (0 where it is gone or there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _peak_rss_mb(pid: int | None) -> int | None:
    """Peak RSS of another process (Linux /proc; None elsewhere or without a process)."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        return None
    return None


def verify_store(conn: sqlite3.Connection, counts: dict[str, int]) -> dict[str, Any]:
    """What RealMail stored, compared with the server: rows per folder, duplicates, bodies, full-text index."""
    rows = dict(
        conn.execute(
            "SELECT f.remote_name, count(m.id) FROM folders f LEFT JOIN messages m ON m.folder_id = f.id"
            " WHERE f.remote_name IS NOT NULL GROUP BY f.id"
        ).fetchall()
    )
    stored = {name: int(rows.get(name, 0)) for name in counts}
    duplicates = conn.execute(
        "SELECT count(*) - count(DISTINCT folder_id || ' ' || message_id) FROM messages"
    ).fetchone()[0]
    bodies = conn.execute("SELECT count(*) FROM messages WHERE body_state = 1").fetchone()[0]
    indexed = conn.execute("SELECT count(*) FROM messages_fts WHERE length(body) > 0").fetchone()[0]
    problems = []
    if stored != counts:
        problems.append(f"rows per folder {stored}, the server has {counts}")
    if duplicates:
        problems.append(f"{duplicates} duplicate rows")
    total = sum(counts.values())
    if bodies != total:
        problems.append(f"{bodies} of {total} bodies stored")
    if indexed != total:
        problems.append(f"{indexed} of {total} bodies in the full-text index")
    # One word of the generated text must find messages by body (the index answers, not just holds rows).
    hits = conn.execute("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'body:quarterly'").fetchone()[0]
    if hits == 0:
        problems.append("a body search for 'quarterly' finds nothing")
    return {
        "store_mb": round(Path(conn.execute("PRAGMA database_list").fetchone()[2]).stat().st_size / 1e6, 1),
        "fts_bodies": int(indexed),
        "fts_hits_quarterly": int(hits),
        "store_problems": problems,
    }


def child(params_file: Path) -> None:
    params = json.loads(params_file.read_text())
    os.environ["REALMAIL_EXTRA_CA_FILE"] = params["ca_file"]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        import qasync
        from PySide6.QtWidgets import QApplication
    except ImportError:
        figures = asyncio.run(realmail_sync(params, qt=False))
    else:
        app = QApplication.instance() or QApplication([])
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            figures = runner.run(realmail_sync(params, qt=True))
    print(json.dumps(figures))


# --- the run ------------------------------------------------------------------------------------------------------


def _ratio(numerator: Any, denominator: Any) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(float(numerator) / float(denominator), 2)


def report(figures: dict[str, Any]) -> None:
    def seconds(key: str, digits: int = 2) -> str:
        value = figures.get(key)
        return "—" if value is None else f"{value:.{digits}f} s"

    print()
    print(f"{'':32}{'RealMail':>12}  {'peer':>22}  ratio (target)")
    rows: list[tuple[str, str, str, float | None, str]] = [
        ("newest 50 Inbox rows stored", seconds("first_50_s"), "", None, "≤ 1 s"),
        (
            "every header stored",
            seconds("headers_s"),
            f"2 × mbsync {2 * figures['mbsync_full_s']:.2f} s",
            figures.get("headers_vs_2x_mbsync"),
            "≤ 1",
        ),
        (
            "all bodies stored + indexed",
            seconds("searchable_s"),
            f"mbsync+notmuch {figures['mbsync_full_s'] + figures['notmuch_index_s']:.2f} s",
            figures.get("searchable_vs_mbsync_notmuch"),
            "≤ 1, aim 0.5",
        ),
        (
            "resync, nothing changed",
            seconds("resync_s", 3),
            f"mbsync {figures['mbsync_resync_s']:.3f} s",
            figures.get("resync_vs_mbsync"),
            "≤ 1",
        ),
    ]
    for label, ours, peer, ratio, target in rows:
        shown = "—" if ratio is None else f"{ratio:.2f}"
        print(f"{label:32}{ours:>12}  {peer:>22}  {shown} ({target})")
    if figures.get("rss_mb") is not None:
        print(f"{'peak RSS of the sync process':32}{figures['rss_mb']:>9} MB  {'':22}  (≤ 300 MB)")
        print(f"{'longest event-loop stall':32}{figures['max_stall_ms']:>9.1f} ms  {'':22}  (≤ 50 ms)")
    if figures.get("offlineimap_s") is not None:
        print(f"{'offlineimap full sync':32}{'':12}  {figures['offlineimap_s']:>20.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=23_500, help="messages over INBOX, Archive, Sent, Lists")
    parser.add_argument("--skip-offlineimap", action="store_true", help="leave out offlineimap (slow: ~2.5 min)")
    parser.add_argument("--skip-realmail", action="store_true", help="measure the peers only")
    parser.add_argument(
        "--rows-on-thread", action="store_true", help="read header rows on a thread, not in a worker process (A/B)"
    )
    parser.add_argument(
        "--window-days",
        type=int,
        default=0,
        help="RealMail's sync window (default 0: every body; e.g. 30, the app's default, fetches BODYSTRUCTURE with"
        " the headers of older mail and leaves 'searchable' out)",
    )
    parser.add_argument("--realmail-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.realmail_child:
        child(args.realmail_child)
        return
    from tests.servers.dovecot import DovecotServer

    # A SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C, through the finally that stops Dovecot and cleans up.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    for tool in ("mbsync", "notmuch", *(() if args.skip_offlineimap else ("offlineimap",))):
        _tool(tool)
    print(
        f"peers: {_version(['mbsync', '--version'])}; {_version(['notmuch', '--version'])}"
        + ("" if args.skip_offlineimap else f"; offlineimap {_version(['offlineimap', '--version'])}")
        + f"; dovecot {_version(['dovecot', '--version'])}"
    )
    scratch = Path(tempfile.mkdtemp(prefix="realmail-bench-sync-", dir=_shm()))
    server = DovecotServer()
    figures: dict[str, Any] = {"messages": args.messages}
    try:
        server.start()
        user = server.add_user("bench", PASSWORD)
        box = build_mailbox(server, user, args.messages)
        figures["mailbox_mb"] = round(box.size / 1e6, 1)
        print(
            f"mailbox: {box.total:,} messages, {box.size / 1e6:.1f} MB ({box.big} of ~5 MB), "
            + ", ".join(f"{folder} {n:,}" for folder, n in box.counts.items())
            + f"; generated and written in {box.seconds:.1f} s"
        )
        print(f"Dovecot indexed the folders in {index_on_server(server, user, box):.2f} s (before any measurement)")
        figures.update(measure_mbsync_notmuch(scratch, server, user, box))
        if not args.skip_realmail:
            realmail = measure_realmail(
                scratch, server, user, box, rows_on_thread=args.rows_on_thread, window_days=args.window_days
            )
            figures.update(realmail)
            print(
                f"RealMail ({realmail['stall_timer']}): account added in {realmail['add_account_s']:.2f} s;"
                f" newest 50 Inbox rows {realmail['first_50_s']:.2f} s, every header {realmail['headers_s']:.2f} s,"
                f" searchable {realmail['searchable_s'] or 0:.2f} s (from the add_imap_account call);"
                f" resync {', '.join(f'{r:.3f}' for r in realmail['resync_runs_s'])} s;"
                f" store {realmail['store_mb']} MB; peak RSS {realmail['rss_mb']} MB"
                f" ({realmail['rss_before_sync_mb']} MB before the sync; header worker process"
                f" {realmail['worker_rss_mb']} MB, {realmail['header_chunks_in_worker']} chunks)"
            )
            for problem in realmail["store_problems"]:
                print(f"  PROBLEM: {problem}")
        if not args.skip_offlineimap:
            figures["offlineimap_s"] = measure_offlineimap(scratch, server, user, box)
    finally:
        # A second Ctrl-C or SIGTERM must not cut the clean-up short (both steps are bounded).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    figures["headers_vs_2x_mbsync"] = _ratio(figures.get("headers_s"), 2 * figures["mbsync_full_s"])
    figures["searchable_vs_mbsync_notmuch"] = _ratio(
        figures.get("searchable_s"), figures["mbsync_full_s"] + figures["notmuch_index_s"]
    )
    figures["resync_vs_mbsync"] = _ratio(figures.get("resync_s"), figures["mbsync_resync_s"])
    for key in ("first_50_s", "headers_s", "searchable_s", "resync_s", "max_stall_ms", "rss_mb"):
        figures.setdefault(key, None)
    report(figures)
    print(json.dumps(_rounded(figures)))


def _rounded(figures: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in figures.items():
        if isinstance(value, float):
            out[key] = round(value, 1) if key.endswith("_ms") else round(value, 3)
        else:
            out[key] = value
    return out


if __name__ == "__main__":
    main()
