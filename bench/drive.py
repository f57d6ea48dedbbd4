"""Benchmark: one big upload to Google Drive through RealMail's resumable uploader (bridges/drive/, on httpx) and,
in the same run, to the same fake, through google-api-python-client (bench/drive_googleapiclient.py) — issue 7's
"choose by measurement".

    .venv/bin/python bench/drive.py [--megabytes 200] [--chunk-mb 8] [--client both] [--rounds 1] [--fault none]

Steps: write a file of random bytes (1 MiB at a time, so the generator adds nothing to RSS); start the fake
Drive of tests/servers/drive.py in a child process (its reads, writes and MD5 do not share our GIL); then, for
each client, a fresh child process of this script (so neither inherits the other's heap or peak RSS) runs, on
a qasync loop with a 10 ms QTimer as in the app (an asyncio timer if Qt is missing), one upload of the file:
- realmail: `DriveService.upload` (a store in a temporary profile; the folder made before the clock starts);
- googleapiclient: each `next_chunk()` of a resumable `MediaIoBaseUpload` on a worker thread
  (`asyncio.to_thread`, one `build_http()` per thread), with FIELD-NOTES' fixes, the same chunk size.
Each reports throughput (mb_per_s, MiB/s), the CPU time its process spent per MiB (cpu_ms_per_mib: what an
upload costs at network speed, where the uplink sets the pace), the longest gap between timer ticks during the
upload (max_stall_ms; target ≤ 50 ms; the same timer idle for 1 s before it gives the machine's own noise,
idle_max_stall_ms), the growth of the process's peak RSS from just before the upload to its end (rss_growth_mb;
target ≤ 50 MB), the failures that reached the upload loop (retries) and the upload PUTs the fake saw; the
stored copy's MD5 is checked against the file's (intact).

`--peer-fresh-chunks` lets the library read each chunk into a new `bytes` object, as it does by itself (by
default the peer reads into one reused buffer, as the app's uploader does: see bench/drive_googleapiclient.py).
`--fault drop` drops the connection in the middle of a chunk a third of the way in, and again in the middle of
the chunk sent next, to show both recover (httplib2 resends a request once by itself when the connection closes
after the whole body went out, so the library's loop may see fewer of the drops than the fake made).

`--uplink-mbit N` passes the uploads through a relay (`Uplink`) at N Mbit/s, as a home connection would: what an
upload costs the app when the network, not loopback, sets the pace. `--cancel-after S` cancels each upload after
S seconds and times the cancel: until the upload's task ended, and until its last request ended (a blocking
`next_chunk()` cannot be interrupted: it finishes its chunk, and a quitting app waits for it).

`--trace-loop` also times every callback the loop runs during each upload and reads the loop thread's CPU time and
run-queue wait (bench/loop_trace.py): whether a long stall was our code's or the machine's scheduling.

`--rounds N` uploads N times with each client, in alternating order (ABBA…: neither always goes first, right
after the file was written), and reports each figure's median (throughput and stall of every round listed too).

The last line printed is one JSON object: RealMail's figures under the issue's keys (`bytes`, `mb_per_s`,
`max_stall_ms`, `rss_growth_mb`, …), google-api-python-client's under the same names prefixed
`googleapiclient_`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loop_trace import LoopTrace  # noqa: E402
from stall import Ticker  # noqa: E402

CLIENTS = ("realmail", "googleapiclient")
TOKEN = "bench-token"
FOLDER_NAME = "RealMail attachments"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_file(path: Path, megabytes: int) -> str:
    """Random bytes, 1 MiB at a time; returns their MD5."""
    rng = random.Random(2026)
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("wb") as out:
        for _ in range(megabytes):
            block = rng.randbytes(1 << 20)
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as data:
        while block := data.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class _AnyToken:
    async def access_token(self) -> str:
        return TOKEN

    async def refreshed(self) -> str:
        return TOKEN


# --- one client's upload, in a child process ------------------------------------------------------------


async def measured(qt: bool, prepare: Any, send: Any, trace: bool = False) -> dict[str, Any]:
    """`await prepare()` (not timed), the idle timer for 1 s, then `await send(prepared)` under the timer (and a
    `LoopTrace` when `trace`); `send` returns (file id, bytes, retries, verified)."""
    prepared = await prepare()
    # The same timer with nothing to do, first: what this (shared) machine's scheduling alone costs.
    idle = Ticker(qt)
    idle.start()
    await asyncio.sleep(1.0)
    idle.stop()
    ticker = Ticker(qt)
    loop_trace = LoopTrace() if trace else None
    rss_before = peak_rss_mb()
    if loop_trace is not None:
        loop_trace.start()
    ticker.start()
    began, cpu_began = time.perf_counter(), time.process_time()
    file_id, size, retries, verified = await send(prepared)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    ticker.stop()
    if loop_trace is not None:
        loop_trace.stop()
    rss_after = peak_rss_mb()
    return (loop_trace.figures() if loop_trace is not None else {}) | {
        "file_id": file_id,
        "bytes": size,
        "seconds": round(elapsed, 2),
        "mb_per_s": round(size / (1 << 20) / elapsed, 1),
        "cpu_ms_per_mib": round(cpu * 1000 / (size / (1 << 20)), 2),  # this process, all threads
        "max_stall_ms": round(ticker.max_gap * 1000, 1),
        "stalls_over_50ms": ticker.long_gaps,
        "idle_max_stall_ms": round(idle.max_gap * 1000, 1),
        "ticks": ticker.ticks,
        "stall_timer": ticker.kind,
        "rss_before_mb": round(rss_before),
        "rss_growth_mb": round(rss_after - rss_before, 1),
        "retries": retries,
        "verified": verified,
    }


def _wait_free(lock: threading.Lock) -> None:
    with lock:
        pass


async def cancel_timing(after: float, prepare: Any, send: Any, sending: threading.Lock | None) -> dict[str, Any]:
    """`--cancel-after`: start the upload, cancel its task after `after` seconds, and time how long until the task
    ended (cancel_ms) and until no request of it is still being sent (busy_after_cancel_ms: a blocking
    `next_chunk()` on a worker thread cannot be interrupted; it ends its chunk, and a quitting app waits for it)."""
    prepared = await prepare()
    task = asyncio.ensure_future(send(prepared))
    await asyncio.sleep(after)
    if task.done():
        await task
        return {"cancel_ms": None, "busy_after_cancel_ms": None}
    began = time.perf_counter()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    cancel_ms = (time.perf_counter() - began) * 1000
    if sending is not None:
        await asyncio.to_thread(_wait_free, sending)
    busy_ms = (time.perf_counter() - began) * 1000
    return {"cancel_ms": round(cancel_ms, 1), "busy_after_cancel_ms": round(busy_ms, 1)}


async def upload_realmail(args: argparse.Namespace, work: Path, qt: bool) -> dict[str, Any]:
    from realmail_desktop.bridges.drive import DriveService, FileSource
    from realmail_desktop.core.events import EventBus
    from realmail_desktop.store import Store

    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    store = await Store.open(work / "realmail.sqlite3", bus)
    service = DriveService(store, lambda _a: _AnyToken(), base_url=args.base_url, chunk_size=args.chunk_mb << 20)

    async def prepare() -> int:
        account, _ = await store.accounts.create_local()
        await service.folder(account.id)  # the folder exists before the clock starts
        return int(account.id)

    async def send(account_id: int) -> tuple[str, int, int, bool]:
        link = await service.upload(account_id, FileSource(work / "upload.bin"))
        retries = service.last_upload.retries if service.last_upload is not None else 0
        return link.file_id, link.size, retries, True  # the uploader checks Drive's MD5 itself (raises if not)

    try:
        if args.cancel_after:
            return await cancel_timing(args.cancel_after, prepare, send, None)
        return await measured(qt, prepare, send, args.trace_loop)
    finally:
        await store.close()


async def upload_googleapiclient(args: argparse.Namespace, work: Path, qt: bool) -> dict[str, Any]:
    import drive_googleapiclient as peer

    sending = threading.Lock()  # held while a next_chunk() runs on a worker thread

    async def prepare() -> str:
        return await peer.make_folder(args.base_url, TOKEN, FOLDER_NAME)

    async def send(folder_id: str) -> tuple[str, int, int, bool]:
        done = await peer.upload(
            work / "upload.bin",
            base_url=args.base_url,
            token=TOKEN,
            chunk_size=args.chunk_mb << 20,
            parent=folder_id,
            reuse_buffer=not args.peer_fresh_chunks,
            sending=sending,
        )
        return str(done.file["id"]), int(done.file["size"]), done.retries, done.verified

    if args.cancel_after:
        return await cancel_timing(args.cancel_after, prepare, send, sending)
    return await measured(qt, prepare, send, args.trace_loop)


def run_client(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work)
    upload = upload_realmail if args.run_client == "realmail" else upload_googleapiclient
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        import qasync
        from PySide6.QtWidgets import QApplication
    except ImportError:
        return asyncio.run(upload(args, work, False))
    app = QApplication.instance() or QApplication([])
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(upload(args, work, True))


# --- the fake Drive, in a child process -------------------------------------------------------------------


class Uplink:
    """A TCP relay in front of the fake on 127.0.0.1 that passes what clients send at `rate` bytes a second (one
    uplink shared by all connections; answers come back at once): a home connection's upload speed, so a chunk
    takes as long as it would in the app. Its receive buffers are small, so what it has not passed on yet waits
    in the client's socket."""

    _PIECE = 64 * 1024

    def __init__(self, target_port: int, rate: float) -> None:
        self._target = ("127.0.0.1", target_port)
        self._rate = rate
        self._lock = threading.Lock()
        self._next = time.monotonic()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._PIECE)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen()
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self._listener.accept()
            upstream = socket.create_connection(self._target)
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, throttled: bool) -> None:
        try:
            while data := source.recv(self._PIECE):
                if throttled:
                    with self._lock:
                        self._next = max(self._next, time.monotonic()) + len(data) / self._rate
                        wait = self._next - time.monotonic()
                    time.sleep(max(0.0, wait))
                target.sendall(data)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


def serve_fake(root: Path) -> None:
    """The fake Drive of tests/servers/drive.py: prints its port, then, until EOF, takes one JSON command per stdin
    line: a fault to inject (`{"op": "chunk", "fault": "drop", "times": 2}`; fault "" lets that many requests
    through); `{"uplink": BYTES_PER_S}`, answered with the port of an `Uplink` in front of the fake; or
    `{"count": true}`, answered with the upload PUTs seen so far (`{"chunk_puts": N, "status_queries": M}`)."""
    from tests.servers.drive import running_drive

    with running_drive(root) as drive:
        print(drive.port, flush=True)
        for line in sys.stdin:
            command = json.loads(line)
            if command.get("uplink"):
                uplink = Uplink(drive.port, command["uplink"])
                drive.base_url = f"http://127.0.0.1:{uplink.port}"  # upload session URLs lead through it too
                print(uplink.port, flush=True)
            elif command.get("count"):
                ranges = [content_range for method, _path, content_range in list(drive.requests) if method == "PUT"]
                status = sum(content_range.startswith("bytes */") for content_range in ranges)
                print(json.dumps({"chunk_puts": len(ranges) - status, "status_queries": status}), flush=True)
            else:
                drive.inject(command["op"], command["fault"], command["times"])


class FakeDriveProcess:
    """The fake Drive in a child process (`serve_fake`), driven through its stdin."""

    def __init__(self, root: Path) -> None:
        self._process = subprocess.Popen(
            [sys.executable, __file__, "--serve-fake", str(root)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._stdin, self._stdout = self._process.stdin, self._process.stdout
        self.base_url = f"http://127.0.0.1:{int(self._stdout.readline())}"

    def send(self, command: dict[str, Any]) -> None:
        self._stdin.write(json.dumps(command) + "\n")
        self._stdin.flush()

    def uplink(self, rate: float) -> str:
        """The base URL of a relay passing uploads at `rate` bytes a second (`Uplink`)."""
        self.send({"uplink": rate})
        return f"http://127.0.0.1:{int(self._stdout.readline())}"

    def counts(self) -> dict[str, int]:
        self.send({"count": True})
        counts: dict[str, int] = json.loads(self._stdout.readline())
        return counts

    def stop(self) -> None:
        self._stdin.close()
        self._process.wait(10)


# --- the parent ------------------------------------------------------------------------------------------


def upload_order(clients: tuple[str, ...], rounds: int) -> list[str]:
    """Each client `rounds` times, in turn, the order reversed every other round (ABBA…), so neither client
    always goes first (right after the file was written) or second."""
    order: list[str] = []
    for number in range(rounds):
        order += clients if number % 2 == 0 else tuple(reversed(clients))
    return order


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One client's rounds: the median of each figure (all of them listed for throughput and stall), intact
    and verified only if every round was."""
    summary: dict[str, Any] = {}
    for key, first in results[0].items():
        values = [result[key] for result in results]
        if isinstance(first, bool):
            summary[key] = all(values)
        elif isinstance(first, int):
            summary[key] = statistics.median_low(values)
        elif isinstance(first, float):
            summary[key] = round(statistics.median(values), 2)
        else:
            summary[key] = first
    if len(results) > 1:
        summary["rounds"] = len(results)
        for key in ("mb_per_s", "max_stall_ms", "cancel_ms", "busy_after_cancel_ms"):
            if key in results[0]:
                summary[f"{key}_each"] = [result[key] for result in results]
    return summary


def compare(args: argparse.Namespace) -> dict[str, Any]:
    clients = CLIENTS if args.client == "both" else (args.client,)
    chunks = -(-args.megabytes // args.chunk_mb)
    results: dict[str, list[dict[str, Any]]] = {client: [] for client in clients}
    with tempfile.TemporaryDirectory(prefix="realmail-bench-drive-") as tmp:
        work = Path(tmp)
        expected_md5 = write_file(work / "upload.bin", args.megabytes)
        server = FakeDriveProcess(work / "drive")
        base_url = server.uplink(args.uplink_mbit * 1e6 / 8) if args.uplink_mbit else server.base_url
        try:
            for client in upload_order(clients, args.rounds):
                if args.fault == "drop":  # a third of the way in, mid-chunk, twice in a row
                    server.send({"op": "chunk", "fault": "", "times": max(1, chunks // 3)})
                    server.send({"op": "chunk", "fault": "drop", "times": 2})
                before = server.counts()
                command = [sys.executable, __file__, "--run-client", client, "--base-url", base_url]
                command += ["--work", str(work), "--chunk-mb", str(args.chunk_mb)]
                command += ["--peer-fresh-chunks"] if args.peer_fresh_chunks else []
                command += ["--cancel-after", str(args.cancel_after)] if args.cancel_after else []
                command += ["--trace-loop"] if args.trace_loop else []
                done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True)
                result = json.loads(done.stdout.strip().splitlines()[-1])
                result.update({key: value - before[key] for key, value in server.counts().items()})
                if "file_id" in result:
                    stored = work / "drive" / str(result.pop("file_id"))
                    result["intact"] = md5_of(stored) == expected_md5
                    stored.unlink()  # rounds of 200 MiB add up
                results[client].append(result)
        finally:
            server.stop()
    figures: dict[str, Any] = {}
    for client, rounds in results.items():
        prefix = "" if client == "realmail" else f"{client}_"
        figures.update({f"{prefix}{key}": value for key, value in summarise(rounds).items()})
    figures["chunk_mb"] = args.chunk_mb
    figures["fault"] = args.fault
    figures["uplink_mbit"] = args.uplink_mbit
    figures["cancel_after"] = args.cancel_after
    figures["peer_chunks"] = "fresh bytes" if args.peer_fresh_chunks else "one reused buffer"
    figures["clients"] = list(clients)
    figures["order"] = upload_order(clients, args.rounds)
    figures["load_average"] = round(os.getloadavg()[0], 1)
    return figures


def report(figures: dict[str, Any]) -> None:
    for client in figures["clients"]:
        prefix = "" if client == "realmail" else f"{client}_"

        def get(key: str, p: str = prefix) -> Any:
            return figures[f"{p}{key}"]

        if "cancel_ms" in figures:
            print(f"{client}: cancelled after {figures['cancel_after']} s")
            print(f"  the upload's task ended      {get('cancel_ms')!s:>8} ms after cancel()")
            print(f"  its last request ended       {get('busy_after_cancel_ms')!s:>8} ms after cancel()")
            if f"{prefix}rounds" in figures:
                print(f"  (medians of {get('rounds')}: {get('cancel_ms_each')}, {get('busy_after_cancel_ms_each')})")
            continue
        rounds = figures.get(f"{prefix}rounds", 1)
        each = f" (median of {rounds}: {get('mb_per_s_each')})" if rounds > 1 else ""
        print(f"{client}: {get('bytes') / (1 << 20):.0f} MiB in {get('seconds')} s: {get('mb_per_s')} MiB/s{each}")
        print(f"  longest event-loop stall    {get('max_stall_ms'):>8} ms   (≤ 50 ms; {get('stall_timer')})")
        print(f"    gaps over 50 ms           {get('stalls_over_50ms'):>8}      of {get('ticks')} ticks")
        print(f"    the same timer, idle 1 s  {get('idle_max_stall_ms'):>8} ms   (the machine's own scheduling)")
        print(f"  CPU (this process)          {get('cpu_ms_per_mib'):>8} ms per MiB")
        print(f"  peak RSS growth             {get('rss_growth_mb'):>8} MB   (≤ 50 MB)")
        print(f"  retries                     {get('retries'):>8}      (failures that reached the upload loop)")
        print(f"  chunk PUTs, status queries  {get('chunk_puts'):>8}, {get('status_queries')}  (as the fake saw them)")
        print(f"  stored copy intact (MD5)    {get('intact')!s:>8}")
        if f"{prefix}loop_callbacks" in figures:
            print(f"  loop callbacks              {get('loop_callbacks'):>8}      taking {get('loop_callbacks_ms')} ms")
            print(f"  loop thread CPU, run queue  {get('loop_thread_cpu_ms'):>8}, {get('loop_thread_runqueue_ms')} ms")
            for line in get("longest_callbacks"):
                print(f"    {line[:110]}")
    print(f"load average {figures['load_average']} (2 cores, shared)")
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200, help="size of the uploaded file in MiB (default 200)")
    parser.add_argument("--chunk-mb", type=int, default=8, help="upload chunk in MiB (default 8, the app's)")
    parser.add_argument("--client", choices=(*CLIENTS, "both"), default="both", help="which uploader(s) to run")
    parser.add_argument(
        "--rounds", type=int, default=1, help="uploads per client, in alternating order; medians reported (default 1)"
    )
    parser.add_argument(
        "--uplink-mbit",
        type=float,
        default=0,
        help="pass uploads at this many Mbit/s, as a home uplink (default: loopback speed)",
    )
    parser.add_argument(
        "--cancel-after", type=float, default=0, help="cancel each upload after this many seconds and time the cancel"
    )
    parser.add_argument("--fault", choices=("none", "drop"), default="none", help="drop a connection mid-chunk")
    parser.add_argument(
        "--peer-fresh-chunks",
        action="store_true",
        help="googleapiclient reads each chunk into new bytes, as the library does (default: one reused buffer)",
    )
    parser.add_argument(
        "--trace-loop", action="store_true", help="time the loop's callbacks and its thread's run-queue wait"
    )
    # The child processes' roles (not for people).
    parser.add_argument("--run-client", choices=CLIENTS, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--serve-fake", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake is not None:
        serve_fake(args.serve_fake)
    elif args.run_client is not None:
        print(json.dumps(run_client(args)))
    else:
        report(compare(args))


if __name__ == "__main__":
    main()
