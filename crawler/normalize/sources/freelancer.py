"""Freelancer.com projects API objects (``/api/projects/0.1/projects/active/``)."""

from __future__ import annotations

from operator import itemgetter

from crawler.normalize.sources._text import guarded, html_to_text, json_object


@guarded
def to_job(payload: str) -> dict:
    project = json_object(payload, "Freelancer project")
    budget = project.get("budget") or {}
    currency = (project.get("currency") or {}).get("code")
    kind = project.get("type")
    jobs = [j for j in project.get("jobs") or [] if isinstance(j, dict)]
    categories: dict = {}  # name -> jobs naming it, in first-seen order
    for j in jobs:
        name = (j.get("category") or {}).get("name")
        if name:
            categories[name] = categories.get(name, 0) + 1
    seo = project.get("seo_url")
    pay = None
    if kind in ("fixed", "hourly"):
        pay = {
            "min": budget.get("minimum"),
            "max": budget.get("maximum"),
            "currency": currency,
            "period": "hour" if kind == "hourly" else "project",
            "pay_type": kind,
        }
    submitted = project.get("time_submitted") or project.get("submitdate")
    return {
        "title": (project.get("title") or "").strip(),
        "description": html_to_text(
            project.get("description") or project.get("preview_description")
        ),
        "url": f"https://www.freelancer.com/projects/{seo}" if seo else None,
        "company": f"freelancer-user:{project['owner_id']}"
        if project.get("owner_id")
        else None,
        "country": None,
        "location": None,
        "remote": not bool(project.get("local")),
        "posted_raw": str(submitted) if submitted is not None else None,
        "pay_text": None,
        "pay": pay,
        "currency_hint": currency,
        # the most frequent, the first seen of equals (as Counter.most_common(1))
        "source_category": max(categories.items(), key=itemgetter(1))[0]
        if categories
        else None,
        "tags": [j.get("name") for j in jobs if j.get("name")],
    }
