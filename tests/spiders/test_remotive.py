"""The remotive spider and mapping: Remotive's remote-jobs API served by the loopback fixture server."""

from __future__ import annotations

import json

import pytest

from crawler.fixture_server import FIXTURES
from crawler.normalize.sources.remotive import to_job
from crawler.payloads import json_payload
from tests.conftest import rows
from tests.spiders._jobboards import assert_recrawl_idempotent, field_coverage


def fixture_jobs(name: str = "remote-jobs.json") -> dict[int, dict]:
    """Job objects with an id from one fixture answer, by id."""
    data = json.loads((FIXTURES / "remotive" / name).read_text(encoding="utf-8"))
    assert {"00-warning", "0-legal-notice", "job-count", "jobs"} <= data.keys()
    return {job["id"]: job for job in data["jobs"] if job.get("id") is not None}


# -- mapping ---------------------------------------------------------------------------
def test_mapping_monthly_euro_salary_text():
    job = to_job(json_payload(fixture_jobs()[1599328]))
    assert job["title"] == "Backend Engineer, Payments"
    assert job["company"] == "Mosaic Learning"
    assert (
        job["url"]
        == "https://remotive.com/remote-jobs/software-dev/backend-engineer-payments-1599328"
    )
    assert job["posted_raw"] == "2023-06-02T23:45:13"
    assert (
        job["pay_text"] == "€4,000/month"
        and job["pay"] is None
        and job["currency_hint"] is None
    )
    assert (job["location"], job["country"], job["remote"]) == ("Worldwide", None, True)
    assert job["source_category"] == "Software Development"
    assert job["tags"] == []
    assert (
        job["description"].startswith("Mosaic Learning builds ")
        and "<" not in job["description"]
    )


def test_mapping_empty_salary_and_country_location():
    job = to_job(json_payload(fixture_jobs()[1532071]))
    assert job["pay_text"] is None
    assert (job["location"], job["country"]) == ("Canada", "Canada")
    assert job["tags"] == ["go", "kubernetes", "postgresql"]


@pytest.mark.parametrize("payload", ["{", "[]", '{"title": "no id"}'])
def test_mapping_rejects_unreadable_payloads(payload):
    with pytest.raises(ValueError):
        to_job(payload)


# -- crawl -----------------------------------------------------------------------------
def test_crawl_all_categories_in_one_request(crawl, fresh_server):
    expected = fixture_jobs()
    _proc, db = crawl("remotive", fresh_server)
    assert [p for p in fresh_server.requests if p.startswith("/remotive/")] == [
        "/remotive/api/remote-jobs"
    ]
    raw = {
        r["source_id"]: r
        for r in rows(
            db,
            "SELECT payload_text(payload, payload_dict) AS payload, * FROM raw_listings",
        )
    }
    assert raw.keys() == {str(i) for i in expected}
    assert raw["1599328"]["payload"] == json_payload(expected[1599328])
    assert (
        raw["1599328"]["url"] == expected[1599328]["url"]
        and raw["1599328"]["payload_format"] == "json"
    )

    job = rows(db, "SELECT * FROM jobs WHERE job_id = 'remotive:1599328'")[0]
    assert (job["title"], job["company"], job["remote"], job["location"]) == (
        "Backend Engineer, Payments",
        "Mosaic Learning",
        1,
        "Worldwide",
    )
    assert (job["posted_at"], job["month"]) == ("2023-06-02T23:45:13Z", "2023-06")
    assert (
        job["pay_raw"],
        job["pay_type"],
        job["pay_min"],
        job["pay_currency"],
        job["pay_period"],
    ) == ("€4,000/month", "salary", 4000.0, "EUR", "month")
    assert job["source_category"] == "Software Development"
    # "Software Development" is broad: the title classifier refines it within IT.
    assert (
        job["category"] == "web & software development"
        and job["category_method"] == "taxonomy+model"
    )

    hourly = rows(db, "SELECT * FROM jobs WHERE job_id = 'remotive:1521341'")[0]
    assert (
        hourly["pay_type"],
        hourly["pay_min"],
        hourly["pay_max"],
        hourly["pay_period"],
    ) == ("hourly", 40.0, 60.0, "hour")
    assert hourly["hourly_usd_mid"] == 50.0
    assert {"sql", "tableau", "excel"} <= {
        s.lower() for s in json.loads(hourly["skills"])
    }

    words = rows(
        db,
        "SELECT j.pay_type, i.reason FROM jobs j JOIN normalize_issues i USING (job_id) "
        "WHERE job_id = 'remotive:1680423' AND i.field = 'pay'",
    )[0]
    assert words["pay_type"] == "unknown" and "competitive" in words["reason"].lower()

    skipped = rows(db, "SELECT * FROM skipped_listings")
    assert [s["reason"] for s in skipped] == ["no_id"] and "Broken listing" in skipped[
        0
    ]["excerpt"]
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    assert (run["status"], run["new"], run["skipped"]) == ("finished", len(expected), 1)
    print("remotive coverage", field_coverage(db, "remotive"))


def test_categories_option_and_idempotent_recrawl(crawl, fresh_server):
    db = assert_recrawl_idempotent(
        crawl,
        fresh_server,
        "remotive",
        "-a",
        "categories=software-dev,customer-support",
    )
    asked = sorted(p for p in fresh_server.requests if p.startswith("/remotive/"))
    assert (
        asked
        == ["/remotive/api/remote-jobs?category=customer-support"] * 2
        + ["/remotive/api/remote-jobs?category=software-dev"] * 2
    )
    want = {str(i) for i in fixture_jobs("category-software-dev.json")} | {
        str(i) for i in fixture_jobs("category-customer-support.json")
    }
    stored = rows(db, "SELECT source_id, source_category FROM jobs")
    assert {r["source_id"] for r in stored} == want
    assert {r["source_category"] for r in stored} == {
        "Software Development",
        "Customer Service",
    }
