"""Greenhouse job board API: ``https://boards-api.greenhouse.io/v1/boards/{token}/jobs?content=true``.

One request per board token (``{"jobs": [...], "meta": {"total": N}}``, every job of the
board at once, no paging).  Options: ``boards`` (board tokens, comma-separated or a TOML
list), ``base_url`` (mirror).  An unknown board answers 404 and is recorded as a skip.
"""

from __future__ import annotations

import scrapy

from crawler.spiders._json import JsonApiSpider


class GreenhouseSpider(JsonApiSpider):
    name = "greenhouse"
    default_base_url = "https://boards-api.greenhouse.io"

    async def start(self):
        boards = self.opt_list("boards")
        if not boards:
            self.logger.error(
                "no boards: give -a boards=TOKEN,TOKEN or set [sources.greenhouse] boards in the config"
            )
            return
        for token in boards:
            yield scrapy.Request(
                self.api_url(f"/v1/boards/{token}/jobs", {"content": "true"}),
                callback=self.parse_board,
                cb_kwargs={"token": token},
                meta={"handle_httpstatus_list": [404]},
            )

    def parse_board(self, response, token: str):
        if response.status == 404:
            yield self.skip(
                response,
                "board_not_found",
                f"no Greenhouse board {token!r}",
                response.text[:200],
            )
            return
        jobs, bad = self.read_jobs(response)
        if bad:
            yield bad
        yield from self.job_listings(
            response, jobs, url_of=lambda job: job.get("absolute_url")
        )
