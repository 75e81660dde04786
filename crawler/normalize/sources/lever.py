"""Lever postings API objects (``api.lever.co/v0/postings/<company>?mode=json``).

Per Lever's postings API documentation: ``text`` (title), ``createdAt`` (ms epoch),
``categories`` {team, department, location, commitment, allLocations}, ``country`` (ISO
code), ``workplaceType`` (remote | hybrid | onsite | unspecified), ``salaryRange``
{min, max, currency, interval} (optional), ``salaryDescription`` (HTML),
``description``/``descriptionPlain``, ``lists`` [{text, content (HTML)}],
``additional``/``additionalPlain``, ``hostedUrl`` (``https://jobs.lever.co/<company>/<id>``).
The company is not a field: it is the board name in ``hostedUrl``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.normalize.sources._text import guarded, html_to_text, json_object

# Lever's salaryRange.interval values -> (period, pay type).
INTERVALS = {
    "per-year-salary": ("year", "salary"),
    "per-month-salary": ("month", "salary"),
    "per-week-salary": ("week", "hourly"),
    "per-day-wage": ("day", "hourly"),
    "per-hour-wage": ("hour", "hourly"),
    "one-time": ("project", "fixed"),
}


def board_name(hosted_url: str | None) -> str | None:
    """``https://jobs.lever.co/acme/5ac2...`` -> ``acme``."""
    if not hosted_url:
        return None
    parts = [p for p in urlsplit(hosted_url).path.split("/") if p]
    return parts[0] if parts else None


def _description(posting: dict) -> str:
    parts = [
        posting.get("descriptionPlain") or html_to_text(posting.get("description"))
    ]
    for section in posting.get("lists") or []:
        if isinstance(section, dict):
            parts.append(
                f"{section.get('text') or ''}\n{html_to_text(section.get('content'))}"
            )
    parts.append(
        posting.get("additionalPlain") or html_to_text(posting.get("additional"))
    )
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _pay(posting: dict) -> tuple[dict | None, str | None]:
    salary = posting.get("salaryRange")
    if isinstance(salary, dict) and (salary.get("min") or salary.get("max")):
        period, pay_type = INTERVALS.get(
            salary.get("interval") or "", ("year", "salary")
        )
        return {
            "min": salary.get("min"),
            "max": salary.get("max"),
            "currency": salary.get("currency"),
            "period": period,
            "pay_type": pay_type,
        }, None
    text = posting.get("salaryDescriptionPlain") or html_to_text(
        posting.get("salaryDescription")
    )
    return None, text.strip() or None


def _remote(posting: dict, location: str | None) -> bool | None:
    kind = (posting.get("workplaceType") or "").lower()
    if kind == "remote":
        return True
    if kind in ("onsite", "on-site", "hybrid"):
        return False
    if location and "remote" in location.lower():
        return True
    return None


@guarded
def to_job(payload: str) -> dict:
    posting = json_object(payload, "Lever posting")
    categories = posting.get("categories") or {}
    location = categories.get("location")
    pay, pay_text = _pay(posting)
    created = posting.get("createdAt")
    return {
        "title": (posting.get("text") or "").strip(),
        "description": _description(posting),
        "url": posting.get("hostedUrl"),
        "company": board_name(posting.get("hostedUrl")),
        "country": posting.get("country") or None,
        "location": location or None,
        "remote": _remote(posting, location),
        "posted_raw": str(created) if created is not None else None,
        "pay_text": pay_text,
        "pay": pay,
        "currency_hint": (posting.get("salaryRange") or {}).get("currency"),
        "source_category": categories.get("department")
        or categories.get("team")
        or None,
        "tags": [],
    }
