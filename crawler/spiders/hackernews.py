"""Hacker News "Ask HN: Who is hiring?" threads: one listing per top-level comment.

Reads the public Algolia HN API (https://hn.algolia.com/api): for each month the story by
``whoishiring`` titled ``Ask HN: Who is hiring? (November 2022)`` is found with
``/api/v1/search_by_date``, then its top-level comments are read either from the item
tree ``/api/v1/items/<ID>`` (``comments=items``, default: complete, one request) or
page by page from ``/api/v1/search?tags=comment,story_<ID>`` (``comments=search``; Algolia
caps a search at 1000 hits, replies included, so big threads may be cut).

Options: ``months`` (``2022-11..2024-02``, ``2023-01,2023-06`` or ``last:24``, default
``last:24``), ``comments`` (items|search), ``hits_per_page`` (search mode, default 1000),
``max_pages`` (search mode, per thread, default 20), ``base_url`` (mirror).
"""

from __future__ import annotations

import re
from calendar import timegm
from datetime import UTC, date, datetime

import scrapy

from crawler.errors import UserError
from crawler.payloads import MONTH_NAMES, json_excerpt
from crawler.spiders._json import JsonApiSpider

_TITLE_RE = re.compile(r"^Ask HN: Who is hiring\?\s*\((\w+)\s+(\d{4})\)", re.IGNORECASE)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _month(text: str) -> tuple[int, int]:
    m = _MONTH_RE.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise UserError(f"month {text!r} must look like YYYY-MM (e.g. 2023-06)")
    return int(m.group(1)), int(m.group(2))


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def parse_months(spec: str, *, today: date) -> list[tuple[int, int]]:
    """Months named by an option: ``"2023-11..2024-01"`` -> [(2023, 11), (2023, 12), (2024, 1)].

    Also a comma list (``"2023-01,2023-06"``) or ``"last:N"`` (the N months up to today's).
    """
    months: list[tuple[int, int]] = []
    for part in (p.strip() for p in (spec or "").split(",") if p.strip()):
        if part.startswith("last:"):
            count = part[5:].strip()
            if not count.isdigit():
                raise UserError(
                    f"{part!r}: give last:N with N a whole number of months"
                )
            count = int(count)
            year, month = today.year, today.month
            for _ in range(count):
                months.append((year, month))
                year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        elif ".." in part:
            first, _, last = part.partition("..")
            cur, end = _month(first), _month(last)
            if cur > end:
                raise UserError(f"month range {part!r} runs backwards")
            while cur <= end:
                months.append(cur)
                cur = _next(*cur)
        else:
            months.append(_month(part))
    return sorted(set(months))


def month_window(year: int, month: int) -> tuple[int, int]:
    """Epoch seconds bounding a month (a day early: threads open on the 1st, US time)."""
    start = timegm((year, month, 1, 0, 0, 0)) - 86400
    end = timegm((*_next(year, month), 1, 0, 0, 0))
    return start, end


class HackernewsSpider(JsonApiSpider):
    """Top-level comments of the monthly "Ask HN: Who is hiring?" threads (Algolia HN API)."""

    name = "hackernews"
    default_base_url = "https://hn.algolia.com"
    payload_format = "json"

    async def start(self):
        today = datetime.now(UTC).date()
        # A TOML list or a comma-separated argument; ranges and "last:N" inside either.
        months = parse_months(
            ",".join(self.opt_list("months")) or "last:24", today=today
        )
        mode = str(self.opt("comments", "items"))
        if mode not in ("items", "search"):
            raise UserError(
                f"option comments={mode!r} for spider hackernews must be items or search"
            )
        for year, month in months:
            low, high = month_window(year, month)
            params = {
                "tags": "story,author_whoishiring",
                "query": "who is hiring",
                "numericFilters": f"created_at_i>{low},created_at_i<{high}",
            }
            yield scrapy.Request(
                self.api_url("/api/v1/search_by_date", params),
                callback=self.parse_stories,
                cb_kwargs={"year": year, "month": month, "mode": mode},
            )

    def parse_stories(self, response, year: int, month: int, mode: str):
        data, bad = self.read_json(response)
        if bad:
            yield bad
            return
        wanted = (MONTH_NAMES[month - 1].lower(), str(year))
        stories = []
        for hit in data.get("hits") or []:
            m = _TITLE_RE.match(hit.get("title") or "")
            if (
                m
                and (m.group(1).lower(), m.group(2)) == wanted
                and hit.get("author") == "whoishiring"
            ):
                stories.append(hit)
        if not stories:
            self.logger.warning(
                "no 'Who is hiring?' story found for %04d-%02d", year, month
            )
            self.crawler.stats.inc_value("jobtrends/hn_month_without_story")
            return
        for story in stories:
            story_id = str(story.get("story_id") or story["objectID"])
            if mode == "items":
                yield scrapy.Request(
                    self.api_url(f"/api/v1/items/{story_id}"),
                    callback=self.parse_item_tree,
                    cb_kwargs={"story_id": story_id},
                )
            else:
                yield self.search_request(story_id, 0)

    def search_request(self, story_id: str, page: int) -> scrapy.Request:
        params = {
            "tags": f"comment,story_{story_id}",
            "hitsPerPage": self.opt_int("hits_per_page", 1000),
            "page": page,
        }
        return scrapy.Request(
            self.api_url("/api/v1/search", params),
            callback=self.parse_search,
            cb_kwargs={"story_id": story_id, "page": page},
        )

    def comment_listing(self, response, comment: dict, *, id_key: str, text_key: str):
        comment_id = comment.get(id_key)
        if comment_id is None:
            return self.skip(
                response, "no_id", "comment without id", json_excerpt(comment, 500)
            )
        if not comment.get(
            text_key
        ):  # deleted or dead comments keep their place, not their text
            return self.skip(
                response,
                "deleted_comment",
                f"comment {comment_id} has no text",
                json_excerpt(comment, 500),
            )
        return self.json_listing(
            response,
            comment_id,
            comment,
            url=f"https://news.ycombinator.com/item?id={comment_id}",
        )

    def parse_item_tree(self, response, story_id: str):
        data, bad = self.read_json(response)
        if bad:
            yield bad
            return
        for child in data.get("children") or []:
            if child.get("type", "comment") != "comment":
                continue
            # Replies are conversations about a posting, not postings: keep the comment only.
            comment = {k: v for k, v in child.items() if k != "children"}
            yield self.comment_listing(response, comment, id_key="id", text_key="text")

    def parse_search(self, response, story_id: str, page: int):
        data, bad = self.read_json(response)
        if bad:
            yield bad
            return
        for hit in data.get("hits") or []:
            if str(hit.get("parent_id")) != story_id:
                continue  # a reply inside the thread
            yield self.comment_listing(
                response, hit, id_key="objectID", text_key="comment_text"
            )
        pages = int(data.get("nbPages") or 0)
        if page + 1 < pages and page + 1 < self.opt_int("max_pages", 20):
            yield self.search_request(story_id, page + 1)
