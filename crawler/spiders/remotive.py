"""Remotive public API: ``https://remotive.com/api/remote-jobs`` (``category``, ``limit``).

Answer: ``{"00-warning": ..., "0-legal-notice": ..., "job-count": N, "jobs": [...]}``.
Options: ``categories`` (comma-separated category slugs such as ``software-dev,design``;
empty: one request for every category), ``limit`` (optional), ``base_url`` (mirror).
Remotive asks for no more than a few requests a day; the API does not page.
"""

from __future__ import annotations

import scrapy

from crawler.spiders._json import JsonApiSpider

PATH = "/api/remote-jobs"


class RemotiveSpider(JsonApiSpider):
    name = "remotive"
    default_base_url = "https://remotive.com"

    def request_params(self) -> list[dict]:
        extra = {"limit": self.opt_int("limit", 0)} if self.opt("limit") else {}
        categories = self.opt_list("categories")
        return [{"category": c, **extra} for c in categories] or [extra]

    async def start(self):
        for params in self.request_params():
            yield scrapy.Request(
                self.api_url(PATH, params or None), callback=self.parse_api
            )

    def parse_api(self, response):
        jobs, bad = self.read_jobs(response)
        if bad:
            yield bad
        yield from self.job_listings(response, jobs)
