"""Small text helpers shared by the per-source mappings (regex-based: BeautifulSoup is
10x slower per item, see ARCHITECTURE.md, and these run once per listing)."""

from __future__ import annotations

import html
import re
from functools import lru_cache

_BREAK_RE = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_LI_RE = re.compile(r"<\s*li\b[^>]*>", re.IGNORECASE)
_DROP_RE = re.compile(r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
_SPACES_RE = re.compile(r"[ \t\r\f\v\xa0]+")
_BLANKS_RE = re.compile(r"\n\s*\n\s*\n+")


def html_to_text(fragment: str | None) -> str:
    """Visible text of an HTML fragment: ``"a<br/>b &amp; c"`` -> ``"a\\nb & c"``.

    Scripts and styles are dropped with their content; tags become nothing, block ends
    become line breaks; entities are decoded once.
    """
    if not fragment:
        return ""
    text = _DROP_RE.sub(" ", fragment)
    text = _BREAK_RE.sub("\n", text)
    text = _LI_RE.sub("\n- ", text)
    text = _TAG_RE.sub("", text)
    text = html.unescape(text)
    text = _SPACES_RE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANKS_RE.sub("\n\n", text).strip()


@lru_cache(maxsize=64)
def _element_re(tag: str) -> re.Pattern:
    return re.compile(rf"<{tag}\b[^>]*>(.*?)</{tag}\s*>", re.DOTALL)


def inline_text(fragment: str) -> str:
    """Text of a short inline fragment (a label's value): tags dropped, entities decoded."""
    if "<" in fragment:
        fragment = _TAG_RE.sub("", fragment)
    if "&" in fragment:
        fragment = html.unescape(fragment)
    return " ".join(fragment.split())


def xml_text(item: str, tag: str) -> str | None:
    """Text of the first ``<tag>`` in an XML fragment, CDATA unwrapped, entities decoded."""
    m = _element_re(tag).search(item)
    if not m:
        return None
    value = m.group(1).strip()
    if value.startswith("<![CDATA[") and value.endswith("]]>"):
        return value[9:-3]
    return html.unescape(value)


def json_object(payload: str, what: str, *, has_id: bool = True) -> dict:
    """The JSON object of a payload; ValueError naming ``what`` when it is not one.

    ``json_object('{"id": 1}', "Remotive job")`` -> ``{"id": 1}``.
    """
    import json

    try:
        obj = json.loads(payload)
    except json.JSONDecodeError as exc:
        raise ValueError(f"payload is not JSON: {exc.msg}") from exc
    if not isinstance(obj, dict) or (has_id and obj.get("id") in (None, "")):
        raise ValueError(f"payload is not a {what} object")
    return obj


def guarded(to_job):
    """Decorator for a source's ``to_job``: a payload whose fields have unexpected shapes
    (a list where an object belongs, ``true`` for a date...) is refused with ValueError,
    the mappings' one error, instead of leaking TypeError or AttributeError."""
    import functools

    @functools.wraps(to_job)
    def wrapper(payload: str) -> dict:
        try:
            return to_job(payload)
        except ValueError:
            raise
        except (TypeError, AttributeError, KeyError, IndexError, OverflowError) as exc:
            raise ValueError(f"unexpected field shape: {type(exc).__name__}: {exc}") from exc

    return wrapper
