"""How a listing's exact payload is cut out of a response, shared by spiders, imports and synth.

- XML feeds (RSS): the ``<item>...</item>`` text exactly as it stands in the feed.
- JSON APIs: the listing's object, serialized compactly with keys in source order
  (``json_payload``); parsing and re-serializing keeps every field and value.
"""

from __future__ import annotations

import json
import re

#: English month names as the sources write them ("Posted On: July 19, 2024",
#: "Ask HN: Who is hiring? (November 2022)"); not locale-dependent like calendar.month_name.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_ITEM_RE = re.compile(rb"<item\b[^>]*>.*?</item\s*>", re.S)


def json_payload(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def rss_items(body: bytes) -> list[str]:
    """Each ``<item>`` element of an RSS document, byte-exact, decoded as UTF-8."""
    return [m.group(0).decode("utf-8", "replace") for m in _ITEM_RE.finditer(body)]
