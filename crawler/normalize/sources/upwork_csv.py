"""Rows of the shared "Upwork job postings" CSV, stored by ``jobtrends import --format
upwork-csv`` as the JSON object of the row's columns (payload_format ``csv-row``).

Columns: ``title, link, description, published_date, is_hourly, hourly_low,
hourly_high, budget, country``.  Numbers come as written (``"15.0"``, ``""``, ``"nan"``);
``make_pay`` treats empty, zero and NaN bounds as "none".
"""

from __future__ import annotations

import json

from crawler.normalize.sources._text import guarded, html_to_text

_TRUE = {"true", "1", "yes", "t", "1.0"}
_NONE = {"", "nan", "none", "null", "n/a"}


def cell(row: dict, key: str) -> str | None:
    """``row[key]`` stripped, None when missing or empty/nan/none/null/n/a."""
    value = row.get(key)
    if value is None:
        return None
    value = str(value).strip()
    return None if value.lower() in _NONE else value


@guarded
def to_job(payload: str) -> dict:
    """``to_job('{"title":"Logo","link":"https://www.upwork.com/jobs/~01ab",...}')`` -> fields."""
    row = json.loads(payload)
    if not isinstance(row, dict):
        # ValueError, not TypeError: the per-source contract for unreadable payloads.
        raise ValueError("csv-row payload is not a JSON object")  # noqa: TRY004
    if "uid" in row and "link" not in row:  # an Upwork API export row (upwork-api)
        from crawler.normalize.sources.upwork_api import from_row

        return from_row(row)
    title = cell(row, "title") or ""
    description = cell(row, "description") or ""
    if not title and not description:
        raise ValueError("row has neither title nor description")
    hourly = (cell(row, "is_hourly") or "").lower() in _TRUE
    if hourly:
        low, high = cell(row, "hourly_low"), cell(row, "hourly_high")
        pay = {
            "min": low,
            "max": high,
            "currency": "USD",
            "period": "hour",
            "pay_type": "hourly",
        }
        has_figure = bool(low or high)
    else:
        budget = cell(row, "budget")
        pay = {
            "min": budget,
            "max": budget,
            "currency": "USD",
            "period": "project",
            "pay_type": "fixed",
        }
        has_figure = bool(budget)
    country = cell(row, "country")
    return {
        "title": title,
        "description": html_to_text(description) if "<" in description else description,
        "url": cell(row, "link"),
        "company": None,  # the feeds (and so the dataset) never named the client
        "country": country,
        "location": country,
        "remote": True,
        "posted_raw": cell(row, "published_date"),
        "pay_text": None,
        "pay": pay if has_figure else None,
        "currency_hint": "USD",
        "source_category": None,  # the dataset dropped the feed's Category line
        "tags": [],
        "hourly_without_range": hourly and not has_figure,
    }
