"""Top-level comments of "Ask HN: Who is hiring?" threads (Algolia HN API objects).

Two shapes, one per endpoint: search hits (``objectID``, ``comment_text``, ``author``,
``created_at``, ``created_at_i``, ``story_id``, ``parent_id``) and item-tree nodes (``id``,
``text``, same dates).  The text is HN's HTML: the first paragraph has no ``<p>``, later
ones start with ``<p>``, slashes are escaped (``&#x2F;``).  By the thread's rules the first
line reads ``Company | Role | Location | REMOTE | $150k-$200k`` in some order; the parts
are sorted out by what they look like (_hn_header.py).
"""

from __future__ import annotations

import html
import json
import re

from crawler.normalize.sources._hn_header import parse_header
from crawler.normalize.sources._text import guarded, html_to_text

_FIRST_P_RE = re.compile(r"<p\b|<br\s*/?>|\n", re.IGNORECASE)

_P_RE = re.compile(r"<p\b[^>]*>", re.IGNORECASE)


def comment_text(comment_html: str) -> str:
    """Plain text with HN's paragraphs kept: ``"a<p>b"`` -> ``"a\\n\\nb"`` (HN opens
    paragraphs with a bare ``<p>`` and never closes them)."""
    return html_to_text(_P_RE.sub("\n\n", comment_html))


def short_title(line: str, limit: int = 100) -> str:
    """A prose first line cut to its first sentence, at most ``limit`` characters on a word."""
    sentence = re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + " ..."


def first_line(comment_html: str) -> str:
    """The comment's first line as text: ``"Acme | SRE | NYC<p>We..."`` -> ``"Acme | SRE | NYC"``."""
    head = _FIRST_P_RE.split(comment_html, maxsplit=1)[0]
    return html_to_text(head).strip()


@guarded
def to_job(payload: str) -> dict:
    try:
        comment = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise ValueError(f"payload is not JSON: {exc.msg}") from exc
    if not isinstance(comment, dict):
        raise ValueError("payload is not an HN comment object")  # noqa: TRY004 - the contract
    body = comment.get("comment_text") or comment.get("text")
    if not body:
        raise ValueError("comment has no text (deleted or dead)")
    comment_id = comment.get("objectID") or comment.get("id")
    head = parse_header(first_line(body))
    text = comment_text(body)
    title = head["title"] or (
        short_title(first_line(body)) if head["company"] is None else None
    )
    return {
        "title": html.unescape(title or ""),
        "description": text,
        "url": f"https://news.ycombinator.com/item?id={comment_id}"
        if comment_id
        else None,
        "company": head["company"],
        # The one country the location names ("NYC, NY", "Remote (US)"), else None; it
        # settles an ambiguous "$"/"£" of the pay part.
        "country": head["country"],
        "location": head["location"],
        "remote": head["remote"],
        "posted_raw": comment.get("created_at")
        or (str(comment["created_at_i"]) if comment.get("created_at_i") else None),
        "pay_text": head["pay_text"],
        "pay": None,
        "currency_hint": None,
        "source_category": None,  # HN has no categories: the normalizer's text rules decide
        "tags": [],
    }
