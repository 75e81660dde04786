"""schema.org ``JobPosting`` objects as sites embed them in JSON-LD (Google Jobs' shapes).

Fields read: ``title``, ``description`` (HTML, sometimes HTML-escaped), ``url``,
``datePosted``, ``hiringOrganization`` (Organization or a name), ``jobLocation`` (Place
with a PostalAddress, or a list of them), ``jobLocationType`` (``TELECOMMUTE`` = remote),
``applicantLocationRequirements``, ``baseSalary`` (MonetaryAmount with a QuantitativeValue,
or a number), ``salaryCurrency``, ``occupationalCategory``, ``industry``, ``skills``,
``identifier`` (PropertyValue or text).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

from crawler.normalize.sources._text import guarded, html_to_text

# schema.org unitText -> (period, pay type); MONTH and YEAR are salaries, shorter units rates.
_ONET_CODE_RE = re.compile(r"^\s*\d{2}-\d{4}(?:\.\d{2})?\s*[-:]?\s*")
_UNITS = {
    "HOUR": ("hour", "hourly"),
    "DAY": ("day", "hourly"),
    "WEEK": ("week", "hourly"),
    "MONTH": ("month", "salary"),
    "YEAR": ("year", "salary"),
}


def _is_posting(obj: dict) -> bool:
    kinds = obj.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(
        isinstance(k, str) and k.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "JobPosting"
        for k in kinds
    )


def job_postings(data) -> Iterator[dict]:
    """Every JobPosting in a parsed JSON-LD block: top level, lists, ``@graph``, nested."""
    if isinstance(data, list):
        for item in data:
            yield from job_postings(item)
    elif isinstance(data, dict):
        if _is_posting(data):
            yield data
            return
        for value in data.values():  # @graph, ItemList.itemListElement, mainEntity...
            if isinstance(value, (dict, list)):
                yield from job_postings(value)


def _text(value) -> str | None:
    """A schema.org value as text: a string, a number, or an object's name/value."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("value") or value.get("@value")
    if isinstance(value, list):
        value = next((v for v in (_text(x) for x in value) if v), None)
    if value is None or value == "":
        return None
    return str(value).strip() or None


def identifier_value(posting: dict) -> str | None:
    """``{"identifier": {"@type": "PropertyValue", "name": "ACME", "value": "R-17"}}`` -> ``"R-17"``."""
    ident = posting.get("identifier")
    if isinstance(ident, list):
        ident = ident[0] if ident else None
    if isinstance(ident, dict):
        ident = (
            ident.get("value")
            if ident.get("value") not in (None, "")
            else ident.get("@id")
        )
    return None if ident in (None, "") else str(ident).strip() or None


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _places(posting: dict) -> tuple[str | None, str | None]:
    """(country, location text) from jobLocation, else applicantLocationRequirements."""
    countries, locations = [], []
    for place in _as_list(posting.get("jobLocation")):
        address = place.get("address") if isinstance(place, dict) else place
        if isinstance(address, str):
            locations.append(address.strip())
            continue
        if not isinstance(address, dict):
            continue
        country = _text(address.get("addressCountry"))
        parts = [_text(address.get(k)) for k in ("addressLocality", "addressRegion")]
        parts.append(country)
        text = ", ".join(p for p in parts if p)
        if text:
            locations.append(text)
        if country:
            countries.append(country)
    if not countries:
        countries = [
            c
            for c in (
                _text(r) for r in _as_list(posting.get("applicantLocationRequirements"))
            )
            if c
        ]
        if not locations:
            locations = list(countries)
    location = "; ".join(dict.fromkeys(locations)) or None
    return (countries[0] if countries else None), location


def _number(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return float(value.replace(",", "").strip())
        except ValueError:
            return None
    return None


def _pay(posting: dict) -> tuple[dict | None, str | None, str | None]:
    """(structured pay, pay text, currency) from baseSalary."""
    salary = posting.get("baseSalary")
    if isinstance(salary, list):
        salary = salary[0] if salary else None
    currency = posting.get("salaryCurrency")
    if salary is None:
        return None, None, currency
    if not isinstance(salary, dict):  # a bare number or text: let parse_pay read it
        return None, str(salary), currency
    currency = salary.get("currency") or currency
    value = salary.get("value")
    unit = salary.get("unitText")
    if isinstance(value, dict):
        unit = value.get("unitText") or unit
        low = _number(value.get("minValue"))
        high = _number(value.get("maxValue"))
        if low is None and high is None:
            low = high = _number(value.get("value"))
    else:
        low = high = _number(value)
    unit = str(unit or "").strip().upper()
    if unit not in _UNITS or (low is None and high is None):
        if not (low or high):
            return None, None, currency
        # An unknown unit: hand the figures to parse_pay, whose size rules decide the kind.
        figures = (
            f"{low:g}"
            if low == high or high is None
            else (f"{high:g}" if low is None else f"{low:g}-{high:g}")
        )
        return None, f"{figures} {currency or ''}".strip(), currency
    period, pay_type = _UNITS[unit]
    return (
        {
            "min": low,
            "max": high,
            "currency": currency,
            "period": period,
            "pay_type": pay_type,
        },
        None,
        currency,
    )


def _description(value) -> str:
    text = value if isinstance(value, str) else ""
    if "&lt;" in text and "<" not in text:  # HTML escaped once more than it should be
        text = html.unescape(text)
    return html_to_text(text)


def _skills(value) -> list[str]:
    out = []
    for item in _as_list(value):
        text = _text(item)
        if text:
            out.extend(s.strip() for s in text.split(",") if s.strip())
    return out


@guarded
def to_job(payload: str) -> dict:
    try:
        posting = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise ValueError(f"payload is not JSON: {exc.msg}") from exc
    if not isinstance(posting, dict) or not _is_posting(posting):
        raise ValueError("payload is not a schema.org JobPosting object")
    country, location = _places(posting)
    location_types = {str(t).upper() for t in _as_list(posting.get("jobLocationType"))}
    if "TELECOMMUTE" in location_types:
        remote = True
    elif posting.get("jobLocation"):
        remote = False
    else:
        remote = None
    pay, pay_text, currency = _pay(posting)
    category = _text(posting.get("occupationalCategory")) or _text(
        posting.get("industry")
    )
    if (
        category
    ):  # "15-1252.00 Software Developers": the O*NET-SOC code adds nothing to the title
        category = _ONET_CODE_RE.sub("", category) or category
    return {
        "title": html.unescape(_text(posting.get("title")) or ""),
        "description": _description(posting.get("description")),
        "url": posting.get("url") if isinstance(posting.get("url"), str) else None,
        "company": _text(posting.get("hiringOrganization")),
        "country": country,
        "location": location,
        "remote": remote,
        "posted_raw": _text(posting.get("datePosted")),
        "pay_text": pay_text,
        "pay": pay,
        "currency_hint": currency if isinstance(currency, str) else None,
        "source_category": category,
        "tags": _skills(posting.get("skills")),
    }
