"""Reading CSV and JSON Lines that resynchronise: one bad record costs that record only.

``CsvRecords(text)`` yields the rows of a CSV with the physical line each starts on,
and :class:`BadRecord` for a record that cannot be a row: bad quoting, a field over the
field limit, an over-long line or record, the wrong number of columns.  Reading goes on
at the next record.  An unclosed quote makes Python's csv module swallow every line up
to the next quote character into one field; when the swallowed lines hold rows of their
own, only the first line is the bad record and reading starts again on the line after
it, so thousands of good rows are not lost to one stray quote.

``json_lines(text, name)`` reads JSON Lines the same way: a line too long, too deep
or not JSON is one Reject, and an over-long line is never read whole into memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass

from crawler.importers.records import Reject
from crawler.payloads import BadJson, load_json

#: Longest field the csv module may build (descriptions can be long; 16 MiB is not).
FIELD_LIMIT = 1 << 24
#: Longest physical line read into memory, and longest record (sum of its lines).
MAX_LINE = FIELD_LIMIT + 1024
MAX_RECORD = 2 * FIELD_LIMIT

csv.field_size_limit(FIELD_LIMIT)


@dataclass(slots=True)
class BadRecord:
    """Lines ``first``..``last`` could not be read as a row (``where`` cites the span)."""

    first: int
    last: int
    reason: str  # bad_quoting, too_large, column_count, bad_csv
    detail: str
    excerpt: str

    def where(self, name: str) -> str:
        span = (
            f"{self.first}" if self.last <= self.first else f"{self.first}-{self.last}"
        )
        return f"{name}:{span}"


class _TooLong(Exception):
    """A physical line or a record passed its limit (raised through the csv reader)."""


class _LongLine:
    """Marker yielded by ``bounded_lines`` for a line over the limit (its text dropped)."""

    __slots__ = ("chars",)

    def __init__(self, chars: int):
        self.chars = chars


def _read_line(readline, limit: int) -> str | _LongLine:
    """One physical line, or a _LongLine after skipping the rest of an over-long one."""
    line = readline(limit)
    if len(line) < limit or line.endswith(("\n", "\r")):
        return line
    chars = len(line)
    while True:  # drop the rest of the line, a chunk at a time
        more = readline(limit)
        chars += len(more)
        if not more or more.endswith(("\n", "\r")):
            return _LongLine(chars)


def bounded_lines(text, limit: int = MAX_LINE) -> Iterator[str | _LongLine]:
    """Physical lines of ``text``; a line over ``limit`` chars is a _LongLine marker."""
    readline = text.readline
    while True:
        line = _read_line(readline, limit)
        if line == "":
            return
        yield line


def long_detail(line: _LongLine) -> str:
    return f"a line of {line.chars:,} characters (limit {MAX_LINE:,})"


class _Lines:
    """The csv reader's line source: counted, bounded, with lines pushed back to re-read."""

    def __init__(self, text, limit: int):
        self.readline = text.readline
        self.limit = limit
        self.number = 0  # physical lines handed out so far
        self.taken: list[str] = []  # lines of the record being read
        self.size = 0  # their length
        self.again: list[str] = []  # pushed-back lines, last first

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.again:
            line = self.again.pop()
        else:
            line = _read_line(self.readline, self.limit)
            if line == "":
                raise StopIteration
            if type(line) is _LongLine:
                self.number += 1
                raise _TooLong(long_detail(line))
        self.number += 1
        self.size += len(line)
        self.taken.append(line)
        if self.size > MAX_RECORD:
            raise _TooLong(f"a record of more than {MAX_RECORD:,} characters")
        return line

    def push_back(self, lines: list[str], number: int) -> None:
        self.again.extend(reversed(lines))
        self.number = number


class CsvRecords:
    """``records = CsvRecords(text); header = records.header(); for first, row in records.rows(len(header))``.

    ``rows`` yields ``(line, fields)`` for each row of ``width`` columns and a
    :class:`BadRecord` for anything else (blank lines are skipped).  ``header`` raises
    ``ValueError`` when the first record cannot be read.
    """

    def __init__(self, text, *, delimiter: str = ",", limit: int = MAX_LINE):
        self.lines = _Lines(text, limit)
        self.delimiter = delimiter
        self.reader = csv.reader(self.lines, delimiter=delimiter)

    def header(self) -> list[str] | None:
        """The header row (None: an empty file); ValueError when it is unreadable."""
        try:
            return next(self.reader)
        except StopIteration:
            return None
        except (csv.Error, _TooLong) as exc:
            raise ValueError(f"header row unreadable: {exc}") from None

    def rows(self, width: int) -> Iterator[tuple[int, list[str]] | BadRecord]:
        lines, reader = self.lines, self.reader
        while True:
            first = lines.number + 1
            lines.taken.clear()
            lines.size = 0
            try:
                row = next(reader)
            except StopIteration:
                return
            except _TooLong as exc:
                reason, detail = "too_large", str(exc)
            except csv.Error as exc:
                text = str(exc)
                reason = "too_large" if "field limit" in text else "bad_csv"
                detail = text
            else:
                if len(row) == width:
                    if len(lines.taken) == 1 or not self._swallowed(width):
                        yield first, row
                        continue
                    yield self._bad(
                        first, "bad_quoting", "quote closed mid-field", width
                    )
                    continue
                if not row:  # a blank line
                    continue
                reason, detail = (
                    "column_count",
                    f"{len(row)} columns, header has {width}",
                )
            yield self._bad(first, reason, detail, width)

    def _bad(self, first: int, reason: str, detail: str, width: int) -> BadRecord:
        lines = self.lines
        taken = lines.taken
        last = max(first, lines.number)
        excerpt = taken[0][:300] if taken else ""
        if len(taken) > 1 and self._holds_rows(taken[1:], width):
            # A stray quote swallowed rows: only its own line is bad; read the rest again.
            lines.push_back(taken[1:], first)
            return BadRecord(
                first,
                first,
                "bad_quoting",
                f"an unclosed quote ran over lines {first}-{last} ({detail});"
                " the lines after it are read again",
                excerpt,
            )
        return BadRecord(first, last, reason, detail, excerpt)

    def _swallowed(self, width: int) -> bool:
        """A multi-line row of the right width that is really a stray quote's swallow.

        Its quoted field closes mid-field (``"...\n..."abc``: what strict CSV refuses)
        and the lines it ran over hold rows of their own.  Only multi-line rows pay
        for this check (about 1% of a real export).
        """
        taken = self.lines.taken
        try:
            next(csv.reader(taken, delimiter=self.delimiter, strict=True))
        except csv.Error:
            return self._holds_rows(taken[1:], width)
        return False

    def _holds_rows(self, lines: list[str], width: int) -> bool:
        """True when one of these lines is, on its own, a row of ``width`` columns."""
        for line in lines:
            try:
                fields = next(csv.reader([line], delimiter=self.delimiter), [])
            except csv.Error:
                continue
            if len(fields) == width:
                return True
        return False


def csv_header(records: CsvRecords, name: str) -> list[str] | Reject:
    """The header row of ``name``, stripped, or the Reject saying why it has none."""
    try:
        header = records.header()
    except ValueError as exc:
        return Reject(f"{name}:1", "bad_header", str(exc))
    if header is None:
        return Reject(name, "empty_file", "no header row")
    return [h.strip() for h in header]


def json_lines(text, name: str) -> Iterator[tuple[str, object, str] | Reject]:
    """``(where, value, line)`` per non-blank JSON line of ``text``, or a Reject for a
    line that is too long, not JSON, too deep or holds a too-long number."""
    for number, line in enumerate(bounded_lines(text), 1):
        where = f"{name}:{number}"
        if type(line) is _LongLine:
            yield Reject(where, "too_large", long_detail(line))
            continue
        if not line.strip():
            continue
        try:
            yield where, load_json(line), line
        except BadJson as exc:
            yield Reject(where, exc.reason, str(exc), line[:300])


class PrefixedText:
    """A text stream whose first characters were already read (to sniff the format):
    ``readline`` serves ``head`` first, then the rest of ``text``."""

    def __init__(self, head: str, text):
        self._head = head
        self._text = text

    def readline(self, limit: int = -1) -> str:
        if not self._head:
            return self._text.readline(limit)
        cut = self._head.find("\n") + 1 or len(self._head)
        if 0 <= limit < cut:
            cut = limit
        line, self._head = self._head[:cut], self._head[cut:]
        if line.endswith("\n") or (0 <= limit <= len(line)):
            return line
        return line + self._text.readline(-1 if limit < 0 else limit - len(line))


def csv_rows(inp, *, delimiter: str = ","):
    """A CSV input read for a format reader: yields its header (a list of names) first,
    then ``(where, row)`` per row and a :class:`Reject` per record that cannot be a row
    (bad quoting, too large, wrong column count; reading resumes at the next record).  A
    file with no header yields its Reject and ``FileDone(ok=False)`` instead.  ``where``
    is ``file:line``."""
    import io

    from crawler.importers.records import FileDone

    with inp.open() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        records = CsvRecords(text, delimiter=delimiter)
        header = csv_header(records, inp.name)
        if type(header) is Reject:
            yield header
            yield FileDone(inp.name, ok=False)
            return
        yield header
        for record in records.rows(len(header)):
            if type(record) is BadRecord:
                yield Reject(
                    record.where(inp.name), record.reason, record.detail, record.excerpt
                )
                continue
            line, row = record
            yield f"{inp.name}:{line}", row
