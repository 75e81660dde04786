"""We Work Remotely RSS items (``/categories/<slug>.rss``, ``/remote-jobs.rss``).

The title is ``"Company: Role"``; ``<region>`` says where candidates may live,
``<category>`` and ``<type>`` are WWR's own labels, ``<pubDate>`` is RFC 822 and the
``<description>`` is escaped HTML opening with the company's headquarters and URL.
Salaries, when stated, sit in the description text.
"""

from __future__ import annotations

import re

from crawler.normalize.sources._jobboard import (
    country_from_location,
    pay_sentence,
    rich_text,
)
from crawler.normalize.sources._text import guarded, xml_text

_ID_RE = re.compile(r"/remote-jobs/([A-Za-z0-9][A-Za-z0-9_-]*)")


def listing_id_from_url(url: str | None) -> str | None:
    """``https://weworkremotely.com/remote-jobs/acme-senior-dev`` -> ``"acme-senior-dev"``."""
    m = _ID_RE.search(url or "")
    return m.group(1) if m else None


@guarded
def to_job(payload: str) -> dict:
    raw_title = xml_text(payload, "title")
    if raw_title is None:
        raise ValueError("item has no title")
    company, sep, role = raw_title.partition(": ")
    if not sep:
        company, role = "", raw_title
    description = rich_text(xml_text(payload, "description"))
    region = (xml_text(payload, "region") or "").strip() or None
    return {
        "title": role.strip(),
        "description": description,
        "url": xml_text(payload, "link") or xml_text(payload, "guid"),
        "company": company.strip() or None,
        "country": country_from_location(region),
        "location": region,
        "remote": True,
        "posted_raw": xml_text(payload, "pubDate"),
        "pay_text": pay_sentence(description),
        "pay": None,
        "currency_hint": None,
        "source_category": xml_text(payload, "category") or None,
        "tags": [],  # the feeds carry no skill tags; skills come from the text
    }
