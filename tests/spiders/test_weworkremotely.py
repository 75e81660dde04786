"""The weworkremotely spider and mapping: We Work Remotely's RSS feeds served by the loopback fixture server."""

from __future__ import annotations

import json
import re

import pytest
from lxml import etree

from crawler.fixture_server import FIXTURES
from crawler.normalize.sources._jobboard import country_from_location, pay_sentence
from crawler.normalize.sources.weworkremotely import listing_id_from_url, to_job
from tests.conftest import issue_reasons, rows
from tests.spiders._jobboards import assert_recrawl_idempotent, field_coverage

ALL_FEED = FIXTURES / "weworkremotely" / "remote-jobs.rss"


def fixture_items() -> dict[str, str]:
    """Each ``<item>`` of the all-jobs feed with a listing link, by slug, cut independently with lxml."""
    items = {}
    for item in etree.parse(str(ALL_FEED)).iterfind(".//item"):
        m = re.search(r"/remote-jobs/([\w-]+)$", item.findtext("link"))
        if m:
            items[m.group(1)] = etree.tostring(
                item, encoding="unicode", with_tail=False
            )
    return items


def test_listing_id_from_url():
    assert (
        listing_id_from_url("https://weworkremotely.com/remote-jobs/acme-senior-dev")
        == "acme-senior-dev"
    )
    assert listing_id_from_url("https://weworkremotely.com/job-seekers") is None
    assert listing_id_from_url(None) is None


# -- mapping ---------------------------------------------------------------------------
def test_mapping_title_company_region_and_salary_sentence():
    job = to_job(fixture_items()["tidepool-games-technical-recruiter"])
    assert (job["title"], job["company"]) == ("Technical Recruiter", "Tidepool Games")
    assert (
        job["url"]
        == "https://weworkremotely.com/remote-jobs/tidepool-games-technical-recruiter"
    )
    assert (job["location"], job["country"], job["remote"]) == (
        "Canada Only",
        "Canada",
        True,
    )
    assert job["posted_raw"] == "Sat, 21 Sep 2024 20:00:22 +0000"
    assert job["source_category"] == "All Other Remote"
    assert (
        job["pay_text"] == "Salary: $100,000 - $130,000 USD per year"
        and job["pay"] is None
    )
    # the escaped description is unescaped once and stripped: no tags, no entities
    assert job["description"].startswith(
        "Headquarters: Amsterdam, Netherlands\nURL: https://tidepool-games.com"
    )
    assert "<" not in job["description"] and "&lt;" not in job["description"]
    assert job["tags"] == []


def test_mapping_perk_figure_is_not_pay():
    # "Learning budget of $1,500 per year" (a benefit) must not become the pay text
    items = fixture_items()
    with_budget = [
        k
        for k, v in items.items()
        if "Learning budget" in v and "alary" not in v and "ompensation" not in v
    ]
    assert with_budget
    assert all(to_job(items[k])["pay_text"] is None for k in with_budget)


def test_mapping_title_without_company():
    job = to_job(
        "<item><title>Remote Designer</title><link>https://weworkremotely.com/remote-jobs/x</link></item>"
    )
    assert (job["title"], job["company"], job["posted_raw"]) == (
        "Remote Designer",
        None,
        None,
    )
    with pytest.raises(ValueError):
        to_job("<item><link>https://weworkremotely.com/remote-jobs/x</link></item>")


# -- crawl -----------------------------------------------------------------------------
def test_crawl_configured_category_feeds(crawl, fresh_server):
    expected = fixture_items()
    _proc, db = crawl(
        "weworkremotely", fresh_server
    )  # the default config's ten category feeds
    asked = [p for p in fresh_server.requests if p.startswith("/weworkremotely/")]
    assert len(asked) == 10 and all(
        p.startswith("/weworkremotely/categories/") and p.endswith(".rss")
        for p in asked
    )
    raw = {
        r["source_id"]: r
        for r in rows(
            db,
            "SELECT payload_text(payload, payload_dict) AS payload, * FROM raw_listings",
        )
    }
    assert raw.keys() == expected.keys()
    row = raw["northwind-labs-technical-project-manager"]
    assert row["payload_format"] == "xml" and row["payload"].startswith("<item>")
    assert f"<guid>{row['url']}</guid>" in row["payload"] and row["payload"].endswith(
        "</item>"
    )
    assert row["origin"].endswith(
        "/weworkremotely/categories/remote-management-and-finance-jobs.rss"
    )

    job = rows(
        db,
        "SELECT * FROM jobs WHERE job_id = 'weworkremotely:northwind-labs-technical-project-manager'",
    )[0]
    assert (job["title"], job["company"], job["country"], job["location"]) == (
        "Technical Project Manager",
        "Northwind Labs",
        "US",
        "USA Only",
    )
    assert job["country_raw"] == "United States"
    assert (job["posted_at"], job["month"]) == ("2024-08-11T18:41:09Z", "2024-08")
    assert (
        job["pay_type"],
        job["pay_min"],
        job["pay_max"],
        job["pay_currency"],
        job["pay_period"],
    ) == ("salary", 55000.0, 70000.0, "EUR", "year")
    assert job["source_category"] == "Management and Finance"

    hourly = rows(
        db,
        "SELECT * FROM jobs WHERE job_id = 'weworkremotely:lumen-health-senior-python-engineer'",
    )[0]
    assert (
        hourly["pay_type"],
        hourly["pay_min"],
        hourly["pay_max"],
        hourly["pay_currency"],
    ) == ("hourly", 60.0, 80.0, None)
    # "$60 - $80 per hour" on a posting open worldwide: "$" with no country or hint is
    # no currency, so no USD figure, and the reason is counted.
    assert hourly["hourly_usd_mid"] is None
    lumen = "weworkremotely:lumen-health-senior-python-engineer"
    assert issue_reasons(db, lumen, "pay_currency") == ["ambiguous:$"]
    assert {"python", "postgresql"} <= {s.lower() for s in json.loads(hourly["skills"])}
    assert hourly["category"] == "web & software development"

    skipped = rows(db, "SELECT * FROM skipped_listings")
    assert [s["reason"] for s in skipped] == ["no_job_id"]
    assert "https://weworkremotely.com/job-seekers" in skipped[0]["detail"]
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    assert (run["status"], run["new"], run["skipped"]) == ("finished", len(expected), 1)
    assert run["pages"] == 10 + 1  # the ten feeds and robots.txt
    print("weworkremotely coverage", field_coverage(db, "weworkremotely"))


def test_saved_feed_file_recrawl_is_idempotent(crawl, fresh_server):
    """A saved feed (file:// URL, read as it is) crawled twice stores each listing once."""
    db = assert_recrawl_idempotent(
        crawl, fresh_server, "weworkremotely", "-a", f"feeds={ALL_FEED.as_uri()}"
    )
    assert not [p for p in fresh_server.requests if p.startswith("/weworkremotely/")]
    assert rows(db, "SELECT count(*) n FROM raw_listings")[0]["n"] == len(
        fixture_items()
    )


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (
            "We ship. The salary range is $90,000 - $120,000 USD. Apply!",
            "The salary range is $90,000 - $120,000 USD.",
        ),
        ("Pay: $1.5k/month for juniors.\nOther line", "Pay: $1.5k/month for juniors."),
        ("Compensation: 60-80 EUR per hour", "Compensation: 60-80 EUR per hour"),
        ("- Learning budget of $1,500 per year", None),  # a perk
        ("We raised $20M from our base of investors.", None),  # company money
        ("A competitive salary and equity.", None),  # no figure
        ("", None),
    ],
)
def test_pay_sentence(text, sentence):
    assert pay_sentence(text) == sentence


@pytest.mark.parametrize(
    ("location", "country"),
    [
        ("USA Only", "United States"),
        ("Remote - US", "United States"),
        ("Toronto, Ontario, Canada", "Canada"),
        ("Germany (Remote)", "Germany"),
        ("US or Canada", None),
        ("Anywhere in the World", None),
        ("Europe Only", None),
        (None, None),
    ],
)
def test_country_from_location(location, country):
    assert country_from_location(location) == country
