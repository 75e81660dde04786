"""What a format reader yields besides listings (``crawler.db.RawRow`` with ``seen_at``):
:class:`Reject` and :class:`FileDone`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(slots=True)
class Reject:
    """A row or file that could not be read: ``Reject("a.csv:17", "no_job_id", ...)``."""

    where: str  # "file:line" (or "file" for a whole file)
    reason: str  # short code: no_job_id, bad_date, column_count, broken_xml, ...
    detail: str = ""
    excerpt: str = ""


@dataclass(slots=True)
class FileDone:
    """A reader finished one input file (``ok`` False when it could not be read at all)."""

    name: str
    ok: bool = True


def iso_z(dt: datetime) -> str:
    """``datetime(2022, 11, 3, 10, tzinfo=utc)`` -> ``"2022-11-03T10:00:00Z"``."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    # isoformat is several times faster than strftime, and this runs once per row.
    return dt.replace(microsecond=0).isoformat() + "Z"


def parse_when(text: str | None) -> str | None:
    """A written timestamp -> UTC ISO, or None: ISO 8601, RFC 822, or epoch seconds.

    ``parse_when("Thu, 03 Nov 2022 10:00:00 +0000")`` -> ``"2022-11-03T10:00:00Z"``.
    Only exact machine forms: archives' own dates, never relative text.
    """
    if not text:
        return None
    s = text.strip()
    if not s:
        return None
    if len(s) == 25 and s[10] == " " and s.endswith("+00:00"):
        # The Upwork CSV's form ("2024-02-17 09:09:54+00:00"), already UTC: check it
        # parses, then rewrite it as text (a million rows, so it is worth a branch).
        try:
            year = datetime.fromisoformat(s).year
        except ValueError:
            return None
        return f"{s[:10]}T{s[11:19]}Z" if 1990 <= year <= 2100 else None
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    except ValueError:
        dt = None
    if dt is None and (s[:1].isalpha() or "," in s):
        try:
            dt = parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            dt = None
    if dt is None:
        try:
            value = float(s)
        except ValueError:
            return None
        if value > 1e11:  # milliseconds
            value /= 1000
        try:
            dt = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not 1990 <= dt.year <= 2100:
        return None
    return iso_z(dt)
