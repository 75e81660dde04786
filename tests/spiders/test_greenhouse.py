"""The greenhouse spider and mapping: Greenhouse job board API answers served by the loopback fixture server."""

from __future__ import annotations

import asyncio
import html
import json
import logging

import pytest

from crawler.fixture_server import FIXTURES
from crawler.normalize.sources.greenhouse import pay_block, to_job
from crawler.payloads import json_payload
from crawler.spiders.greenhouse import GreenhouseSpider
from tests.conftest import rows
from tests.spiders._jobboards import assert_recrawl_idempotent, field_coverage

BOARDS = ("northwindlabs", "acmecloud", "lumenhealth")


def board_jobs(token: str) -> dict[int, dict]:
    data = json.loads(
        (FIXTURES / "greenhouse" / f"{token}.json").read_text(encoding="utf-8")
    )
    assert data["meta"]["total"] == len(data["jobs"])
    return {job["id"]: job for job in data["jobs"] if "id" in job}


def all_jobs() -> dict[int, dict]:
    return {k: v for token in BOARDS for k, v in board_jobs(token).items()}


# -- mapping ---------------------------------------------------------------------------
def test_mapping_pay_transparency_block():
    raw = board_jobs("northwindlabs")[4124155]
    assert raw["content"].startswith(
        "&lt;p&gt;"
    )  # HTML written with entities, as the API sends it
    job = to_job(json_payload(raw))
    assert (job["title"], job["company"]) == (
        "Sales Development Representative",
        "Northwind Labs",
    )
    assert job["url"] == "https://job-boards.greenhouse.io/northwindlabs/jobs/4124155"
    assert (job["location"], job["country"], job["remote"]) == (
        "Remote - Canada",
        "Canada",
        True,
    )
    assert job["posted_raw"] == "2024-04-24T13:46:08-04:00"
    assert (
        job["pay_text"] == "Annual Salary: $95,000 - $125,000 USD"
        and job["pay"] is None
    )
    assert job["source_category"] == "Sales"
    assert job["description"].startswith("Northwind Labs builds ")
    for leftover in ("<", "&lt;", "&amp;", "&mdash;"):
        assert leftover not in job["description"]
    assert "equal opportunity employer & value diversity" in job["description"]


def test_mapping_salary_sentence_hybrid_and_first_published():
    raw = board_jobs("northwindlabs")[4143516]
    job = to_job(json_payload(raw))
    assert (
        job["pay_text"]
        == "The annual base salary range for this role is $140,000 - $170,000 USD."
    )
    assert (job["location"], job["country"], job["remote"]) == (
        "Hybrid - Berlin, Germany",
        "Germany",
        False,
    )
    assert (
        job["posted_raw"]
        == raw["first_published"]
        == "2022-03-11T11:44:24-04:00"
        != raw["updated_at"]
    )


def test_mapping_updated_at_when_not_published_and_board_from_url():
    raw = dict(board_jobs("northwindlabs")[4137558])
    raw.pop("first_published", None)
    raw.pop("company_name")
    job = to_job(json_payload(raw))
    assert job["posted_raw"] == raw["updated_at"]
    assert job["company"] == "northwindlabs"
    assert job["pay_text"] is None and job["remote"] is None


def test_pay_block_reads_spans_not_divider():
    block = (
        '<div class="title">US Base Salary</div><div class="pay-range"><span>$120,000</span>'
        '<span class="divider">&mdash;</span><span>$150,000 USD</span></div>'
    )
    assert pay_block(block) == "US Base Salary: $120,000 - $150,000 USD"
    assert pay_block("<p>no pay here</p>") is None


@pytest.mark.parametrize("payload", ["<html>", "null", '{"title": "no id"}'])
def test_mapping_rejects_unreadable_payloads(payload):
    with pytest.raises(ValueError):
        to_job(payload)


# -- crawl -----------------------------------------------------------------------------
def test_crawl_boards(crawl, fresh_server):
    expected = all_jobs()
    _proc, db = crawl(
        "greenhouse", fresh_server, "-a", f"boards={','.join(BOARDS)},nosuchboard"
    )
    asked = sorted(p for p in fresh_server.requests if p.startswith("/greenhouse/"))
    assert asked == sorted(
        f"/greenhouse/v1/boards/{t}/jobs?content=true" for t in (*BOARDS, "nosuchboard")
    )
    raw = {
        r["source_id"]: r
        for r in rows(
            db,
            "SELECT payload_text(payload, payload_dict) AS payload, * FROM raw_listings",
        )
    }
    assert raw.keys() == {str(i) for i in expected}
    assert raw["5040792"]["payload"] == json_payload(expected[5040792])
    assert (
        raw["5040792"]["url"]
        == "https://job-boards.greenhouse.io/acmecloud/jobs/5040792"
    )

    job = rows(db, "SELECT * FROM jobs WHERE job_id = 'greenhouse:4124155'")[0]
    assert (job["title"], job["company"], job["country"], job["remote"]) == (
        "Sales Development Representative",
        "Northwind Labs",
        "CA",  # ISO 3166-1 alpha-2; the name the mapping found is kept beside it
        1,
    )
    assert job["country_raw"] == "Canada"
    assert (job["posted_at"], job["month"]) == (
        "2024-04-24T17:46:08Z",
        "2024-04",
    )  # -04:00 -> UTC
    assert (
        job["pay_type"],
        job["pay_min"],
        job["pay_max"],
        job["pay_currency"],
        job["pay_period"],
    ) == ("salary", 95000.0, 125000.0, "USD", "year")
    assert job["hourly_usd_mid"] == pytest.approx(110000 / 2080, abs=0.01)
    assert (job["source_category"], job["category"]) == ("Sales", "sales & marketing")
    assert "<" not in job["description"]

    euro = rows(db, "SELECT * FROM jobs WHERE job_id = 'greenhouse:5040792'")[0]
    assert (
        euro["pay_type"],
        euro["pay_min"],
        euro["pay_max"],
        euro["pay_currency"],
    ) == ("salary", 70000.0, 85000.0, "EUR")
    lumen = rows(
        db, "SELECT company, url FROM jobs WHERE job_id = 'greenhouse:5848311'"
    )[0]
    assert tuple(lumen) == (
        "Lumen Health",
        "https://careers.lumenhealth.example/jobs?gh_jid=5848311",
    )

    skipped = {s["reason"]: s for s in rows(db, "SELECT * FROM skipped_listings")}
    assert skipped.keys() == {"no_id", "board_not_found"}
    assert "Draft posting" in html.unescape(skipped["no_id"]["excerpt"])
    assert skipped["board_not_found"]["url"].endswith(
        "/v1/boards/nosuchboard/jobs?content=true"
    )
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    assert (run["status"], run["new"], run["skipped"]) == ("finished", len(expected), 2)
    print("greenhouse coverage", field_coverage(db, "greenhouse"))


def test_no_boards_is_a_clear_error(caplog):
    spider = GreenhouseSpider(boards="")

    async def requests():
        return [r async for r in spider.start()]

    with caplog.at_level(logging.ERROR):
        assert asyncio.run(requests()) == []
    assert "no boards" in caplog.text


def test_board_requests_keep_real_paths_on_a_mirror():
    spider = GreenhouseSpider(
        boards="stripe, figma", base_url="http://127.0.0.1:9/greenhouse"
    )

    async def requests():
        return [r async for r in spider.start()]

    urls = [r.url for r in asyncio.run(requests())]
    assert urls == [
        "http://127.0.0.1:9/greenhouse/v1/boards/stripe/jobs?content=true",
        "http://127.0.0.1:9/greenhouse/v1/boards/figma/jobs?content=true",
    ]


def test_recrawl_is_idempotent(crawl, fixture_server):
    assert_recrawl_idempotent(
        crawl, fixture_server, "greenhouse", "-a", "boards=acmecloud"
    )
