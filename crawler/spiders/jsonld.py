"""schema.org ``JobPosting`` objects from any site's pages (JSON-LD, as Google Jobs reads them).

Options: ``urls`` (job or listing pages), ``sitemaps`` (XML sitemaps or sitemap index
files, gzipped or not; their ``<loc>`` entries are followed), ``url_pattern`` (a regex a
page URL from a sitemap must match), ``max_pages`` (sitemap pages per crawl, default 5000),
``base_url`` (mirror: every configured or discovered URL keeps its path on the mirror).

Every ``<script type="application/ld+json">`` block is read; postings are found at the
top level, in top-level lists, in ``@graph`` and nested in other objects.  A block that is
not valid JSON is skipped with a reason; the page's other blocks still count.  The
listing id is a stable hash of the site and the posting's ``identifier`` or, without one,
of the real page URL and the posting's position on the page.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from urllib.parse import urlsplit

import scrapy
from scrapy.utils.sitemap import Sitemap

from crawler.errors import UserError
from crawler.normalize.sources.jsonld import identifier_value, job_postings
from crawler.payloads import json_payload
from crawler.spiders.base import JobSpider

_LD_XPATH = (
    '//script[contains(translate(@type, "APLICTONDJS", "aplictondjs"),'
    ' "application/ld+json")]/text()'
)
_WRAPPER_RE = re.compile(
    r"^\s*(?:<!--|/\*\s*<!\[CDATA\[\s*\*/)|(?:-->|/\*\s*\]\]>\s*\*/)\s*$"
)
_MAX_SITEMAP = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file


def stable_id(page_url: str, identifier: str | None, index: int) -> str:
    """``stable_id("https://x.com/jobs/1", "R-17", 0)`` -> 24 hex digits, same on every run."""
    site = urlsplit(page_url).netloc.lower()
    key = f"{site}|id:{identifier}" if identifier else f"{page_url}#{index}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


class JsonldSpider(JobSpider):
    """schema.org JobPosting JSON-LD from any site's job pages (sitemaps or page URLs)."""

    name = "jsonld"
    default_base_url = ""  # any site: URLs come from the options
    payload_format = "json"

    def page_request(self, real_url: str) -> scrapy.Request:
        return scrapy.Request(
            self.rebase(real_url),
            callback=self.parse_page,
            cb_kwargs={"real_url": real_url},
        )

    async def start(self):
        urls, sitemaps = self.opt_list("urls"), self.opt_list("sitemaps")
        if not urls and not sitemaps:
            self.logger.warning(
                "no urls or sitemaps: give -a sitemaps=URL or -a urls=URL,URL "
                "or set [sources.jsonld] in the config"
            )
            return
        try:
            self.pattern = re.compile(self.opt("url_pattern") or "")
        except re.error as exc:
            raise UserError(
                f"option url_pattern for spider jsonld is not a regex: {exc}"
            ) from None
        self.pages_left = self.opt_int("max_pages", 5000)
        for sitemap in sitemaps:
            yield scrapy.Request(self.rebase(sitemap), callback=self.parse_sitemap)
        for url in urls:
            yield self.page_request(url)

    def parse_sitemap(self, response):
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gzip.decompress(body)[:_MAX_SITEMAP]
            except OSError as exc:
                yield self.skip(response, "bad_sitemap", f"gzip: {exc}")
                return
        try:
            sitemap = Sitemap(body)
            entries = [e["loc"] for e in sitemap if e.get("loc")]
        except Exception as exc:  # noqa: BLE001 - lxml raises several kinds on non-XML
            yield self.skip(
                response,
                "bad_sitemap",
                f"not a sitemap: {exc}",
                body[:200].decode("utf-8", "replace"),
            )
            return
        if sitemap.type == "sitemapindex":
            for loc in entries:
                yield scrapy.Request(self.rebase(loc), callback=self.parse_sitemap)
            return
        for loc in entries:
            if self.pattern.search(loc) and self.pages_left > 0:
                self.pages_left -= 1
                yield self.page_request(loc)

    def parse_page(self, response, real_url: str):
        index = 0
        for block_no, block in enumerate(response.xpath(_LD_XPATH).getall()):
            text = _WRAPPER_RE.sub("", block).strip()
            if not text:
                continue
            try:
                # strict=False: real pages often carry raw newlines/tabs inside strings.
                data = json.loads(text, strict=False)
            except json.JSONDecodeError as exc:
                yield self.skip(
                    response,
                    "bad_jsonld",
                    f"ld+json block {block_no} of {real_url}: {exc}",
                    text,
                )
                continue
            for posting in job_postings(data):
                source_id = stable_id(real_url, identifier_value(posting), index)
                index += 1
                url = (
                    posting.get("url")
                    if isinstance(posting.get("url"), str)
                    else real_url
                )
                yield self.listing(response, source_id, json_payload(posting), url=url)
