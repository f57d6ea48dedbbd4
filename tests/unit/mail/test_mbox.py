"""mbox reading and writing: round trips, RFC 4155 quirks, broken archives and streaming a big file."""

from __future__ import annotations

import io
import itertools
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realmail_desktop.core.errors import ExportFailedError
from realmail_desktop.mail.mbox import (
    MboxSource,
    _Separator,
    _Splitter,
    from_line_date,
    status_flags,
    with_status,
    write_mbox,
)
from realmail_desktop.mail.sources import Flag, SkippedItem, SourceItem, SourceMessage

TRICKY = [
    SourceMessage(b"Subject: plain\n\nFrom the start of a line\nFrom\n", Flag.NONE, 1_700_000_000, "t"),
    SourceMessage(b"Subject: quoted\n\n>From one\n>>From two\n\n>>>From three\n", Flag.NONE, 1, "t"),
    SourceMessage(b"Subject: crlf\r\n\r\nline\r\n\r\nFrom here\r\n", Flag.NONE, 1_600_000_000, "t"),
    SourceMessage(b"Subject: caf\xc3\xa9 \xff\xfe\n\n\xe9t\xe9 \x80\n", Flag.NONE, 2_000_000_000, "t"),
    SourceMessage(b"Subject: nul\n\nbinary\x00zero\x00\n", Flag.NONE, 1_000_000_000, "t"),
    SourceMessage(b"Subject: blank end\n\nbody\n\n\n", Flag.NONE, 3, "t"),
    SourceMessage(
        b"Subject: full From_ line in the body\n\nsee:\nFrom x@y Mon Jan  1 00:00:00 2024\n", Flag.NONE, 4, "t"
    ),
]


def read(path: Path, **kwargs: Any) -> list[SourceItem]:
    return list(MboxSource(path, **kwargs))


def messages(items: list[SourceItem]) -> list[SourceMessage]:
    return [item for item in items if isinstance(item, SourceMessage)]


def write_raw(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 64, 1 << 20])
def test_round_trip_keeps_bytes_dates_and_order(tmp_path: Path, chunk_size: int) -> None:
    path = tmp_path / "out.mbox"
    assert write_mbox(path, TRICKY) == len(TRICKY)

    items = read(path, chunk_size=chunk_size)

    assert all(isinstance(item, SourceMessage) for item in items)
    assert [m.raw for m in messages(items)] == [m.raw for m in TRICKY]
    assert [m.received_at for m in messages(items)] == [m.received_at for m in TRICKY]
    assert [m.flags for m in messages(items)] == [Flag.NONE] * len(TRICKY)


def test_written_file_escapes_from_lines_mboxrd_style(tmp_path: Path) -> None:
    path = tmp_path / "out.mbox"
    write_mbox(path, TRICKY[:2])

    data = path.read_bytes()

    assert data.startswith(b"From MAILER-DAEMON Tue Nov 14 22:13:20 2023\n")
    assert b"\n>From the start of a line\n" in data
    assert b"\n>>From one\n>>>From two\n\n>>>>From three\n" in data
    assert data.count(b"\nFrom MAILER-DAEMON ") == 1


def test_flags_are_written_as_status_headers_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "flags.mbox"
    every = [Flag.NONE, Flag.SEEN, Flag.SEEN | Flag.ANSWERED, Flag.FLAGGED | Flag.DRAFT, Flag.DELETED]
    crlf = b"Subject: x\r\nStatus: RO\r\n\r\nbody\r\n"
    originals = [SourceMessage(crlf, flags, 10, "t") for flags in every]

    write_mbox(path, originals)
    back = messages(read(path))

    assert [m.flags for m in back] == every
    assert back[0].raw == b"Subject: x\r\n\r\nbody\r\n"  # the stale "read" status is gone
    assert back[1].raw == crlf  # already right: untouched
    assert back[2].raw == b"Subject: x\r\nStatus: RO\r\nX-Status: A\r\n\r\nbody\r\n"
    assert back[3].raw == b"Subject: x\r\nX-Status: FT\r\n\r\nbody\r\n"


def test_rewriting_what_was_read_is_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "1.mbox", tmp_path / "2.mbox"
    write_mbox(first, [SourceMessage(b"A: b\n\nx\n", Flag.SEEN | Flag.FLAGGED, 5, "t"), *TRICKY])

    write_mbox(second, messages(read(first)))

    assert second.read_bytes() == first.read_bytes()


def test_status_letters_and_thunderbird_flags_are_read() -> None:
    raw = b"Status: RO\nX-Status: AFTD\nSubject: x\n\nStatus: body lines are not headers\n"
    assert status_flags(raw) == Flag.SEEN | Flag.ANSWERED | Flag.FLAGGED | Flag.DRAFT | Flag.DELETED
    assert status_flags(b"X-Mozilla-Status: 1003\n\n") == Flag.SEEN | Flag.ANSWERED | Flag.FORWARDED
    assert status_flags(b"Subject: x\n\nStatus: R\n") == Flag.NONE


def test_thunderbird_status_is_updated_in_place_keeping_other_bits() -> None:
    raw = b"X-Mozilla-Status: 0201\nSubject: x\n\nbody\n"
    updated = with_status(raw, Flag.FLAGGED | Flag.FORWARDED)
    assert updated == b"X-Mozilla-Status: 1204\nSubject: x\nX-Status: F\n\nbody\n"
    assert status_flags(updated) == Flag.FLAGGED | Flag.FORWARDED
    assert with_status(raw, Flag.SEEN) == b"X-Mozilla-Status: 0201\nSubject: x\nStatus: RO\n\nbody\n"


def test_a_status_field_is_added_even_to_a_message_without_body() -> None:
    assert with_status(b"Subject: x", Flag.SEEN) == b"Subject: x\nStatus: RO\n"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n", 1310126914),
        (b"From a@b.c Sat Jan 3 01:05:34 1996\r\n", 820631134),
        (b"From a@b.c Wed Jun 30 21:49 PDT 1993", 741476940),
        (b"From a@b.c Thu Nov 16 10:00:00 2023 +0200", 1700121600),
        (b"From - Thu Nov 16 10:00:00 2023 -0130", 1700134200),
        (b"From garbage", None),
        (b"From a@b.c Thu Feb 30 10:00:00 2023", None),
    ],
)
def test_from_line_dates(line: bytes, expected: int | None) -> None:
    assert from_line_date(line) == expected


def test_a_hand_written_mbox_is_split_on_from_lines(tmp_path: Path) -> None:
    path = write_raw(
        tmp_path / "inbox",
        b"From alice@example.org Fri Jul  8 12:08:34 2011\n"
        b"Subject: one\nStatus: R\n\nhello\nFrom within a paragraph stays\n\n"
        b"From bob@example.org Sat Jul  9 12:08:34 2011\n"
        b"Subject: two\nX-Status: F\n\nbye\n",
    )

    items = read(path)

    assert items == [
        SourceMessage(
            b"Subject: one\nStatus: R\n\nhello\nFrom within a paragraph stays\n",
            Flag.SEEN,
            1310126914,
            "inbox #1 (line 1)",
        ),
        SourceMessage(b"Subject: two\nX-Status: F\n\nbye\n", Flag.FLAGGED, 1310213314, "inbox #2 (line 8)"),
    ]


def test_mboxo_from_line_without_blank_line_before_still_separates(tmp_path: Path) -> None:
    path = write_raw(
        tmp_path / "o.mbox",
        b"From a Mon Jan  1 00:00:00 2024\nA: 1\n\nx\nFrom b Mon Jan  1 00:00:01 2024\nA: 2\n\ny\n",
    )
    assert [m.raw for m in messages(read(path, chunk_size=5))] == [b"A: 1\n\nx\n", b"A: 2\n\ny\n"]


def test_crlf_mbox_is_split_on_crlf_blank_lines(tmp_path: Path) -> None:
    path = write_raw(tmp_path / "w.mbox", b"From a\r\nA: 1\r\n\r\nx\r\n\r\nFrom b\r\nA: 2\r\n\r\ny\r\n")
    for chunk_size in (1, 2, 3, 100):
        assert [m.raw for m in messages(read(path, chunk_size=chunk_size))] == [
            b"A: 1\r\n\r\nx\r\n",
            b"A: 2\r\n\r\ny\r\n",
        ]


def test_junk_before_the_first_message_is_skipped_with_a_reason(tmp_path: Path) -> None:
    junk = b"this is not mail\nat all\n\n"
    path = write_raw(tmp_path / "junk.mbox", junk + b"From a Mon Jan  1 00:00:00 2024\nA: 1\n\nx\n")

    items = read(path)

    assert isinstance(items[0], SkippedItem)
    assert items[0].origin == "junk.mbox (before the first message)"
    assert f"{len(junk)} bytes before the first" in items[0].reason
    assert [m.raw for m in messages(items)] == [b"A: 1\n\nx\n"]


def test_blank_lines_before_the_first_message_are_not_reported(tmp_path: Path) -> None:
    path = write_raw(tmp_path / "b.mbox", b"\n\r\n\nFrom a Mon Jan  1 00:00:00 2024\nA: 1\n\nx\n")
    items = read(path)
    assert [type(item) for item in items] == [SourceMessage]
    assert items[0].origin == "b.mbox #1 (line 4)"


def test_broken_first_from_line_still_starts_a_message(tmp_path: Path) -> None:
    path = write_raw(tmp_path / "broken.mbox", b"From ???\nSubject: x\n\nbody\n")
    assert read(path) == [SourceMessage(b"Subject: x\n\nbody\n", Flag.NONE, None, "broken.mbox #1 (line 1)")]


def test_empty_messages_between_from_lines_are_skipped(tmp_path: Path) -> None:
    path = write_raw(
        tmp_path / "e.mbox",
        b"From a Mon Jan  1 00:00:00 2024\nA: 1\n\nx\n\n"
        b"From b Mon Jan  1 00:00:00 2024\n\n"
        b"From c Mon Jan  1 00:00:00 2024\n"
        b"From d Mon Jan  1 00:00:00 2024\nA: 4\n\nz\n",
    )

    items = read(path)

    assert [type(item) for item in items] == [SourceMessage, SkippedItem, SkippedItem, SourceMessage]
    assert items[1] == SkippedItem("e.mbox #2 (line 6)", "The message is empty.")
    assert items[2] == SkippedItem("e.mbox #3 (line 8)", "The message is empty.")
    assert items[3] == SourceMessage(b"A: 4\n\nz\n", Flag.NONE, 1704067200, "e.mbox #4 (line 9)")


def test_truncated_last_message_is_kept_as_found(tmp_path: Path) -> None:
    whole = b"From a Mon Jan  1 00:00:00 2024\nA: 1\n\nx\n\nFrom b Mon Jan  1 00:00:00 2024\nA: 2\n\nhalf a li"
    path = write_raw(tmp_path / "cut.mbox", whole)

    raws = [m.raw for m in messages(read(path, chunk_size=4))]

    assert raws == [b"A: 1\n\nx\n", b"A: 2\n\nhalf a li"]


def test_a_message_over_the_size_limit_is_skipped_and_not_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = b"secret body text " * 20
    path = write_raw(
        tmp_path / "big.mbox",
        b"From a Mon Jan  1 00:00:00 2024\nA: 1\n\n" + secret + b"\n\nFrom b Mon Jan  1 00:00:00 2024\nA: 2\n\nok\n",
    )

    with caplog.at_level(logging.WARNING, logger="realmail.mail"):
        items = read(path, chunk_size=16, max_message_size=100)

    assert isinstance(items[0], SkippedItem)
    assert "larger than" in items[0].reason
    assert items[1] == SourceMessage(b"A: 2\n\nok\n", Flag.NONE, 1704067200, "big.mbox #2 (line 6)")
    assert "big.mbox #1" in caplog.text
    assert "secret" not in caplog.text


def test_long_lines_and_from_lines_cut_by_chunks(tmp_path: Path) -> None:
    long_line = b"y" * 5000
    # A "From " line after a long line is body text; one longer than any From_ line is too, blank line or not.
    first = b"A: 1\n\n" + long_line + b"\nFrom me\n\nFrom " + b"z" * 2000 + b"\n"
    first += b"y" * 4000 + b"From a Mon Jan  1 00:00:00 2024\n"  # chunk_size=1 cuts the line just before "From"
    second = b"A: 2\n\n" + long_line + b"\n"
    data = b"From a Mon Jan  1 00:00:00 2024\n" + first + b"\nFrom b Mon Jan  1 00:00:00 2024\n" + second
    path = write_raw(tmp_path / "long.mbox", data)

    for chunk_size in (1, 7, 999, 1000, 1001, 4096):
        assert [m.raw for m in messages(read(path, chunk_size=chunk_size))] == [first, second]


def test_a_line_without_end_is_passed_on_in_pieces(tmp_path: Path) -> None:
    endless = io.BytesIO(b"From a\nA: 1\n\n" + b"y" * 100_000)

    pieces = list(_Splitter(endless, 4096))

    assert isinstance(pieces[0], _Separator)
    data = [piece for piece in pieces if isinstance(piece, bytes)]
    assert max(map(len, data)) < 2 * 4096 + 1000  # bounded by the chunk size, not by the line
    assert b"".join(data) == b"A: 1\n\n" + b"y" * 100_000


def test_unreadable_file_gives_one_skipped_item(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.mbox"
    folder.mkdir()
    dangling = tmp_path / "gone.mbox"
    dangling.symlink_to(tmp_path / "nowhere")

    for path in (folder, dangling):
        items = read(path)
        assert len(items) == 1
        assert isinstance(items[0], SkippedItem)
        assert "cannot be read" in items[0].reason
        assert MboxSource(path).estimate_count() is None


def test_estimate_counts_from_lines_across_chunks(tmp_path: Path) -> None:
    path = tmp_path / "n.mbox"
    write_mbox(path, [SourceMessage(b"A: b\n\nx\n", Flag.NONE, 0, "t")] * 25)
    for chunk_size in (1, 6, 7, 1 << 20):
        assert MboxSource(path, chunk_size=chunk_size).estimate_count() == 25


def test_write_is_atomic_when_messages_fail_half_way(tmp_path: Path) -> None:
    path = write_raw(tmp_path / "keep.mbox", b"old contents\n")

    def failing() -> Iterator[SourceMessage]:
        yield TRICKY[0]
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        write_mbox(path, failing())

    assert path.read_bytes() == b"old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.mbox"]


def test_write_into_a_missing_folder_is_a_known_error(tmp_path: Path) -> None:
    with pytest.raises(ExportFailedError, match="Could not create"):
        write_mbox(tmp_path / "missing" / "out.mbox", TRICKY)


def test_write_over_a_folder_is_a_known_error_and_leaves_no_temp_file(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(ExportFailedError, match="Could not write"):
        write_mbox(tmp_path / "taken", TRICKY)
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]


class _ReadSpy:
    """Wraps a file and records the size asked of every read()."""

    sizes: list[int]

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self.sizes = []
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        self.sizes.append(size)
        data = self._file.read(size)
        self.bytes_read += len(data)
        return data

    def __enter__(self) -> _ReadSpy:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()


def test_a_60000_message_mbox_is_streamed_in_small_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.mbox"
    count = 60_000
    write_mbox(
        path,
        (
            SourceMessage(b"Subject: %d\n\nFrom line in body %d\n" % (i, i), Flag.SEEN if i % 2 else Flag.NONE, i, "t")
            for i in range(count)
        ),
    )
    size = path.stat().st_size
    spies: list[_ReadSpy] = []
    real_open = Path.open

    def spying_open(self: Path, *args: Any, **kwargs: Any) -> _ReadSpy:
        spies.append(_ReadSpy(real_open(self, *args, **kwargs)))
        return spies[-1]

    monkeypatch.setattr(Path, "open", spying_open)
    source = MboxSource(path, chunk_size=4096)

    assert source.estimate_count() == count
    stream = iter(source)
    first = next(stream)
    assert spies[-1].bytes_read <= 2 * 4096  # the first message came before the file was read
    rest = list(itertools.islice(stream, count))

    assert size > 200 * 4096
    assert {n for spy in spies for n in spy.sizes} == {4096}
    assert isinstance(first, SourceMessage)
    assert first.raw == b"Subject: 0\n\nFrom line in body 0\n"
    assert len(rest) == count - 1
    last = rest[-1]
    assert isinstance(last, SourceMessage)
    assert last.raw == b"Subject: 59999\nStatus: RO\n\nFrom line in body 59999\n"
    assert last.flags == Flag.SEEN
    # five lines a message (From_, Subject, blank, body, blank), six for the odd ones with a Status line
    assert last.origin == f"big.mbox #{count} (line {1 + sum(5 + i % 2 for i in range(count - 1))})"


_PIECES = st.sampled_from(
    [b"From ", b">", b">From ", b"\n", b"\r\n", b"\r", b"x", b" ", b"\x00", b"\xff", b"From a Mon Jan  1 00:00:00 2024"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bodies=st.lists(st.lists(_PIECES, max_size=30).map(b"".join), min_size=1, max_size=4),
    chunk_size=st.integers(1, 40),
)
def test_any_bytes_survive_a_round_trip(tmp_path: Path, bodies: list[bytes], chunk_size: int) -> None:
    raws = [b"X: y\n" + body + b"\n" for body in bodies]
    path = tmp_path / "prop.mbox"
    write_mbox(path, [SourceMessage(raw, Flag.NONE, 0, "t") for raw in raws])

    assert [m.raw for m in messages(read(path, chunk_size=chunk_size))] == raws
    assert os.path.getsize(path) > 0
