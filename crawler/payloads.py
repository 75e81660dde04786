"""How a listing's exact payload is cut out of a response, shared by spiders, imports and synth.

- XML feeds (RSS): the ``<item>...</item>`` text exactly as it stands in the feed.
- JSON APIs: the listing's object, serialized compactly with keys in source order
  (``json_payload``); parsing and re-serializing keeps every field and value.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
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


#: Deepest JSON nesting accepted (real listings nest a few levels; hostile ones 10**6).
MAX_JSON_DEPTH = 64
#: Longest integer accepted, in digits (Python refuses more than 4,300 anyway).
MAX_JSON_DIGITS = 300


class BadJson(ValueError):
    """JSON that cannot be used: ``reason`` is ``bad_json``, ``too_deep`` or ``bad_number``."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


class Poison:
    """A value that stood where the page had a too-deep or too-long part (tolerant reads).

    ``json_payload`` refuses any object holding one, so the listing around it is skipped
    with ``reason`` while the other listings of the page are kept.
    """

    __slots__ = ("detail", "reason")

    def __init__(self, reason: str, detail: str):
        self.reason, self.detail = reason, detail

    def __repr__(self) -> str:
        return f"<{self.reason}>"


def _refuse(obj):
    if isinstance(obj, Poison):
        raise BadJson(obj.reason, obj.detail)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def json_payload(obj) -> str:
    """The compact JSON of a listing; BadJson when it holds a :class:`Poison` value."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=_refuse)


def json_excerpt(obj, limit: int = 300) -> str:
    """Up to ``limit`` characters of ``obj`` as JSON, for a skip record; never raises."""
    try:
        return json_payload(obj)[:limit]
    except (BadJson, RecursionError, ValueError, TypeError):
        return repr(obj)[:limit]


def _depth(obj) -> int:
    """Nesting depth of parsed JSON, without recursion (only asked of bracket-rich text)."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((v, level + 1) for v in value)
    return deepest


def load_json(text: str | bytes, *, strict: bool = True):
    """Parse one JSON document (a line, a block) or raise :class:`BadJson` with a reason.

    Limits: nesting ``MAX_JSON_DEPTH`` (``too_deep``), integers ``MAX_JSON_DIGITS``
    digits (``bad_number``); anything else unparseable is ``bad_json``.
    """
    try:
        data = json.loads(text, strict=strict)
    except RecursionError:
        raise BadJson(
            "too_deep", f"nested deeper than {MAX_JSON_DEPTH} levels"
        ) from None
    except json.JSONDecodeError as exc:
        raise BadJson("bad_json", str(exc)) from None
    except UnicodeDecodeError as exc:
        raise BadJson("bad_json", f"not UTF-8: {exc}") from None
    except ValueError as exc:  # int() refusing a number of thousands of digits
        raise BadJson("bad_number", str(exc)[:200]) from None
    if isinstance(data, (dict, list)):
        brackets = (
            text.count(b"[") + text.count(b"{")
            if isinstance(text, bytes)
            else text.count("[") + text.count("{")
        )
        if brackets > MAX_JSON_DEPTH and _depth(data) > MAX_JSON_DEPTH:
            raise BadJson("too_deep", f"nested deeper than {MAX_JSON_DEPTH} levels")
    return data


_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _end_of_value(string: str, start: int) -> int:
    """Index just past the bracketed value opening at ``start`` (no recursion)."""
    level = 0
    for match in _TOKEN_RE.finditer(string, start):
        token = match.group(0)
        if token in "[{":
            level += 1
        elif token in "]}":
            level -= 1
            if level == 0:
                return match.end()
    raise json.JSONDecodeError("unterminated nested value", string, start)


def _parse_int(digits: str):
    if len(digits.lstrip("-")) > MAX_JSON_DIGITS:
        return Poison("bad_number", f"an integer of {len(digits)} digits")
    return int(digits)


def _guarded(parse, depth: list[int]):
    def parse_nested(s_and_end, *args):
        depth[0] += 1
        try:
            if depth[0] > MAX_JSON_DEPTH:
                string, idx = s_and_end
                detail = f"nested deeper than {MAX_JSON_DEPTH} levels"
                return Poison("too_deep", detail), _end_of_value(string, idx - 1)
            return parse(s_and_end, *args)
        finally:
            depth[0] -= 1

    return parse_nested


def load_json_tolerant(text: str, *, strict: bool = True):
    """Parse a whole page, putting a :class:`Poison` where a part is too deep or too long.

    ``load_json_tolerant('[{"id": 1}, {"id": 2, "n": 1e5000...}]')``: the first object
    is as usual, the second holds a Poison (its listing is skipped, not the page).
    Pure Python: used only after :func:`load_json` refused the page.  Raises BadJson
    (``bad_json``) when the text is not JSON at all.
    """
    depth = [0]
    decoder = json.JSONDecoder(strict=strict, parse_int=_parse_int)
    decoder.parse_object = _guarded(json.decoder.JSONObject, depth)
    decoder.parse_array = _guarded(json.decoder.JSONArray, depth)
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise BadJson("bad_json", str(exc)) from None
    except (RecursionError, ValueError) as exc:
        raise BadJson("bad_json", f"{type(exc).__name__}: {exc}"[:200]) from None


def load_json_page(body: str | bytes, *, strict: bool = True):
    """A response's JSON: fast, or tolerant when one part of it is poison (see above)."""
    try:
        return load_json(body, strict=strict)
    except BadJson as exc:
        if exc.reason == "bad_json":
            raise
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return load_json_tolerant(text, strict=strict)


def rss_items(body: bytes) -> list[str]:
    """Each ``<item>`` element of an RSS document, byte-exact, decoded as UTF-8."""
    return [m.group(0).decode("utf-8", "replace") for m in _ITEM_RE.finditer(body)]
