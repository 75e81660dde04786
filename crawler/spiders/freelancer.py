"""Freelancer.com public projects API: ``/api/projects/0.1/projects/active/``.

Options: ``limit`` (page size, default 100), ``max_pages`` (default 50), ``query``
(optional search text), ``base_url`` (mirror).  Pages until an empty page, the maximum,
or (without ``full=1``) a page of listings stored by earlier runs.
"""

from __future__ import annotations

import scrapy

from crawler.payloads import BadJson, json_excerpt, load_json_page
from crawler.spiders.base import JobSpider

PATH = "/api/projects/0.1/projects/active/"


class FreelancerSpider(JobSpider):
    name = "freelancer"
    default_base_url = "https://www.freelancer.com"
    payload_format = "json"

    def page_request(self, offset: int, page: int) -> scrapy.Request:
        params = {
            "limit": self.opt_int("limit", 100),
            "offset": offset,
            "full_description": "true",
            "job_details": "true",
        }
        if self.opt("query"):
            params["query"] = self.opt("query")
        return scrapy.Request(
            self.api_url(PATH, params),
            callback=self.parse_page,
            cb_kwargs={"offset": offset, "page": page},
        )

    async def start(self):
        yield self.page_request(0, 1)

    def parse_page(self, response, offset: int, page: int):
        try:
            text = response.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            # One bad byte must not cost a page of listings: read it with U+FFFD, say so.
            text = response.body.decode("utf-8", "replace")
            yield self.skip(
                response,
                "bad_encoding",
                f"page is not valid UTF-8 ({exc.reason} at byte {exc.start});"
                " read with replacement characters",
                response.body[max(0, exc.start - 80) : exc.start + 80].decode(
                    "utf-8", "replace"
                ),
            )
        try:
            data = load_json_page(text)
        except BadJson as exc:
            yield self.page_unreadable(
                response, exc.reason, f"page is not JSON: {exc}", text[:200]
            )
            return
        if not isinstance(data, dict) or data.get("status") != "success":
            yield self.page_unreadable(
                response,
                "api_error",
                f"status={data.get('status') if isinstance(data, dict) else type(data).__name__}",
                text[:200],
            )
            return
        result = data.get("result")
        projects = result.get("projects") if isinstance(result, dict) else None
        if not isinstance(projects, list):
            yield self.page_unreadable(
                response,
                "no_projects",
                "result.projects is missing or not a list",
                text[:200],
            )
            return
        ids = []
        for project in projects:
            if not isinstance(project, dict) or project.get("id") is None:
                yield self.skip(
                    response, "no_id", "project without id", json_excerpt(project, 500)
                )
                continue
            ids.append(str(project["id"]))
            yield self.json_listing(
                response,
                project["id"],
                project,
                url=f"https://www.freelancer.com/projects/{project.get('seo_url') or project['id']}",
            )
        limit = self.opt_int("limit", 100)
        if not projects or page >= self.opt_int("max_pages", 50):
            return
        if self.page_repeats(ids):
            return
        if not self.should_stop_paging(ids):
            yield self.page_request(offset + limit, page + 1)
