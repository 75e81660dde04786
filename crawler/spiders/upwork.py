"""Upwork job RSS feeds (live feeds until 2024; saved feed files via file:// URLs).

Options: ``feeds`` (URLs, comma-separated or a TOML list), ``feeds_file`` (one URL per
line), ``max_pages`` (per feed, following ``paging=OFFSET;COUNT``), ``base_url`` (mirror).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy

from crawler.normalize.sources._text import xml_text
from crawler.normalize.sources.upwork import job_id_from_link
from crawler.payloads import rss_items
from crawler.spiders.base import JobSpider


def next_page_url(url: str, items_on_page: int) -> str | None:
    """The URL of the next feed page when this one was full, else None.

    ``...&paging=0%3B50`` with 50 items -> ``...&paging=50%3B50``.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (key, value) in enumerate(query):
        if key == "paging" and ";" in value:
            offset, _, count = value.partition(";")
            if not (offset.isdigit() and count.isdigit()) or items_on_page < int(count):
                return None
            query[i] = (key, f"{int(offset) + int(count)};{count}")
            return urlunsplit(parts._replace(query=urlencode(query)))
    return None


class UpworkSpider(JobSpider):
    name = "upwork"
    default_base_url = "https://www.upwork.com"
    payload_format = "xml"

    def feed_urls(self) -> list[str]:
        feeds = self.opt_list("feeds")
        feeds_file = self.opt("feeds_file")
        if feeds_file:
            lines = Path(feeds_file).read_text(encoding="utf-8").splitlines()
            feeds += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        return feeds

    async def start(self):
        feeds = self.feed_urls()
        if not feeds:
            self.logger.error("no feeds: give -a feeds=URL,URL or set [sources.upwork] feeds in the config")
            return
        max_pages = self.opt_int("max_pages", 20)
        for feed in feeds:
            yield scrapy.Request(self.rebase(feed), callback=self.parse_feed,
                                 cb_kwargs={"page": 1, "max_pages": max_pages})

    def parse_feed(self, response, page: int, max_pages: int):
        items = rss_items(response.body)
        if not items and b"<rss" not in response.body[:2000] and b"<channel" not in response.body[:4000]:
            yield self.skip(response, "not_rss", "response is not an RSS feed", response.text[:200] if hasattr(response, "text") else "")
            return
        ids = []
        for item in items:
            link = xml_text(item, "link") or xml_text(item, "guid")
            job_id = job_id_from_link(link)
            if not job_id:
                yield self.skip(response, "no_job_id", f"link without ~01 id: {link}", item)
                continue
            ids.append(job_id)
            yield self.listing(response, job_id, item, url=link)
        next_url = next_page_url(response.url, len(items))
        if next_url and page < max_pages and not self.should_stop_paging(ids):
            yield scrapy.Request(next_url, callback=self.parse_feed,
                                 cb_kwargs={"page": page + 1, "max_pages": max_pages})
