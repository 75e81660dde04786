"""Small text helpers shared by the per-source mappings (regex-based: BeautifulSoup is
10x slower per item, see ARCHITECTURE.md, and these run once per listing)."""

from __future__ import annotations

import html
import re

_BREAK_RE = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_LI_RE = re.compile(r"<\s*li\b[^>]*>", re.IGNORECASE)
_DROP_RE = re.compile(
    r"<\s*(script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL
)
_TAG_RE = re.compile(r"<[^>]+>")
_SPACES_RE = re.compile(r"[ \t\r\f\v\xa0]+")
_BLANKS_RE = re.compile(r"\n\s*\n\s*\n+")


def _has_odd_space(text: str) -> bool:
    return "\t" in text or "\r" in text or "\f" in text or "\v" in text


def html_to_text(fragment: str | None) -> str:
    """Visible text of an HTML fragment: ``"a<br/>b &amp; c"`` -> ``"a\\nb & c"``.

    Scripts and styles are dropped with their content; tags become nothing, block ends
    become line breaks; entities are decoded once.  Fragments whose only tags are
    ``<br />`` (most feed bodies) skip the regexes.
    """
    if not fragment:
        return ""
    text = fragment
    if "<" in text:
        text = text.replace("<br />", "\n").replace("<br/>", "\n").replace("<br>", "\n")
        if "<" in text:
            text = _DROP_RE.sub(" ", text)
            text = _BREAK_RE.sub("\n", text)
            text = _LI_RE.sub("\n- ", text)
            text = _TAG_RE.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    if "  " in text or not text.isascii() or _has_odd_space(text):
        text = _SPACES_RE.sub(" ", text)
    if "\n" in text:
        text = "\n".join(map(str.strip, text.split("\n")))
        if "\n\n\n" in text:
            text = _BLANKS_RE.sub("\n\n", text)
    return text.strip()


def inline_text(fragment: str) -> str:
    """Text of a short inline fragment (a label's value): tags dropped, entities decoded."""
    if "<" in fragment:
        fragment = _TAG_RE.sub("", fragment)
    if "&" in fragment:
        fragment = html.unescape(fragment)
    return " ".join(fragment.split())


def xml_text(item: str, tag: str) -> str | None:
    """Text of the first ``<tag>`` in an XML fragment, CDATA unwrapped, entities decoded.

    Plain string searches (no regex): this runs several times per listing.
    """
    opening, closing = "<" + tag, "</" + tag
    start = item.find(opening)
    while start >= 0:  # "<tag" must end the name: "<tag>", "<tag attr=...>"
        after = item[start + len(opening) : start + len(opening) + 1]
        if after and not (after.isalnum() or after == "_"):
            break
        start = item.find(opening, start + 1)
    if start < 0:
        return None
    content = item.find(">", start) + 1
    if content <= 0:
        return None
    end = item.find(closing, content)
    while end >= 0:  # "</tag" then optional spaces then ">"
        rest = end + len(closing)
        while rest < len(item) and item[rest] in " \t\r\n":
            rest += 1
        if item[rest : rest + 1] == ">":
            break
        end = item.find(closing, end + 1)
    if end < 0:
        return None
    value = item[content:end].strip()
    if value.startswith("<![CDATA[") and value.endswith("]]>"):
        return value[9:-3]
    return html.unescape(value) if "&" in value else value


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
            raise ValueError(
                f"unexpected field shape: {type(exc).__name__}: {exc}"
            ) from exc

    return wrapper
