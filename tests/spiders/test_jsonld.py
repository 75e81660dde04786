"""The jsonld spider and mapping: schema.org JobPosting JSON-LD from a fake careers site."""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest
from parsel import Selector
from scrapy.http import Response

from crawler.errors import UserError
from crawler.fixture_server import FIXTURES
from crawler.normalize.sources.jsonld import identifier_value, job_postings, to_job
from crawler.spiders.jsonld import JsonldSpider, stable_id
from tests.conftest import rows

HERE = FIXTURES / "jsonld"
SITE = "https://careers.heronworks.example"
CRAWL_ARGS = (
    "-a",
    f"sitemaps={SITE}/sitemap_index.xml",
    "-a",
    r"url_pattern=/jobs/[^/]+\.html$",
    "-a",
    f"urls={SITE}/careers/open-roles.html",
)


def page_postings(name: str) -> list[dict]:
    blocks = (
        Selector(text=(HERE / name).read_text())
        .xpath('//script[@type="application/ld+json"]/text()')
        .getall()
    )
    out = []
    for block in blocks:
        try:
            out.extend(job_postings(json.loads(block)))
        except json.JSONDecodeError:
            continue
    return out


def sid(identifier: str | None, page: str = "", index: int = 0) -> str:
    key = (
        f"careers.heronworks.example|id:{identifier}"
        if identifier
        else f"{SITE}/{page}#{index}"
    )
    return hashlib.sha256(key.encode()).hexdigest()[:24]


# -- cutting ---------------------------------------------------------------------------
def test_job_postings_found_in_every_shape():
    posting = {"@type": "JobPosting", "title": "A"}
    assert list(job_postings(posting)) == [posting]
    assert list(job_postings([{"@type": "BreadcrumbList"}, posting])) == [posting]
    assert list(
        job_postings(
            {
                "@context": "https://schema.org",
                "@graph": [{"@type": "WebPage"}, posting],
            }
        )
    ) == [posting]
    nested = {
        "@type": "ItemList",
        "itemListElement": [{"@type": "ListItem", "item": posting}],
    }
    assert list(job_postings(nested)) == [posting]
    typed = [
        {"@type": ["JobPosting"]},
        {"@type": "http://schema.org/JobPosting"},
        {"@type": "schema:JobPosting"},
    ]
    assert list(job_postings(typed)) == typed
    assert list(job_postings({"@type": "Organization", "name": "x"})) == []


@pytest.mark.parametrize(
    "posting, value",
    [
        (
            {
                "identifier": {
                    "@type": "PropertyValue",
                    "name": "Heron",
                    "value": "HW-1",
                }
            },
            "HW-1",
        ),
        ({"identifier": {"@type": "PropertyValue", "value": 7003}}, "7003"),
        ({"identifier": "req-5002"}, "req-5002"),
        ({"identifier": [{"value": "a"}, {"value": "b"}]}, "a"),
        ({"identifier": {"@type": "PropertyValue", "value": ""}}, None),
        ({}, None),
    ],
)
def test_identifier_value(posting, value):
    assert identifier_value(posting) == value


def test_stable_id_uses_site_and_identifier_else_url_and_position():
    assert (
        stable_id(f"{SITE}/jobs/a.html", "HW-1", 3)
        == stable_id(f"{SITE}/jobs/b.html", "HW-1", 0)
        == sid("HW-1")
    )
    assert stable_id("https://other.example/jobs/a.html", "HW-1", 0) != sid("HW-1")
    assert stable_id(f"{SITE}/jobs/a.html", None, 1) == sid(None, "jobs/a.html", 1)
    assert len(sid("x")) == 24


# -- mapping ---------------------------------------------------------------------------
def test_to_job_google_example_shape():
    (posting,) = page_postings("jobs/senior-python-developer-200.html")
    job = to_job(json.dumps(posting))
    assert job["title"] == "Senior Python Developer"
    assert job["company"] == "Heron Works"
    assert (job["country"], job["location"], job["remote"]) == (
        "US",
        "Oakland, CA, US",
        False,
    )
    assert job["posted_raw"] == "2022-01-01"
    assert job["pay"] == {
        "min": 40.0,
        "max": 40.0,
        "currency": "USD",
        "period": "hour",
        "pay_type": "hourly",
    }
    assert job["description"].startswith(
        "Heron Works is looking for a Senior Python Developer to help with our booking API."
    )
    assert (
        "- Collaborate with product & design" in job["description"]
        and "<" not in job["description"]
    )
    assert (job["url"], job["source_category"], job["tags"]) == (None, None, [])


def test_to_job_remote_yearly_range():
    (posting,) = page_postings("jobs/machine-learning-engineer-201.html")
    job = to_job(json.dumps(posting))
    assert (job["remote"], job["country"], job["location"]) == (True, "USA", "USA")
    assert job["pay"] == {
        "min": 96000,
        "max": 126000,
        "currency": "USD",
        "period": "year",
        "pay_type": "salary",
    }


def test_to_job_escaped_description_monthly_number_and_country_object():
    (posting,) = page_postings("jobs/graphic-designer-204.html")
    assert posting["description"].startswith("&lt;p&gt;")
    job = to_job(json.dumps(posting))
    assert job["description"].startswith(
        "Heron Works is looking for a Graphic Designer"
    )
    assert "&lt;" not in job["description"] and "<" not in job["description"]
    assert job["pay"] == {
        "min": 5200,
        "max": 5200,
        "currency": "EUR",
        "period": "month",
        "pay_type": "salary",
    }
    assert (job["country"], job["location"]) == ("DE", "Berlin, DE")


def test_to_job_skills_category_and_text_salary():
    (posting,) = page_postings("jobs/technical-writer-214.html")  # n=14: shape 6
    job = to_job(json.dumps(posting))
    assert job["source_category"] == "Technical Writers"
    assert job["pay"] == {
        "min": 1800,
        "max": 2200,
        "currency": "CAD",
        "period": "week",
        "pay_type": "hourly",
    }
    (posting,) = page_postings(
        "jobs/customer-support-specialist-227.html"
    )  # n=27: shape 3
    job = to_job(json.dumps(posting))
    assert (
        job["source_category"] == "Customer Service Representatives"
    )  # O*NET code dropped
    assert job["tags"] == ["Zendesk", "email support"]
    assert job["pay"] == {
        "min": 85000.0,
        "max": 85000.0,
        "currency": "GBP",
        "period": "year",
        "pay_type": "salary",
    }
    assert job["posted_raw"] == "2022-04-22T08:30:00+02:00"


def test_to_job_graph_posting_with_organization_reference():
    (posting,) = page_postings("jobs/warehouse-robotics-technician-300.html")
    job = to_job(json.dumps(posting))
    assert job["title"] == "Warehouse Robotics Technician"
    assert job["company"] is None  # {"@id": ".../#organization"} names nobody
    assert (
        job["pay"]["min"] == 28
        and job["pay"]["max"] == 34
        and job["pay"]["period"] == "hour"
    )


def test_to_job_rejects_non_postings():
    with pytest.raises(ValueError):
        to_job(json.dumps({"@type": "Organization", "name": "x"}))
    with pytest.raises(ValueError):
        to_job("{broken")


# -- crawls ----------------------------------------------------------------------------
def test_crawl_sitemaps_and_pages(crawl, fresh_server):
    _, db = crawl("jsonld", fresh_server, *CRAWL_ARGS)
    stored = {r["source_id"]: r for r in rows(db, "SELECT * FROM raw_listings")}
    assert (
        len(stored) == 37
    )  # 30 job pages + @graph + list + broken page's good block + 2 + 2
    fetched = {
        p.split("/jsonld", 1)[1]
        for p in fresh_server.requests
        if p.startswith("/jsonld/")
    }
    assert {
        "/sitemap_index.xml",
        "/sitemaps/jobs-1.xml",
        "/sitemaps/jobs-2.xml.gz",
        "/sitemaps/pages.xml",
    } <= fetched
    assert (
        "/about.html" not in fetched and "/jobs/" not in fetched
    )  # url_pattern filters pages.xml
    assert "/jobs/bookkeeper-220.html" in fetched  # listed only in the gzipped sitemap

    first = stored[sid("HW-1000")]
    assert (
        json.loads(first["payload"])
        == page_postings("jobs/senior-python-developer-200.html")[0]
    )
    assert (
        first["url"] == f"{SITE}/jobs/senior-python-developer-200.html"
    )  # the real page, not the mirror
    job = rows(
        db, "SELECT * FROM jobs WHERE job_id = ?", (f"jsonld:{sid('HW-1000')}",)
    )[0]
    assert (
        job["title"],
        job["company"],
        job["country"],
        job["remote"],
        job["posted_at"],
    ) == ("Senior Python Developer", "Heron Works", "US", 0, "2022-01-01T00:00:00Z")
    assert (
        job["pay_type"],
        job["pay_min"],
        job["pay_max"],
        job["pay_currency"],
        job["pay_period"],
    ) == ("hourly", 40, 40, "USD", "hour")
    assert job["category"] == "web & software development" and "Python" in json.loads(
        job["skills"]
    )

    no_id = rows(
        db,
        "SELECT * FROM jobs WHERE job_id = ?",
        (f"jsonld:{sid(None, 'jobs/data-analyst-205.html', 0)}",),
    )[0]
    assert (no_id["title"], no_id["remote"], no_id["url"]) == (
        "Data Analyst",
        1,
        f"{SITE}/jobs/data-analyst-205.html",
    )
    assert (
        no_id["pay_type"],
        no_id["pay_min"],
        no_id["pay_max"],
        no_id["pay_currency"],
        no_id["pay_period"],
    ) == ("hourly", 450, 550, "GBP", "day")
    two = [sid(None, "jobs/two-roles-303.html", i) for i in (0, 1)]
    assert all(t in stored for t in two)
    assert (
        sid("HW-400") in stored and sid("HW-401") in stored
    )  # ItemList page given with urls=
    assert (
        sid("HW-301") in stored and sid("HW-302") in stored
    )  # top-level list, beside the broken block
    support = rows(
        db,
        "SELECT category, category_method FROM jobs WHERE job_id = ?",
        (f"jsonld:{sid('7027')}",),
    )[0]  # "43-4051.00 Customer Service Representatives"
    assert (support["category"], support["category_method"]) == (
        "customer service",
        "taxonomy",
    )

    (skip,) = rows(db, "SELECT * FROM skipped_listings")
    assert skip["reason"] == "bad_jsonld" and "broken-json-302.html" in skip["detail"]
    assert '"title": "Office Manager"' in skip["excerpt"]
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    assert (run["status"], run["new"], run["skipped"], run["errors"]) == (
        "finished",
        37,
        1,
        0,
    )


def test_recrawl_is_idempotent(crawl, fixture_server):
    args = (
        "-a",
        f"urls={SITE}/jobs/senior-python-developer-200.html,{SITE}/jobs/two-roles-303.html",
    )
    _, db = crawl("jsonld", fixture_server, *args)
    first = rows(
        db, "SELECT source_id, last_seen_at FROM raw_listings ORDER BY source_id"
    )
    crawl("jsonld", fixture_server, *args)
    second = rows(
        db,
        "SELECT source_id, last_seen_at, seen_count FROM raw_listings ORDER BY source_id",
    )
    assert [r["source_id"] for r in first] == [r["source_id"] for r in second]
    assert sorted(r["source_id"] for r in second) == sorted(
        [sid("HW-1000"), *(sid(None, "jobs/two-roles-303.html", i) for i in (0, 1))]
    )
    assert all(r["seen_count"] == 2 for r in second)
    assert all(
        b["last_seen_at"] >= a["last_seen_at"]
        for a, b in zip(first, second, strict=False)
    )
    runs = rows(db, "SELECT new, unchanged FROM crawl_runs ORDER BY run_id")
    assert [(r["new"], r["unchanged"]) for r in runs] == [(3, 0), (0, 3)]


# -- in process: sitemap handling --------------------------------------------------------
def sitemap_response(name: str, body: bytes | None = None) -> Response:
    body = (HERE / name).read_bytes() if body is None else body
    return Response(f"http://127.0.0.1:1/jsonld/{name}", body=body)


async def started(spider: JsonldSpider) -> list:
    return [request async for request in spider.start()]


def test_gzipped_sitemap_pages_filtered_and_bounded():
    spider = JsonldSpider(
        sitemaps=f"{SITE}/sitemap_index.xml",
        url_pattern=r"/jobs/[^/]+\.html$",
        max_pages="5",
    )
    asyncio.run(started(spider))
    out = list(spider.parse_sitemap(sitemap_response("sitemaps/jobs-2.xml.gz")))
    assert [r.cb_kwargs["real_url"] for r in out] == [
        f"{SITE}/jobs/bookkeeper-220.html",
        f"{SITE}/jobs/spanish-translator-221.html",
        f"{SITE}/jobs/devops-engineer-222.html",
        f"{SITE}/jobs/video-editor-223.html",
        f"{SITE}/jobs/senior-python-developer-224.html",
    ]  # max_pages=5 of the 14 listed
    assert (
        list(spider.parse_sitemap(sitemap_response("sitemaps/pages.xml"))) == []
    )  # url_pattern
    index = list(spider.parse_sitemap(sitemap_response("sitemap_index.xml")))
    assert [r.url.rsplit("/", 1)[-1] for r in index] == [
        "jobs-1.xml",
        "jobs-2.xml.gz",
        "pages.xml",
    ]


def test_not_a_sitemap_is_skipped_with_a_reason():
    spider = JsonldSpider(sitemaps=f"{SITE}/sitemap.xml")
    (item,) = list(
        spider.parse_sitemap(sitemap_response("sitemap.xml", b"\x1f\x8bnot gzip"))
    )
    assert item["skip"] and item["reason"] == "bad_sitemap"


def test_bad_url_pattern_is_a_clear_error():
    spider = JsonldSpider(sitemaps=f"{SITE}/sitemap.xml", url_pattern="(")
    with pytest.raises(UserError, match="url_pattern"):
        asyncio.run(started(spider))
