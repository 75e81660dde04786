"""Rows of an Upwork job-search API export (``marketplaceJobPostingsSearch`` flattened to
CSV), stored by ``jobtrends import --format upwork-api`` as the JSON object of the row's
columns (source ``upwork``; :func:`crawler.normalize.sources.upwork_csv.to_job` hands
rows with a ``uid`` column here).

Columns used: ``uid``, ``title``, ``published_on`` (else ``created_on``), ``type``
(``hourly`` | ``fixed_budget`` | ``no_budget``), ``hourly_rate`` (USD per hour, one
figure), ``amount_amount`` (USD, the fixed budget), ``client_location_country``,
``occupations_category_pref_label`` (top category) and
``occupations_oservice_pref_label`` (occupation).  The source category is stored as
``"Top > Occupation"`` so the taxonomy maps the occupation and falls back to the top
category.
"""

from __future__ import annotations

import json

from crawler.normalize.sources._text import guarded
from crawler.normalize.sources.upwork_csv import cell


def source_category(top: str | None, occupation: str | None) -> str | None:
    """``source_category("Design & Creative", "Video Editing")`` ->
    ``"Design & Creative > Video Editing"``; either part alone when the other is missing."""
    parts = [p.replace(">", "/") for p in (top, occupation) if p]
    return " > ".join(parts) or None


def from_row(row: dict) -> dict:
    """The fields of one export row (a dict of its columns)."""
    title = cell(row, "title") or ""
    if not title:
        raise ValueError("row has no title")
    kind = (cell(row, "type") or "").lower()
    pay, hourly_without_rate = None, False
    if kind == "hourly":
        rate = cell(row, "hourly_rate")
        if rate:
            pay = {
                "min": rate,
                "max": rate,
                "currency": "USD",
                "period": "hour",
                "pay_type": "hourly",
            }
        else:
            hourly_without_rate = True
    elif kind in ("fixed_budget", "fixed"):
        amount = cell(row, "amount_amount")
        if amount:
            pay = {
                "min": amount,
                "max": amount,
                "currency": "USD",
                "period": "project",
                "pay_type": "fixed",
            }
    country = cell(row, "client_location_country")
    return {
        "title": title,
        "description": "",  # the export carries no description
        "url": None,  # nor a link: uid is not the ~01 id job URLs use
        "company": None,
        "country": country,
        "location": country,
        "remote": True,
        "posted_raw": cell(row, "published_on") or cell(row, "created_on"),
        "pay_text": None,
        "pay": pay,
        "currency_hint": "USD",
        "source_category": source_category(
            cell(row, "occupations_category_pref_label"),
            cell(row, "occupations_oservice_pref_label"),
        ),
        "tags": [],
        "hourly_without_range": hourly_without_rate,
    }


@guarded
def to_job(payload: str) -> dict:
    """``to_job('{"uid": "1", "title": "Logo", ...}')`` -> fields (the ``upwork`` mapping
    reaches :func:`from_row` through ``upwork_csv.to_job``; this reads a payload alone)."""
    row = json.loads(payload)
    if not isinstance(row, dict):
        raise ValueError("upwork-api payload is not a JSON object")  # noqa: TRY004
    return from_row(row)
