"""schema.org ``JobPosting`` objects from any site's pages (JSON-LD, as Google Jobs reads them).

Options: ``urls`` (job or listing pages), ``sitemaps`` (XML sitemaps or sitemap index
files, gzipped or not; their ``<loc>`` entries are followed), ``url_pattern`` (a regex a
page URL from a sitemap must match), ``max_pages`` (sitemap pages per crawl, default 5000),
``max_sitemaps`` (sitemap files per crawl, default 1000), ``max_sitemap_depth`` (index
levels followed, default 4), ``base_url`` (mirror: every configured or discovered URL
keeps its path on the mirror).

A ``<loc>`` is followed only when it is an http(s) URL: remote content never names a
local file.  A gzipped sitemap is inflated to at most 50 MB (the sitemaps.org limit).

Every ``<script type="application/ld+json">`` block is read; postings are found at the
top level, in top-level lists, in ``@graph`` and nested in other objects.  A block that is
not valid JSON is skipped with a reason; the page's other blocks still count.  The
listing id is a stable hash of the site and the posting's ``identifier`` or, without one,
of the real page URL and the posting's position on the page.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

import scrapy
from scrapy.utils.sitemap import Sitemap

from crawler.errors import UserError
from crawler.inflate import TooLarge, gunzip
from crawler.normalize.sources.jsonld import identifier_value, job_postings
from crawler.payloads import BadJson, load_json_page
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
        self.sitemaps_left = self.opt_int("max_sitemaps", 1000)
        self.max_depth = self.opt_int("max_sitemap_depth", 4)
        for sitemap in sitemaps:
            yield self.sitemap_request(sitemap, 0)
        for url in urls:
            yield self.page_request(url)

    int_options = ("max_pages", "limit", "max_sitemaps", "max_sitemap_depth")

    def sitemap_request(self, real_url: str, depth: int) -> scrapy.Request:
        self.sitemaps_left -= 1
        return scrapy.Request(
            self.rebase(real_url),
            callback=self.parse_sitemap,
            cb_kwargs={"depth": depth},
        )

    def parse_sitemap(self, response, depth: int = 0):
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=_MAX_SITEMAP, what="gzipped sitemap")
            except TooLarge as exc:
                yield self.page_unreadable(response, "too_large", str(exc))
                return
            except (OSError, EOFError) as exc:
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
        remote = [
            loc for loc in entries if loc.lower().startswith(("http://", "https://"))
        ]
        if len(remote) < len(entries):
            bad = next(loc for loc in entries if loc not in remote)
            yield self.page_unreadable(
                response,
                "url_scheme",
                f"{len(entries) - len(remote)} <loc> entries are not http(s) URLs"
                f" (first: {bad[:200]}): not followed",
            )
        if sitemap.type == "sitemapindex":
            if depth >= self.max_depth:
                yield self.page_unreadable(
                    response,
                    "budget_exhausted",
                    f"sitemap index nested deeper than max_sitemap_depth={self.max_depth}:"
                    f" {len(remote)} child sitemaps not fetched",
                )
                return
            for n, loc in enumerate(remote):
                if self.sitemaps_left <= 0:
                    yield self.page_unreadable(
                        response,
                        "budget_exhausted",
                        f"max_sitemaps reached: {len(remote) - n} child sitemaps not fetched",
                    )
                    return
                yield self.sitemap_request(loc, depth + 1)
            return
        for loc in remote:
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
                data = load_json_page(text, strict=False)
            except BadJson as exc:
                reason = "bad_jsonld" if exc.reason == "bad_json" else exc.reason
                yield self.skip(
                    response,
                    reason,
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
                yield self.json_listing(response, source_id, posting, url=url)
