"""Freelancer.com projects API objects (``/api/projects/0.1/projects/active/``)."""

from __future__ import annotations

import json
from collections import Counter

from crawler.normalize.sources._text import html_to_text


def to_job(payload: str) -> dict:
    try:
        project = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise ValueError(f"payload is not JSON: {exc.msg}") from exc
    if not isinstance(project, dict) or "id" not in project:
        raise ValueError("payload is not a Freelancer project object")
    budget = project.get("budget") or {}
    currency = (project.get("currency") or {}).get("code")
    kind = project.get("type")
    jobs = [j for j in project.get("jobs") or [] if isinstance(j, dict)]
    categories = Counter(
        (j.get("category") or {}).get("name") for j in jobs if (j.get("category") or {}).get("name")
    )
    seo = project.get("seo_url")
    pay = None
    if kind in ("fixed", "hourly"):
        pay = {
            "min": budget.get("minimum"),
            "max": budget.get("maximum"),
            "currency": currency or "USD",
            "period": "hour" if kind == "hourly" else "project",
            "pay_type": kind,
        }
    submitted = project.get("time_submitted") or project.get("submitdate")
    return {
        "title": (project.get("title") or "").strip(),
        "description": html_to_text(project.get("description") or project.get("preview_description")),
        "url": f"https://www.freelancer.com/projects/{seo}" if seo else None,
        "company": f"freelancer-user:{project['owner_id']}" if project.get("owner_id") else None,
        "country": None,
        "location": None,
        "remote": not bool(project.get("local")),
        "posted_raw": str(submitted) if submitted is not None else None,
        "pay_text": None,
        "pay": pay,
        "currency_hint": currency,
        "source_category": categories.most_common(1)[0][0] if categories else None,
        "tags": [j.get("name") for j in jobs if j.get("name")],
    }
