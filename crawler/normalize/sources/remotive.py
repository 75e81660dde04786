"""Remotive API job objects (``https://remotive.com/api/remote-jobs``).

``salary`` is free text as the employer typed it ("$50k - $70k", "€4,000/month", "");
``publication_date`` is ISO 8601 without a zone (UTC); ``category`` is Remotive's own
category name ("Software Development", "Customer Service", ...).
"""

from __future__ import annotations

from crawler.normalize.sources._jobboard import country_from_location, rich_text
from crawler.normalize.sources._text import guarded, json_object


@guarded
def to_job(payload: str) -> dict:
    job = json_object(payload, "Remotive job")
    location = (job.get("candidate_required_location") or "").strip() or None
    salary = (job.get("salary") or "").strip()
    return {
        "title": (job.get("title") or "").strip(),
        "description": rich_text(job.get("description")),
        "url": job.get("url"),
        "company": (job.get("company_name") or "").strip() or None,
        "country": country_from_location(location),
        "location": location,
        "remote": True,
        "posted_raw": job.get("publication_date"),
        "pay_text": salary or None,
        "pay": None,
        "currency_hint": None,
        "source_category": job.get("category") or None,
        "tags": [t for t in job.get("tags") or [] if isinstance(t, str) and t.strip()],
    }
