"""The hackernews spider and mapping: "Who is hiring?" threads from the Algolia HN API."""

from __future__ import annotations

import json
from datetime import date

import pytest
from scrapy import Request
from scrapy.http import TextResponse

from crawler.errors import UserError
from crawler.fixture_server import FIXTURES
from crawler.normalize.sources.hackernews import to_job
from crawler.spiders.hackernews import HackernewsSpider, month_window, parse_months
from tests.conftest import issue_reasons, rows

HERE = FIXTURES / "hackernews"
MONTHS = (
    "2022-11,2023-06,2023-12,2024-01..2024-02"  # 2023-12 answers without a hiring story
)
STORIES = ("33422129", "36152014", "38842977", "39217310")


def tree(story: str) -> dict:
    return json.loads((HERE / "items" / f"{story}.json").read_text())


def top_level(with_deleted: bool = False) -> dict[str, dict]:
    """Top-level comments of every fixture thread, keyed by id, as the item API writes them."""
    out = {}
    for story in STORIES:
        for child in tree(story)["children"]:
            if child["text"] or with_deleted:
                out[str(child["id"])] = child
    return out


def comment(comment_id: int) -> dict:
    node = top_level()[str(comment_id)]
    return {k: v for k, v in node.items() if k != "children"}


def search_hit(comment_id: int) -> dict:
    for path in sorted((HERE / "search").glob("*.json")):
        for hit in json.loads(path.read_text())["hits"]:
            if hit["objectID"] == str(comment_id):
                return hit
    raise KeyError(comment_id)


# -- options ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "spec, expected",
    [
        ("2023-11..2024-01", [(2023, 11), (2023, 12), (2024, 1)]),
        ("2024-02, 2023-06,2024-02", [(2023, 6), (2024, 2)]),
        ("last:3", [(2026, 9), (2026, 10), (2026, 11)]),
        ("last:2", [(2026, 10), (2026, 11)]),
        ("2020-01, last:2", [(2020, 1), (2026, 10), (2026, 11)]),
    ],
)
def test_parse_months(spec, expected):
    assert parse_months(spec, today=date(2026, 11, 25)) == expected


def test_last_months_cross_a_year():
    assert parse_months("last:3", today=date(2024, 2, 3)) == [
        (2023, 12),
        (2024, 1),
        (2024, 2),
    ]


@pytest.mark.parametrize(
    "spec", ["2023-13", "2023/11", "2024-02..2023-11", "nov", "last:x"]
)
def test_parse_months_rejects_bad_specs(spec):
    with pytest.raises(UserError):
        parse_months(spec, today=date(2024, 1, 1))


def test_month_window_starts_a_day_early_and_ends_at_next_month():
    low, high = month_window(2022, 11)
    assert (low, high) == (
        1667260800 - 86400,
        1669852800,
    )  # 2022-10-31 00:00 .. 2022-12-01 00:00 UTC


# -- mapping (header lines: tests/test_hn_header.py) ------------------------------------
def test_to_job_item_tree_comment():
    job = to_job(json.dumps(comment(33422206)))
    assert job["company"] == "Tandem Bio"  # "(https:&#x2F;&#x2F;tandembio.com)" dropped
    assert job["title"] == "Site Reliability Engineer"
    assert job["remote"] is True  # "REMOTE (EU timezones)"
    assert job["location"] is None
    assert job["pay_text"] == "$150k-$200k"
    assert job["posted_raw"] == "2022-11-01T16:18:06.000Z"
    assert job["url"] == "https://news.ycombinator.com/item?id=33422206"
    assert job["description"].startswith(
        "Tandem Bio (https://tandembio.com) | Site Reliability Engineer"
    )
    assert (
        "We're a team of" in job["description"] and "&#x27;" not in job["description"]
    )
    assert "Apply: https://tandembio.com/jobs" in job["description"]
    assert (job["source_category"], job["pay"], job["tags"]) == (None, None, [])


def test_to_job_keeps_paragraphs():
    job = to_job(json.dumps(comment(33422206)))
    assert (
        "| $150k-$200k\n\nWe're a team of" in job["description"]
    )  # "<p>" opens a paragraph


def test_to_job_free_form_comment():
    job = to_job(json.dumps(comment(36152335)))
    assert job["title"] == (
        "Kestrel Health is hiring senior engineers in Boston and remotely across the US"
        " (Python, Go, ..."
    )
    assert (job["company"], job["location"], job["pay_text"], job["remote"]) == (
        None,
        None,
        None,
        None,
    )
    assert job["description"].endswith(
        "Email jobs@kestrelhealth.example with a few lines about something you built."
    )


def test_to_job_multiple_roles_line():
    job = to_job(json.dumps(comment(36152372)))
    assert (
        job["company"],
        job["title"],
        job["location"],
        job["remote"],
        job["pay_text"],
    ) == (
        "Heron Works",
        "Multiple roles: Backend, Frontend, ML",
        "SF or Remote (US)",
        True,
        "$140k-$190k",
    )


def test_to_job_onsite_comment_with_location_first():
    job = to_job(json.dumps(comment(33422293)))
    assert (
        job["company"],
        job["title"],
        job["location"],
        job["remote"],
        job["pay_text"],
    ) == (
        "Crescent Security",
        "Staff Frontend Engineer",
        "Amsterdam",
        False,
        "£65k-£85k",
    )


def test_search_hit_and_tree_node_give_the_same_fields():
    from_tree, from_search = (
        to_job(json.dumps(comment(33422206))),
        to_job(json.dumps(search_hit(33422206))),
    )
    assert from_search["posted_raw"] == "2022-11-01T16:18:06Z"
    for key in (
        "title",
        "company",
        "location",
        "remote",
        "pay_text",
        "description",
        "url",
    ):
        assert from_tree[key] == from_search[key], key


def test_to_job_rejects_deleted_and_non_json():
    deleted = next(
        c for c in top_level(with_deleted=True).values() if c["text"] is None
    )
    with pytest.raises(ValueError, match="no text"):
        to_job(json.dumps({k: v for k, v in deleted.items() if k != "children"}))
    with pytest.raises(ValueError):
        to_job("<html>")


# -- crawls ----------------------------------------------------------------------------
def test_crawl_item_trees(crawl, fresh_server):
    _, db = crawl("hackernews", fresh_server, "-a", f"months={MONTHS}")
    expected = top_level()
    stored = {
        r["source_id"]: r
        for r in rows(
            db,
            "SELECT payload_text(payload, payload_dict) AS payload, * FROM raw_listings",
        )
    }
    assert set(stored) == set(expected) and len(stored) == 52
    # The payload is the comment exactly, without its replies.
    assert json.loads(stored["33422206"]["payload"]) == comment(33422206)
    assert stored["33422206"]["url"] == "https://news.ycombinator.com/item?id=33422206"
    assert not any("/api/v1/search?" in p for p in fresh_server.requests)
    assert (
        sum("/api/v1/items/" in p for p in fresh_server.requests) == 4
    )  # 2023-12 has no story

    job = rows(db, "SELECT * FROM jobs WHERE job_id = 'hackernews:33422206'")[0]
    assert (job["title"], job["company"], job["remote"], job["posted_at"]) == (
        "Site Reliability Engineer",
        "Tandem Bio",
        1,
        "2022-11-01T16:18:06Z",
    )
    assert (
        job["pay_type"],
        job["pay_min"],
        job["pay_max"],
        job["pay_currency"],
        job["pay_period"],
    ) == ("salary", 150000, 200000, None, "year")
    # "REMOTE (EU timezones) | $150k-$200k": a "$" with no country is no currency;
    # the amounts stay, the USD figures do not, and the reason is a counted issue.
    assert job["salary_usd_year"] is None
    assert issue_reasons(db, "hackernews:33422206", "pay_currency") == ["ambiguous:$"]
    # A header naming one country settles the "$": "San Francisco, CA" -> USD,
    # "Toronto, Canada" -> CAD; "London, UK" has no dollar of its own, so a "$" there is
    # the US dollar (rule dollar_abroad) and no pay_currency issue is recorded.
    by_id = {
        r["job_id"]: r
        for r in rows(
            db, "SELECT job_id, country, pay_currency, currency_rule FROM jobs"
        )
    }
    assert [
        tuple(by_id[f"hackernews:{i}"])[1:] for i in (33422232, 38843261, 33422342)
    ] == [
        ("US", "USD", "country"),
        ("CA", "CAD", "country"),
        ("GB", "USD", "dollar_abroad"),
    ]
    assert issue_reasons(db, "hackernews:33422342", "pay_currency") == []
    assert job["month"] == "2022-11"
    assert {r["month"] for r in rows(db, "SELECT DISTINCT month FROM jobs")} == {
        "2022-11",
        "2023-06",
        "2024-01",
        "2024-02",
    }

    skipped = rows(db, "SELECT reason, detail FROM skipped_listings")
    assert [r["reason"] for r in skipped] == ["deleted_comment"] * 4
    run = rows(db, "SELECT status, new, skipped FROM crawl_runs")[0]
    assert (run["status"], run["new"], run["skipped"]) == ("finished", 52, 4)


def test_crawl_search_pages_keeps_only_top_level_comments(crawl, fresh_server):
    _, db = crawl(
        "hackernews",
        fresh_server,
        "-a",
        f"months={MONTHS}",
        "-a",
        "comments=search",
        "-a",
        "hits_per_page=8",
    )
    assert {
        r["source_id"] for r in rows(db, "SELECT source_id FROM raw_listings")
    } == set(top_level())
    pages = sorted(p for p in fresh_server.requests if "/api/v1/search?" in p)
    assert (
        len(pages) == len(list((HERE / "search").glob("*.json"))) == 9
    )  # every page, once
    assert not any("/api/v1/items/" in p for p in fresh_server.requests)
    stored = rows(
        db,
        "SELECT payload_text(payload, payload_dict) AS payload FROM raw_listings"
        " WHERE source_id = '33422206'",
    )[0]
    assert json.loads(stored["payload"]) == search_hit(33422206)


def search_response(story: str, page: int) -> TextResponse:
    url = f"http://127.0.0.1:1/hackernews/api/v1/search?tags=comment,story_{story}&hitsPerPage=8&page={page}"
    body = (HERE / "search" / f"story_{story}-p{page}.json").read_bytes()
    return TextResponse(url, body=body, encoding="utf-8")


def test_max_pages_bounds_search_paging():
    """In process: page 1 of the three-page 2023-06 thread asks for page 2 unless max_pages=2."""
    for max_pages, follows in (("20", True), ("2", False)):
        spider = HackernewsSpider(max_pages=max_pages, hits_per_page="8")
        out = list(
            spider.parse_search(
                search_response("36152014", 1), story_id="36152014", page=1
            )
        )
        requests = [o for o in out if isinstance(o, Request)]
        assert bool(requests) is follows
        if follows:
            assert (
                requests[0].url.endswith("page=2")
                and "hitsPerPage=8" in requests[0].url
            )
        assert all(
            o["source_id"] != o.get("parent_id") for o in out if isinstance(o, dict)
        )


def test_bad_json_page_is_skipped_with_a_reason():
    spider = HackernewsSpider()
    response = TextResponse(
        "http://127.0.0.1:1/hackernews/api/v1/items/1", body=b"<html>busy</html>"
    )
    (item,) = list(spider.parse_item_tree(response, story_id="1"))
    assert (
        item["skip"]
        and item["reason"] == "bad_json"
        and item["excerpt"] == "<html>busy</html>"
    )


def test_recrawl_is_idempotent(crawl, fixture_server):
    _, db = crawl("hackernews", fixture_server, "-a", "months=2022-11")
    first = rows(
        db,
        "SELECT source_id, last_seen_at, payload_sha256 FROM raw_listings ORDER BY source_id",
    )
    jobs_before = rows(db, "SELECT count(*) n FROM jobs")[0]["n"]
    crawl("hackernews", fixture_server, "-a", "months=2022-11")
    second = rows(
        db,
        "SELECT source_id, last_seen_at, seen_count, payload_sha256 FROM raw_listings ORDER BY source_id",
    )
    assert [r["source_id"] for r in first] == [r["source_id"] for r in second] and len(
        second
    ) == 12
    assert all(r["seen_count"] == 2 for r in second)
    assert all(
        b["last_seen_at"] >= a["last_seen_at"]
        for a, b in zip(first, second, strict=False)
    )
    assert [r["payload_sha256"] for r in first] == [r["payload_sha256"] for r in second]
    assert rows(db, "SELECT count(*) n FROM jobs")[0]["n"] == jobs_before == 12
    runs = rows(db, "SELECT new, unchanged, skipped FROM crawl_runs ORDER BY run_id")
    assert [(r["new"], r["unchanged"], r["skipped"]) for r in runs] == [
        (12, 0, 1),
        (0, 12, 1),
    ]
