"""Unit tests of the import pieces: date reading, the CSV-row and generic mappings, options."""

from __future__ import annotations

import json

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.commands.import_ import parse_map
from crawler.errors import UserError
from crawler.importers.generic import parse_mapping
from crawler.importers.records import parse_when
from crawler.normalize.listing import normalize_listing
from crawler.normalize.sources import has_own_mapping, mapper
from crawler.normalize.sources.generic import to_job as generic_to_job
from crawler.normalize.sources.upwork import to_job as upwork_to_job
from crawler.payloads import json_payload


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Thu, 03 Nov 2022 10:00:00 +0000", "2022-11-03T10:00:00Z"),
        ("Thu, 03 Nov 2022 10:00:00 GMT", "2022-11-03T10:00:00Z"),
        ("2024-02-17 09:09:54+00:00", "2024-02-17T09:09:54Z"),  # the Upwork CSV's form
        ("2024-02-17 09:09:54+01:00", "2024-02-17T08:09:54Z"),
        ("2024-02-17T09:09:54.750Z", "2024-02-17T09:09:54Z"),
        ("2024-02-17", "2024-02-17T00:00:00Z"),
        ("1700000000", "2023-11-14T22:13:20Z"),
        ("1700000000000", "2023-11-14T22:13:20Z"),  # milliseconds
        ("2024-02-30 09:09:54+00:00", None),
        ("last Tuesday", None),
        ("3 hours ago", None),  # relative text is never an archive's own date
        ("0", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_when(text, expected):
    assert parse_when(text) == expected


@given(st.text(max_size=40))
def test_parse_when_never_raises(text):
    result = parse_when(text)
    assert result is None or (len(result) == 20 and result.endswith("Z"))


def csv_row(**over) -> str:
    row = {
        "title": "Chatbot for a clinic",
        "link": "https://www.upwork.com/jobs/x_%7E0122bb33cc44dd55ee66",
        "description": "Build a <b>chatbot</b> with ChatGPT.",
        "published_date": "2024-02-08 11:20:00+00:00",
        "is_hourly": "True",
        "hourly_low": "35.0",
        "hourly_high": "70.0",
        "budget": "",
        "country": "Spain",
    }
    row.update(over)
    return json_payload(row)


def test_upwork_reads_csv_rows_through_its_own_module():
    fields = upwork_to_job(csv_row())
    assert (
        fields["title"] == "Chatbot for a clinic"
        and fields["description"] == "Build a chatbot with ChatGPT."
    )
    assert fields["pay"] == {
        "min": "35.0",
        "max": "70.0",
        "currency": "USD",
        "period": "hour",
        "pay_type": "hourly",
    }
    assert (
        fields["posted_raw"] == "2024-02-08 11:20:00+00:00"
        and fields["country"] == "Spain"
    )


@pytest.mark.parametrize(
    "over, pay_type, low, high",
    [
        ({}, "hourly", 35.0, 70.0),
        ({"hourly_low": "", "hourly_high": "50.0"}, "hourly", 50.0, 50.0),
        ({"is_hourly": "False", "budget": "1200.0"}, "fixed", 1200.0, 1200.0),
        ({"is_hourly": "False", "budget": "nan"}, "unknown", None, None),
        ({"hourly_low": "", "hourly_high": ""}, "unknown", None, None),
    ],
)
def test_csv_row_pay(over, pay_type, low, high):
    row, issues = normalize_listing(
        "upwork",
        "~0122bb33cc44dd55ee66",
        csv_row(**over),
        fetched_at="2024-02-08T11:20:00Z",
    )
    assert (row["pay_type"], row["pay_min"], row["pay_max"]) == (pay_type, low, high)
    assert row["month"] == "2024-02"
    if pay_type == "unknown":
        assert any(field == "pay" for _, field, *_ in issues)


def test_generic_mapping_reads_imported_rows():
    payload = json_payload(
        {
            "title": "Analyst",
            "tags": "SQL; Python |Excel",
            "remote": "yes",
            "pay_text": "$40/hr",
            "_raw": {"id": "1"},
        }
    )
    fields = generic_to_job(payload)
    assert fields["tags"] == ["SQL", "Python", "Excel"] and fields["remote"] is True
    assert generic_to_job(json_payload({"title": "A", "tags": ["x", " "], "_raw": {}}))[
        "tags"
    ] == ["x"]
    with pytest.raises(ValueError):
        generic_to_job(json.dumps({"title": "no _raw"}))


def test_sources_without_a_module_fall_back_to_generic():
    assert mapper("some_board") is generic_to_job
    assert mapper("upwork") is upwork_to_job
    assert has_own_mapping("upwork") and not has_own_mapping("some_board")
    row, issues = normalize_listing(
        "some_board", "7", "<item/>", fetched_at="2024-01-01T00:00:00Z"
    )
    assert row["title"] is None and issues[0][1] == "payload"


def test_parse_map_and_mapping():
    pairs = parse_map(("id=job_id,title=Job Title", "date=posted"))
    assert pairs == {"id": "job_id", "title": "Job Title", "date": "posted"}
    assert parse_mapping(pairs) == {
        "source_id": "job_id",
        "title": "Job Title",
        "posted_raw": "posted",
    }
    with pytest.raises(click.UsageError):
        parse_map(("title",))
    with pytest.raises(UserError, match="source_id"):
        parse_mapping({"title": "t"})


# -- the bulk path's fast pieces must give exactly what the plain ones give ---------------


@pytest.mark.parametrize(
    "header",
    [
        ["title", "link", "description", "published_date", "is_hourly", "country"],
        ["title", "100% remote", "prix (€)", 'say "hi"', "back\\slash"],  # % in a key
        ["title", "title", "link"],  # a repeated column: the dict's last value wins
    ],
)
def test_upwork_csv_payload_matches_json_payload(header):
    from crawler.importers.upwork_csv import payload_of

    build = payload_of(header)
    for values in (
        ["é ✓ 日本", 'quote " and \\ and \n newline', "%s %d %%", "\x00\x1f", "", "x"],
        ["a", "b", "c", "d", "e", "f"],
    ):
        row = values[: len(header)]
        assert build(row) == json_payload(dict(zip(header, row, strict=False)))


def _sighting(source_id, payload, seen, source="upwork"):
    from crawler.db import RawRow

    return RawRow(
        source,
        source_id,
        payload,
        "csv-row",
        f"https://x/{source_id}",
        seen,
        f"f:{seen}",
        seen_at=seen,
    )


_SIGHTINGS = [
    # (batch, run): new once, new thrice (out of order), an update, an older version,
    # a same-run repeat, a second source with the same id
    (
        [
            ("a", "p1", "2023-01-05T00:00:00Z"),
            ("b", "q1", "2023-01-03T00:00:00Z"),
            ("b", "q2", "2023-01-09T00:00:00Z"),
            ("b", "q0", "2023-01-01T00:00:00Z"),
        ],
        1,
    ),
    (
        [
            ("a", "p1", "2023-01-05T00:00:00Z"),
            ("b", "q3", "2023-02-01T00:00:00Z"),
            ("c", "r1", "2023-03-01T00:00:00Z"),
        ],
        1,
    ),
    (
        [
            ("a", "p0", "2022-12-01T00:00:00Z"),
            ("b", "q3", "2023-02-01T00:00:00Z"),
            ("a", "p2", "2023-06-01T00:00:00Z"),
            ("c", "r0", "2023-02-15T00:00:00Z"),
            ("c", "r1", "2023-03-01T00:00:00Z", "other"),
        ],
        2,
    ),
]


def _stored(conn):
    return conn.execute(
        "SELECT source, source_id, url, payload, payload_format, payload_sha256,"
        " fetched_at, first_seen_at, last_seen_at, seen_count, first_run_id,"
        " last_run_id, origin FROM raw_listings ORDER BY source, source_id"
    ).fetchall()


def test_dated_sightings_store_and_count_alike_with_or_without_a_hash(tmp_path):
    """save_raw on dated sightings, with and without a precomputed sha256."""
    from crawler.db import connect, save_raw, sha256

    plain, hashed = (connect(tmp_path / f"{n}.db") for n in ("a", "c"))
    for batch, run_id in _SIGHTINGS:
        rows = [_sighting(*s[:3], *s[3:]) for s in batch]
        with_hash = [r._replace(sha256=sha256(r.payload)) for r in rows]
        expected = save_raw(plain, rows, run_id=run_id)
        got = save_raw(hashed, with_hash, run_id=run_id)
        assert got == expected
    assert (expected.new, expected.updated, expected.unchanged) == (1, 1, 2)
    assert (expected.older_versions, expected.widened, expected.duplicates) == (1, 2, 1)
    assert _stored(plain) == _stored(hashed)
    stored = {
        (r[0], r[1]): (r[3], r[7], r[8], r[9], r[10], r[11]) for r in _stored(plain)
    }
    assert stored[("upwork", "a")] == (
        "p2",
        "2022-12-01T00:00:00Z",
        "2023-06-01T00:00:00Z",
        3,
        1,
        2,
    )
    assert stored[("upwork", "c")] == (  # the older version widened the range only
        "r1",
        "2023-02-15T00:00:00Z",
        "2023-03-01T00:00:00Z",
        2,
        1,
        2,
    )
    assert stored[("other", "c")][0] == "r1" and len(stored) == 4
    b = next(r for r in _stored(plain) if r[1] == "b")
    assert (b[3], b[7], b[8], b[9]) == (
        "q3",
        "2023-01-01T00:00:00Z",
        "2023-02-01T00:00:00Z",
        4,
    )
