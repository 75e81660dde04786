"""RemoteOK public JSON API: ``https://remoteok.com/api`` (one array, newest first).

The array's first element is the API's legal notice (``{"last_updated", "legal"}``), not a
job.  Options: ``tags`` (optional, comma-separated: one request per ``?tag=`` instead of
the whole feed), ``base_url`` (mirror).  The API does not page.
"""

from __future__ import annotations

import scrapy

from crawler.spiders._json import JsonApiSpider

PATH = "/api"


def is_legal_notice(obj) -> bool:
    """The API's first element: ``{"last_updated": ..., "legal": "API Terms of Service..."}``."""
    return isinstance(obj, dict) and "legal" in obj and "position" not in obj


class RemoteokSpider(JsonApiSpider):
    name = "remoteok"
    default_base_url = "https://remoteok.com"

    async def start(self):
        tags = self.opt_list("tags")
        for params in [{"tag": tag} for tag in tags] or [None]:
            yield scrapy.Request(self.api_url(PATH, params), callback=self.parse_api)

    def parse_api(self, response):
        jobs, bad = self.read_jobs(response, key=None)
        if bad:
            yield bad
        yield from self.job_listings(
            response, [obj for obj in jobs if not is_legal_notice(obj)]
        )
