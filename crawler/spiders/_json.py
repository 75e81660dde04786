"""What JSON-API job-board spiders share: reading a JSON body and cutting its job objects.

A subclass fetches its pages and hands the list of job objects to
:meth:`JsonApiSpider.job_listings`, which yields one listing per object with an id and a
``no_id`` skip for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from crawler.payloads import BadJson, json_excerpt, load_json_page
from crawler.spiders.base import JobSpider


class JsonApiSpider(JobSpider):
    name = ""  # abstract: an empty name keeps it out of Scrapy's spider list
    payload_format = "json"

    def read_json(self, response) -> tuple[object, dict | None]:
        """``(data, None)``, or ``(None, skip item)`` when the body is not JSON.

        A page with a poison part (too deep, a number of thousands of digits) is read
        tolerantly: only the listing holding it is skipped (see ``json_listing``).
        """
        try:
            return load_json_page(response.body), None
        except BadJson as exc:
            excerpt = response.body[:200].decode("utf-8", "replace")
            return None, self.skip(
                response, exc.reason, f"page is not JSON: {exc}", excerpt
            )

    def read_jobs(self, response, key: str | None = "jobs") -> tuple[list, dict | None]:
        """The job objects of an answer (``data[key]``, or the array itself when key is None)
        and None, or ``([], skip item)`` when the answer is not JSON or has no such list."""
        data, bad = self.read_json(response)
        if bad:
            return [], bad
        jobs = (
            data if key is None else (data.get(key) if isinstance(data, dict) else None)
        )
        if not isinstance(jobs, list):
            what = "a JSON array" if key is None else f"a {key!r} list"
            return [], self.skip(
                response, "api_error", f"answer is not {what}", response.text[:200]
            )
        return jobs, None

    def job_listings(
        self,
        response,
        jobs: list,
        *,
        id_key: str = "id",
        url_of: Callable[[dict], str | None] = lambda job: job.get("url"),
        ids: list[str] | None = None,
    ) -> Iterator[dict]:
        """One listing per job object (its exact JSON); ``ids`` collects the ids seen."""
        for job in jobs:
            if not isinstance(job, dict) or job.get(id_key) in (None, ""):
                yield self.skip(
                    response,
                    "no_id",
                    f"job object without {id_key!r}",
                    json_excerpt(job, 500),
                )
                continue
            if ids is not None:
                ids.append(str(job[id_key]))
            yield self.json_listing(response, job[id_key], job, url=url_of(job))
