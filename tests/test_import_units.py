"""Unit tests of the import pieces: date reading, the CSV-row and generic mappings, options."""

from __future__ import annotations

import json

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.commands.import_ import parse_map
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
    with pytest.raises(ValueError, match="source_id"):
        parse_mapping({"title": "t"})
