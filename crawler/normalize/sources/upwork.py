"""Upwork job RSS items (the public feeds Upwork served until 2024).

The item's description is HTML: a free-text body, then labelled lines such as
``<b>Hourly Range</b>: $30.00-$54.00``, ``<b>Budget</b>: $500``,
``<b>Posted On</b>: July 19, 2024 04:41 UTC``, ``<b>Category</b>: Mobile App Development``,
``<b>Skills</b>:Java,     Kotlin`` and ``<b>Country</b>: United States``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

from crawler.normalize.sources._text import guarded, html_to_text, inline_text, xml_text

_LABEL_NAME_RE = re.compile(r"[A-Za-z ]+")
_VALUE_END_RE = re.compile(r"<br\s*/?>|<a\b")
_ID_RE = re.compile(r"~0[0-9][0-9a-zA-Z]{6,}")
_SUFFIX = " - Upwork"


def job_id_from_link(link: str | None) -> str | None:
    """``https://www.upwork.com/jobs/Title_%7E01abc?source=rss`` -> ``~01abc``."""
    if not link:
        return None
    m = _ID_RE.search(unquote(link))
    return m.group(0) if m else None


@lru_cache(maxsize=1024)
def _label_key(label: str) -> str | None:
    """``" Posted On"`` -> ``"posted on"``; None for text that is not a label name."""
    label = label.strip()
    return label.lower() if label and _LABEL_NAME_RE.fullmatch(label) else None


def labelled_fields(description: str) -> tuple[str, dict[str, str]]:
    """Split an item description into its free-text body and its labelled lines.

    A label is ``<b>Letters and spaces</b>:``; its value runs to the next ``<br>``,
    ``<b>`` or ``<a>``; the first of a repeated label wins.  String splits, not one
    regex over the whole description.
    """
    first = description.find("<b>")
    if first < 0:
        return description, {}
    fields: dict[str, str] = {}
    for part in description[first + 3 :].split("<b>"):
        close = part.find("</b>")
        if close < 0:
            continue
        label = _label_key(part[:close])
        if label is None or label in fields:
            continue
        rest = part[close + 4 :].lstrip()
        if not rest.startswith(":"):
            continue
        value = rest[1:]
        if "<" in value:
            end = _VALUE_END_RE.search(value)
            if end:
                value = value[: end.start()]
        fields[label] = inline_text(value)
    return description[:first], fields


@guarded
def to_job(payload: str) -> dict:
    if payload.startswith("{"):  # a row of the shared Upwork CSV (jobtrends import)
        from crawler.normalize.sources.upwork_csv import to_job as csv_row_to_job

        return csv_row_to_job(payload)
    title = xml_text(payload, "title")
    link = xml_text(payload, "link") or xml_text(payload, "guid")
    description = xml_text(payload, "description") or xml_text(
        payload, "content:encoded"
    )
    if not title and not description:
        raise ValueError("item has neither title nor description")
    title = (title or "").strip()
    if title.endswith(_SUFFIX):
        title = title[: -len(_SUFFIX)].rstrip()
    body, fields = labelled_fields(description or "")
    if "hourly range" in fields:
        pay_text = f"Hourly Range: {fields['hourly range']}"
    elif "budget" in fields:
        pay_text = f"Budget: {fields['budget']}"
    else:
        pay_text = None
    skills = [s for s in map(str.strip, fields.get("skills", "").split(",")) if s]
    return {
        "title": title,
        "description": html_to_text(body),
        "url": link,
        "company": None,  # the feeds never named the client
        "country": fields.get("country") or None,
        "location": fields.get("country") or None,
        "remote": True,
        "posted_raw": fields.get("posted on") or xml_text(payload, "pubDate"),
        "pay_text": pay_text,
        "pay": None,
        # Upwork states every budget and rate in US dollars (the platform's one currency).
        "currency_hint": "USD",
        "source_category": fields.get("category") or None,
        "tags": skills,
        "hourly_without_range": "hourly range" not in fields and "budget" not in fields,
    }
