"""Greenhouse job board API job objects (``/v1/boards/{token}/jobs?content=true``).

``content`` is HTML written with entities (``&lt;p&gt;...``), so it is unescaped once
before its tags are stripped.  Pay appears either in Greenhouse's pay-transparency block
(``<div class="pay-range"><span>$120,000</span>...<span>$150,000 USD</span></div>``) or
in a sentence of the text.  ``updated_at`` and ``first_published`` are ISO 8601 with
offset; ``departments`` carry the board's own team names.
"""

from __future__ import annotations

import html
import re

from crawler.normalize.sources._jobboard import (
    country_from_location,
    pay_sentence,
    remote_from,
    rich_text,
)
from crawler.normalize.sources._text import guarded, html_to_text, json_object

_PAY_BLOCK_RE = re.compile(
    r'<div class="title">(.*?)</div>\s*<div class="pay-range">(.*?)</div>', re.DOTALL
)
_SPAN_RE = re.compile(r'<span(?![^>]*class="divider")[^>]*>(.*?)</span>', re.DOTALL)
_BOARD_RE = re.compile(r"greenhouse\.io/(?:embed/job_app\?for=)?([A-Za-z0-9_-]+)")


def pay_block(content_html: str) -> str | None:
    """Greenhouse's pay-transparency block as text: ``"Annual Salary: $120,000 - $150,000 USD"``."""
    m = _PAY_BLOCK_RE.search(content_html)
    if not m:
        return None
    bounds = [html_to_text(s) for s in _SPAN_RE.findall(m.group(2))]
    return f"{html_to_text(m.group(1))}: {' - '.join(b for b in bounds if b)}"


@guarded
def to_job(payload: str) -> dict:
    job = json_object(payload, "Greenhouse job")
    content = job.get("content") or ""
    description = rich_text(content)
    location = ((job.get("location") or {}).get("name") or "").strip() or None
    offices = [
        o.get("location") or o.get("name")
        for o in job.get("offices") or []
        if isinstance(o, dict)
    ]
    departments = [
        d.get("name")
        for d in job.get("departments") or []
        if isinstance(d, dict) and d.get("name")
    ]
    board = _BOARD_RE.search(job.get("absolute_url") or "")
    return {
        "title": (job.get("title") or "").strip(),
        "description": description,
        "url": job.get("absolute_url"),
        "company": job.get("company_name") or (board.group(1) if board else None),
        "country": country_from_location(location)
        or (country_from_location(offices[0]) if len(offices) == 1 else None),
        "location": location,
        "remote": remote_from(location, job.get("title")),
        "posted_raw": job.get("first_published") or job.get("updated_at"),
        "pay_text": pay_block(html.unescape(content)) or pay_sentence(description),
        "pay": None,
        "currency_hint": None,
        "source_category": departments[0] if departments else None,
        "tags": [],  # boards list no skills; skills come from the text
    }
