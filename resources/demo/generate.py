"""Generate the RealMail Desktop demo mailbox (Maildir++) in resources/demo/mailbox/, deterministically."""

from __future__ import annotations

import html
import math
import os
import shutil
import struct
import sys
import textwrap
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email import charset as email_charset
from email import message_from_bytes, policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAILBOX = HERE / "mailbox"
README = HERE / "README.md"
MARKER_TIME = 1794700800  # 2026-11-15 00:00 UTC, the mtime of the maildirfolder marker files

Person = tuple[str, str]

ALEX: Person = ("Alex Morgan", "alex@realmail.example")
TEAM: Person = ("RealMail Team", "welcome@realmail.example")
PRIYA: Person = ("Priya Raman", "priya.raman@example.com")
JONAS: Person = ("Jonas Weber", "jonas.weber@example.com")
MIA: Person = ("Mia Chen", "mia.chen@example.com")
SAM: Person = ("Sam Okafor", "sam.okafor@example.com")
CHRIS: Person = ("Chris Patel", "chris.patel@example.com")
HANNAH: Person = ("Hannah Brooks", "hannah.brooks@example.com")
DEV: Person = ("Dev Anand", "dev.anand@example.com")
FACILITIES: Person = ("Facilities Desk", "facilities@example.com")
FINANCE: Person = ("Lumen Works Finance", "finance@example.com")
EVERYONE: Person = ("Lumen Works – everyone", "everyone@example.com")
ALL_STAFF: Person = ("All staff", "all-staff@example.com")
MARCO: Person = ("Marco Bellini", "marco.bellini@example.net")
ELODIE: Person = ("Élodie Fournier", "elodie.fournier@example.org")
LENA: Person = ("Lena Müller", "lena.mueller@example.net")
RENE: Person = ("René Lefèvre", "rene.lefevre@example.org")
DMITRY: Person = ("Дмитрий Соколов", "dmitry.sokolov@example.org")
TANAKA: Person = ("田中 由美", "tanaka.yumi@example.com")
SATO: Person = ("佐藤 健", "ken.sato@example.net")
WANG: Person = ("王磊", "wang.lei@example.org")
OLENA: Person = ("Олена Коваленко", "olena.kovalenko@example.net")
LAYLA: Person = ("ليلى حداد", "layla.haddad@example.org")
TOM: Person = ("Tom Becker", "tom.becker@example.net")
WALTER: Person = ("Walter Morgan", "walter.morgan@example.net")
MARGARET: Person = ("Margaret Ellis", "margaret.ellis@example.org")
INES: Person = ("Inês Duarte", "ines.duarte@example.net")
BOOK_CLUB: Person = ("Thursday book club", "bookclub@example.net")
NEWSLETTER: Person = ("The Quiet Inbox", "digest@newsletter.example.org")
SHOP: Person = ("Northwind Outfitters", "orders@shop.example.com")
SHOP_DEALS: Person = ("Northwind Outfitters", "deals@shop.example.com")
FORGE: Person = ("Priya Raman", "notifications@forge.example.com")
FORGE_LIST: Person = ("lumen/desktop-app", "desktop-app@noreply.forge.example.com")
CALENDAR: Person = ("Calendar", "calendar-noreply@example.com")
BANK: Person = ("Harbour & Vale Bank", "statements@bank.example.com")
AIRLINE: Person = ("Skyway Air", "bookings@travel.example.com")
FOOD_BANK: Person = ("Harbour Lights Food Bank", "thanks@example.org")
PUZZLES: Person = ("Daily Puzzle", "hello@puzzles.example.net")

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def at(stamp: str, offset: float) -> datetime:
    """A fixed moment: 'YYYY-MM-DD HH:MM' in a UTC offset given in hours."""
    moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M")
    return moment.replace(tzinfo=timezone(timedelta(hours=offset)))


def msgid(num: int) -> str:
    return f"<demo-{num:03d}@realmail.example>"


def pick(seq: tuple[str, ...] | list[str], *salt: object) -> str:
    """Deterministic, well-spread choice (crc32 of the salt, not random)."""
    return seq[zlib.crc32(repr(salt).encode()) % len(seq)]


# --------------------------------------------------------------------------- binary assets


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _zlib_stored(data: bytes) -> bytes:
    """A zlib stream of stored (uncompressed) deflate blocks: identical bytes on every zlib build."""
    out = bytearray(b"\x78\x01")
    for start in range(0, max(len(data), 1), 65535):
        block = data[start:start + 65535]
        final = 1 if start + 65535 >= len(data) else 0
        out += struct.pack("<BHH", final, len(block), len(block) ^ 0xFFFF) + block
    out += struct.pack(">I", zlib.adler32(data))
    return bytes(out)


def make_png(width: int, height: int, pixel: Callable[[int, int], tuple[int, ...]], alpha: bool) -> bytes:
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: None
        for x in range(width):
            rows += bytes(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"tEXt", b"Software\x00RealMail demo generator")
            + _png_chunk(b"IDAT", _zlib_stored(bytes(rows))) + _png_chunk(b"IEND", b""))


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def gradient_png() -> bytes:
    """64x48 swatch: sunrise coral to harbour teal, a little darker towards the bottom."""
    coral, teal = (0xFF, 0x7A, 0x59), (0x1F, 0xA2, 0xA6)

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        r, g, b = _mix(coral, teal, x / 63)
        shade = 1 - 0.35 * y / 47
        return round(r * shade), round(g * shade), round(b * shade)

    return make_png(64, 48, pixel, alpha=False)


def logo_png() -> bytes:
    """64x64 RGBA logo: a blue rounded square with a white envelope, 4x4 supersampled edges."""
    top, bottom, flap = (0x3B, 0x82, 0xF6), (0x1D, 0x4E, 0xD8), (0x1D, 0x4E, 0xD8)

    def inside_square(x: float, y: float) -> bool:
        cx, cy = min(max(x, 12), 52), min(max(y, 12), 52)
        return (x - cx) ** 2 + (y - cy) ** 2 <= 144 and 0 <= x <= 64 and 0 <= y <= 64

    def on_flap(x: float, y: float) -> bool:
        # two strokes from the envelope's top corners down to its middle
        for x0, y0, x1, y1 in ((14, 21, 32, 35), (50, 21, 32, 35)):
            dx, dy = x1 - x0, y1 - y0
            t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
            if math.hypot(x - (x0 + t * dx), y - (y0 + t * dy)) <= 1.6:
                return True
        return False

    def pixel(px: int, py: int) -> tuple[int, int, int, int]:
        cover, white, dark = 0, 0, 0
        for sy in range(4):
            for sx in range(4):
                x, y = px + (sx + 0.5) / 4, py + (sy + 0.5) / 4
                if not inside_square(x, y):
                    continue
                cover += 1
                if 14 <= x <= 50 and 20 <= y <= 45:
                    if on_flap(x, y):
                        dark += 1
                    else:
                        white += 1
        if cover == 0:
            return (0, 0, 0, 0)
        base = _mix(top, bottom, py / 63)
        colour = _mix(base, (255, 255, 255), white / cover)
        colour = _mix(colour, flap, dark / cover)
        return (*colour, round(255 * cover / 16))

    return make_png(64, 64, pixel, alpha=True)


def check_png(data: bytes) -> None:
    """Walk the chunks, verify every CRC and that IDAT inflates to the right size."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), "PNG signature"
    pos, idat, width, height, bpp = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"PNG CRC mismatch in {kind!r}"
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            bpp = {2: 3, 6: 4}[colour] * depth // 8
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
        if kind == b"IEND":
            break
    assert pos == len(data), "PNG trailing data"
    assert len(zlib.decompress(idat)) == height * (1 + width * bpp), "PNG image size"


def _pdf_text(line: str) -> bytes:
    escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252")


def make_pdf(title: str, lines: list[str], created: str) -> bytes:
    """A one-page PDF 1.4 (A4, Courier, WinAnsi) with a correct xref table."""
    stream = bytearray(b"BT\n/F1 15 Tf\n56 780 Td\n(" + _pdf_text(title) + b") Tj\n/F1 10 Tf\n14 TL\nT*\n")
    for line in lines:
        stream += b"(" + _pdf_text(line) + b") '\n"
    stream += b"ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + bytes(stream) + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        b"<< /Title (" + _pdf_text(title) + b") /Producer (RealMail demo generator) "
        b"/CreationDate (" + created.encode() + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def check_pdf(data: bytes) -> None:
    assert data.startswith(b"%PDF-1.4\n") and data.rstrip().endswith(b"%%EOF"), "PDF header/trailer"
    xref = int(data[data.rindex(b"startxref") + 9:].split()[0])
    assert data[xref:xref + 4] == b"xref", "startxref does not point at xref"
    lines = data[xref:].split(b"\n")
    count = int(lines[1].split()[1])
    for number in range(1, count):
        entry = lines[2 + number]
        assert len(entry) + 1 == 20, "xref entries are 20 bytes"
        offset = int(entry[:10])
        assert data[offset:].startswith(f"{number} 0 obj".encode()), f"xref offset of object {number}"
    length = int(data.split(b"/Length ")[1].split()[0])
    start = data.index(b"stream\n") + 7
    assert data[start + length:start + length + 9] == b"endstream", "stream /Length"


def fold_ics(line: str) -> str:
    """RFC 5545 folding: at most 75 octets per line, never splitting a UTF-8 sequence."""
    out, current = [], ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return "\r\n ".join(out)


def make_ics() -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Lumen Works//Team Calendar 2.3//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "UID:q4-offsite-2026@example.com",
        "DTSTAMP:20261022T150000Z",
        "CREATED:20261022T145500Z",
        "LAST-MODIFIED:20261022T150000Z",
        "DTSTART:20261119T083000Z",
        "DTEND:20261119T163000Z",
        "RRULE:FREQ=DAILY;COUNT=2",
        "SEQUENCE:0",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "SUMMARY:Q4 planning offsite",
        "LOCATION:Alte Druckerei\\, Köpenicker Straße 18\\, Berlin",
        "DESCRIPTION:Two days of planning for Q4 and next year.\\n\\nDay 1: design "
        "workshop (Alex)\\, roadmap review\\, team dinner at 19:30.\\nDay 2: "
        "engineering deep-dives and wrap-up.\\n\\nLunch is provided on both days.",
        "ORGANIZER;CN=Priya Raman:mailto:priya.raman@example.com",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
        "CN=Priya Raman:mailto:priya.raman@example.com",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
        "RSVP=TRUE;CN=Alex Morgan:mailto:alex@realmail.example",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
        "RSVP=TRUE;CN=Jonas Weber:mailto:jonas.weber@example.com",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
        "RSVP=TRUE;CN=Élodie Fournier:mailto:elodie.fournier@example.org",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "DESCRIPTION:Q4 planning offsite",
        "TRIGGER:-PT1H",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(fold_ics(line) for line in lines) + "\r\n").encode()


def check_ics(data: bytes) -> None:
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b""), "ICS uses CRLF"
    physical = data[:-2].split(b"\r\n")
    assert all(len(line) <= 75 for line in physical), "ICS lines are folded at 75 octets"
    logical = data.decode().replace("\r\n ", "").split("\r\n")[:-1]
    stack: list[str] = []
    for line in logical:
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:], "ICS BEGIN/END nesting"
    assert not stack and logical[0] == "BEGIN:VCALENDAR" and "METHOD:REQUEST" in logical
    for required in ("UID:", "DTSTAMP:", "DTSTART:", "ORGANIZER;", "SUMMARY:"):
        assert any(line.startswith(required) for line in logical), f"ICS lacks {required}"


def make_csv() -> bytes:
    rows = [
        ("date", "employee", "category", "description", "amount", "currency", "receipt"),
        ("2026-10-02", "Alex Morgan", "Travel", "Train Lisbon - Porto, client visit", "62.40", "EUR", "yes"),
        ("2026-10-02", "Alex Morgan", "Meals", "Lunch with client (2 people)", "38.90", "EUR", "yes"),
        ("2026-10-06", "Priya Raman", "Software", "Prototyping tool, annual licence", "144.00", "EUR", "yes"),
        ("2026-10-09", "Jonas Weber", "Travel", "Taxi Berlin Hbf - office", "23.10", "EUR", "yes"),
        ("2026-10-14", "Alex Morgan", "Equipment", "USB-C hub", "54.99", "EUR", "missing"),
        ("2026-10-15", "Mia Chen", "Books", "Type design reference", "41.50", "EUR", "yes"),
        ("2026-10-20", "Alex Morgan", "Meals", "Team coffee, Café Lumière", "17.80", "EUR", "yes"),
        ("2026-10-23", "Jonas Weber", "Meals", "Dinner with candidate (2 people)", "71.00", "EUR", "yes"),
        ("2026-10-28", "Alex Morgan", "Travel", "Flight Lisbon - Lyon, return", "186.35", "EUR", "missing"),
        ("2026-10-30", "Priya Raman", "Training", "Conference ticket, \"Design Systems Day\"", "299.00",
         "EUR", "yes"),
    ]

    def cell(value: str) -> str:
        return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in ',"') else value

    return "".join(",".join(cell(v) for v in row) + "\r\n" for row in rows).encode("utf-8")


QUOTE_ITEMS = [
    ("Removal of old units and tiles, disposal", 950.00),
    ("Base and wall cabinets, matt white, soft-close", 5400.00),
    ("Worktop: laminate 'stone grey', undermount sink", 1380.00),
    ("Plumbing: dishwasher connection; 2 sockets moved", 1150.00),
    ("Tiling of splash-back, painting of walls", 1890.00),
    ("Project management and cleaning", 1300.00),
]
OAK_WORKTOP = ("Worktop: solid oak 40 mm, oiled, undermount sink", 1884.00)


def quote_pdf(revision: int) -> bytes:
    items = list(QUOTE_ITEMS)
    if revision:
        items[2] = OAK_WORKTOP
        items[3] = ("Plumbing: dishwasher; 2 sockets moved, 1 new", 1150.00)
    net = sum(amount for _, amount in items)
    vat = round(net * 0.23, 2)
    lines = [
        "Travessa do Exemplo 12, 1200-000 Lisboa",
        "",
        f"QUOTE No. 2026-117{' rev. 1' if revision else ''}"
        f"          Date: {'13 October' if revision else '9 October'} 2026",
        "Customer: Alex Morgan, Rua do Exemplo 48, 3rd floor, Lisboa",
        "Subject:  Kitchen renovation",
        "",
        f"{'Item':<52}{'EUR':>12}",
        "-" * 64,
        *(f"{name:<52}{amount:>12,.2f}" for name, amount in items),
        "-" * 64,
        f"{'Net total':<52}{net:>12,.2f}",
        f"{'VAT 23%':<52}{vat:>12,.2f}",
        f"{'TOTAL':<52}{net + vat:>12,.2f}",
        "",
        "Start: Monday 30 November 2026. Duration: about three weeks.",
        "Deposit of 30% on acceptance; balance on completion.",
        "This quote is valid for 30 days.",
        "",
        "Marco Bellini",
        "Bellini & Filhos Lda. - +351 21 555 0187 - marco.bellini@example.net",
    ]
    created = "D:20261013180000+01'00'" if revision else "D:20261009164500+01'00'"
    return make_pdf("Bellini & Filhos - Building and Renovation", lines, created)


def presentation_pdf() -> bytes:
    lines = [
        "Atelier Céleste, Lyon - pour Lumen Works",
        "",
        "1. Objectif : faire connaître l'application aux étudiants",
        "   et aux indépendants, de juin à août 2026.",
        "2. Message clé : « Votre courrier, rien que le vôtre. »",
        "3. Canaux : affichage en gare, podcasts, réseaux sociaux.",
        "4. Palette : corail « lever du soleil » et bleu « port ».",
        "5. Calendrier : tournage en mars, lancement le 1er juin.",
        "6. Budget : voir l'annexe financière (page séparée).",
        "",
        "Fréquentation estimée : 1,2 million de contacts par semaine.",
        "",
        "Merci ! Questions : elodie.fournier@example.org",
    ]
    return make_pdf("Présentation - campagne d'été 2026", lines, "D:20261103170000+01'00'")


# --------------------------------------------------------------------------- the very long message

WIND_DIRECTIONS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW", "SW", "W", "WSW", "NNW")
WIND_FORCES = ("calm", "light air", "light breeze", "gentle breeze", "moderate breeze", "fresh breeze",
               "strong breeze", "near gale", "gale", "strong gale")
SEASON_WIND = {"winter": 4, "spring": 2, "summer": 1, "autumn": 3}

SKIES = {
    "winter": ("Overcast, sleet after noon.", "Low cloud and drizzle.", "Clear and hard frost.",
               "Snow showers, clearing at dusk.", "Heavy rain, very dark all day.",
               "Bright intervals, squally.", "Thick haze; the mainland hidden.", "Hail showers."),
    "spring": ("Fair, high cloud.", "Showers and bright spells.", "Fog in the morning, fine later.",
               "Clear and cold.", "Overcast, mild.", "Fine and sunny.", "Drizzle all day.",
               "Rain at first, clearing by noon."),
    "summer": ("Fine and clear.", "Hazy sunshine.", "Sea fog till nine, then fine.", "Warm and close.",
               "Light showers.", "Bright, a few clouds.", "Thunder to the east, dry here.", "Overcast, dry."),
    "autumn": ("Rain, heavy at times.", "Squally with bright spells.", "Overcast and raw.",
               "Fine, a touch of frost at dawn.", "Mist on the water, calm.", "Wild and wet.",
               "Showers, some heavy.", "Clear, cold night."),
}

PASSING = (
    "the schooner Mary Beaton, beating up to Port Ellis",
    "the steam drifter Kittiwake, bound north",
    "three herring drifters inside the bar",
    "the coaster Jessie Rennie, deep laden with coal",
    "the ketch Good Intent, running before the wind",
    "the mail steamer Islesman on her usual run",
    "a grey naval cruiser far out, going south at speed",
    "the brigantine Hopewell of Whitehaven",
    "fishing cobles at the lobster pots off the Brannan rocks",
    "the puffer Seaflower, bound for the islands with coal and meal",
    "a large steamer, name not made out, bound west",
    "the schooner Brothers' Pride, making for shelter",
    "two trawlers working the bank",
    "the Margaret & Ann, timber from the Baltic",
    "none; thick weather all day",
    "the ketch Ellen Gray, anchored in the bay overnight",
)

WORK = (
    "cleaned and trimmed the lamp; polished the lens",
    "scraped and red-leaded the gallery rail on the seaward side",
    "cleaned the lantern glass inside and out",
    "overhauled the clockwork of the revolving machine",
    "painted the fog horn house",
    "carried paraffin up from the store, eight cans",
    "repaired the slates on the east cottage",
    "cleared the drains above the landing",
    "whitewashed the base of the tower",
    "tested the fog horn engine; ran well",
    "fitted new wicks and burned in the lamp",
    "cut back the nettles around the store",
    "tarred the keel of the boat",
    "polished the brasswork in the lantern",
    "repointed the wall of the walled garden",
    "greased the pulleys of the weight tube",
)

NATURE = {
    "winter": (
        "Gannets diving off the point all morning, though I cannot think what they find in such cold water.",
        "A skin of ice on the rain tank; broke it with the boathook.",
        "Snow lay on the hills across the sound but not on the Head; the salt keeps it off.",
        "Seals hauled out on the Brannan rocks, eleven of them, grumbling like old men.",
        "Saw the northern lights for an hour after midnight, pale green over the mainland.",
        "A great raft of eider ducks sheltering in the lee of the island.",
        "The tower hums at one particular note when the wind is in the west.",
        "The spring tide brought the sea over the landing steps and left weed on the top one.",
        "Heavy swell from the north-west with little wind here; a storm far out somewhere.",
        "Frost on the inside of the kitchen window in the morning.",
        "A short, bright day; the sun barely cleared the hill behind the cottages.",
        "Hail rattled on the lantern glass like gravel thrown by a boy.",
    ),
    "spring": (
        "First primroses in the bank below the store.",
        "Lambs on the mainland farm; could hear them when the wind was easterly.",
        "Puffins back on the stack, a week earlier than last year.",
        "Oystercatchers piping along the shore from first light.",
        "A pair of wheatears on the dyke by the garden.",
        "Planted potatoes in the walled garden, four rows.",
        "The gorse on the far side of the sound is out, the whole hill yellow.",
        "Fog came in at noon and sat on us till dusk; sounded the horn for six hours.",
        "A basking shark, very large, turning slowly in the tide off the point.",
        "Curlews calling on the mudflats at low water.",
        "Swallows nesting again in the oil store; I have left the door ajar for them.",
        "Clear, soft evening; could see the light on Ardmore plainly at forty miles.",
    ),
    "summer": (
        "The sea like glass all day; you could hear the cobles' oars from the tower.",
        "A long light evening; the sky never fully dark.",
        "Mackerel shoaling in the bay; the boys caught thirty off the rocks in an hour.",
        "Hay made on the mainland; the smell came across on the breeze.",
        "Terns fishing close in, shrieking at anyone who goes near the landing.",
        "Warm enough to work in shirt sleeves on the gallery.",
        "The walled garden wants water every evening; carried it from the tank.",
        "Porpoises in the sound, a school of twenty or more, going south.",
        "Picked the first peas and the last of the rhubarb.",
        "A haze over everything; the far hills gone by noon.",
        "Thrift in flower all along the cliff top, pink as a child's ribbon.",
        "Bathed off the landing before breakfast; Mary says I am too old for it.",
    ),
    "autumn": (
        "Geese going over in long skeins, calling, heading south.",
        "The bracken on the hill has turned the colour of a fox.",
        "Big seas on the point; the spray reached the lantern.",
        "Lifted the potatoes, a fair crop, stored in the dark end of the shed.",
        "Redwings in the hawthorn by the cottages.",
        "The days drawing in quickly now; lit the lamp before tea.",
        "Rain on and off all day, the kind that does not so much fall as hang.",
        "A rainbow stood over the sound for a quarter of an hour, both ends in the water.",
        "Grey seals pupping on the far skerry; the cries carry on a still night.",
        "Cut bracken for the cow's bedding.",
        "Gale cone hoisted at the coastguard station across the sound.",
        "Starlings in great clouds over the mainland at dusk.",
    ),
}

HOUSEHOLD = (
    "Mary baked bread; the children fought over the heel.",
    "Wrote the monthly return for the Board.",
    "Young Tom has the cough again; Mary keeps him in by the stove.",
    "Duncan and I played draughts after the first watch; he won, and will not let me forget it.",
    "Letter from my brother in Glasgow; all well there.",
    "Mended the children's boots with leather from the old bellows.",
    "Read to the children from the Pilgrim's Progress.",
    "Mary's hens laid nine eggs.",
    "The cow is giving less milk; the grass is poor.",
    "Sharpened the saws and oiled the tools.",
    "Taught Ruth to tie a bowline; she had it in three tries.",
    "Whitewashed the inside of the oil store.",
    "Wound the clock and set it by the time signal from the mainland.",
    "Sat up with Duncan on the middle watch; he talked of his people in Skye.",
    "Newspapers came with the boat, a week old as usual.",
    "Sewed a new canvas cover for the lamp.",
    "The children built a boat from driftwood and sailed it in the rock pool.",
    "Too tired to write more.",
    "Paraffin stock counted and entered in the book.",
    "Mary's sister came over on the boat and stayed to tea.",
)

REMARKS = {
    (1, 1): "New Year. Duncan first-footed us at midnight with a lump of coal and a herring, which is "
            "the custom on his island. The children were allowed to stay up and see the light go round "
            "at twelve. A good omen: the sky cleared at midnight and every star was out.",
    (2, 14): "Glass falling all day, 29.02 at six and still going. Made everything fast, doubled the "
             "lashings on the boat and filled every lamp in the house in case we lose the cottages' "
             "chimneys again.",
    (2, 15): "The worst gale I have known on this station. The glass went down to 28.61 at two in the "
             "morning. Seas broke green over the landing and carried away the iron handrail and the "
             "bottom flight of steps. A pane of the lantern cracked at four but held. Duncan and I "
             "took the watch together, neither of us could have slept. The light was never out.",
    (2, 16): "Wind took off at noon. We went round the island: the boat safe, the landing ruined, "
             "the coal store roof gone entirely and the coal with it. Telegraphed the Board from the "
             "coastguard's when the boat could cross. Mary says the hens have stopped laying in protest.",
    (3, 21): "The Superintendent came on the tender for his inspection. He found the lens 'very "
             "creditable' and the log 'legible, for once'. He has promised a new landing before the "
             "winter, which I will believe when I see the masons.",
    (4, 18): "Our Ruth is seven today. She asked for nothing but to be allowed up the tower to light "
             "the lamp herself, which she did, with my hand on hers. She has told everyone on the "
             "mainland about it since.",
    (5, 9): "Masons arrived with the relief boat to rebuild the landing: four men, a great deal of "
            "stone and more tea than I knew existed. They are quartered in the store.",
    (6, 22): "Coronation Day. Dressed the flagstaff overall. The village across the sound lit a bonfire "
             "on the hill at dark and we answered by dipping the light, which is strictly against "
             "the Regulations and which I shall not mention to the Board.",
    (7, 15): "The new landing is finished. It is a fine piece of work and higher by four feet than the "
             "old one. The masons left on the evening boat and the children cried, having been fed "
             "sweets by them for nine weeks.",
    (8, 12): "Regatta day on the mainland. Duncan rowed in the single sculls and came third of seven, "
             "which he says was the fault of the boat. Mary and the children went over for the day "
             "and came back sunburnt and full of lemonade.",
    (9, 11): "Thick fog from the afternoon. Sounded the horn from four o'clock without a break.",
    (9, 12): "At half past two in the morning heard a ship's bell close in to the north-west, where no "
             "ship should be. It was the Norwegian barque Solveig of Bergen, lost in the fog and "
             "feeling her way with the lead. She struck on the outer Brannan at three. Duncan and I "
             "took the boat out to her at first light with the coastguard crew. All fourteen of her "
             "people were taken off safe, the cook carrying the ship's cat inside his coat. They "
             "are at the coastguard's and in our kitchen, which is very full.",
    (9, 14): "The Solveig floated off on the big tide with the help of a tug from Port Ellis and was "
             "towed away for repairs. Her master, Captain Haugland, shook my hand for a long time "
             "and left us a barrel of salt herring and a painted wooden horse for young Tom.",
    (10, 3): "The revolving machine stopped at nine in the evening, the main spring having broken. "
             "Duncan and I turned the lens by hand, taking half an hour each, till daylight, keeping "
             "the character of the light as near true as we could count it. Arms like lead.",
    (10, 6): "Engineer came on the tender and fitted a new spring. He says the old one was the "
             "original of 1868 and had done its duty.",
    (11, 20): "Letter from the Board. The Commissioners have noted 'with approval the conduct of the "
              "keepers at Carrick Head' on the night of the Solveig, and there is to be a mention in "
              "the annual report and two pounds each. Mary has put the letter in the Bible.",
    (12, 24): "The boat brought the Christmas parcels: a doll for Ruth, a knife for Tom, tobacco for "
              "Duncan and me, and a length of blue cloth for Mary, who pretended she did not need it.",
    (12, 25): "Christmas Day. Duncan kept the morning watch so we could go to the service on the "
              "mainland, the sea being kind. Goose for dinner, and plum pudding, and the children ran "
              "up and down the tower stairs until they were sick. A good day.",
    (12, 31): "Last night of the year. The light has been shown every night of 1911 from sunset to "
              "sunrise without a single failure, though on the 15th of February and the 3rd of October "
              "it was a near thing. Thank God for a quiet year on the whole, for the fourteen men of "
              "the Solveig, and for Mary, who has put up with all of it. E. M.",
}

WALTER_INTRO = """\
Dear Alex,

Well, it took me the best part of two winters, but here it is: the
whole of your great-grandfather Elias's log from Carrick Head, every
day of 1911, typed up from the two ledgers your aunt Ruth found in the
loft. I have kept his spelling where I could read it and put my own
remarks in square brackets. The sunrise and sunset times he noted in
the margin I have folded into each day's entry as "lamp lit" and
"out".

It is long - I am sorry, or rather I am not. Read it a month at a time
with a cup of tea. The storm in February and the business with the
Norwegian barque in September are the best bits. I had no idea he was
mentioned in the Board's report that year.

I will print a copy for your mother for Christmas. If you spot any
mistakes, tell me before I do.

Love,
Uncle Walter

======================================================================
               THE LOG OF CARRICK HEAD LIGHT, 1911
            Kept by Elias Morgan, Principal Keeper
           with Duncan MacLeod, Assistant Keeper
          Transcribed by Walter Morgan, 2024-2026
======================================================================

[The light: white, group flashing twice every twenty seconds, 186 feet
above high water, visible 21 miles. Household: Elias, his wife Mary,
Ruth (6, then 7) and Tom (4). Duncan MacLeod, the assistant, was 23
and came from Skye; he lodged with the family. - W. M.]
"""

WALTER_OUTRO = """\
======================================================================

[That is the end of the second ledger. The last page has a pressed
sea pink in it, which I have left where it was. Ruth thinks it is from
the day she lit the lamp. - W. M.]

[Addendum: Carrick Head was automated in 1987 and the cottages are a
holiday let now. I stayed there in June; the landing the masons built
in 1911 is still there, and still four feet higher than it needs to
be. - W. M.]
"""


def season(month: int) -> str:
    return {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
            6: "summer", 7: "summer", 8: "summer"}.get(month, "autumn")


def sun_times(day: date) -> tuple[str, str]:
    """Approximate sunrise and sunset at 56.5 N, 5.6 W, in Greenwich time, as 'h.mm am/pm'."""
    n = day.timetuple().tm_yday
    declination = math.radians(23.44) * math.sin(2 * math.pi * (284 + n) / 365)
    latitude, altitude = math.radians(56.5), math.radians(-0.83)  # refraction and the sun's radius
    cos_h = (math.sin(altitude) - math.sin(latitude) * math.sin(declination)) / (
        math.cos(latitude) * math.cos(declination))
    hour_angle = math.degrees(math.acos(cos_h))
    noon = 12 + 5.6 / 15
    rise, set_ = noon - hour_angle / 15, noon + hour_angle / 15

    def clock(hours: float) -> str:
        minutes = round(hours * 60)
        h, m = divmod(minutes, 60)
        return f"{(h - 1) % 12 + 1}.{m:02d} {'am' if h < 12 else 'pm'}"

    return clock(set_), clock(rise)


def lighthouse_log() -> str:
    """About three thousand lines: Walter's transcription of a (fictional) keeper's log for 1911."""
    wrap = textwrap.TextWrapper(width=70, initial_indent="    ", subsequent_indent="    ")
    out = [WALTER_INTRO]
    day = date(1911, 1, 1)
    while day.year == 1911:
        if day.day == 1:
            title = f"{MONTHS[day.month - 1].upper()} 1911"
            out.append(f"\n{title}\n{'-' * len(title)}\n")
        key = day.timetuple().tm_yday
        sea = season(day.month)
        force = min(9, max(0, SEASON_WIND[sea] + zlib.crc32(f"f{key}".encode()) % 5 - 1))
        barometer = 29.0 + (zlib.crc32(f"b{key}".encode()) % 130) / 100
        trend = pick(("rising", "falling", "steady", "steady"), "t", key)
        lit, out_at = sun_times(day)
        out.append(f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}")
        out.append(f"    Wind {pick(WIND_DIRECTIONS, 'w', key)}, {WIND_FORCES[force]}. {pick(SKIES[sea], 's', key)}")
        out.append(f"    Barometer {barometer:.2f}, {trend}. Lamp lit {lit}, out {out_at}.")
        out.append(wrap.fill(f"Passing: {pick(PASSING, 'p', key)}."))
        out.append(wrap.fill(f"Work: {pick(WORK, 'k', key)}."))
        note = " ".join(
            part for part, salt in ((pick(NATURE[sea], "n", key), 3), (pick(HOUSEHOLD, "h", key), 2))
            if zlib.crc32(f"{salt}{key}".encode()) % 5 < salt + 1
        )
        if note:
            out.append(wrap.fill(note))
        if (day.month, day.day) in REMARKS:
            out.append(wrap.fill(f"Remarks: {REMARKS[day.month, day.day]}"))
        out.append("")
        day += timedelta(days=1)
    out.append(WALTER_OUTRO)
    return "\n".join(out)


# --------------------------------------------------------------------------- message model and builders


@dataclass(frozen=True)
class Attachment:
    filename: str
    maintype: str
    subtype: str
    data: bytes
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Mail:
    num: int
    folder: str  # "Inbox", or a Maildir++ subfolder name such as "Sent"
    flags: str  # Maildir flags: D draft, F flagged, R replied, S seen
    date: datetime
    sender: Person
    to: list[Person]
    subject: str
    text: str = ""
    html: str | None = None
    cc: list[Person] = field(default_factory=list)
    parent: int | None = None  # num of the message this one replies to
    quote: bool = True  # append "On ... wrote:" and the quoted parent to the text
    auto_html: bool = False  # also send an HTML rendering of the text (multipart/alternative)
    cte: str | None = None  # force a Content-Transfer-Encoding for the text part
    charset: str | None = None  # build with email.header.Header/MIMEText in this legacy charset
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    new: bool = False  # deliver into new/ rather than cur/
    build: Callable[[Mail, dict[int, Mail]], Message] | None = None


def legacy_charset(name: str) -> email_charset.Charset:
    """A Charset that really writes `name` on the wire.

    Python maps Shift_JIS (and EUC-JP) to ISO-2022-JP on output; we want a genuine Shift_JIS message, so
    that one is forced to base64 in its own charset. UTF-8 is sent quoted-printable rather than base64.
    Python also labels GB2312 encoded words with its codec name "eucgb2312_cn"; the MIME name is used.
    """
    cs = email_charset.Charset(name)
    cs.output_codec = cs.output_charset
    if cs.input_charset == "shift_jis":
        cs.output_charset = cs.output_codec = "shift_jis"
        cs.header_encoding = cs.body_encoding = email_charset.BASE64
    if cs.input_charset == "utf-8":
        cs.body_encoding = email_charset.QP
    return cs


def attribution(mail: Mail) -> str:
    d = mail.date
    name, addr = mail.sender
    return (f"On {WEEKDAYS[d.weekday()][:3]}, {d.day} {MONTHS[d.month - 1][:3]} {d.year} at "
            f"{d.hour:02d}:{d.minute:02d}, {name} <{addr}> wrote:")


def quote_text(text: str) -> str:
    text = text.partition("\n-- \n")[0].rstrip()  # signatures are not quoted
    return "\n".join(">" + ("" if not line or line.startswith(">") else " ") + line
                     for line in text.split("\n"))


def body_text(mail: Mail, index: dict[int, Mail]) -> str:
    if mail.parent is None or not mail.quote:
        return mail.text
    parent = index[mail.parent]
    return f"{mail.text.rstrip()}\n\n{attribution(parent)}\n{quote_text(body_text(parent, index))}\n"


def references(mail: Mail, index: dict[int, Mail]) -> list[str]:
    chain: list[str] = []
    current = mail.parent
    while current is not None:
        chain.insert(0, msgid(current))
        current = index[current].parent
    return chain


def text_to_html(text: str) -> str:
    """A modest HTML rendering of a plain-text mail; '>' quotes become nested blockquotes."""

    def render(lines: list[str]) -> str:
        out, i = [], 0
        while i < len(lines):
            if lines[i].startswith(">"):
                block = []
                while i < len(lines) and lines[i].startswith(">"):
                    block.append(lines[i][2:] if lines[i].startswith("> ") else lines[i][1:])
                    i += 1
                out.append('<blockquote style="margin:0 0 0 .8ex;border-left:2px solid #ccc;'
                           f'padding-left:1ex">{render(block)}</blockquote>')
            else:
                text = lines[i].lstrip(" ")
                out.append("&nbsp;" * (len(lines[i]) - len(text)) + html.escape(text) + "<br>")
                i += 1
        return "\n".join(out)

    body, _, signature = text.partition("\n-- \n")
    sig = f'\n<div style="color:#777">-- <br>{render(signature.splitlines())}</div>' if signature else ""
    return ('<html><head><meta charset="utf-8"></head>\n<body style="font-family:sans-serif;font-size:14px">'
            f'\n<div dir="auto">\n{render(body.splitlines())}\n</div>{sig}\n</body></html>\n')


def address(person: Person) -> Address:
    return Address(display_name=person[0], addr_spec=person[1])


def put_headers(msg: EmailMessage, mail: Mail, index: dict[int, Mail]) -> None:
    msg["From"] = address(mail.sender)
    msg["To"] = [address(p) for p in mail.to]
    if mail.cc:
        msg["Cc"] = [address(p) for p in mail.cc]
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(mail.date)
    msg["Message-ID"] = msgid(mail.num)
    refs = references(mail, index)
    if refs:
        msg["In-Reply-To"] = refs[-1]
        msg["References"] = " ".join(refs)
    for name, value in mail.headers.items():
        msg[name] = value


def build_standard(mail: Mail, index: dict[int, Mail]) -> Message:
    """EmailMessage: text, HTML-only or multipart/alternative, then attachments (multipart/mixed)."""
    msg = EmailMessage()
    put_headers(msg, mail, index)
    text = body_text(mail, index)
    rich = mail.html or (text_to_html(text) if mail.auto_html else None)
    if text and rich:
        msg.set_content(text, cte=mail.cte)
        msg.add_alternative(rich, subtype="html")
    elif rich:
        msg.set_content(rich, subtype="html", cte=mail.cte)
    else:
        msg.set_content(text, cte=mail.cte)
    for att in mail.attachments:
        msg.add_attachment(att.data, maintype=att.maintype, subtype=att.subtype, filename=att.filename,
                           params=att.params or None)
    return msg


def build_legacy(mail: Mail, index: dict[int, Mail]) -> Message:
    """compat32 MIME classes: headers via Header(text, charset), text via MIMEText(text, 'plain', charset).

    Attachments are added with add_header(filename=(charset, '', name)), which gives an RFC 2231
    `filename*=UTF-8''...` parameter for non-ASCII names.
    """
    assert mail.charset
    cs = legacy_charset(mail.charset)
    text_part = MIMEText(body_text(mail, index), "plain", cs)
    msg: Message = text_part
    if mail.attachments:
        msg = MIMEMultipart("mixed")
        msg.attach(text_part)
        for att in mail.attachments:
            part = MIMEApplication(att.data, att.subtype)
            name = att.filename
            part.add_header("Content-Disposition", "attachment",
                            filename=("UTF-8", "", name) if not name.isascii() else name)
            msg.attach(part)
    content = [(key, msg[key]) for key in ("MIME-Version", "Content-Type", "Content-Transfer-Encoding")
               if key in msg]
    for key, _ in content:
        del msg[key]
    msg["From"] = formataddr(mail.sender, cs)
    msg["To"] = ", ".join(formataddr(p, cs) for p in mail.to)
    if mail.cc:
        msg["Cc"] = ", ".join(formataddr(p, cs) for p in mail.cc)
    msg["Subject"] = Header(mail.subject, cs, header_name="Subject")
    msg["Date"] = format_datetime(mail.date)
    msg["Message-ID"] = msgid(mail.num)
    refs = references(mail, index)
    if refs:
        msg["In-Reply-To"] = refs[-1]
        msg["References"] = " ".join(refs)
    for name, value in mail.headers.items():
        msg[name] = value
    for key, value in content:
        msg[key] = value
    return msg


def build_welcome(mail: Mail, index: dict[int, Mail]) -> Message:
    """multipart/alternative: text/plain, then multipart/related (text/html + the cid: logo)."""
    msg = EmailMessage()
    put_headers(msg, mail, index)
    msg.set_content(mail.text)
    assert mail.html
    msg.add_alternative(mail.html, subtype="html")
    html_part = msg.get_payload()[1]
    html_part.add_related(logo_png(), "image", "png", cid="<realmail-logo@realmail.example>",
                          filename="realmail-logo.png", disposition="inline")
    return msg


def build_invitation(mail: Mail, index: dict[int, Mail]) -> Message:
    """multipart/mixed: alternative (text, html, text/calendar; method=REQUEST) + invite.ics."""
    msg = EmailMessage()
    put_headers(msg, mail, index)
    msg.set_content(mail.text)
    assert mail.html
    msg.add_alternative(mail.html, subtype="html")
    ics = make_ics()
    msg.add_alternative(ics.decode(), subtype="calendar", params={"method": "REQUEST"})
    msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    return msg


def build_forward(mail: Mail, index: dict[int, Mail]) -> Message:
    """An odd but valid shape: a forward of a forward, message/rfc822 nested in message/rfc822."""
    original = EmailMessage()
    original["From"] = address(FACILITIES)
    original["To"] = address(ALL_STAFF)
    original["Subject"] = "Parking permits for the new building"
    original["Date"] = format_datetime(at("2026-10-22 09:00", 1))
    original["Message-ID"] = "<demo-027-original@realmail.example>"
    original.set_content(PARKING_TEXT)
    original.add_alternative(text_to_html(PARKING_TEXT), subtype="html")

    middle = EmailMessage()
    middle["From"] = address(DEV)
    middle["To"] = address(HANNAH)
    middle["Subject"] = "Fwd: Parking permits for the new building"
    middle["Date"] = format_datetime(at("2026-10-26 17:20", 0))
    middle["Message-ID"] = "<demo-027-forward@realmail.example>"
    middle.set_content("Hannah,\n\nFYI - the contractors will ask about this on Wednesday. Could you\n"
                       "pass it on to whoever needs it?\n\nDev\n")
    middle.add_attachment(original)

    msg = build_standard(mail, index)
    assert isinstance(msg, EmailMessage)
    msg.add_attachment(middle)
    return msg


def finish(msg: Message, num: int) -> None:
    """Fix the MIME boundaries (random by default) so that every run writes the same bytes, and drop
    the MIME-Version header that the stdlib copies onto body parts (it belongs on messages only)."""
    for i, part in enumerate(msg.walk()):
        if part.get_content_maintype() == "multipart":
            part.set_boundary(f"----=_RealMailDemo_{num:03d}_{i}")
            for child in part.get_payload():
                del child["MIME-Version"]


# --------------------------------------------------------------------------- content
# ("--\x20" is the signature separator "-- ", spelled so that the trailing space survives editors.)

WELCOME_TEXT = """\
Hi there,

Welcome to RealMail Desktop! This is a demo mailbox, so you can look
around before you connect a real account. Everything here lives in
"Local Folders" on this computer; nothing is sent anywhere, and the
people and companies in it are made up.

A few things worth trying:

  * Conversations - replies are grouped into threads. Open
    "Q4 planning offsite: venue options" or "Quote for your kitchen
    renovation" to see a whole conversation, including Alex's replies
    from the Sent folder.

  * Search - find messages by sender, subject or text. Try
    "lighthouse" or "deposit".

  * Privacy - remote images are blocked until you allow them, so a
    newsletter cannot tell when you opened it. Have a look at the
    Newsletters folder.

  * Attachments - pictures, PDFs, calendar invitations and
    spreadsheets open or save straight from the message.

  * Every script - there is mail in German, French, Russian,
    Ukrainian, Japanese, Chinese and Arabic, in the character sets
    real mail uses.

Keyboard shortcuts

  j / k or the arrow keys   next / previous message
  Enter                     open the selected message
  Delete                    move the message to Trash

When you are ready, add your own account. These demo messages can be
deleted at any time.

Happy reading,
The RealMail Team
"""

WELCOME_HTML = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Welcome to RealMail Desktop</title></head>
<body style="margin:0;padding:0;background:#f4f6fa;font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#1f2937">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f6fa">
<tr><td align="center" style="padding:24px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0"
       style="background:#ffffff;border-radius:8px;max-width:600px">
  <tr><td style="padding:28px 32px 8px 32px">
    <img src="cid:realmail-logo@realmail.example" width="64" height="64" alt="RealMail logo">
    <h1 style="font-size:24px;margin:16px 0 4px 0">Welcome to RealMail Desktop</h1>
    <p style="margin:0;color:#6b7280">A fast, private mail client for your desktop.</p>
  </td></tr>
  <tr><td style="padding:8px 32px;font-size:15px;line-height:1.5">
    <p>This is a demo mailbox, so you can look around before you connect a real account.
    Everything here lives in <b>Local Folders</b> on this computer; nothing is sent anywhere,
    and the people and companies in it are made up.</p>
    <h2 style="font-size:17px;margin:20px 0 6px 0">A few things worth trying</h2>
    <ul style="padding-left:20px">
      <li><b>Conversations</b> &ndash; replies are grouped into threads. Open
      <i>Q4 planning offsite: venue options</i> or <i>Quote for your kitchen renovation</i>
      to see a whole conversation, including Alex&rsquo;s replies from the Sent folder.</li>
      <li><b>Search</b> &ndash; find messages by sender, subject or text. Try
      &ldquo;lighthouse&rdquo; or &ldquo;deposit&rdquo;.</li>
      <li><b>Privacy</b> &ndash; remote images are blocked until you allow them, so a newsletter
      cannot tell when you opened it. Have a look at the Newsletters folder.</li>
      <li><b>Attachments</b> &ndash; pictures, PDFs, calendar invitations and spreadsheets open or
      save straight from the message.</li>
      <li><b>Every script</b> &ndash; there is mail in German, French, Russian, Ukrainian,
      Japanese, Chinese and Arabic, in the character sets real mail uses.</li>
    </ul>
    <h2 style="font-size:17px;margin:20px 0 6px 0">Keyboard shortcuts</h2>
    <table role="presentation" cellpadding="4" cellspacing="0" style="font-size:14px">
      <tr><td><kbd>j</kbd> / <kbd>k</kbd> or the arrow keys</td><td>next / previous message</td></tr>
      <tr><td><kbd>Enter</kbd></td><td>open the selected message</td></tr>
      <tr><td><kbd>Delete</kbd></td><td>move the message to Trash</td></tr>
    </table>
    <p>When you are ready, add your own account. These demo messages can be deleted at any time.</p>
    <p>Happy reading,<br>The RealMail Team</p>
  </td></tr>
  <tr><td style="padding:16px 32px 28px 32px;font-size:12px;color:#9ca3af">
    RealMail Desktop &middot; free software under the GPL &middot; realmail.example
  </td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""

INVITE_TEXT = """\
You have been invited to the following event.

Q4 planning offsite
When: Thu 19 Nov 2026 09:30 - 17:30 (Central European Time - Berlin),
      repeats daily, 2 times
Where: Alte Druckerei, Köpenicker Straße 18, Berlin
Organiser: Priya Raman <priya.raman@example.com>
Guests: Priya Raman, Alex Morgan, Jonas Weber, Élodie Fournier (optional)

Two days of planning for Q4 and next year.

Day 1: design workshop (Alex), roadmap review, team dinner at 19:30.
Day 2: engineering deep-dives and wrap-up.

Lunch is provided on both days.

Going? Yes - Maybe - No
https://calendar.example.com/event?action=respond&eid=q4-offsite-2026

Invitation from Lumen Works Team Calendar. You are receiving this
because you are an attendee of the event.
"""

INVITE_HTML = """\
<html><body style="font-family:sans-serif;font-size:14px">
<h2 style="font-size:18px">Q4 planning offsite</h2>
<table cellpadding="3">
<tr><td><b>When</b></td><td>Thu 19 Nov 2026 09:30 &ndash; 17:30 (Central European Time &ndash; Berlin),
repeats daily, 2 times</td></tr>
<tr><td><b>Where</b></td><td>Alte Druckerei, K&ouml;penicker Stra&szlig;e 18, Berlin</td></tr>
<tr><td><b>Organiser</b></td><td>Priya Raman &lt;priya.raman@example.com&gt;</td></tr>
<tr><td><b>Guests</b></td><td>Priya Raman, Alex Morgan, Jonas Weber, &Eacute;lodie Fournier (optional)</td></tr>
</table>
<p>Two days of planning for Q4 and next year.</p>
<p>Day 1: design workshop (Alex), roadmap review, team dinner at 19:30.<br>
Day 2: engineering deep-dives and wrap-up.</p>
<p>Lunch is provided on both days.</p>
<p><b>Going?</b>
<a href="https://calendar.example.com/event?action=respond&amp;eid=q4-offsite-2026&amp;rst=1">Yes</a> &middot;
<a href="https://calendar.example.com/event?action=respond&amp;eid=q4-offsite-2026&amp;rst=3">Maybe</a> &middot;
<a href="https://calendar.example.com/event?action=respond&amp;eid=q4-offsite-2026&amp;rst=2">No</a></p>
<p style="color:#777;font-size:12px">Invitation from Lumen Works Team Calendar. You are receiving this because
you are an attendee of the event.</p>
</body></html>
"""

PARKING_TEXT = """\
Dear colleagues,

From Monday 2 November, parking at the new building on Quay Street is
by permit only. Permits are free, but there are only 40 spaces for 120
of us, so they will be shared:

  * Each permit holder may park three days a week.
  * Car-sharers (two or more people per car) get priority.
  * Bike storage in the basement is open to everyone, no permit
    needed: 60 racks, showers and lockers.

Please apply on the intranet by Friday 30 October.

Thank you,
Facilities Desk
"""

NEWSLETTER_LINKS = "https://newsletter.example.org"
NEWSLETTER_HEADERS = {
    "List-Id": "The Quiet Inbox <quiet-inbox.newsletter.example.org>",
    "List-Unsubscribe": "<https://newsletter.example.org/unsubscribe?list=quiet-inbox&u=7f3a9c1e>, "
                        "<mailto:unsubscribe@newsletter.example.org?subject=unsubscribe%20quiet-inbox>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "List-Archive": "<https://newsletter.example.org/archive/>",
    "Precedence": "bulk",
    "Reply-To": "The Quiet Inbox <hello@newsletter.example.org>",
    "X-Campaign": "quiet-inbox",
}

ISSUES = {
    41: ("The two-minute rule, revisited", [
        ("The two-minute rule, revisited",
         "If a message takes less than two minutes to deal with, deal with it now. It is good advice "
         "until your inbox holds sixty two-minute messages. This week: how to batch the small stuff "
         "without letting it eat the morning."),
        ("Reader tip: the 'waiting for' folder",
         "Noor from Utrecht keeps a folder for every thread where the ball is in someone else's court, "
         "and looks at it on Fridays only. 'It is the only folder I actually trust,' she writes."),
        ("One thing to try",
         "Turn off the unread badge for a week. Check mail at three fixed times a day. Write back and "
         "tell us how it went - we read everything, slowly."),
    ]),
    42: ("Taming notifications", [
        ("Taming notifications",
         "The average knowledge worker gets dozens of automated messages a day: shipping notices, code "
         "reviews, calendar reminders, receipts. Most of them deserve a glance, not a reply. This week "
         "we look at filters that move them out of the way without hiding the ones that matter."),
        ("Filters that age well",
         "Filter on the List-Id header rather than the sender's address: senders change, list "
         "identifiers rarely do. And keep one rule per sender - future you will thank you."),
        ("Why we block remote images",
         "A single invisible pixel can tell a sender when, where and how often you read their mail. "
         "Yes, that includes this newsletter's own stats pixel, which your mail client should be "
         "blocking right now. Good."),
    ]),
}


def newsletter_html(issue: int) -> str:
    title, articles = ISSUES[issue]
    rows = "".join(
        f'  <tr><td style="padding:16px 28px;border-top:1px solid #eee">\n'
        f'    <h2 style="font-size:18px;margin:0 0 6px 0;color:#0f3d3e">{html.escape(head)}</h2>\n'
        f'    <p style="margin:0 0 8px 0;line-height:1.5">{html.escape(body)}</p>\n'
        f'    <a href="{NEWSLETTER_LINKS}/issue/{issue}/{n}?utm_source=newsletter" '
        f'style="color:#1fa2a6">Read more &rarr;</a>\n  </td></tr>\n'
        for n, (head, body) in enumerate(articles, start=1)
    )
    return f"""\
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>The Quiet Inbox #{issue}</title></head>
<body style="margin:0;background:#eef2f2;font-family:Georgia,serif;color:#222">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" bgcolor="#eef2f2">
<tr><td align="center" style="padding:20px 0">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" bgcolor="#ffffff">
  <tr><td style="padding:0">
    <img src="{NEWSLETTER_LINKS}/img/header-{issue}.png" width="600" height="120"
         alt="The Quiet Inbox" style="display:block;border:0">
  </td></tr>
  <tr><td style="padding:20px 28px 4px 28px">
    <p style="margin:0;font-size:12px;color:#888;text-transform:uppercase">Issue #{issue} &middot; a weekly
    letter about calmer e-mail</p>
    <h1 style="margin:6px 0 0 0;font-size:26px">{html.escape(title)}</h1>
  </td></tr>
{rows}  <tr><td style="padding:16px 28px;background:#0f3d3e;color:#dfe">
    <table role="presentation" width="100%"><tr>
      <td style="color:#dfe;font-size:13px">Enjoying this? <a href="{NEWSLETTER_LINKS}/share?i={issue}"
        style="color:#fff">Forward it to a friend</a>.</td>
      <td align="right"><a href="{NEWSLETTER_LINKS}/archive/" style="color:#fff;font-size:13px">Archive</a></td>
    </tr></table>
  </td></tr>
  <tr><td style="padding:14px 28px;font-size:11px;color:#999;line-height:1.4">
    You are receiving this because you subscribed at newsletter.example.org.<br>
    <a href="{NEWSLETTER_LINKS}/unsubscribe?list=quiet-inbox&amp;u=7f3a9c1e" style="color:#999">Unsubscribe</a>
    &middot; <a href="{NEWSLETTER_LINKS}/preferences?u=7f3a9c1e" style="color:#999">Preferences</a><br>
    The Quiet Inbox, 1 Example Lane, Exampleton
  </td></tr>
</table>
</td></tr>
</table>
<img src="{NEWSLETTER_LINKS}/pixel.gif?u=7f3a9c1e&amp;i={issue}" width="1" height="1" alt="" style="border:0">
</body></html>
"""


def newsletter_text(issue: int) -> str:
    title, articles = ISSUES[issue]
    parts = [f"THE QUIET INBOX #{issue} - {title}\nA weekly letter about calmer e-mail\n"]
    for n, (head, body) in enumerate(articles, start=1):
        parts.append(f"{head.upper()}\n\n{textwrap.fill(body, 70)}\n\n"
                     f"Read more: {NEWSLETTER_LINKS}/issue/{issue}/{n}\n")
    parts.append(f"--\nUnsubscribe: {NEWSLETTER_LINKS}/unsubscribe?list=quiet-inbox&u=7f3a9c1e\n"
                 "The Quiet Inbox, 1 Example Lane, Exampleton\n")
    return "\n".join(parts)


SHIPPING_HTML = """\
<!DOCTYPE html>
<html><head><meta charset="utf-8"></head>
<body style="font-family:Arial,sans-serif;background:#fafafa;margin:0">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="560" cellpadding="12" cellspacing="0" style="background:#fff">
<tr><td style="background:#23395d;color:#fff;font-size:20px;font-weight:bold">Northwind Outfitters</td></tr>
<tr><td>
<p>Hi Alex,</p>
<p>Good news: your order <b>EX-48213</b> has left our warehouse and is on its way.</p>
<p style="font-size:18px">Expected delivery: <b>Thursday 12 November</b>, 9:00&ndash;13:00</p>
<p><a href="https://track.example.net/parcel/EX48213"
   style="background:#23395d;color:#fff;padding:10px 18px;text-decoration:none;border-radius:4px">Track
   your parcel</a></p>
<table width="100%" cellpadding="6" cellspacing="0" style="border-collapse:collapse;font-size:14px">
<tr style="background:#f0f0f0"><th align="left">Item</th><th>Qty</th><th align="right">Price</th></tr>
<tr><td>Harbour rain jacket, navy, M</td><td align="center">1</td><td align="right">&euro;119.00</td></tr>
<tr><td>Merino hiking socks, 2 pairs</td><td align="center">1</td><td align="right">&euro;24.00</td></tr>
<tr><td>Shipping</td><td></td><td align="right">&euro;0.00</td></tr>
<tr><td colspan="2"><b>Total</b> (VAT included)</td><td align="right"><b>&euro;143.00</b></td></tr>
</table>
<p style="font-size:12px;color:#777">Delivering to: Alex Morgan, Rua do Exemplo 48, 3rd floor, Lisboa.<br>
Questions? Just reply to this e-mail. <a href="https://shop.example.com/orders/EX-48213">View your order</a></p>
</td></tr>
</table>
<img src="https://shop.example.com/open.gif?o=EX-48213" width="1" height="1" alt="">
</td></tr></table>
</body></html>
"""

DEALS_HTML = """\
<html><body style="font-family:Arial,sans-serif;text-align:center">
<img src="https://shop.example.com/img/sale-banner.jpg" width="560" alt="40% off outerwear">
<h1 style="color:#c0392b">Last chance: 40% off all outerwear</h1>
<p>Ends Sunday at midnight. Jackets, fleeces and the famous Harbour rain jacket.</p>
<p><a href="https://shop.example.com/sale?utm_campaign=autumn40">Shop the sale</a></p>
<p style="font-size:11px;color:#999">
<a href="https://shop.example.com/unsubscribe?e=alex%40realmail.example">Unsubscribe</a></p>
</body></html>
"""

DESIGN_REVIEW_HTML = """\
<html><head><meta charset="utf-8"></head>
<body style="font-family:Helvetica,Arial,sans-serif;font-size:14px">
<p>Hi everyone,</p>
<p>Thanks for a good session on Tuesday. Quick notes below so nothing gets lost &mdash; shout if I
misremembered anything.</p>
<h3 style="margin-bottom:4px">Decisions</h3>
<ul>
  <li>The conversation view keeps the <b>newest message at the bottom</b>, like a chat.</li>
  <li>Unread counts move from the folder names into small badges.</li>
  <li>We drop the &ldquo;compact&rdquo; density for now; two densities are enough.</li>
</ul>
<h3 style="margin-bottom:4px">Action items</h3>
<table border="1" cellpadding="6" cellspacing="0" style="border-collapse:collapse;border-color:#ccc">
  <tr style="background:#f3f3f3"><th>Owner</th><th>Task</th><th>Due</th></tr>
  <tr><td>Alex</td><td>Updated mock-ups of the conversation view</td><td>Fri 13 Nov</td></tr>
  <tr><td>Mia</td><td>Badge styles for light and dark themes</td><td>Mon 16 Nov</td></tr>
  <tr><td>Jonas</td><td>Estimate for moving unread counts into the model</td><td>Wed 18 Nov</td></tr>
  <tr><td>Chris</td><td>Book two usability sessions for December</td><td>Fri 20 Nov</td></tr>
</table>
<p>Next review: Tuesday 24 November, same time.</p>
<p>Cheers,<br>Chris</p>
<p style="color:#888;font-size:12px">Chris Patel &middot; Product Designer, Lumen Works &middot; Vancouver</p>
</body></html>
"""

ARABIC_TEXT = """\
مرحباً أليكس،

شكراً جزيلاً على الاجتماع المثمر يوم الثلاثاء. أعجبنا كثيراً التصميم
الجديد لصفحة البداية، وخاصة طريقة عرض المحادثات.

كما اتفقنا، سنرسل لك قائمة الملاحظات من فريقنا قبل نهاية الأسبوع
القادم، ونأمل أن نبدأ الاختبار مع المستخدمين في بداية شهر ديسمبر.

(English summary: thank you for Tuesday's meeting; our notes will
follow by the end of next week, and we hope to start user testing in
early December.)

مع أطيب التحيات،
ليلى حداد
مديرة المشاريع، عمّان
"""

ARABIC_HTML = """\
<html lang="ar" dir="rtl"><head><meta charset="utf-8"></head>
<body dir="rtl" style="font-family:Tahoma,Arial,sans-serif;font-size:15px">
<p>مرحباً أليكس،</p>
<p>شكراً جزيلاً على الاجتماع المثمر يوم الثلاثاء. أعجبنا كثيراً التصميم الجديد لصفحة البداية،
وخاصة طريقة عرض المحادثات.</p>
<p>كما اتفقنا، سنرسل لك قائمة الملاحظات من فريقنا قبل نهاية الأسبوع القادم، ونأمل أن نبدأ الاختبار
مع المستخدمين في بداية شهر ديسمبر.</p>
<p dir="ltr" style="color:#555">(English summary: thank you for Tuesday's meeting; our notes will follow by the
end of next week, and we hope to start user testing in early December.)</p>
<p>مع أطيب التحيات،<br>ليلى حداد<br><span style="color:#777">مديرة المشاريع، عمّان</span></p>
</body></html>
"""

FORGE_TEXT = """\
@priya-raman requested your review on: lumen/desktop-app#482
Sort conversations by newest message.

jonas-weber wants to merge 3 commits into main from sort-by-newest

Conversations in the list are now ordered by their most recent
message instead of the first one, so a reply to an old thread brings
it back to the top.

  * ThreadIndex.latest_date() is updated when a message is added
  * the list model sorts on latest_date, ties broken by subject
  * tests for threads whose replies arrive out of order

File changes

  M src/threads/index.py (+41 -12)
  M src/ui/conversation_list.py (+8 -3)
  A tests/test_thread_order.py (+77)

--\x20
Reply to this email directly or view it on Forge:
https://forge.example.com/lumen/desktop-app/pull/482
You are receiving this because your review was requested.
"""

FORGE_HTML = """\
<html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px">
<p><b>@priya-raman</b> requested your review on:
<a href="https://forge.example.com/lumen/desktop-app/pull/482">lumen/desktop-app#482</a>
Sort conversations by newest message.</p>
<p><b>jonas-weber</b> wants to merge 3 commits into <code>main</code> from <code>sort-by-newest</code></p>
<p>Conversations in the list are now ordered by their most recent message instead of the first one,
so a reply to an old thread brings it back to the top.</p>
<ul>
<li><code>ThreadIndex.latest_date()</code> is updated when a message is added</li>
<li>the list model sorts on <code>latest_date</code>, ties broken by subject</li>
<li>tests for threads whose replies arrive out of order</li>
</ul>
<h4>File changes</h4>
<pre style="background:#f6f8fa;padding:8px">M src/threads/index.py (+41 -12)
M src/ui/conversation_list.py (+8 -3)
A tests/test_thread_order.py (+77)</pre>
<p style="font-size:12px;color:#666">&mdash;<br>Reply to this email directly,
<a href="https://forge.example.com/lumen/desktop-app/pull/482">view it on Forge</a>, or
<a href="https://forge.example.com/notifications/unsubscribe/AB12CD">unsubscribe</a>.<br>
You are receiving this because your review was requested.</p>
</body></html>
"""


def demo_messages() -> list[Mail]:
    """The whole mailbox, one entry per message; numbers are Message-IDs <demo-NNN@realmail.example>."""
    colleagues = {"Organization": "Lumen Works"}
    realmail = {"User-Agent": "RealMail Desktop/0.1.0"}
    return [
        # ---------------------------------------------------------------- Inbox: welcome
        Mail(1, "Inbox", "", at("2026-11-14 23:30", 0), TEAM, [ALEX], "Welcome to RealMail Desktop",
             WELCOME_TEXT, WELCOME_HTML, new=True, build=build_welcome),
        # ---------------------------------------------------------------- thread: offsite (2-6)
        Mail(2, "Inbox", "RS", at("2026-10-20 09:14", -4), PRIYA, [ALEX], "Q4 planning offsite: venue options",
             """\
Hi Alex, hi Jonas,

As promised, here are the three venues I shortlisted for the Q4
planning offsite in Berlin on 19-20 November:

1. Alte Druckerei (Kreuzberg) - an old print works, one big room plus
   two breakout rooms, lunch included. 2,900 EUR for both days.
2. Spreeblick Loft (Friedrichshain) - lovely light, but only one room,
   so breakouts would have to happen in the cafe downstairs. 2,400 EUR.
3. Kanalhaus (Neukoelln) - cheapest at 1,950 EUR, but they need the
   final headcount by Friday and I have not seen it in person.

We are 14 people, possibly 16 if the Lyon team joins for day two.

Could you both tell me by Wednesday which one you would pick? Jonas,
since you are in Berlin, would you be able to pop into the Kanalhaus?

Thanks!
Priya

--\x20
Priya Raman
Head of Product, Lumen Works
+1 416 555 0142
""", cc=[JONAS], headers=colleagues),
        Mail(3, "Sent", "S", at("2026-10-20 14:32", 1), ALEX, [PRIYA],
             "Re: Q4 planning offsite: venue options", """\
Hi Priya,

My vote goes to the Alte Druckerei. The breakout rooms matter for the
design workshop on day one, and having lunch included saves us an
hour of herding fourteen people around Kreuzberg.

If it helps, I am happy to run the workshop session (90 minutes, in
the morning) and to put together a first draft of the agenda.

Alex
""", cc=[JONAS], parent=2, headers=realmail),
        Mail(4, "Inbox", "S", at("2026-10-20 16:45", 2), JONAS, [ALEX, PRIYA],
             "Re: Q4 planning offsite: venue options", """\
Hi both,

I went past the Kanalhaus on my way home yesterday.

>> 3. Kanalhaus (Neukoelln) - cheapest at 1,950 EUR, but they need the
>>    final headcount by Friday and I have not seen it in person.

Honestly: nice building, but the main room is right under the S-Bahn
bridge and a train goes over every four minutes. Not great for talks.

> My vote goes to the Alte Druckerei. The breakout rooms matter for the
> design workshop on day one

Agreed, Alte Druckerei. I know the caterer they use - very good, and
they do vegan food without any fuss. I can also book a table for the
team dinner on Thursday evening; there is a good Vietnamese place two
streets away.

Viele Grüße
Jonas

--\x20
Jonas Weber · Engineering Lead · Lumen Works Berlin
""", parent=3, quote=False, auto_html=True, headers=colleagues),
        Mail(5, "Inbox", "FS", at("2026-10-21 08:30", -4), PRIYA, [ALEX, JONAS],
             "Re: Q4 planning offsite: venue options", """\
Great, thank you both - that settles it. I have booked the Alte
Druckerei for Thursday 19 and Friday 20 November, 09:30 to 17:30.
A calendar invitation follows.

Alex, yes please to the workshop and the agenda. Could you send me a
first draft by Friday 6 November? Nothing fancy - a list of sessions
with rough timings is plenty.

Jonas, dinner on Thursday sounds perfect, please book for 16.

Priya
""", parent=4, auto_html=True, headers=colleagues),
        Mail(6, "Inbox", "S", at("2026-10-22 11:00", -4), PRIYA, [ALEX],
             "Invitation: Q4 planning offsite @ Thu 19 Nov 2026 09:30 - 17:30 (CET) (alex@realmail.example)",
             INVITE_TEXT, INVITE_HTML, build=build_invitation),
        # ---------------------------------------------------------------- thread: kitchen (7-11)
        Mail(7, "Inbox", "RS", at("2026-10-09 17:20", 1), MARCO, [ALEX], "Quote for your kitchen renovation",
             """\
Dear Alex,

Thank you for showing me the kitchen last Tuesday. As discussed, please
find attached our quote no. 2026-117 for the renovation.

In short, it covers:
 - removal of the old units and tiles
 - new base and wall cabinets (matt white, soft-close)
 - laminate worktop in "stone grey" with an undermount sink
 - moving the dishwasher connection and two sockets
 - tiling of the splash-back and painting

Total: 14,846.10 EUR including VAT. The price is valid for 30 days.

We could start at the end of November; the work takes about three
weeks. Let me know if you have any questions.

Kind regards,
Marco Bellini

--\x20
Bellini & Filhos Lda. - Building and Renovation
Travessa do Exemplo 12, Lisboa - +351 21 555 0187
""", attachments=[Attachment("Quote-2026-117.pdf", "application", "pdf", quote_pdf(0))]),
        Mail(8, "Sent", "S", at("2026-10-10 10:12", 1), ALEX, [MARCO], "Re: Quote for your kitchen renovation",
             """\
Hi Marco,

Thanks for the quote, it all looks clear. Two questions before I say
yes:

1. What would an oak worktop cost instead of the laminate?
2. I am away from 18 to 22 November. Could you start on Monday
   30 November?

Best,
Alex
""", parent=7, headers=realmail),
        Mail(9, "Inbox", "RS", at("2026-10-12 08:47", 1), MARCO, [ALEX], "Re: Quote for your kitchen renovation",
             """\
Dear Alex,

1. Solid oak (40 mm, oiled) is 504 EUR more before VAT, 619.92 EUR
   with VAT. It wants oiling twice a year, but it ages beautifully.
2. Monday 30 November is fine. We would finish by Friday 18 December,
   so you will have a kitchen for Christmas.

To reserve the dates we ask for a deposit of 30%.

Kind regards,
Marco
""", parent=8),
        Mail(10, "Sent", "S", at("2026-10-12 20:03", 1), ALEX, [MARCO], "Re: Quote for your kitchen renovation",
             """\
Hi Marco,

Let's go with the oak. Could you send me a revised quote, and the bank
details for the deposit? Also, just to be sure: the two sockets on the
left wall are included in the price?

Thanks,
Alex
""", parent=9, headers=realmail),
        Mail(11, "Inbox", "FS", at("2026-10-13 18:30", 1), MARCO, [ALEX], "Re: Quote for your kitchen renovation",
             """\
Dear Alex,

Revised quote attached (2026-117 rev. 1). Yes, both sockets are
included, and I have added a new one above the worktop by the window
at no extra cost - it makes sense while the wall is open anyway.

New total: 15,466.02 EUR. The deposit of 4,639.81 EUR can be paid to:

  Bellini & Filhos Lda.
  IBAN: PT50 0000 0000 0000 0000 0000 0 (demo)
  Reference: 2026-117

Thank you for your trust - see you on the 30th!
Marco
""", parent=10, attachments=[Attachment("Quote-2026-117-rev1.pdf", "application", "pdf", quote_pdf(1))]),
        # ---------------------------------------------------------------- thread: French deck (12-14)
        Mail(12, "Inbox", "RS", at("2026-11-03 17:45", 1), ELODIE, [ALEX],
             "Présentation de l'été — version finale", """\
Bonjour Alex,

Voici la version finale de la présentation pour la campagne d'été,
avec les retours de jeudi intégrés : nouvelle palette, slide 4
réécrite, et les chiffres de fréquentation mis à jour.

(En bref, in English: final deck attached, Thursday's feedback is in,
and the numbers on slide 9 are updated.)

Dis-moi si quelque chose cloche avant que je l'envoie au client
vendredi.

Bien à toi,
Élodie

--\x20
Élodie Fournier
Directrice artistique · Atelier Céleste, Lyon
""", charset="utf-8", build=build_legacy, attachments=[
            Attachment("Présentation été.pdf", "application", "pdf", presentation_pdf())]),
        Mail(13, "Sent", "S", at("2026-11-04 09:10", 0), ALEX, [ELODIE],
             "Re: Présentation de l'été — version finale", """\
Bonjour Élodie,

Merci ! It looks great - the new palette works much better on the
cover. One small thing: on slide 7 the caption still says "juin-août
2025"; I think it should be 2026.

Otherwise it is ready to go from my side.

À bientôt,
Alex
""", parent=12, headers=realmail),
        Mail(14, "Inbox", "", at("2026-11-04 11:32", 1), ELODIE, [ALEX],
             "Re: Présentation de l'été — version finale", """\
Bien vu, merci ! C'est corrigé. Je l'envoie au client vendredi matin
et je te mets en copie.

Élodie
""", parent=13, auto_html=True),
        # ---------------------------------------------------------------- many languages
        Mail(15, "Inbox", "RS", at("2026-10-16 18:02", 2), LENA, [ALEX], "Grüße aus München – Glühwein am Samstag?",
             """\
Hallo Alex,

ich habe gehört, dass du im November in Berlin bist! Falls du danach
noch Zeit hast: Am Samstag, den 21., gehen wir mit ein paar Freunden
auf den Weihnachtsmarkt am Chinesischen Turm. Glühwein, gebrannte
Mandeln, das volle Programm.

Von Berlin nach München sind es mit dem ICE nur gut vier Stunden, und
unser Gästezimmer ist frei. Jakob würde sich auch sehr freuen.

Liebe Grüße und bis hoffentlich bald,
Lena

P.S. Die Straßenbahn fährt jetzt direkt bis vor unsere Haustür.
""", cte="quoted-printable"),
        Mail(16, "Sent", "S", at("2026-10-17 09:30", 1), ALEX, [LENA], "Re: Grüße aus München – Glühwein am Samstag?",
             """\
Liebe Lena,

Was für eine schöne Idee - ja, gerne! I will take the train from Berlin
on Saturday morning and change my flight home so that it leaves from
Munich on Sunday afternoon.

My German is still terrible, so Jakob will have to be patient with me.

Bis bald!
Alex
""", parent=15, headers=realmail),
        Mail(17, "Inbox", "S", at("2026-10-23 16:40", 2), RENE, [ALEX],
             "Réservation confirmée : dîner du vendredi 30 octobre", """\
Bonjour Alex,

C'est noté : une table pour quatre personnes, vendredi 30 octobre à
20 h 30, au nom de Morgan. Je vous ai mis près de la fenêtre, comme
la dernière fois.

Le menu d'automne est à 45 euros : velouté de châtaignes, joue de
boeuf braisée ou dorade rôtie, et tarte fine aux poires. Si l'un de
vos invités est végétarien, prévenez-moi, le chef préparera un risotto
aux cèpes.

À vendredi !
René Lefèvre
Le Petit Zinc · 14, rue de l'Exemple · Lyon
""", charset="iso-8859-1", build=build_legacy),
        Mail(18, "Inbox", "S", at("2026-10-28 10:02", 3), DMITRY, [ALEX], "Перевод документации готов", """\
Здравствуйте, Алекс!

Перевод руководства пользователя на русский язык готов. Я перевёл все
двенадцать глав, включая раздел о горячих клавишах и приложение с
ответами на частые вопросы.

Несколько замечаний:

1. Для "thread" я использовал слово "цепочка", а для "folder" - "папка":
   так привычнее русскоязычным пользователям.
2. В главе 7 скриншоты пока на английском; их нужно будет заменить,
   когда появится русская версия интерфейса.
3. В оригинале на странице 34 опечатка: "Ctrl+Shfit+F" вместо
   "Ctrl+Shift+F". В переводе я её исправил.

Файлы загружены в общую папку проекта. Счёт пришлю отдельным письмом.

С уважением,
Дмитрий Соколов
переводчик, Санкт-Петербург
""", charset="koi8-r", build=build_legacy),
        Mail(19, "Inbox", "S", at("2026-11-05 10:00", 9), TANAKA, [ALEX], "来週の打ち合わせについて", """\
アレックス様

いつもお世話になっております。
株式会社サンプル商事の田中です。

来週の打ち合わせの件でご連絡いたしました。
以下の日程でご都合はいかがでしょうか。

  ・11月10日（火）午後4時〜5時（日本時間）
  ・11月11日（水）午後4時〜5時（日本時間）

日本時間の午後4時は、リスボンでは午前7時になります。
早い時間で申し訳ございませんが、ご検討いただけますと幸いです。

オンライン会議のURLは、日程が決まり次第お送りいたします。

何卒よろしくお願い申し上げます。

田中 由美
株式会社サンプル商事　海外事業部
""", charset="iso-2022-jp", build=build_legacy),
        Mail(20, "Inbox", "S", at("2026-10-18 22:10", 9), SATO, [ALEX], "写真展のご案内", """\
アレックスさん

ご無沙汰しています。佐藤です。
このたび、下北沢のギャラリーで小さな写真展を開くことになりました。

  タイトル：「港の朝」
  会期：11月20日（金）〜12月6日（日）
  時間：12時〜19時（月曜休廊）
  会場：ギャラリー・サンプル（下北沢駅から徒歩5分）

リスボンで撮った写真も何枚か展示します。あの坂道を上る路面電車の
写真、覚えていますか？

東京に来る機会があれば、ぜひお立ち寄りください。

佐藤 健
""", charset="shift_jis", build=build_legacy),
        Mail(21, "Inbox", "", at("2026-11-02 15:20", 8), WANG, [ALEX], "季度报告草稿", """\
Alex，你好！

第三季度报告的草稿已经完成了。文件比较大，所以我没有放在附件里，
而是上传到了共享文件夹，文件名是“Q3报告_草稿_v2”。

有几个问题想请你确认一下：

1. 第4页的用户增长数据是否需要按地区拆分？
2. 欧洲市场部分，我们用九月底的数据，还是十月中旬的最新数据？
3. 图表的配色是否要和新的品牌色保持一致？

如果方便的话，我们可以本周四下午（北京时间）开个短会讨论一下。

谢谢！
王磊
""", charset="gb2312", build=build_legacy),
        Mail(22, "Inbox", "S", at("2026-10-11 13:25", 3), OLENA, [ALEX], "Рецепт борщу, як обіцяла", """\
Привіт, Алексе!

Як і обіцяла, ось мамин рецепт борщу. Він простіший, ніж здається.

Що потрібно (на велику каструлю):
- 500 г яловичини на кістці
- 2 буряки, 1 морква, 1 цибулина
- 3-4 картоплини
- чверть качана капусти
- 2 ст. ложки томатної пасти
- часник, лавровий лист, сіль, перець
- кріп і сметана до подачі

Спочатку звари бульйон (приблизно півтори години). Буряк натри і
потуши з томатною пастою та ложкою оцту - тоді він залишиться
яскраво-червоним. Далі додай картоплю, капусту, засмажку і буряк.
Наприкінці - часник і кріп. Найважливіше: дай борщу постояти хоча б
годину. Наступного дня він ще смачніший!

Напиши, як вийде.
Обіймаю,
Олена
""", charset="windows-1251", build=build_legacy),
        Mail(23, "Inbox", "S", at("2026-11-06 14:30", 3), LAYLA, [ALEX], "شكراً على الاجتماع",
             ARABIC_TEXT, ARABIC_HTML),
        Mail(24, "Inbox", "", at("2026-11-11 09:30", 0), SAM, [EVERYONE], "🎉 Pizza Friday is back! 🍕", """\
Hi all,

After a long summer break, Pizza Friday returns this week! 🍕

When:  Friday 13 November, 12:30
Where: the big meeting room on the 3rd floor (the one with the plants 🌿)

We are ordering from the usual place: margherita, funghi, a spicy
one 🌶️ and two vegan ones. If you have allergies or requests, reply
by Thursday noon.

See you there,
Sam 🙌
""", cte="base64", new=True, headers={**colleagues, "Precedence": "list",
                                     "List-Id": "Everyone at Lumen Works <everyone.example.com>"}),
        # ---------------------------------------------------------------- attachments and formats
        Mail(25, "Inbox", "S", at("2026-11-09 11:20", 0), MIA, [ALEX], "Colour palette for the new logo", """\
Hi Alex,

Here is the gradient we talked about for the new logo - it goes from
"sunrise coral" (#FF7A59) to "harbour teal" (#1FA2A6), a touch darker
towards the bottom. I think it works on both light and dark
backgrounds, but I would love a second pair of eyes before I show it
to Priya.

The PNG is tiny on purpose, it is just the swatch. The full files are
in the design folder.

Cheers,
Mia
""", attachments=[Attachment("palette-sunrise.png", "image", "png", gradient_png())], headers=colleagues),
        Mail(26, "Inbox", "S", at("2026-11-10 16:05", -8), CHRIS, [ALEX, MIA, JONAS],
             "Notes from Tuesday's design review", html=DESIGN_REVIEW_HTML, headers=colleagues),
        Mail(27, "Inbox", "S", at("2026-10-27 11:15", 0), HANNAH, [ALEX],
             "Fwd: Fwd: Parking permits for the new building", """\
Hi Alex,

You asked about bike storage at the Quay Street building - the answer
is at the bottom of the original announcement, which is now buried two
forwards deep, sorry!

Short version: 60 racks in the basement, no permit needed, and there
are showers and lockers.

Hannah
""", build=build_forward, headers=colleagues),
        Mail(28, "Inbox", "FS", at("2026-11-02 09:00", -5), FINANCE, [ALEX],
             "October expenses – please check your lines", """\
Hi Alex,

Attached is the October expense export for the product team. Please
check the lines with your name and reply by 9 November if anything is
wrong or missing.

Receipts for anything over 50 EUR should already be in the expenses
tool; two of yours are still marked "missing" (the USB-C hub and the
Lyon flight).

Thanks,
Nadia Kowalski
Finance, Lumen Works
""", attachments=[Attachment("expenses-2026-10.csv", "text", "csv", make_csv(),
                             {"charset": "utf-8", "header": "present"})], headers=colleagues),
        Mail(29, "Inbox", "", at("2026-11-13 18:45", 1), TOM, [ALEX], "Lunch next week?", """\
Hey Alex,

Long time no see! I am in Lisbon for a conference from Tuesday to
Thursday next week, and I would love to catch up. Are you free for
lunch on Wednesday or Thursday? I am staying near Cais do Sodré, but
happy to come to you.

Also, I finally read the book you recommended. You were right about
the ending.

Tom
"""),
        Mail(30, "Inbox", "FS", at("2026-10-05 21:40", -3), WALTER, [ALEX],
             "Grandad's lighthouse log, 1911 – the whole thing at last", lighthouse_log()),
        Mail(31, "Inbox", "", at("2026-11-14 10:30", 0), CALENDAR, [ALEX],
             "Reminder: Dental check-up @ Tue 17 Nov 2026 10:30 – 11:00 (Lisbon)", """\
This is a reminder for the following event.

Dental check-up
When: Tue 17 Nov 2026 10:30 - 11:00 (Western European Time - Lisbon)
Where: Clínica Dentária Exemplo, Avenida do Exemplo 200, 2.º andar
Notes: Bring the insurance card. Allow 15 minutes for parking.

You are receiving this reminder because you set one 3 days before
the event. To change reminders, open the event in your calendar.
""", auto_html=True),
        # ---------------------------------------------------------------- Newsletters
        Mail(32, "Newsletters", "S", at("2026-11-05 07:00", 0), NEWSLETTER, [ALEX],
             "The Quiet Inbox #41: The two-minute rule, revisited", newsletter_text(41), newsletter_html(41),
             headers=NEWSLETTER_HEADERS),
        Mail(33, "Newsletters", "", at("2026-11-12 07:00", 0), NEWSLETTER, [ALEX],
             "The Quiet Inbox #42: Taming notifications", newsletter_text(42), newsletter_html(42),
             headers=NEWSLETTER_HEADERS),
        Mail(34, "Newsletters", "S", at("2026-11-10 06:12", -5), SHOP, [ALEX],
             "Your order EX-48213 is on its way", html=SHIPPING_HTML),
        Mail(35, "Newsletters", "S", at("2026-11-11 15:47", -5), FORGE, [FORGE_LIST],
             "[lumen/desktop-app] Sort conversations by newest message (PR #482)", FORGE_TEXT, FORGE_HTML,
             cc=[ALEX], headers={
                 "Reply-To": "lumen/desktop-app <reply+482-AB12CD@reply.forge.example.com>",
                 "List-Id": "lumen/desktop-app <desktop-app.lumen.forge.example.com>",
                 "List-Unsubscribe": "<https://forge.example.com/notifications/unsubscribe/AB12CD>",
                 "Precedence": "list",
                 "X-Forge-Reason": "review_requested",
             }),
        Mail(36, "Newsletters", "S", at("2026-11-03 08:00", 0), BANK, [ALEX], "Your October statement is ready",
             """\
Dear Alex Morgan,

Your statement for October 2026 for the current account ending in
4471 is now available in online banking.

For your security, we never send statements as attachments and we
will never ask for your password or security codes by e-mail.

Kind regards,
Harbour & Vale Bank

This is an automated message; please do not reply.
""", auto_html=True),
        # ---------------------------------------------------------------- Archive
        Mail(37, "Archive", "S", at("2026-10-04 19:12", 1), INES, [BOOK_CLUB],
             "Book club: November pick is “The Salt Road”", """\
Hi everyone,

Thank you for a lovely evening on Thursday, and for the plum cake,
Rui!

The vote is in: our November book is "The Salt Road" by M. L. Arden.
It is about 300 pages, so we have plenty of time. We meet on Thursday
26 November at my place, 19:30. Bring something to drink; I will make
soup.

Beijinhos,
Inês
"""),
        Mail(38, "Archive", "S", at("2026-10-06 10:05", 1), MARGARET, [ALEX], "Lease renewal for 2027", """\
Dear Alex,

I hope you are well. Your current lease on the flat at Rua do Exemplo
48, 3rd floor, ends on 31 January 2027, and I would be very happy for
you to stay on.

For 2027 I propose to keep the rent the same for the first six months
and to increase it by 2% from July, in line with the official index.
I will also have the living-room windows replaced in the spring, as
we discussed.

If you agree, I will prepare the new contract in December. Please let
me know if you have any questions.

Best wishes,
Margaret Ellis
"""),
        Mail(39, "Archive", "S", at("2026-10-07 07:31", 0), AIRLINE, [ALEX],
             "Booking confirmed: Lisbon → Berlin, 18 Nov (ref. K7Q2XD)", """\
Thank you for booking with Skyway Air, Alex.

Booking reference: K7Q2XD

Outbound   Wed 18 Nov 2026   SW 2214
           Lisbon (LIS) 11:05  ->  Berlin (BER) 15:50
Return     Sun 22 Nov 2026   SW 2217
           Berlin (BER) 16:40  ->  Lisbon (LIS) 19:35

Passenger: MORGAN / ALEX
Fare: Classic, 1 cabin bag + 1 checked bag (23 kg)
Total paid: 214.60 EUR

Online check-in opens 30 hours before departure:
https://travel.example.com/checkin?ref=K7Q2XD

Have a good trip!
Skyway Air
""", auto_html=True),
        Mail(40, "Archive", "S", at("2026-10-08 12:00", 1), FOOD_BANK, [ALEX],
             "Thank you for your donation – receipt HL-2026-0931", """\
Dear Alex,

Thank you for your gift of 50.00 EUR to the Harbour Lights Food Bank
on 8 October 2026.

This month your donation helps us fill about 40 food parcels for
families in the city, and keep the Saturday breakfast club running
through the winter.

Receipt number: HL-2026-0931
Amount: 50.00 EUR
Date: 8 October 2026

Please keep this e-mail for your records.

With warm thanks,
The Harbour Lights team
"""),
        # ---------------------------------------------------------------- Drafts
        Mail(41, "Drafts", "DS", at("2026-11-14 21:05", 0), ALEX, [TOM], "Re: Lunch next week?", """\
Hi Tom,

Great to hear from you! Wednesday works for me. How about the little
ramen place near the market - it is ten minutes from Cais do Sodré
and they
""", parent=29, headers=realmail),
        Mail(42, "Drafts", "DS", at("2026-11-08 16:40", 0), ALEX, [MARGARET], "Re: Lease renewal for 2027", """\
Dear Margaret,

Thank you for the kind offer - I would very much like to stay on.

A couple of small questions before you prepare the contract:

- Would it be possible to
""", parent=38, quote=False, headers=realmail),
        # ---------------------------------------------------------------- Trash
        Mail(43, "Trash", "S", at("2026-10-30 18:00", 0), SHOP_DEALS, [ALEX],
             "Last chance: 40% off all outerwear this weekend", html=DEALS_HTML,
             headers={"List-Unsubscribe": "<https://shop.example.com/unsubscribe?e=alex%40realmail.example>",
                      "Precedence": "bulk"}),
        Mail(44, "Trash", "S", at("2026-11-08 20:00", 0), PUZZLES, [ALEX], "Your 12-day streak is about to end!", """\
Hi Alex,

You have solved a puzzle every day for 12 days. Don't let your streak
end tonight - today's crossword is a gentle one.

Play now: https://puzzles.example.net/today

Daily Puzzle
Unsubscribe: https://puzzles.example.net/unsubscribe
""", headers={"Precedence": "bulk"}),
    ]


# --------------------------------------------------------------------------- writing and checking

README_TEXT = """\
# RealMail Desktop demo mailbox

`mailbox/` is the demo mailbox that RealMail Desktop imports into a "Local Folders" account on first run
when no account is configured: {count} fictional messages for "Alex Morgan <alex@realmail.example>" as a
Maildir++ tree (the root is the Inbox; `.Sent`, `.Archive`, `.Newsletters`, `.Drafts` and `.Trash` are
subfolders; file names carry the Maildir flags and each file's mtime is the message date), covering
threaded conversations with replies in Sent, plain-text, HTML-only and multipart/alternative mail, a
welcome message with a `cid:` inline logo, PNG, PDF, CSV and iCalendar (METHOD:REQUEST) attachments, an
RFC 2231 non-ASCII file name, RFC 2047 headers and bodies in UTF-8, ISO-8859-1, KOI8-R, ISO-2022-JP,
Shift_JIS, GB2312 and windows-1251, right-to-left Arabic, quoted-printable and base64 bodies, newsletters
with List-Id/List-Unsubscribe and a remote tracking pixel that must stay blocked, a forward nested two
message/rfc822 levels deep, drafts, and a ~3,000-line message; only the example.com/.org/.net and
realmail.example domains are used. The tree is generated, not edited by hand: change
`resources/demo/generate.py` (standard library only, deterministic: fixed dates, Message-IDs, MIME
boundaries and uncompressed PNG/PDF streams) and run `python resources/demo/generate.py`, which
rewrites `mailbox/` and this README byte for byte and checks the PNG CRCs, PDF xref offsets and the
iCalendar file before it writes anything.
"""


def render(mail: Mail, index: dict[int, Mail]) -> bytes:
    builder = mail.build or (build_legacy if mail.charset else build_standard)
    msg = builder(mail, index)
    finish(msg, mail.num)
    data = msg.as_bytes()  # compat32 messages and EmailMessage (policy.default) both write LF line ends
    assert b"\r" not in data, "Maildir files use LF line ends"
    return data


def path_for(mail: Mail) -> Path:
    folder = MAILBOX if mail.folder == "Inbox" else MAILBOX / f".{mail.folder}"
    stamp = int(mail.date.timestamp())
    base = f"{stamp}.M{mail.num}P1Q{mail.num}.demo"
    if mail.new:
        assert "S" not in mail.flags, "messages in new/ are unseen"
        return folder / "new" / base
    # "!" rather than ":" before the flags: Git on Windows cannot check out file names with ":" in them.
    return folder / "cur" / f"{base}!2,{''.join(sorted(mail.flags))}"


def check_message(path: Path, mail: Mail, index: dict[int, Mail]) -> str:
    """Parse a written file back and compare the decoded headers and text with the table."""
    msg = message_from_bytes(path.read_bytes(), policy=policy.default)
    if mail.text:
        plain = msg.get_body(preferencelist=("plain",))
        assert plain is not None and plain.get_content().rstrip("\n") == body_text(mail, index).rstrip("\n")
    assert str(msg["Subject"]) == mail.subject, (path.name, str(msg["Subject"]), mail.subject)
    sender = msg["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == mail.sender, (path.name, str(msg["From"]))
    assert msg["Message-ID"] == msgid(mail.num)
    for part in msg.walk():
        assert not part.defects, (path.name, part.get_content_type(), part.defects)
        if part.get_content_maintype() == "text":
            part.get_content()  # the body decodes in its declared charset
    return f"{mail.folder:<12} {''.join(sorted(mail.flags)) or '-':<3} {sender.display_name:<22} {mail.subject}"


def write_mailbox(mails: list[Mail]) -> list[str]:
    index = {mail.num: mail for mail in mails}
    assert len(index) == len(mails), "duplicate message numbers"
    rendered = [(mail, render(mail, index)) for mail in mails]
    if MAILBOX.exists():
        shutil.rmtree(MAILBOX)
    MAILBOX.mkdir(parents=True)
    for folder in sorted({mail.folder for mail in mails} - {"Inbox"}):
        (MAILBOX / f".{folder}").mkdir()
        marker = MAILBOX / f".{folder}" / "maildirfolder"  # Maildir++ subfolder marker
        marker.write_bytes(b"")
        os.utime(marker, (MARKER_TIME, MARKER_TIME))
    report = []
    for mail, data in sorted(rendered, key=lambda item: (item[0].folder != "Inbox", item[0].folder,
                                                          item[0].date)):
        path = path_for(mail)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        stamp = int(mail.date.timestamp())
        os.utime(path, (stamp, stamp))
        report.append(check_message(path, mail, index))
    README.write_text(README_TEXT.format(count=len(mails)), encoding="utf-8")
    return report


def check_assets() -> None:
    check_png(gradient_png())
    check_png(logo_png())
    check_pdf(quote_pdf(0))
    check_pdf(quote_pdf(1))
    check_pdf(presentation_pdf())
    check_ics(make_ics())
    assert make_csv().count(b"\r\n") == 11


def main() -> int:
    check_assets()
    report = write_mailbox(demo_messages())
    size = sum(p.stat().st_size for p in MAILBOX.rglob("*") if p.is_file())
    print("\n".join(report))
    print(f"{len(report)} messages, {size:,} bytes in {MAILBOX.relative_to(HERE.parent.parent)}")
    assert size < 1_500_000, "the demo mailbox must stay under 1.5 MB"
    return 0


if __name__ == "__main__":
    sys.exit(main())
