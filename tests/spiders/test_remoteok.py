"""The remoteok spider and mapping: RemoteOK's JSON API served by the loopback fixture server."""

from __future__ import annotations

import json

import pytest

from crawler.fixture_server import FIXTURES
from crawler.normalize.sources.remoteok import to_job
from crawler.payloads import json_payload
from tests.conftest import rows
from tests.spiders._jobboards import assert_recrawl_idempotent, field_coverage

API = FIXTURES / "remoteok" / "api.json"


def fixture_jobs() -> dict[str, dict]:
    """The fixture's job objects by id (the legal notice and the id-less entry left out)."""
    data = json.loads(API.read_text(encoding="utf-8"))
    assert "legal" in data[0]
    return {job["id"]: job for job in data[1:] if job.get("id")}


# -- mapping ---------------------------------------------------------------------------
def test_mapping_salaried_listing():
    job = to_job(json_payload(fixture_jobs()["1215765"]))
    assert job["title"] == "Backend Engineer, Payments"
    assert job["company"] == "Pinecrest Software"
    assert (
        job["url"]
        == "https://remoteOK.com/remote-jobs/remote-backend-engineer-payments-pinecrest-software-1215765"
    )
    assert job["posted_raw"] == "2024-11-03T17:44:08+00:00"
    assert job["pay"] == {
        "min": 100000.0,
        "max": 110000.0,
        "currency": "USD",
        "period": "year",
        "pay_type": "salary",
    }
    assert job["pay_text"] is None and job["currency_hint"] == "USD"
    assert (job["location"], job["country"], job["remote"]) == (
        "United States",
        "United States",
        True,
    )
    assert job["tags"] == ["dev", "go", "kubernetes", "postgresql"]
    assert job["source_category"] is None
    assert job["description"].startswith("Pinecrest Software builds ")
    assert (
        "<" not in job["description"]
        and "- Experience with kubernetes" in job["description"]
    )


def test_mapping_zero_salary_is_no_pay_and_region_is_no_country():
    job = to_job(json_payload(fixture_jobs()["1205360"]))
    assert job["title"] == "iOS Engineer" and job["pay"] is None
    assert (job["location"], job["country"]) == ("Americas", None)


def test_mapping_empty_location_and_epoch_fallback():
    raw = dict(fixture_jobs()["1191636"])
    job = to_job(json_payload(raw))
    assert job["location"] is None and job["country"] is None
    raw.pop("date")
    assert to_job(json_payload(raw))["posted_raw"] == "1722352581"


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", '{"position": "x"}'])
def test_mapping_rejects_unreadable_payloads(payload):
    with pytest.raises(ValueError):
        to_job(payload)


# -- crawl -----------------------------------------------------------------------------
def test_crawl_stores_every_job_and_skips_legal_notice_and_idless(
    crawl, fixture_server
):
    expected = fixture_jobs()
    _proc, db = crawl("remoteok", fixture_server)
    raw = {
        r["source_id"]: r
        for r in rows(
            db,
            "SELECT payload_text(payload, payload_dict) AS payload, * FROM raw_listings WHERE source='remoteok'",
        )
    }
    assert raw.keys() == expected.keys()
    row = raw["1215765"]
    assert row["payload"] == json_payload(expected["1215765"])
    assert row["payload_format"] == "json"
    assert row["url"] == expected["1215765"]["url"]
    assert row["origin"] == fixture_server.base_url("remoteok") + "/api"

    job = rows(db, "SELECT * FROM jobs WHERE job_id = 'remoteok:1215765'")[0]
    assert (job["title"], job["company"], job["country"], job["remote"]) == (
        "Backend Engineer, Payments",
        "Pinecrest Software",
        "US",
        1,
    )
    assert job["country_raw"] == "United States"
    assert (job["posted_at"], job["month"]) == ("2024-11-03T17:44:08Z", "2024-11")
    assert (
        job["pay_type"],
        job["pay_min"],
        job["pay_max"],
        job["pay_currency"],
        job["pay_period"],
    ) == ("salary", 100000.0, 110000.0, "USD", "year")
    # yearly pay -> hourly at 2080 hours a year (ARCHITECTURE.md)
    assert job["hourly_usd_mid"] == pytest.approx(105000 / 2080, abs=0.01)
    assert {"kubernetes", "postgresql"} <= {
        s.lower() for s in json.loads(job["skills"])
    }
    assert job["category"] == "web & software development"

    unpaid = rows(
        db, "SELECT pay_type, pay_min FROM jobs WHERE job_id = 'remoteok:1205360'"
    )[0]
    assert tuple(unpaid) == ("unknown", None)

    skipped = rows(db, "SELECT * FROM skipped_listings")
    assert [(s["reason"], s["source"]) for s in skipped] == [("no_id", "remoteok")]
    assert "Promoted: hire with Remote OK" in skipped[0]["excerpt"]
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    assert (run["status"], run["new"], run["skipped"]) == ("finished", len(expected), 1)
    assert "legal" not in " ".join(r["payload"][:20] for r in raw.values())
    print("remoteok coverage", field_coverage(db, "remoteok"))


def test_tags_option_and_idempotent_recrawl(crawl, fresh_server):
    db = assert_recrawl_idempotent(crawl, fresh_server, "remoteok", "-a", "tags=python")
    assert [p for p in fresh_server.requests if p.startswith("/remoteok/")] == [
        "/remoteok/api?tag=python"
    ] * 2
    ids = {r["source_id"] for r in rows(db, "SELECT source_id FROM raw_listings")}
    python_ids = {i for i, j in fixture_jobs().items() if "python" in j["tags"]}
    assert ids == python_ids and ids
