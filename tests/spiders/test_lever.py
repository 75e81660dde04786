"""The lever spider and mapping: Lever postings API boards on the loopback fixture server."""

from __future__ import annotations

import json

import pytest

from crawler.fixture_server import FIXTURES
from crawler.normalize.sources.lever import board_name, to_job
from tests.conftest import rows

HERE = FIXTURES / "lever"
BOARDS = "northwind,kestrelhealth,orbitalai,nosuchboard"
ARGS = ("-a", f"companies={BOARDS}", "-a", "limit=25")


def postings() -> dict[str, dict]:
    out = {}
    for path in sorted((HERE / "postings").glob("*-*.json")):
        data = json.loads(path.read_text())
        for posting in data if isinstance(data, list) else []:
            if posting.get("id"):
                out[posting["id"]] = posting
    return out


def posting(prefix: str) -> dict:
    return next(p for pid, p in postings().items() if pid.startswith(prefix))


# -- mapping ---------------------------------------------------------------------------
def test_to_job_yearly_salary_range_remote():
    job = to_job(json.dumps(posting("2fab3734")))
    assert job["title"] == "Frontend Engineer"
    assert (
        job["company"] == "orbitalai"
    )  # from hostedUrl: postings do not name the company
    assert (job["country"], job["location"], job["remote"]) == (
        "CA",
        "Toronto, ON",
        True,
    )
    assert job["posted_raw"] == "1686582007037"  # createdAt, ms epoch
    assert job["pay"] == {
        "min": 97000,
        "max": 137000,
        "currency": "CAD",
        "period": "year",
        "pay_type": "salary",
    }
    assert (job["pay_text"], job["currency_hint"], job["source_category"]) == (
        None,
        "CAD",
        "Engineering",
    )
    assert (
        job["url"]
        == "https://jobs.lever.co/orbitalai/2fab3734-79a6-45d3-a469-4901a1933e56"
    )
    # description, list sections and the additional text, plain
    assert job["description"].startswith(
        "Orbitalai is hiring a Frontend Engineer to join our Web team."
    )
    assert "What you'll do\n- Own features end-to-end" in job["description"]
    assert "Mentor teammates & review code" in job["description"]
    assert job["description"].endswith("We are an equal opportunity employer.")


def test_to_job_hourly_wage_and_onsite():
    job = to_job(json.dumps(posting("41be72a7")))
    assert job["pay"] == {
        "min": 53,
        "max": 78,
        "currency": "USD",
        "period": "hour",
        "pay_type": "hourly",
    }
    assert (job["remote"], job["location"], job["source_category"]) == (
        False,
        "New York, NY",
        "Customer Success",
    )


def test_to_job_salary_description_only():
    job = to_job(json.dumps(posting("97b36621")))
    assert job["pay"] is None
    assert (
        job["pay_text"]
        == "The base salary range for this role is $140,000 – $175,000, plus equity."
    )
    assert (job["remote"], job["country"]) == (False, "DE")


def test_to_job_without_any_salary_and_unspecified_workplace():
    job = to_job(json.dumps(posting("db601733")))
    assert job["remote"] is True  # workplaceType unspecified, location "Remote"
    job = to_job(json.dumps(posting("fb8cce84")))
    assert (job["pay"], job["pay_text"], job["remote"]) == (None, None, False)  # hybrid


@pytest.mark.parametrize(
    "url, name",
    [
        ("https://jobs.lever.co/acme/5ac2-11", "acme"),
        ("https://jobs.eu.lever.co/acme-eu/x", "acme-eu"),
        (None, None),
    ],
)
def test_board_name(url, name):
    assert board_name(url) == name


def test_to_job_rejects_what_is_not_a_posting():
    with pytest.raises(ValueError):
        to_job(json.dumps({"ok": False, "error": "Document not found"}))
    with pytest.raises(ValueError):
        to_job("not json")


# -- crawls ----------------------------------------------------------------------------
def test_crawl_boards_pages_and_skips(crawl, fresh_server):
    _, db = crawl("lever", fresh_server, *ARGS)
    expected = postings()
    stored = {
        r["source_id"]: r
        for r in rows(
            db,
            "SELECT payload_text(payload, payload_dict) AS payload, * FROM raw_listings",
        )
    }
    assert set(stored) == set(expected) and len(stored) == 65
    assert json.loads(
        stored["2fab3734-79a6-45d3-a469-4901a1933e56"]["payload"]
    ) == posting("2fab3734")
    assert (
        stored["2fab3734-79a6-45d3-a469-4901a1933e56"]["url"]
        == posting("2fab3734")["hostedUrl"]
    )
    # northwind has 34 postings: a full page of 25, then a short page where paging stops
    board_pages = sorted(
        p.split("/lever", 1)[1]
        for p in fresh_server.requests
        if "/v0/postings/northwind" in p
    )
    assert board_pages == [
        "/v0/postings/northwind?mode=json&skip=0&limit=25",
        "/v0/postings/northwind?mode=json&skip=25&limit=25",
    ]

    job = rows(
        db,
        "SELECT * FROM jobs WHERE source_id = '2fab3734-79a6-45d3-a469-4901a1933e56'",
    )[0]
    assert (job["title"], job["company"], job["country"], job["remote"]) == (
        "Frontend Engineer",
        "orbitalai",
        "CA",
        1,
    )
    assert job["posted_at"] == "2023-06-12T15:00:07Z"
    assert (
        job["pay_type"],
        job["pay_min"],
        job["pay_max"],
        job["pay_currency"],
        job["pay_period"],
    ) == ("salary", 97000, 137000, "CAD", "year")
    assert job["category"] == "web & software development"
    assert {"React", "TypeScript", "GraphQL"} <= set(json.loads(job["skills"]))
    hourly = rows(
        db,
        "SELECT * FROM jobs WHERE source_id = '41be72a7-3469-45ef-b4ce-9f75035e3306'",
    )[0]
    assert (
        hourly["pay_type"],
        hourly["pay_min"],
        hourly["pay_max"],
        hourly["hourly_usd_mid"],
    ) == ("hourly", 53, 78, 65.5)
    assert hourly["category"] == "customer service"
    text_pay = rows(
        db,
        "SELECT * FROM jobs WHERE source_id = '97b36621-dc0e-4aad-9be8-13dcc7f25922'",
    )[0]
    assert (text_pay["pay_type"], text_pay["pay_min"], text_pay["pay_max"]) == (
        "salary",
        140000,
        175000,
    )
    assert text_pay["posted_at"] == "2023-09-17T18:00:28Z"

    skipped = {r["reason"]: r for r in rows(db, "SELECT * FROM skipped_listings")}
    assert set(skipped) == {"no_id", "api_error"}
    assert "kestrelhealth" in skipped["no_id"]["url"] and skipped["no_id"][
        "excerpt"
    ].startswith("{")
    assert (
        "nosuchboard" in skipped["api_error"]["detail"]
        and "Document not found" in skipped["api_error"]["detail"]
    )
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    assert (run["status"], run["new"], run["skipped"], run["errors"]) == (
        "finished",
        65,
        2,
        0,
    )


def test_recrawl_is_idempotent(crawl, fixture_server):
    _, db = crawl(
        "lever", fixture_server, "-a", "companies=orbitalai", "-a", "limit=25"
    )
    first = rows(
        db, "SELECT source_id, last_seen_at FROM raw_listings ORDER BY source_id"
    )
    crawl("lever", fixture_server, "-a", "companies=orbitalai", "-a", "limit=25")
    second = rows(
        db,
        "SELECT source_id, last_seen_at, seen_count FROM raw_listings ORDER BY source_id",
    )
    assert [r["source_id"] for r in first] == [r["source_id"] for r in second] and len(
        second
    ) == 9
    assert all(r["seen_count"] == 2 for r in second)
    assert all(
        b["last_seen_at"] >= a["last_seen_at"]
        for a, b in zip(first, second, strict=False)
    )
    assert rows(db, "SELECT count(*) n FROM jobs")[0]["n"] == 9
    runs = rows(db, "SELECT new, updated, unchanged FROM crawl_runs ORDER BY run_id")
    assert [(r["new"], r["updated"], r["unchanged"]) for r in runs] == [
        (9, 0, 0),
        (0, 0, 9),
    ]
