"""What RSS-feed spiders share: the ``feeds`` options and cutting a feed into ``<item>`` listings.

A subclass says how an item's listing id is found (:meth:`RssFeedSpider.item_id`) and,
if its feeds page, where the next page is (:meth:`RssFeedSpider.next_page_url`).
"""

from __future__ import annotations

from pathlib import Path

import scrapy

from crawler.normalize.sources._text import xml_text
from crawler.payloads import rss_items
from crawler.spiders.base import JobSpider


class RssFeedSpider(JobSpider):
    name = ""  # abstract: an empty name keeps it out of Scrapy's spider list
    payload_format = "xml"
    #: What an item's link must carry to yield an id, for the skip message.
    id_hint = "listing id"
    default_max_pages = 20

    def feed_urls(self) -> list[str]:
        """``feeds`` (URLs, comma-separated or a TOML list) plus ``feeds_file`` (one per line)."""
        feeds = self.opt_list("feeds")
        feeds_file = self.opt("feeds_file")
        if feeds_file:
            lines = Path(feeds_file).read_text(encoding="utf-8").splitlines()
            feeds += [
                line.strip()
                for line in lines
                if line.strip() and not line.startswith("#")
            ]
        return feeds

    def item_id(self, item: str, link: str | None) -> str | None:
        """The listing id of one ``<item>`` (its link given), None when it has none."""
        raise NotImplementedError

    def next_page_url(self, url: str, items_on_page: int) -> str | None:
        """The next page of a feed (None: feeds do not page)."""
        return None

    async def start(self):
        feeds = self.feed_urls()
        if not feeds:
            self.logger.error(
                f"no feeds: give -a feeds=URL,URL or set [sources.{self.name}] feeds in the config"
            )
            return
        max_pages = self.opt_int("max_pages", self.default_max_pages)
        for feed in feeds:
            yield scrapy.Request(
                self.rebase(feed),
                callback=self.parse_feed,
                cb_kwargs={"page": 1, "max_pages": max_pages},
            )

    def parse_feed(self, response, page: int, max_pages: int):
        items = rss_items(response.body)
        if (
            not items
            and b"<rss" not in response.body[:2000]
            and b"<channel" not in response.body[:4000]
        ):
            yield self.skip(
                response,
                "not_rss",
                "response is not an RSS feed",
                response.text[:200] if hasattr(response, "text") else "",
            )
            return
        linked = []
        for item in items:
            link = xml_text(item, "link") or xml_text(item, "guid")
            linked.append((item, link, self.item_id(item, link)))
        ids = [job_id for _, _, job_id in linked if job_id]
        next_url = self.next_page_url(response.url, len(items))
        if next_url and page < max_pages and not self.should_stop_paging(ids):
            # The next page first: it is queued (and can be fetched, by any worker) while
            # this page's listings are still being built.
            yield scrapy.Request(
                next_url,
                callback=self.parse_feed,
                cb_kwargs={"page": page + 1, "max_pages": max_pages},
            )
        for item, link, job_id in linked:
            if not job_id:
                yield self.skip(
                    response, "no_job_id", f"link without {self.id_hint}: {link}", item
                )
                continue
            yield self.listing(response, job_id, item, url=link)
