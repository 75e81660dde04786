"""RemoteOK API job objects (``https://remoteok.com/api``).

``salary_min``/``salary_max`` are yearly USD figures, 0 when the posting states none;
``date`` is ISO 8601 with offset and ``epoch`` the same instant in seconds.  Every
RemoteOK job is remote; ``location`` says where candidates may live.
"""

from __future__ import annotations

from crawler.normalize.sources._jobboard import country_from_location, rich_text
from crawler.normalize.sources._text import guarded, json_object


def _salary_bound(value) -> float | None:
    """A salary figure, None for the API's 0 / "" / null meaning "not stated"."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@guarded
def to_job(payload: str) -> dict:
    job = json_object(payload, "RemoteOK job")
    low, high = (
        _salary_bound(job.get("salary_min")),
        _salary_bound(job.get("salary_max")),
    )
    pay = None
    if low or high:
        pay = {
            "min": low,
            "max": high,
            "currency": "USD",
            "period": "year",
            "pay_type": "salary",
        }
    posted = job.get("date") or (str(job["epoch"]) if job.get("epoch") else None)
    location = (job.get("location") or "").strip() or None
    return {
        "title": (job.get("position") or "").strip(),
        "description": rich_text(job.get("description")),
        "url": job.get("url") or job.get("apply_url"),
        "company": (job.get("company") or "").strip() or None,
        "country": country_from_location(location),
        "location": location,
        "remote": True,
        "posted_raw": posted,
        "pay_text": None,
        "pay": pay,
        "currency_hint": "USD",
        "source_category": None,  # RemoteOK has tags only; the text rules categorize
        "tags": [t for t in job.get("tags") or [] if isinstance(t, str) and t.strip()],
    }
