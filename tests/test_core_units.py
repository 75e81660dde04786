"""Small pure helpers of the crawl path."""

from datetime import UTC, datetime

import pytest

from crawler.commands.crawl import spider_args
from crawler.middlewares import parse_retry_after
from crawler.normalize.sources._text import html_to_text
from crawler.normalize.sources.upwork import job_id_from_link, labelled_fields
from crawler.spiders.upwork import next_page_url


@pytest.mark.parametrize(
    "link, expected",
    [
        (
            "https://www.upwork.com/jobs/Write-blog_%7E01a2b3c4d5e6f7a8b9?source=rss",
            "~01a2b3c4d5e6f7a8b9",
        ),
        ("https://www.upwork.com/jobs/~0155aa66bb77cc88dd", "~0155aa66bb77cc88dd"),
        ("https://www.upwork.com/jobs/no-id-here?source=rss", None),
        (None, None),
    ],
)
def test_job_id_from_link(link, expected):
    assert job_id_from_link(link) == expected


@pytest.mark.parametrize(
    "url, n, expected",
    [
        (
            "https://x/ab/feed/jobs/rss?q=a&paging=0%3B50",
            50,
            "https://x/ab/feed/jobs/rss?q=a&paging=50%3B50",
        ),
        ("https://x/ab/feed/jobs/rss?q=a&paging=50%3B50", 12, None),
        ("https://x/ab/feed/jobs/rss?q=a", 50, None),
    ],
)
def test_next_page_url(url, n, expected):
    assert next_page_url(url, n) == expected


def test_parse_retry_after():
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(b"120") == 120.0
    assert parse_retry_after("Mon, 01 Jan 2024 00:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_html_to_text_drops_scripts_and_decodes_once():
    html = (
        "<p>Hello &amp;amp; <b>bye</b></p><script>alert(1)</script><ul><li>a</li></ul>"
    )
    assert html_to_text(html) == "Hello &amp; bye\n\n- a"


def test_upwork_labelled_fields_with_irregular_spacing():
    desc = (
        "We need an app<br /><br /><b>Hourly Range</b>: $30.00-$54.00\n\n<br /><b>Posted On</b>: "
        "July 19, 2024 04:41 UTC<br /><b>Category</b>: Mobile App Development<br /><b>Skills</b>:Java,"
        '     Kotlin,     Android    \n<br /><b>Country</b>: United States\n<br /><a href="x">click to apply</a>'
    )
    body, fields = labelled_fields(desc)
    assert body.startswith("We need an app")
    assert fields["hourly range"] == "$30.00-$54.00"
    assert fields["posted on"] == "July 19, 2024 04:41 UTC"
    assert fields["category"] == "Mobile App Development"
    assert [s.strip() for s in fields["skills"].split(",")] == [
        "Java",
        "Kotlin",
        "Android",
    ]
    assert fields["country"] == "United States"


def test_spider_args_scoping():
    args = spider_args(
        ["upwork", "freelancer"], [("max_pages", "2"), ("upwork.feeds", "u")]
    )
    assert args == {
        "upwork": {"max_pages": "2", "feeds": "u"},
        "freelancer": {"max_pages": "2"},
    }
