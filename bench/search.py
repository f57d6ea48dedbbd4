"""Benchmark: indexing and search latency of RealMail against notmuch on the same generated messages.

    ./dev bench search --messages 100000        (or .venv/bin/python bench/search.py --messages 10000)

Builds the corpus of bench/corpus.py, imports it into a fresh store (timed: parse + store + full-text index),
writes the same messages as a Maildir and runs `notmuch new` (timed), then runs 20 realistic queries with both:
RealMail's count + first 100 rows through `StoreReader` (as the message list asks for them, a fresh reader
each time so nothing is cached), notmuch's `notmuch count` + `notmuch search --limit=100` (process start
included, as a person or a front-end would run it). Prints a table, then one JSON line with `messages`,
`p50_ms`, `p95_ms`, `notmuch_p50_ms`, `notmuch_p95_ms`, `index_msgs_per_s`, `notmuch_index_msgs_per_s`,
and the per-query figures (with RealMail's CPU time, `cpu_ms`, which other jobs on the machine disturb less).

    .venv/bin/python bench/search.py --messages 100000 --keep /var/tmp/search-100k      # build once, keep
    .venv/bin/python bench/search.py --reuse /var/tmp/search-100k --query budget        # queries only

`--reuse DIR` runs only the query phase against a directory an earlier `--keep DIR` run left (store, Maildir
and notmuch database); `--query TEXT` (repeatable) runs only those of the 20 queries; `--no-notmuch` skips
notmuch's side (quick loops).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpus

from realmail_desktop.core.events import EventBus
from realmail_desktop.store import FolderRole, MessageQuery, SortOrder, Store, StoreReader
from realmail_desktop.store.database import connect_reader
from realmail_desktop.store.search_query import parse_search
from realmail_desktop.transfer import MailTransfer

# (RealMail query, the same question for notmuch). Words and names come from bench/corpus.py; its dates start
# on 2025-01-01 and advance ~30 minutes per message. notmuch stems words and its date ranges include the end
# day, so its counts may differ slightly: both are printed.
QUERIES: list[tuple[str, str]] = [
    ("budget", "budget"),
    ("quarterly invoice", "quarterly and invoice"),
    ('"quarterly report"', '"quarterly report"'),
    ("from:maria", "from:maria"),
    ("from:jürgen", "from:jürgen"),
    ('from:"Søren Kristensen"', 'from:"Søren Kristensen"'),
    ("subject:roadmap", "subject:roadmap"),
    ('subject:"project update"', 'subject:"project update"'),
    ("after:2025-03-01 before:2025-03-15", "date:2025-03-01..2025-03-14"),
    ("budget after:2025-02-01 before:2025-03-01", "budget and date:2025-02-01..2025-02-28"),
    ("from:yuki subject:holiday", "from:yuki and subject:holiday"),
    ("invoice -payment", "invoice and not payment"),
    ("conference workshop training", "conference and workshop and training"),
    ("dinner OR holiday", "dinner or holiday"),
    ("has:attachment report", "tag:attachment and report"),
    ('"weekend photos"', '"weekend photos"'),
    ("from:zhang deadline", "from:zhang and deadline"),
    ("to:alex receipt", "to:alex and receipt"),
    ("münchen", "münchen"),
    ("shipping delivery after:2025-02-01 before:2025-02-08", "shipping and delivery and date:2025-02-01..2025-02-07"),
]
FIRST_PAGE = 100


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def index_realmail(count: int, workdir: Path) -> tuple[Path, float]:
    mbox = workdir / "bench.mbox"
    corpus.write_mbox(str(mbox), count)
    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    store = await Store.open(workdir / "realmail.sqlite3", bus)
    try:
        account, _ = await store.accounts.create_local()
        inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
        assert inbox is not None
        started = time.perf_counter()
        report = await MailTransfer(store, bus).import_path(mbox, inbox.id)
        elapsed = time.perf_counter() - started
    finally:
        await store.close()
    mbox.unlink()
    assert report.imported == count, report
    return workdir / "realmail.sqlite3", elapsed


def realmail_query(path: Path, text: str) -> tuple[float, int, float]:
    """Milliseconds for a fresh reader's count + first page of `text` over all mail; the count; and the
    milliseconds of CPU time the same work took (less disturbed by other jobs than the wall clock)."""
    conn = connect_reader(path)
    try:
        folders = tuple(f.id for f in StoreReader(conn).folders())
        reader = StoreReader(conn)
        cpu_started, started = time.process_time(), time.perf_counter()
        query = MessageQuery(folders, search=parse_search(text + " "))
        total = reader.count(query)
        rows = reader.page(query, SortOrder(), 0, FIRST_PAGE, total)
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.process_time() - cpu_started) * 1000
    finally:
        conn.close()
    assert len(rows) == min(total, FIRST_PAGE)
    return elapsed, total, cpu


def write_maildir(count: int, maildir: Path) -> None:
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for i, raw in enumerate(corpus.generate(count)):
        (maildir / "cur" / f"{i}.bench:2,S").write_bytes(raw.replace(b"\r\n", b"\n"))


def notmuch_env(scratch: Path, maildir: Path) -> dict[str, str]:
    config = scratch / "notmuch-config"
    config.write_text(
        f"[database]\npath={maildir}\n[user]\nname=Alex Morgan\nprimary_email=alex@example.org\n"
        "[new]\ntags=inbox;\n[search]\nexclude_tags=\n[maildir]\nsynchronize_flags=false\n"
    )
    return dict(os.environ, NOTMUCH_CONFIG=str(config))


def notmuch_query(notmuch: str, env: dict[str, str], text: str) -> tuple[float, int]:
    """Milliseconds for `notmuch count` + `notmuch search --limit=100` (two process starts); and the count."""
    started = time.perf_counter()
    counted = subprocess.run(
        [notmuch, "count", "--output=messages", text], env=env, capture_output=True, text=True, check=True
    )
    subprocess.run(
        [notmuch, "search", "--output=messages", f"--limit={FIRST_PAGE}", text],
        env=env,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return (time.perf_counter() - started) * 1000, int(counted.stdout.strip() or 0)


def build(count: int, scratch: Path, notmuch: str | None) -> dict[str, object]:
    """Import the corpus into a store and (with notmuch) index it as a Maildir; the indexing figures."""
    _, realmail_s = asyncio.run(index_realmail(count, scratch))
    print(f"RealMail: imported and indexed {count:,} messages in {realmail_s:.2f} s")
    figures: dict[str, object] = {"index_msgs_per_s": round(count / realmail_s)}
    if notmuch is not None:
        maildir = scratch / "Maildir"
        write_maildir(count, maildir)
        started = time.perf_counter()
        subprocess.run(
            [notmuch, "new", "--quiet"], env=notmuch_env(scratch, maildir), check=True, stdout=subprocess.DEVNULL
        )
        notmuch_s = time.perf_counter() - started
        print(f"notmuch: indexed the same messages as a Maildir in {notmuch_s:.2f} s")
        figures["notmuch_index_msgs_per_s"] = round(count / notmuch_s)
    return figures


def run_queries(scratch: Path, repeats: int, queries: list[tuple[str, str]], notmuch: str | None) -> dict[str, object]:
    """Run each query `repeats` times with both tools (after one warm-up run of ours); the latency figures."""
    store_path = scratch / "realmail.sqlite3"
    env = notmuch_env(scratch, scratch / "Maildir")
    per_query: list[dict[str, object]] = []
    ours_all: list[float] = []
    theirs_all: list[float] = []
    for ours_text, their_text in queries:
        realmail_query(store_path, ours_text)  # warm the page cache once, as a running app has it
        ours = [realmail_query(store_path, ours_text) for _ in range(repeats)]
        theirs = [notmuch_query(notmuch, env, their_text) for _ in range(repeats)] if notmuch else [(0.0, 0)]
        ours_all += [ms for ms, _, _ in ours]
        theirs_all += [ms for ms, _ in theirs]
        per_query.append(
            {
                "query": ours_text,
                "notmuch_query": their_text,
                "count": ours[0][1],
                "notmuch_count": theirs[0][1],
                "ms": round(statistics.median(ms for ms, _, _ in ours), 2),
                "cpu_ms": round(statistics.median(cpu for _, _, cpu in ours), 2),
                "notmuch_ms": round(statistics.median(ms for ms, _ in theirs), 2),
            }
        )
    width = max(len(q) for q, _ in queries)
    print(f"\n{'query':<{width}}  {'count':>7} {'ms':>8} {'cpu ms':>8}   {'notmuch':>7} {'ms':>8}  ratio")
    for row in per_query:
        ours_ms, their_ms = float(row["ms"]), float(row["notmuch_ms"])  # type: ignore[arg-type]
        print(
            f"{row['query']!s:<{width}}  {row['count']:>7} {ours_ms:>8.2f} {float(row['cpu_ms']):>8.2f}"  # type: ignore[arg-type]
            f"   {row['notmuch_count']:>7} {their_ms:>8.2f}  {their_ms / max(ours_ms, 0.01):5.1f}x"
        )
    return {
        "p50_ms": round(percentile(ours_all, 0.50), 2),
        "p95_ms": round(percentile(ours_all, 0.95), 2),
        "notmuch_p50_ms": round(percentile(theirs_all, 0.50), 2),
        "notmuch_p95_ms": round(percentile(theirs_all, 0.95), 2),
        "slower_than_notmuch": (
            sum(float(r["ms"]) >= float(r["notmuch_ms"]) for r in per_query)  # type: ignore[arg-type]
            if notmuch
            else None
        ),
        "store_mb": round(store_path.stat().st_size / 1e6, 1),
        "load_average": round(os.getloadavg()[0], 2),
        "queries": per_query,
    }


def run(args: argparse.Namespace, scratch: Path) -> dict[str, object]:
    notmuch = None if args.no_notmuch else shutil.which("notmuch")
    if notmuch is None and not args.no_notmuch:
        raise SystemExit("notmuch is not installed: run ./dev bench search, which installs the benchmark's peers")
    queries = [q for q in QUERIES if not args.query or q[0] in args.query]
    if not queries:
        raise SystemExit(f"no such query among the 20: {args.query}")
    if args.reuse is None:
        figures = {"messages": args.messages, **build(args.messages, scratch, notmuch)}
    else:
        conn = connect_reader(scratch / "realmail.sqlite3")
        try:
            figures = {"messages": StoreReader(conn).message_count(), "reused": True}
        finally:
            conn.close()
    return {**figures, **run_queries(scratch, args.repeats, queries, notmuch)}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5, help="runs of each query, each tool (default 5)")
    parser.add_argument("--keep", type=Path, help="build in this empty directory and keep it (default: a temp dir)")
    parser.add_argument("--reuse", type=Path, help="only query a directory an earlier --keep run built")
    parser.add_argument("--query", action="append", help="run only this one of the 20 queries (repeatable)")
    parser.add_argument("--no-notmuch", action="store_true", help="query RealMail only (quick loops)")
    args = parser.parse_args()
    if args.reuse is not None:
        if not (args.reuse / "realmail.sqlite3").is_file():
            raise SystemExit(f"{args.reuse} holds no realmail.sqlite3: build it first with --keep")
        figures = run(args, args.reuse)
    elif args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        figures = run(args, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="realmail-bench-search-") as scratch:
            figures = run(args, Path(scratch))
    indexing = ""
    if "index_msgs_per_s" in figures:
        indexing = (
            f"; indexing {figures['index_msgs_per_s']:,} vs {figures.get('notmuch_index_msgs_per_s', 0):,} messages/s"
        )
    print(
        f"\nRealMail p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms;"
        f" notmuch p50 {figures['notmuch_p50_ms']} ms, p95 {figures['notmuch_p95_ms']} ms{indexing}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
