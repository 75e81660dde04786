"""Listings imported with ``jobtrends import --format csv|jsonl --map ...`` (any source).

The importer stores the row's mapped canonical fields plus ``"_raw"``, the row as read:
``{"title": "...", "posted_raw": "2024-02-01", "pay_text": "$40/hr", "tags": "python, sql",
"_raw": {...}}``.  This mapping is the fallback for every source without a module of its
own (see ``crawler.normalize.sources.mapper``).
"""

from __future__ import annotations

import json
import re

from crawler.normalize.sources._text import guarded, html_to_text

_TAG_SPLIT = re.compile(r"\s*[,;|]\s*")
_TRUE = {"true", "1", "yes", "remote", "y"}
_FALSE = {"false", "0", "no", "onsite", "on-site", "n"}


def _text(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _tags(value) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = _text(value)
    if not text:
        return []
    if text.startswith("["):
        try:
            return _tags(json.loads(text))
        except ValueError:
            pass
    return [t for t in _TAG_SPLIT.split(text) if t]


def _remote(value) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    low = str(value).strip().lower()
    return True if low in _TRUE else False if low in _FALSE else None


# Pay-type words of exports -> make_pay's pay types.
_PAY_TYPES = {
    **dict.fromkeys(("hour", "per hour", "hourly rate", "time"), "hourly"),
    **dict.fromkeys(
        ("fixed_budget", "fixed-price", "fixed price", "budget", "project"), "fixed"
    ),
    **dict.fromkeys(("annual", "yearly", "year", "full-time salary"), "salary"),
}


def _structured_pay(row: dict) -> dict | None:
    """Pay from mapped pay_min / pay_max / pay_type / pay_period / currency columns (no
    text parsing), or None when neither bound is mapped and filled: ``{"pay_min": "40",
    "pay_max": "60", "pay_period": "hour", "currency_hint": "EUR"}`` -> a pay dict."""
    lo, hi = _text(row.get("pay_min")), _text(row.get("pay_max"))
    if lo is None and hi is None:
        return None
    return {
        "min": lo,
        "max": hi,
        "currency": _text(row.get("currency_hint")),
        "period": _text(row.get("pay_period")),
        "pay_type": _PAY_TYPES.get(
            (_text(row.get("pay_type")) or "").casefold(), _text(row.get("pay_type"))
        ),
    }


@guarded
def to_job(payload: str) -> dict:
    """``to_job('{"title": "Data analyst", "pay_text": "$40/hr", "_raw": {}}')`` -> fields."""
    row = json.loads(payload)
    if not isinstance(row, dict) or "_raw" not in row:
        raise ValueError(
            "not an imported row (a JSON object with mapped fields and _raw)"
        )
    title, description = _text(row.get("title")), _text(row.get("description"))
    if not title and not description:
        raise ValueError("row has neither title nor description")
    description = description or ""
    return {
        "title": title or "",
        "description": html_to_text(description) if "<" in description else description,
        "url": _text(row.get("url")),
        "company": _text(row.get("company")),
        "country": _text(row.get("country")),
        "location": _text(row.get("location")) or _text(row.get("country")),
        "remote": _remote(row.get("remote")),
        "posted_raw": _text(row.get("posted_raw")),
        "pay_text": _text(row.get("pay_text")),
        "pay": _structured_pay(row),
        "currency_hint": _text(row.get("currency_hint")),
        "source_category": _text(row.get("source_category")),
        "tags": _tags(row.get("tags")),
    }
