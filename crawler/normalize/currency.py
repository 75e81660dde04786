"""Currency signs next to a number -> ISO 4217 code, from CLDR (pure, no I/O after import).

The table ``data/currency_signs.json`` is generated from the Unicode CLDR as Babel ships
it (``data/make_currency_signs.py``): symbols, names and plural names of every current
currency in every locale, in every script ("€", "Kč", "zł", "₽", "руб.", "円", "euros",
"złotych" ...), plus ISO codes.  A sign CLDR gives to several currencies without one
dominating is *ambiguous* ("$", "kr", "¥", "Rs"): :func:`resolve` settles it with the
source's hint or the posting's country, else reports it; it never guesses USD.
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from pathlib import Path

from crawler.normalize.countries import parse_country

_PATH = Path(__file__).parent / "data" / "currency_signs.json"
# Loaded on first use (~60 ms): commands that never read pay do not pay for it.
CODES: frozenset[str] = frozenset()
_DECIMALS: dict[str, int] = {}
_SIGNS: dict[str, str | tuple[str, ...]] = {}
_TERRITORY: dict[str, str] = {}
_CASED: dict[str, str | tuple[str, ...]] = {}
_DECIMAL_COMMA: set[str] = set()
_ALSO: dict[str, tuple[str, ...]] = {}


_LOCK = threading.Lock()
_LOADED = False


def _load() -> None:
    global CODES, _LOADED
    with _LOCK:
        if _LOADED:
            return
        data = json.loads(_PATH.read_text(encoding="utf-8"))
        _DECIMALS.update(data["decimals"])
        _TERRITORY.update(data["territory_currency"])
        _SIGNS.update(
            (k, v if isinstance(v, str) else tuple(v)) for k, v in data["signs"].items()
        )
        _CASED.update(
            (k, v if isinstance(v, str) else tuple(v)) for k, v in data["cased"].items()
        )
        _DECIMAL_COMMA.update(data["decimal_comma"])
        _ALSO.update((k, tuple(v)) for k, v in data["also"].items())
        CODES = frozenset(data["codes"])
        _LOADED = True  # last: another thread sees all of the table or loads it


def decimals(code: str | None) -> int:
    """Digits after the decimal point of ``code``: ``decimals("KWD")`` -> 3 (2 if unknown)."""
    if not _LOADED:
        _load()
    return _DECIMALS.get(code or "", 2)


def decimal_comma(code: str | None) -> bool:
    """True when ``code`` has three decimals written after a comma: ``"TND"``."""
    if not _LOADED:
        _load()
    return code in _DECIMAL_COMMA


_MAX_BEFORE = 12  # longest sign written before a number ("CDN$", "руб.", "US$")
_MAX_AFTER = 28  # signs after a number may be names of up to 3 words ("Swiss francs")

_NO_CENTS = frozenset({",-", ".-"})

Sign = tuple[str, "str | tuple[str, ...]"]  # (the sign as written, code or candidates)


def _lookup(cand: str) -> str | tuple[str, ...] | None:
    if not _LOADED:
        _load()
    if (
        len(cand) == 3 and cand in CODES
    ):  # codes in capitals only: "try", "all" are words
        return cand
    cased = _CASED.get(cand)  # "KM", "DA": signs only in capitals
    if cased is not None:
        return cased
    if len(cand) == 1:
        return _SIGNS.get(cand)
    key = cand.casefold()
    # Abbreviations are written with and without their final dot ("Bs."/"Bs", "ر.س").
    value = _SIGNS.get(key)
    if value is None:
        value = _SIGNS.get(key[:-1] if key[-1] == "." else key + ".")
    return value


def sign_value(written: str) -> str | tuple[str, ...] | None:
    """The ISO code of a sign, or its candidates when ambiguous: ``"Rs"`` -> ``("INR",
    "PKR", ...)``; None when it is no sign."""
    return _lookup(written)


_RUN_BEFORE_RE = re.compile(rf"[^\s\d]{{1,{_MAX_BEFORE}}}$")
_RUN_AFTER_RE = re.compile(rf"\D{{1,{_MAX_AFTER}}}")


def _spaced(ch: str) -> bool:
    """False for letters of scripts written without spaces between words (CJK, kana,
    hangul, Thai ...): "円以上" is 円 then 以上, not one word."""
    return ch < "\u0e00" or "\u0f00" <= ch < "\u2e80"


@lru_cache(maxsize=4096)
def _suffix_sign(run: str) -> tuple[int, str | tuple[str, ...]] | None:
    """(start, value) of the longest suffix of ``run`` that is a sign, not cut from a word."""
    for i in range(len(run)):
        cand = run[i:]
        if i and cand[0].isalpha() and run[i - 1].isalpha() and _spaced(cand[0]):
            continue  # inside a word: the "R" of "EUR", the "kr" of "Ukr"
        value = _lookup(cand)
        if value is not None:
            return i, value
    return None


@lru_cache(maxsize=4096)
def _prefix_sign(text: str) -> tuple[int, str | tuple[str, ...]] | None:
    """(end, value) of the longest prefix of ``text`` that is a sign ending a word."""
    for end in range(len(text), 0, -1):
        last = text[end - 1]
        if last == " " or (
            end < len(text) and last.isalpha() and text[end].isalpha() and _spaced(last)
        ):
            continue
        value = _lookup(text[:end])
        if value is not None:
            return end, value
    return None


def sign_before(s: str, pos: int) -> tuple[Sign | None, int]:
    """The currency sign ending at ``pos`` (one space allowed): ``sign_before("US$ 5", 4)``
    -> ``(("US$", "USD"), 0)``; ``(None, pos)`` when there is none."""
    j = pos - 1 if pos and s[pos - 1] == " " else pos
    if j and s[j - 1] == ":":  # "US$: 12.99", "EUR:12": a sign labelling the amount
        j -= 1
    m = _RUN_BEFORE_RE.search(s, max(0, j - _MAX_BEFORE), j)
    found = _suffix_sign(m.group()) if m else None
    if found is None:
        return None, pos
    k = m.start() + found[0]
    cand, value = s[k:j], found[1]
    if not isinstance(value, str) and k > 1 and s[k - 1] == " ":
        # "US $1,099": a prefix written apart from an ambiguous sign.
        w = k - 1
        while w > 0 and s[w - 1].isalpha() and k - w < 4:
            w -= 1
        # In capitals only: "a $3" is Spanish "to $3", not A$.
        prefix = s[w : k - 1]
        joined = _lookup(prefix + cand) if prefix.isupper() else None
        if isinstance(joined, str):
            return (s[w:j], joined), w
    return (cand, value), k


def sign_after(s: str, pos: int) -> tuple[Sign | None, int]:
    """The currency sign starting at ``pos`` (one space allowed): ``sign_after("299 Kč", 3)``
    -> ``(("Kč", "CZK"), 6)``; ``(None, pos)`` when there is none."""
    if s[pos : pos + 2] in _NO_CENTS:  # "2 299,- €", "12.-€": no cents
        pos += 3 if s[pos + 2 : pos + 3] == "-" else 2
    j = pos + 1 if pos < len(s) and s[pos] == " " else pos
    if s[j : j + 1] == "." and "\u0600" <= s[j + 1 : j + 2] <= "\u06ff":
        j += 1  # ".د.ب": the final dot of an Arabic abbreviation, typed in visual order
    m = _RUN_AFTER_RE.match(s, j)
    found = _prefix_sign(m.group()) if m else None
    if found is None:
        return None, pos
    end, value = found
    return (s[j : j + end], value), j + end


@lru_cache(maxsize=1024)
def country_currency(country: str | None) -> str | None:
    """The currency of a country given as ISO code or name in any language, read by the
    project's country normalizer: ``"CA"`` -> ``"CAD"``, ``"USA"`` -> ``"USD"``,
    ``"Norge"`` -> ``"NOK"``; None when unknown."""
    if not isinstance(country, str) or not country.strip():
        return None
    if not _LOADED:
        _load()
    c = country.strip()
    code = c.upper() if c.upper() in _TERRITORY else parse_country(c)  # "UK": GB
    return _TERRITORY.get(code) if code else None


def clean_hint(hint: str | None) -> str | None:
    """A source's currency hint as an ISO code, or None when it is not one."""
    if not isinstance(hint, str):
        return None
    if not _LOADED:
        _load()
    code = hint.strip().upper()
    return code if code in CODES else None


def settle(written: str, country: str | None) -> str | None:
    """The currency an ambiguous sign means in ``country``, if it is one of the sign's:
    ``settle("kr", "NO")`` -> ``"NOK"``; ``settle("$", "DE")`` -> None."""
    value = _lookup(written)
    local = country_currency(country)
    return local if local and isinstance(value, tuple) and local in value else None


def dollar_abroad(written: str, country: str | None) -> str | None:
    """The US dollar for a dollar sign written in a country with no dollar or peso of its own
    (``dollar_abroad("$", "UA")`` -> ``"USD"``: Ukrainian and German postings quote
    salaries in US dollars); None where the country's own currency is one of the sign's
    (``"$"`` in Canada is settled by :func:`settle`) or the country is unknown."""
    value = _lookup(written)
    local = country_currency(country)
    if local is None or not isinstance(value, tuple) or "USD" not in value:
        return None
    return "USD" if local not in value else None


def local_reading(written: str, country: str | None) -> str | None:
    """The currency a sign read as one currency means in ``country`` when that country
    uses the sign for its own: ``local_reading("元", "TW")`` -> ``"TWD"``; else None."""
    if not _LOADED:
        _load()
    key = written.casefold()
    also = _ALSO.get(key) or _ALSO.get(key.rstrip("."), ())
    local = country_currency(country) if also else None
    return local if local in also else None


def has_local_reading(written: str) -> bool:
    """True when some country reads ``written`` as its own currency (see ALSO)."""
    if not _LOADED:
        _load()
    key = written.casefold()
    return key in _ALSO or key.rstrip(".") in _ALSO


def resolve(
    sign: Sign | None, *, hint: str | None, country: str | None
) -> tuple[str | None, str]:
    """(ISO code or None, rule): the text's unambiguous sign wins (``code``/``symbol``);
    an ambiguous one takes the hint (``hint``) or the country's currency (``country``)
    when it is a candidate, else ``(None, "ambiguous:$")``; no sign takes the hint, else
    ``(None, "no_currency")``."""
    hint = clean_hint(hint)
    if sign is None:
        return (hint, "hint") if hint else (None, "no_currency")
    written, value = sign
    if isinstance(value, str):
        return value, "code" if written == value else "symbol"
    if hint in value:
        return hint, "hint"
    local = country_currency(country)
    if local in value:
        return local, "country"
    return None, f"ambiguous:{written}"
