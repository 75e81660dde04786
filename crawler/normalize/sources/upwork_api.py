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

_NONE = {"", "nan", "none", "null", "n/a"}


def _value(row: dict, key: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    value = str(value).strip()
    return None if value.lower() in _NONE else value


def source_category(top: str | None, occupation: str | None) -> str | None:
    """``source_category("Design & Creative", "Video Editing")`` ->
    ``"Design & Creative > Video Editing"``; either part alone when the other is missing."""
    parts = [p.replace(">", "/") for p in (top, occupation) if p]
    return " > ".join(parts) or None


def from_row(row: dict) -> dict:
    """The fields of one export row (a dict of its columns)."""
    title = _value(row, "title") or ""
    if not title:
        raise ValueError("row has no title")
    kind = (_value(row, "type") or "").lower()
    pay, hourly_without_rate = None, False
    if kind == "hourly":
        rate = _value(row, "hourly_rate")
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
        amount = _value(row, "amount_amount")
        if amount:
            pay = {
                "min": amount,
                "max": amount,
                "currency": "USD",
                "period": "project",
                "pay_type": "fixed",
            }
    country = _value(row, "client_location_country")
    return {
        "title": title,
        "description": "",  # the export carries no description
        "url": None,  # nor a link: uid is not the ~01 id job URLs use
        "company": None,
        "country": country,
        "location": country,
        "remote": True,
        "posted_raw": _value(row, "published_on") or _value(row, "created_on"),
        "pay_text": None,
        "pay": pay,
        "currency_hint": "USD",
        "source_category": source_category(
            _value(row, "occupations_category_pref_label"),
            _value(row, "occupations_oservice_pref_label"),
        ),
        "tags": [],
        "hourly_without_range": hourly_without_rate,
    }
