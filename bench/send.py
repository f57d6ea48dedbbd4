"""Benchmark: sending N mixed-size messages to a local aiosmtpd over STARTTLS — RealMail's outbox with its
connection pool against a naive sender that opens a new aiosmtplib connection per message, in the same run.

    .venv/bin/python bench/send.py [--messages 500] [--connections 4] [--mix typical|heavy] [--server-processes 1]

Steps: start the test SMTP server (tests/servers/smtp.py: aiosmtpd on 127.0.0.1, STARTTLS with a test CA,
AUTH PLAIN/LOGIN) in a child process, so its CPU time never stalls the measured loop — or, with
`--server-processes N`, in N child processes sharing the port (SO_REUSEPORT: the kernel spreads the
connections over them, as a real server serves sessions on all its cores; every sender below then talks to
that same server); generate N messages of mixed size (`--mix typical`: 80 % ~2 KB, 18 % ~20 KB, 2 % ~200 KB;
`heavy`: 70/25/5 % of 2/40/400 KB; seeded); then, on a qasync loop with a 10 ms QTimer as in the app (asyncio
timer without Qt):

- naive: for each message `aiosmtplib.send(...)` — connect, STARTTLS, EHLO, AUTH, MAIL/RCPT/DATA, QUIT;
- RealMail: the messages queued with `store.outbox.enqueue` (timed apart: enqueue_s), then the time from
  `SendService.start()` until every one is acknowledged and recorded as sent (moved to Sent, APPEND queued),
  with the longest gap between timer ticks meanwhile (max_stall_ms) and the CPU time of this process per
  message (pool_cpu_ms_per_msg: the loop, the store's writer thread and the TLS work together).

Both must deliver every message (checked by the server's count). Prints the figures, then, as its last line,
one JSON object with messages, pool_msgs_per_s, naive_msgs_per_s, speedup, max_stall_ms, enqueue_s,
pool_cpu_ms_per_msg, load_average, and the server's ceiling for this mix with nothing stored:
reused_msgs_per_s (one aiosmtplib session reused for every message) and raw_parallel_msgs_per_s (as many
reused sessions in parallel as the outbox has connections).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stall import Ticker  # noqa: E402

USER, PASSWORD = "bench", "bench-pw"
SHM = "/dev/shm" if Path("/dev/shm").is_dir() else None  # the store on tmpfs, as the other benchmarks
SERVER_CHILD = f"""
import sys
from pathlib import Path
from tests.servers.smtp import running_smtp
from tests.servers.tls import CertificateFiles
port, shared, tls = int(sys.argv[1]), sys.argv[2] == "shared", Path(sys.argv[3])
certificates = CertificateFiles(tls / "ca.pem", tls / "ca.key", tls / "server.pem", tls / "server.key")
with running_smtp(users={{{USER!r}: {PASSWORD!r}}}, port=port, reuse_port=shared, certificates=certificates) as server:
    print(server.port, server.ca_file, flush=True)
    for line in sys.stdin:
        if line.strip() == "count":
            print(server.count, flush=True)
"""


# (share, bytes): what people send — mostly short notes, some with a small attachment, a few large ones.
MIXES = {
    "typical": ((0.80, 2_000), (0.18, 20_000), (0.02, 200_000)),
    "heavy": ((0.70, 2_000), (0.25, 40_000), (0.05, 400_000)),  # where the server's DATA handling dominates
}


def messages(count: int, mix: str = "typical", seed: int = 7) -> list[tuple[str, bytes]]:
    """(Message-ID, CRLF bytes) of mixed size, drawn from `MIXES[mix]` (seeded)."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        roll, size = rng.random(), MIXES[mix][-1][1]
        for share, candidate in MIXES[mix]:
            if roll < share:
                size = candidate
                break
            roll -= share
        line = "The quick brown fox jumps over the lazy dog, again and again.\r\n"
        body = (line * (size // len(line) + 1))[:size]
        message_id = f"<bench-{n}@realmail.test>"
        raw = (
            f"From: Bench <{USER}@example.org>\r\nTo: Peer <peer{n % 17}@example.org>\r\n"
            f"Subject: Benchmark message {n}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
            f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"\r\n{body}\r\n"
        ).encode()
        out.append((message_id, raw))
    return out


class ServerProcess:
    """The test SMTP server in `processes` child processes; more than one share the port (SO_REUSEPORT, the
    kernel spreads the connections), as a real server serves sessions on all cores."""

    def __init__(self, processes: int = 1) -> None:
        from tests.servers.dovecot import free_port
        from tests.servers.tls import make_certificates

        port = free_port() if processes > 1 else 0
        self._certificates = tempfile.mkdtemp(prefix="realmail-bench-tls-")
        make_certificates(Path(self._certificates))  # one CA for all the processes (the clients trust it)
        self._children = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    SERVER_CHILD,
                    str(port),
                    "shared" if processes > 1 else "alone",
                    self._certificates,
                ],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )
            for _ in range(processes)
        ]
        for child in self._children:
            assert child.stdout is not None
            port_text, ca_file = child.stdout.readline().split()
            self.port, self.ca_file = int(port_text), Path(ca_file)

    def count(self) -> int:
        """Messages the server processes took in so far."""
        total = 0
        for child in self._children:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write("count\n")
            child.stdin.flush()
            total += int(child.stdout.readline().strip())
        return total

    def close(self) -> None:
        for child in self._children:
            if child.stdin is not None:
                child.stdin.close()
        for child in self._children:
            child.wait(30)
        shutil.rmtree(self._certificates, ignore_errors=True)


async def naive(server: ServerProcess, batch: list[tuple[str, bytes]]) -> float:
    import aiosmtplib

    context = ssl.create_default_context(cafile=str(server.ca_file))
    started = time.perf_counter()
    for n, (_mid, raw) in enumerate(batch):
        await aiosmtplib.send(
            raw,
            sender=f"{USER}@example.org",
            recipients=[f"peer{n % 17}@example.org"],
            hostname="127.0.0.1",
            port=server.port,
            start_tls=True,
            tls_context=context,
            username=USER,
            password=PASSWORD,
        )
    return time.perf_counter() - started


async def reused(server: ServerProcess, batch: list[tuple[str, bytes]], sessions: int = 1) -> float:
    """The server's ceiling for this mix: `sessions` aiosmtplib sessions in parallel, each reused for message
    after message, nothing stored."""
    import aiosmtplib

    context = ssl.create_default_context(cafile=str(server.ca_file))
    todo = list(enumerate(batch))[::-1]

    async def session() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=server.port, start_tls=True, tls_context=context)
        await smtp.connect()
        await smtp.ehlo()
        await smtp.login(USER, PASSWORD)
        while todo:
            n, (_mid, raw) = todo.pop()
            await smtp.sendmail(f"{USER}@example.org", [f"peer{n % 17}@example.org"], raw)
        await smtp.quit()

    started = time.perf_counter()
    await asyncio.gather(*(session() for _ in range(sessions)))
    return time.perf_counter() - started


async def realmail(
    server: ServerProcess, batch: list[tuple[str, bytes]], connections: int, qt: bool
) -> dict[str, float]:
    from realmail_desktop.core.config import Settings
    from realmail_desktop.core.events import EventBus
    from realmail_desktop.send import SendOptions, SendService
    from realmail_desktop.store import ImapSecurity, ImapSettings, OutgoingMessage, SmtpSettings, Store

    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    tmp = Path(tempfile.mkdtemp(prefix="realmail-bench-send-", dir=SHM))
    store = await Store.open(tmp / "realmail.sqlite3", bus)
    try:
        await store.accounts.create_local()
        account, _ = await store.accounts.create_imap(
            "Bench",
            f"{USER}@example.org",
            ImapSettings(host="127.0.0.1", port=1, security=ImapSecurity.NONE, username=USER),
        )
        await store.sending.set_smtp_settings(
            account.id, SmtpSettings(host="127.0.0.1", port=server.port, security=ImapSecurity.STARTTLS)
        )
        now = time.time()
        started = time.perf_counter()
        for n, (message_id, raw) in enumerate(batch):
            await store.outbox.enqueue(
                OutgoingMessage(
                    account_id=account.id,
                    raw=raw,
                    message_id=message_id,
                    mail_from=f"{USER}@example.org",
                    recipients=(f"peer{n % 17}@example.org",),
                    send_at=now,
                )
            )
        enqueue_s = time.perf_counter() - started
        service = SendService(
            store,
            bus,
            lambda _account: PASSWORD,
            settings=Settings(extra_ca_file=server.ca_file),
            options=SendOptions(connections_per_account=connections),
        )
        ticker = Ticker(qt)
        ticker.start()
        started, cpu = time.perf_counter(), time.process_time()
        await service.start()
        await service.settle()
        pool_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        ticker.stop()
        sent = sum(1 for item in store.reader.outbox.items() if item.state.value == "sent")
        await service.stop()
        if sent != len(batch):
            raise SystemExit(f"RealMail sent {sent} of {len(batch)}")
        return {"pool_s": pool_s, "cpu_s": cpu_s, "enqueue_s": enqueue_s, "max_stall_ms": ticker.max_gap * 1000}
    finally:
        await store.close()
        shutil.rmtree(tmp, ignore_errors=True)


async def run(count: int, connections: int, mix: str, qt: bool, server_processes: int = 1) -> dict[str, Any]:
    batch = messages(count, mix)
    server = ServerProcess(server_processes)
    try:
        naive_s = await naive(server, batch)
        delivered_naive = server.count()
        figures = await realmail(server, batch, connections, qt)
        delivered = server.count() - delivered_naive
        reused_s = await reused(server, batch)
        parallel_s = await reused(server, batch, connections)
    finally:
        server.close()
    if delivered_naive != count or delivered != count:
        raise SystemExit(f"delivered: naive {delivered_naive}, RealMail {delivered} of {count}")
    pool_rate, naive_rate = count / figures["pool_s"], count / naive_s
    return {
        "messages": count,
        "mix": mix,
        "megabytes": round(sum(len(raw) for _mid, raw in batch) / 1e6, 1),
        "connections": connections,
        "server_processes": server_processes,
        "pool_msgs_per_s": round(pool_rate, 1),
        "naive_msgs_per_s": round(naive_rate, 1),
        "speedup": round(pool_rate / naive_rate, 2),
        "reused_msgs_per_s": round(count / reused_s, 1),
        "raw_parallel_msgs_per_s": round(count / parallel_s, 1),
        "pool_cpu_ms_per_msg": round(figures["cpu_s"] * 1000 / count, 2),
        "max_stall_ms": round(figures["max_stall_ms"], 1),
        "enqueue_s": round(figures["enqueue_s"], 2),
        "ticker": "QTimer 10 ms (qasync)" if qt else "asyncio call_later 10 ms",
        "load_average": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--connections", type=int, default=4, help="the outbox's parallel sessions")
    parser.add_argument("--mix", choices=sorted(MIXES), default="typical", help="message sizes (see MIXES)")
    parser.add_argument(
        "--server-processes", type=int, default=1, help="test SMTP server processes sharing the port (SO_REUSEPORT)"
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:
        import qasync
        from PySide6.QtWidgets import QApplication
    except ImportError:
        figures = asyncio.run(run(args.messages, args.connections, args.mix, False, args.server_processes))
    else:
        app = QApplication.instance() or QApplication([])
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            figures = runner.run(run(args.messages, args.connections, args.mix, True, args.server_processes))
    print(
        f"{figures['messages']} messages ({figures['megabytes']} MB) over STARTTLS: naive "
        f"{figures['naive_msgs_per_s']}/s, RealMail outbox ({figures['connections']} connections) "
        f"{figures['pool_msgs_per_s']}/s = {figures['speedup']}x; longest loop stall {figures['max_stall_ms']} ms "
        f"({figures['ticker']}); enqueue {figures['enqueue_s']} s; the server's ceiling (reused sessions, "
        f"nothing stored): one {figures['reused_msgs_per_s']}/s, {figures['connections']} in parallel "
        f"{figures['raw_parallel_msgs_per_s']}/s; {figures['server_processes']} server process(es); load "
        f"{figures['load_average']}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
