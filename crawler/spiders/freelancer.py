"""Freelancer.com public projects API: ``/api/projects/0.1/projects/active/``.

Options: ``limit`` (page size, default 100), ``max_pages`` (default 50), ``query``
(optional search text), ``base_url`` (mirror).  Pages until an empty page, the maximum,
or (without ``full=1``) a page of listings stored by earlier runs.
"""

from __future__ import annotations

import json

import scrapy

from crawler.payloads import json_payload
from crawler.spiders.base import JobSpider

PATH = "/api/projects/0.1/projects/active/"


class FreelancerSpider(JobSpider):
    name = "freelancer"
    default_base_url = "https://www.freelancer.com"
    payload_format = "json"

    def page_request(self, offset: int, page: int) -> scrapy.Request:
        params = {"limit": self.opt_int("limit", 100), "offset": offset,
                  "full_description": "true", "job_details": "true"}
        if self.opt("query"):
            params["query"] = self.opt("query")
        return scrapy.Request(self.api_url(PATH, params), callback=self.parse_page,
                              cb_kwargs={"offset": offset, "page": page})

    async def start(self):
        yield self.page_request(0, 1)

    def parse_page(self, response, offset: int, page: int):
        try:
            data = json.loads(response.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield self.skip(response, "bad_json", f"page is not JSON: {exc}", response.body[:200].decode("utf-8", "replace"))
            return
        if not isinstance(data, dict) or data.get("status") != "success":
            yield self.skip(response, "api_error", f"status={data.get('status') if isinstance(data, dict) else type(data).__name__}")
            return
        projects = (data.get("result") or {}).get("projects") or []
        ids = []
        for project in projects:
            if not isinstance(project, dict) or project.get("id") is None:
                yield self.skip(response, "no_id", "project without id", json_payload(project))
                continue
            ids.append(str(project["id"]))
            yield self.listing(response, project["id"], json_payload(project),
                               url=f"https://www.freelancer.com/projects/{project.get('seo_url') or project['id']}")
        limit = self.opt_int("limit", 100)
        if projects and page < self.opt_int("max_pages", 50) and not self.should_stop_paging(ids):
            yield self.page_request(offset + limit, page + 1)
