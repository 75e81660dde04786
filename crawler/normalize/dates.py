"""Posting dates -> aware UTC datetimes, with standard-library fast paths.

Order of attempts (cheapest first): epoch seconds/milliseconds, ISO 8601
(``datetime.fromisoformat``; naive means UTC), RFC 822 (``email.utils``), a few
``strptime`` formats (``July 19, 2024 04:41 UTC``), relative phrases resolved against
``now`` (``3 hours ago``, ``2d``, ``30+ days ago``, ``yesterday``), and only then
``dateparser``.  A month is 30 days and a year 365 days in relative phrases.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache

from crawler.payloads import MONTH_NAMES

UTC = UTC
CLOCK_SKEW = timedelta(days=1)
MAX_DATE_TEXT = 200

_EPOCH_RE = re.compile(r"^\d{9,13}(?:\.\d+)?$")
_ISO_HINT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_RFC_HINT_RE = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d")
# Fast paths for the two forms most feeds write, checked against strptime/email.utils in
# tests: "March 19, 2024 14:57 UTC" (Upwork's "Posted On") and RFC 822 pubDates.
_MONTHS = {
    **{name.lower(): i for i, name in enumerate(MONTH_NAMES, 1)},
    **{name[:3].lower(): i for i, name in enumerate(MONTH_NAMES, 1)},
}
_WORDY_RE = re.compile(r"([A-Za-z]+) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{1,2})(?: UTC)?")
_RFC_FAST_RE = re.compile(
    r"(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:([+-])(\d{2})(\d{2})|GMT|UTC)"
)
_STRPTIME_FORMATS = (
    "%B %d, %Y %H:%M %Z",
    "%B %d, %Y %H:%M",
    "%b %d, %Y %H:%M %Z",
    "%b %d, %Y %H:%M",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S %Z",
)
_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "wk": 604800,
    "wks": 604800,
    "week": 604800,
    "weeks": 604800,
    "mo": 2592000,
    "mos": 2592000,
    "month": 2592000,
    "months": 2592000,
    "y": 31536000,
    "yr": 31536000,
    "yrs": 31536000,
    "year": 31536000,
    "years": 31536000,
}
_RELATIVE_RE = re.compile(
    r"^(?:posted\s+)?(?:(?P<n>\d+)\+?|(?P<a>an?|one))\s*(?P<unit>[a-z]+?)\.?\s*(?:\+\s*)?(?P<ago>ago)?$"
)
_WORDS = {
    "just now": 0,
    "now": 0,
    "moments ago": 0,
    "a moment ago": 0,
    "few seconds ago": 0,
    "a few seconds ago": 0,
    "today": 0,
    "posted today": 0,
    "just posted": 0,
    "yesterday": 86400,
    "posted yesterday": 86400,
    "a few minutes ago": 180,
    "few minutes ago": 180,
    "a few hours ago": 3 * 3600,
    "few hours ago": 3 * 3600,
    "last week": 7 * 86400,
    "last month": 30 * 86400,
    "last year": 365 * 86400,
}


def _aware(dt: datetime) -> datetime:
    if dt.tzinfo is UTC:  # what every parser here returns (astimezone would return dt)
        return dt
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def parse_posted(text: str, *, now: datetime) -> datetime | None:
    """The moment ``text`` names, in UTC, or None:
    ``parse_posted("3 hours ago", now=datetime(2024, 7, 19, 12, tzinfo=UTC))`` ->
    ``datetime(2024, 7, 19, 9, tzinfo=UTC)``."""
    try:
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            return _from_epoch(float(text))
        if not isinstance(text, str):
            return None
        s = text.strip()
        if not s or len(s) > MAX_DATE_TEXT:
            return None
        absolute = _parse_absolute(s)
        if absolute is not None:
            return absolute
        if not isinstance(now, datetime):
            return None
        now_utc = _aware(now)
        offset = _relative_seconds(s.lower())
        if offset is not None:
            return now_utc - timedelta(seconds=offset)
        if not _DATEPARSER_WORTHY.search(s):
            return None  # "N/A", "-5": dateparser would invent a date
        return _dateparser(s, now_utc)
    except (ValueError, OverflowError, TypeError, OSError, AttributeError):
        return None


def _from_epoch(value: float) -> datetime | None:
    if value >= 1e11:  # milliseconds (1e11 s would be the year 5138)
        value /= 1000.0
    if value <= 0:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


@lru_cache(maxsize=16384)
def _parse_absolute(s: str) -> datetime | None:
    """Forms that need no clock.  Cached: feeds repeat the same strings."""
    try:
        # Upwork's "Posted On" first: no other form below can match such a string.
        m = _WORDY_RE.fullmatch(s)
        if m and m[1].lower() in _MONTHS:
            mon, day, year, hh, mm = m.groups()
            return datetime(
                int(year), _MONTHS[mon.lower()], int(day), int(hh), int(mm), tzinfo=UTC
            )
        if _EPOCH_RE.match(s):
            return _from_epoch(float(s))
        if _ISO_HINT_RE.match(s):
            iso = (
                s.replace(" UTC", "+00:00")
                .replace("Z", "+00:00")
                .replace("z", "+00:00")
            )
            try:
                return _aware(datetime.fromisoformat(iso))
            except ValueError:
                pass
        m = _RFC_FAST_RE.fullmatch(s)
        if m and m[2].lower() in _MONTHS:
            day, mon, year, hh, mm, ss, sign, oh, om = m.groups()
            dt = datetime(
                int(year), _MONTHS[mon.lower()], int(day), int(hh), int(mm), int(ss)
            )
            if sign and (oh != "00" or om != "00"):
                offset = timedelta(hours=int(oh), minutes=int(om))
                return (dt - offset if sign == "+" else dt + offset).replace(tzinfo=UTC)
            return dt.replace(tzinfo=UTC)
        if _RFC_HINT_RE.match(s):
            try:
                return _aware(parsedate_to_datetime(s))
            except (TypeError, ValueError, IndexError):
                pass
        if s[:1].isalpha() or s[:1].isdigit():
            cleaned = s.replace("GMT", "UTC").replace(" at ", " ")
            m = _WORDY_RE.fullmatch(cleaned)
            if m and m[1].lower() in _MONTHS:
                mon, day, year, hh, mm = m.groups()
                return datetime(
                    int(year),
                    _MONTHS[mon.lower()],
                    int(day),
                    int(hh),
                    int(mm),
                    tzinfo=UTC,
                )
            for fmt in _STRPTIME_FORMATS:
                try:
                    dt = datetime.strptime(cleaned, fmt)
                except ValueError:
                    continue
                return dt.replace(tzinfo=UTC)  # %Z only accepts UTC/GMT here
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _relative_seconds(low: str) -> int | None:
    low = " ".join(low.split())
    if low in _WORDS:
        return _WORDS[low]
    if low.startswith("posted "):
        low2 = low[7:]
        if low2 in _WORDS:
            return _WORDS[low2]
    m = _RELATIVE_RE.match(low)
    if not m:
        return None
    unit = _UNIT_SECONDS.get(m["unit"])
    if unit is None:
        return None
    n = int(m["n"]) if m["n"] else 1
    # "2d" and "3h" are fine without "ago"; a bare "5 days" also means 5 days ago.
    return n * unit


_DATEPARSER = None
# Text dateparser may read: a numeric date, a month or weekday name, or a relative word.
_OTHER_LANGUAGES = ["es", "fr", "de", "pt", "it", "nl", "pl", "ru", "uk", "ja", "zh"]
_NON_ENGLISH_RE = re.compile(
    r"\b(?:vor|il y a|hace|geleden|temu|gestern|hier|ayer|ontem|heute|hoy)\b", re.I
)
_DATEPARSER_WORTHY = re.compile(
    r"\d{1,4}[/.\-]\d{1,2}|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b(?:ago|yesterday|today|last|week|month|year"
    r"|day|hour|minute|second)s?\b"
    # a few non-English relative words, for dateparser's language detection
    r"|\b(?:hace|il y a|vor|há|geleden|temu|gestern|hier|ayer|ontem|heute|hoy|aujourd)|назад|дн|前|日",
    re.I,
)


def _dateparser(s: str, now_utc: datetime) -> datetime | None:
    global _DATEPARSER
    if _DATEPARSER is None:
        import dateparser  # slow import; only for the rare forms

        _DATEPARSER = dateparser
    settings = {
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
        "RELATIVE_BASE": now_utc.replace(tzinfo=None),
        "PREFER_DATES_FROM": "past",
    }
    # Language detection costs ~100 ms a call: try English first, and detect only for
    # text with non-ASCII letters ("hace 3 días", "il y a 2 jours" fall through).
    dt = _DATEPARSER.parse(s, settings=settings, languages=["en"])
    if dt is None and (
        _NON_ENGLISH_RE.search(s) or any(c.isalpha() and not c.isascii() for c in s)
    ):
        # A short list keeps detection cheap; the full list can take seconds on odd text.
        dt = _DATEPARSER.parse(s, settings=settings, languages=_OTHER_LANGUAGES)
    if dt is None:
        return None
    return _aware(dt)


def posted_flag(dt: datetime, *, now: datetime) -> str | None:
    """``"future"`` beyond one day of clock skew, ``"before_2000"``, else None:
    ``posted_flag(datetime(1999, 1, 1, tzinfo=UTC), now=now)`` -> ``"before_2000"``."""
    try:
        if not isinstance(dt, datetime):
            return None
        dt = _aware(dt)
        if isinstance(now, datetime) and dt > _aware(now) + CLOCK_SKEW:
            return "future"
        if dt.year < 2000:
            return "before_2000"
    except (ValueError, OverflowError, TypeError):
        return None
    return None
