"""Lever job boards through the public postings API (``/v0/postings/<company>?mode=json``).

Options: ``companies`` (board names as in ``jobs.lever.co/<name>``), ``limit`` (page size,
default 100), ``max_pages`` (per company, default 20), ``base_url`` (mirror).  A board
is read page by page with ``skip``/``limit`` until a page comes back short.  The API's
order is not documented as newest first, so there is no incremental early stop: boards
are small (tens to hundreds of postings) and are read whole.
"""

from __future__ import annotations

import scrapy

from crawler.spiders._json import JsonApiSpider


class LeverSpider(JsonApiSpider):
    """Postings of Lever-hosted company job boards (Lever postings API, JSON)."""

    name = "lever"
    default_base_url = "https://api.lever.co"
    payload_format = "json"

    def page_request(self, company: str, skip: int, page: int) -> scrapy.Request:
        params = {"mode": "json", "skip": skip, "limit": self.opt_int("limit", 100)}
        return scrapy.Request(
            self.api_url(f"/v0/postings/{company}", params),
            callback=self.parse_page,
            cb_kwargs={"company": company, "skip": skip, "page": page},
            meta={"handle_httpstatus_list": [404]},
        )

    async def start(self):
        companies = self.opt_list("companies")
        if not companies:
            self.logger.warning(
                "no companies: give -a companies=a,b or set [sources.lever] companies"
            )
            return
        for company in companies:
            yield self.page_request(company, 0, 1)

    def parse_page(self, response, company: str, skip: int, page: int):
        data, bad = self.read_json(response)
        if bad:
            yield bad
            return
        if not isinstance(data, list):  # {"ok": false, "error": "Document not found"}
            error = data.get("error") if isinstance(data, dict) else type(data).__name__
            yield self.skip(
                response,
                "api_error",
                f"board {company!r}: {error} (HTTP {response.status})",
                response.text[:200],
            )
            return
        yield from self.job_listings(
            response, data, url_of=lambda posting: posting.get("hostedUrl")
        )
        limit = self.opt_int("limit", 100)
        if len(data) >= limit and page < self.opt_int("max_pages", 20):
            yield self.page_request(company, skip + limit, page + 1)
