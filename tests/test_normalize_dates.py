"""parse_posted / posted_flag: every documented date form, resolved against a fixed now."""

from datetime import UTC, datetime, timedelta

import pytest

from crawler.normalize import parse_posted, posted_flag

UTC = UTC
NOW = datetime(2024, 7, 20, 12, 0, 0, tzinfo=UTC)
T = datetime(2024, 7, 19, 4, 41, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Fri, 19 Jul 2024 04:41:00 +0000", T),
        ("Fri, 19 Jul 2024 04:41:00 GMT", T),
        ("Fri, 19 Jul 2024 06:41:00 +0200", T),
        ("19 Jul 2024 04:41:00 +0000", T),
        ("2024-07-19T04:41:00", T),  # naive ISO means UTC
        ("2024-07-19T04:41:00Z", T),
        ("2024-07-19T04:41:00.000Z", T),
        ("2024-07-19T00:41:00-04:00", T),
        ("2024-07-19 04:41:00", T),
        ("2024-07-19", datetime(2024, 7, 19, tzinfo=UTC)),
        ("July 19, 2024 04:41 UTC", T),
        ("Jul 19, 2024", datetime(2024, 7, 19, tzinfo=UTC)),
        ("1721364060", T),
        ("1721364060000", T),
        (1721364060, T),
        (1721364060000, T),
        ("3 hours ago", NOW - timedelta(hours=3)),
        ("an hour ago", NOW - timedelta(hours=1)),
        ("yesterday", NOW - timedelta(days=1)),
        ("2d", NOW - timedelta(days=2)),
        ("5h", NOW - timedelta(hours=5)),
        ("30+ days ago", NOW - timedelta(days=30)),
        ("just now", NOW),
        ("today", NOW),
        ("Posted 5 minutes ago", NOW - timedelta(minutes=5)),
        ("2 weeks ago", NOW - timedelta(weeks=2)),
        ("3 months ago", NOW - timedelta(days=90)),
    ],
)
def test_parse_posted_forms(text, expected):
    assert parse_posted(text, now=NOW) == expected


def test_result_is_aware_utc():
    dt = parse_posted("2024-07-19T04:41:00+05:30", now=NOW)
    assert dt.tzinfo is not None and dt.utcoffset() == timedelta(0)


def test_dateparser_fallback_for_rare_forms():
    # Not a fast-path form: dateparser resolves it relative to now.
    assert parse_posted("last Tuesday", now=NOW) == datetime(2024, 7, 16, tzinfo=UTC)
    assert parse_posted("19/07/2024", now=NOW).date() == T.date()


@pytest.mark.parametrize(
    "text", ["", "   ", "garbage", "N/A", "-5", None, [], "9" * 300, "0"]
)
def test_garbage_is_none(text):
    assert parse_posted(text, now=NOW) is None


def test_relative_needs_now():
    assert parse_posted("3 hours ago", now=None) is None  # type: ignore[arg-type]
    assert parse_posted("2024-07-19", now=None) is not None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "dt,flag",
    [
        (NOW + timedelta(hours=23), None),  # within the one-day clock skew
        (NOW + timedelta(days=2), "future"),
        (datetime(1999, 12, 31, tzinfo=UTC), "before_2000"),
        (datetime(2000, 1, 1, tzinfo=UTC), None),
        (datetime(2024, 7, 19), None),  # naive means UTC
    ],
)
def test_posted_flag(dt, flag):
    assert posted_flag(dt, now=NOW) == flag


def test_posted_flag_garbage():
    assert posted_flag("2024", now=NOW) is None  # type: ignore[arg-type]
