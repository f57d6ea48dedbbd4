"""Junk filter precision and recall on a generated corpus: ham from bench/corpus.py plus legitimate newsletters
and receipts, spam in five realistic families that borrow ham's words; trained through the store on one split,
scored on a held-out split.

    .venv/bin/python -m bench.junk --messages 4000

Prints precision, recall, F1 and false-positive rate at the filing threshold (and how many held-out messages
were "unsure"), then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from bench.corpus import WORDS, generate
from realmail_desktop.core.events import EventBus
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.junk_filter import JUNK_THRESHOLD, UNSURE_THRESHOLD, tokens
from realmail_desktop.sorting import JunkFilter
from realmail_desktop.store import Store

SHOPS = ["shop.example", "books.example", "travel.example", "bank.example", "parcel.example"]
SPAM_DOMAINS = ["secure-verify.example", "mailer-promo.example", "rx-store.example", "win-now.example", "cdn-x.example"]
PHISH = [
    "Your {brand} account has been suspended. Verify your payment details within 24 hours: {url}",
    "We could not process your last payment. Update your billing account now at {url} to avoid closure.",
    "Unusual sign-in activity was detected on your account. Confirm your identity: {url}",
]
ADVANCE_FEE = [
    "I am a banker with a confidential proposal regarding an unclaimed account of 14.5 million dollars.",
    "You have been selected as the beneficiary of a charity payment. Reply with your full name and phone.",
]
PHARMA = ["V1agra", "C1alis", "Xan@x", "Phentermine", "V-i-a-g-r-a", "Tramadol"]
OFFERS = [
    "Limited time offer: {pct}% off everything, today only. Shop now at {url}",
    "You are a winner! Claim your free {item} now, only {n} left: {url}",
    "Work from home and earn ${n}00 per day, no experience needed. Start here {url}",
]
INVOICE = [
    "Please find the invoice for order {n} attached. Payment is overdue, settle it today: {url}",
    "Your delivery {n} is on hold. Pay the customs fee of 1.99 to release your parcel: {url}",
]
LEGIT_NEWS = [
    "This week at {brand}: new arrivals and our spring sale, up to {pct}% off selected items. Browse at {url}",
    "Limited time: free delivery on every order this weekend. Win a gift card in our prize draw: {url}",
    "Please verify your email address to finish creating your {brand} account: {url}",
    "Your invoice {n} for March is ready. The payment will be taken from your account on the 5th.",
    "Security notice: a new sign-in to your {brand} account. If this was you, no action is needed.",
    "Your order {n} has shipped and will arrive on Thursday. Track it at {url}",
    "Receipt for your payment of {n}.00 to {brand}. Thank you for your order.",
    "Your monthly statement is ready. Sign in to your account at {url} to view it.",
]


def _when(rng: random.Random) -> str:
    return format_datetime(datetime(2025, 3, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 100_000)))


def _filler(rng: random.Random) -> str:
    # Spam that pads itself with ordinary words ("hash busting"), so single words do not give it away.
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 25)))


def _message(sender: str, subject: str, body: str, rng: random.Random, extra: str = "") -> bytes:
    head = (
        f"From: {sender}\r\nTo: Alex Morgan <alex@example.org>\r\nSubject: {subject}\r\nDate: {_when(rng)}\r\n"
        f"Message-ID: <{rng.getrandbits(64):x}@gen.example>\r\n{extra}MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    return (head + body + "\r\n").encode()


def _hijacked(raw: bytes, rng: random.Random) -> bytes:
    """Spam sent from a real person's stolen account: their kind of text, one odd line and link added."""
    pitch = rng.choice(
        [
            "btw I found this and thought of you: https://{d}/{h}",
            "Here are the documents we talked about, shared with you: https://{d}/{h}",
            "I made some extra money with this last month, have a look https://{d}/{h}",
        ]
    ).format(d=rng.choice(SPAM_DOMAINS), h=f"{rng.getrandbits(32):x}")
    head, _, body = raw.partition(b"\r\n\r\n")
    if b"multipart" in head:  # keep it simple: only plain ones are rewritten
        return raw
    return head + b"\r\n\r\n" + pitch.encode() + b"\r\n\r\n" + body


def spam(count: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    borrowed = generate(count, seed=seed + 100)
    for _ in range(count):
        family = rng.randrange(6)
        if family == 5:
            yield _hijacked(next(borrowed), rng)
            continue
        brand = rng.choice(["PayPa1", "Amaz0n", "Your Bank", "Netflix", "Apple ID", "DHL"])
        domain = rng.choice(SPAM_DOMAINS + SHOPS[:2])  # some spam spoofs real shops' domains
        url = f"https://{rng.choice(SPAM_DOMAINS)}/{rng.getrandbits(32):x}"
        values = {"brand": brand, "url": url, "n": rng.randint(100, 99999), "pct": rng.choice([50, 70, 90])}
        if family == 0:
            subject = rng.choice(["Action required", "Account notice", f"{brand}: verify your account"])
            body = rng.choice(PHISH).format(**values)
        elif family == 1:
            subject = rng.choice(["Confidential proposal", "Urgent reply needed", "Business opportunity"])
            body = rng.choice(ADVANCE_FEE)
        elif family == 2:
            drug = rng.choice(PHARMA)
            subject = rng.choice([f"{drug} at 80% off", f"Cheap {drug}", "Your prescription refill"])
            body = f"Order {drug} online without prescription, discreet delivery. {url}"
        elif family == 3:
            subject = rng.choice(["FREE gift inside", "You have won", "Last chance!", "Re: your order"])
            body = rng.choice(OFFERS).format(item=rng.choice(["iPhone", "gift card", "cruise"]), **values)
        else:
            subject = rng.choice([f"Invoice {values['n']}", "Delivery failed", "Re: payment"])
            body = rng.choice(INVOICE).format(**values)
        sender = f"{brand} <{rng.choice(['info', 'support', 'no-reply', 'service'])}@{domain}>"
        yield _message(sender, subject, f"{body}\r\n\r\n{_filler(rng)}", rng)


def ham(count: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    personal = generate(count, seed=seed)
    for raw in personal:
        if rng.random() < 0.25:  # legitimate bulk mail: newsletters, receipts, shipping notices
            shop = rng.choice(SHOPS)
            values = {"brand": shop.split(".")[0].title(), "url": f"https://{shop}/a/{rng.getrandbits(24):x}"}
            body = rng.choice(LEGIT_NEWS).format(n=rng.randint(100, 99999), pct=rng.choice([10, 20, 30]), **values)
            subject = rng.choice(["Your order has shipped", "This week's news", "Your receipt", "Statement ready"])
            extra = f"List-Unsubscribe: <https://{shop}/unsubscribe>\r\n"
            yield _message(f"{values['brand']} <news@{shop}>", subject, body, rng, extra)
        else:
            yield raw


def _tokens(raw: bytes) -> set[str]:
    envelope = read_envelope(raw)
    sender = envelope.sender.address if envelope.sender else ""
    return tokens(sender, envelope.subject, envelope.body_text, has_attachments=envelope.has_attachments)


async def run(count: int, scratch: Path, seed: int = 5) -> dict[str, object]:
    rng = random.Random(seed)
    corpus = [(t, True) for t in map(_tokens, spam(count // 3, seed))]
    corpus += [(t, False) for t in map(_tokens, ham(count - count // 3, seed + 1))]
    rng.shuffle(corpus)
    split = int(len(corpus) * 0.7)
    # People misfile now and then: 2% of the training labels are wrong (the held-out labels are right).
    train = [(found, not is_junk if rng.random() < 0.02 else is_junk) for found, is_junk in corpus[:split]]
    test = corpus[split:]
    bus = EventBus()
    bus.attach_loop(asyncio.get_running_loop())
    store = await Store.open(scratch / "junk.sqlite3", bus)
    try:
        junk = JunkFilter(store)
        started = time.perf_counter()
        for found, is_junk in train:
            await junk.train_tokens(found, is_junk=is_junk)
        train_s = time.perf_counter() - started
        started = time.perf_counter()
        scores = [(await junk.score_tokens(found), is_junk) for found, is_junk in test]
        score_s = time.perf_counter() - started
    finally:
        await store.close()
    tp = sum(1 for s, j in scores if j and s >= JUNK_THRESHOLD)
    fp = sum(1 for s, j in scores if not j and s >= JUNK_THRESHOLD)
    fn = sum(1 for s, j in scores if j and s < JUNK_THRESHOLD)
    ham_total = sum(1 for _, j in scores if not j)
    unsure = sum(1 for s, _ in scores if UNSURE_THRESHOLD <= s < JUNK_THRESHOLD)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "messages": len(corpus),
        "trained": len(train),
        "held_out": len(test),
        "threshold": JUNK_THRESHOLD,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "false_positive_rate": round(fp / ham_total, 4) if ham_total else 0.0,
        "unsure_share": round(unsure / len(test), 4),
        "train_ms_per_message": round(train_s * 1000 / len(train), 3),
        "score_ms_per_message": round(score_s * 1000 / len(test), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=4000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="realmail-bench-junk-") as scratch:
        figures = asyncio.run(run(args.messages, Path(scratch)))
    print(
        f"\nprecision {figures['precision']:.3f}, recall {figures['recall']:.3f}, F1 {figures['f1']:.3f},"
        f" false positives {figures['false_positive_rate']:.2%} of ham, unsure {figures['unsure_share']:.2%}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
