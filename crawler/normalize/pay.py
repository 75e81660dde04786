"""Pay text -> :class:`Pay` (kind, range, ISO currency, period), pure and total.

Rules, in order (each documented decision is tested in tests/test_normalize_pay.py):

* **Kind prefix.** Upwork's ``Hourly Range: ...`` means hourly/hour; ``Budget: ...`` and
  ``Fixed price`` mean fixed/project.
* **Explicit unit wins.** ``/hr``, ``per hour``, ``an hour``, ``hourly`` -> hour; ``/day``,
  ``daily`` -> day; ``/wk`` -> week; ``/mo``, ``monthly`` -> month; ``/yr``, ``a year``,
  ``p.a.``, ``annual`` -> year.  Pay type follows the period: hour/day/week are time-based
  contract rates (``hourly``), month/year are salaries (``salary``), project is ``fixed``.
  With a stated unit the size of the number is never used to second-guess it.
* **No unit.** An amount written with ``k`` or >= 10,000 is a yearly salary; a smaller
  amount <= 250 is an hourly rate; anything in between (250 < x < 10,000) is a fixed
  project budget.  These size rules apply only when no unit is stated.
* **Currency.** A 3-letter ISO code (``USD 40``, ``50-70k EUR``) -> rule ``code``; an
  unambiguous symbol or prefixed dollar (``€``, ``£``, ``₹``, ``CA$``, ``A$``) -> ``symbol``;
  a bare ``$`` is USD (``default_usd``) unless ``currency_hint`` is a dollar currency
  (``hint``); no marker at all -> the hint (``hint``) or USD (``default_usd``).
* **Numbers.** ``1,200.50`` and ``1.200,50`` both read 1200.5; a comma or dot followed by
  exactly three digits is a thousands separator; ``k``/``K`` multiply by 1,000 (and a ``k``
  on the upper bound of ``50-70k`` applies to a small lower bound too).
* **Ranges.** ``a-b``, ``a – b``, ``a to b``; swapped bounds are put in order; ``Up to X``
  -> (None, X); ``From X``/``X+`` -> (X, None); a 0 bound means "none".
* Words without a figure (``DOE``, ``Competitive``, ``Negotiable``) -> None with reason
  ``words_only:<word>``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

PAY_TYPES = ("hourly", "fixed", "salary")
PERIODS = ("hour", "day", "week", "month", "year", "project")

# Inputs longer than this are cut: pay fields are short, and this bounds the work.
MAX_PAY_TEXT = 400


@dataclass(frozen=True)
class Pay:
    """One posting's pay: ``Pay("hourly", 15.0, 35.0, "USD", "hour", "$15-35/hr", "symbol")``."""

    pay_type: str
    min: float | None
    max: float | None
    currency: str
    period: str
    raw: str
    currency_rule: str


_PERIOD_PAY_TYPE = {
    "hour": "hourly",
    "day": "hourly",
    "week": "hourly",
    "month": "salary",
    "year": "salary",
    "project": "fixed",
}

# Currencies written with a bare "$": a hint naming one of them decides a bare "$".
DOLLAR_CURRENCIES = frozenset(
    {"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD", "ARS", "CLP", "COP"}
)

ISO_CODES = frozenset(
    """USD EUR GBP INR CAD AUD NZD CHF JPY CNY SEK NOK DKK PLN CZK HUF RON BGN HRK TRY
    ZAR BRL MXN SGD HKD KRW PHP IDR MYR THB ILS ISK RUB UAH PKR BDT NGN KES EGP AED SAR
    VND ARS CLP COP PEN TWD LKR NPR GHS MAD""".split()
)

# Prefixed dollars and other symbols.  Longest first so "CA$" wins over "$".
_SYMBOLS: dict[str, str] = {
    "us$": "USD",
    "usd$": "USD",
    "ca$": "CAD",
    "cad$": "CAD",
    "c$": "CAD",
    "can$": "CAD",
    "au$": "AUD",
    "aud$": "AUD",
    "a$": "AUD",
    "nz$": "NZD",
    "hk$": "HKD",
    "s$": "SGD",
    "sg$": "SGD",
    "mx$": "MXN",
    "r$": "BRL",
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "rs.": "INR",
    "rs": "INR",
    "₽": "RUB",
    "₩": "KRW",
    "₱": "PHP",
    "₺": "TRY",
    "₪": "ILS",
    "₫": "VND",
    "₦": "NGN",
    "zł": "PLN",
    "¥": "JPY",
    "fr.": "CHF",
}

_CURRENCY_WORDS = {
    "dollars": None,  # bare dollars: same rule as "$"
    "dollar": None,
    "euros": "EUR",
    "euro": "EUR",
    "pounds": "GBP",
    "rupees": "INR",
    "yen": "JPY",
}

_NO_FIGURE_WORDS = (
    "depends on experience",
    "doe",
    "competitive",
    "negotiable",
    "tbd",
    "to be discussed",
    "to be determined",
    "not specified",
    "not disclosed",
    "undisclosed",
    "n/a",
    "unpaid",
    "volunteer",
    "commission",
    "equity",
    "market rate",
    "open",
)

_UNITS: tuple[tuple[str, str], ...] = (
    (
        r"per\s+hour|an\s+hour|a\s+hour|/\s*hour|/\s*hr|/\s*h\b|hourly|p/?h\b|hrly|ph\b|/hora",
        "hour",
    ),
    (r"per\s+day|a\s+day|/\s*day|/\s*d\b|daily|p\.?d\.?(?=\s|$)|day\s+rate", "day"),
    (r"per\s+week|a\s+week|/\s*week|/\s*wk|weekly|p\.?w\.?(?=\s|$)", "week"),
    (
        r"per\s+month|a\s+month|/\s*month|/\s*mo\b|/\s*mth|monthly|p\.?m\.?(?=\s|$)|/\s*mes|/\s*mois|par\s+mois|pro\s+monat|/\s*monat",
        "month",
    ),
    (
        r"per\s+year|a\s+year|/\s*year|/\s*yr|/\s*y\b|yearly|annually|annual|per\s+annum"
        r"|p\.?\s?a\.?(?=\s|$|\))|/\s*an\b|ote\b|salary",
        "year",
    ),
    (
        r"fixed[\s-]*price|fixed|budget|per\s+project|/\s*project|flat\s+fee|one[\s-]time"
        # Piece rates are paid per deliverable, not per unit of time.
        r"|(?:per|/|a|an|each)\s*(?:article|word|post|blog|video|page|item|task|image|logo|design|minute of audio|audio minute|lead|call|sale|unit|piece|deliverable)s?\b",
        "project",
    ),
)
_UNIT_RES = tuple((re.compile(p, re.I), period) for p, period in _UNITS)

_SYMBOL_RE = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True))
_CODE_RE = "|".join(sorted(ISO_CODES))
# One amount: optional currency before, the number, optional k, optional currency after.
# Thousands may be grouped with , . space or an apostrophe (Swiss: 120'000).
_NUM = r"\d{1,3}(?:[.,\s'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
# ISO codes only in capitals (a lower-case "try" or "mad" is a word), plus a few common
# lower-case spellings.
_CUR = rf"(?:{_SYMBOL_RE}|\$|\b(?-i:{_CODE_RE})\b|\b(?:usd|eur|gbp|inr|cad|aud)\b)"
_AMOUNT = rf"(?P<@cur1>{_CUR})?\s?(?P<@num>{_NUM})\s?(?P<@k>[kK](?![a-zA-Z]))?\s?(?P<@cur2>{_CUR}(?![a-zA-Z]))?"
_RANGE_RE = re.compile(
    r"(?<![\w.])"
    + _AMOUNT.replace("@", "a")
    # A unit may sit after the lower bound too: "$35/h - $45/h".
    + r"(?:\s*(?:/\s?[a-z]{1,5}\.?\s*)?(?:-|to|until)\s*"
    + _AMOUNT.replace("@", "b")
    + r")?(?P<plus>\s?\+)?",
    re.I,
)
_BETWEEN_RE = re.compile(r"\bbetween\s+(\S+)\s+and\s+", re.I)
_UP_TO_RE = re.compile(
    r"\b(?:up\s+to|upto|max(?:imum)?|under|less\s+than|below)\s*:?\s*$", re.I
)
_FROM_RE = re.compile(
    r"\b(?:from|starting\s+(?:at|from)|min(?:imum)?|at\s+least|over|above)\s*:?\s*$",
    re.I,
)
_HOURLY_PREFIX_RE = re.compile(r"^\s*hourly(?:\s+range|\s+rate)?\s*:?", re.I)
_BUDGET_PREFIX_RE = re.compile(
    r"^\s*(?:fixed[\s-]price\s+)?budget\s*:?|^\s*fixed[\s-]price\s*:?", re.I
)
_DASHES = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‒": "-",
        "−": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)


def _to_number(num: str, has_k: bool) -> float | None:
    """'1,200.50' -> 1200.5; '1.200,50' -> 1200.5; '40,5' -> 40.5; '120 000' -> 120000."""
    s = num.replace(" ", "").replace("'", "").replace("’", "")
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):  # European: dots group, comma is decimal
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        parts = s.split(sep)
        if len(parts) > 2 or (len(parts[-1]) == 3 and not (sep == "." and has_k)):
            s = s.replace(sep, "")  # thousands separator(s)
        elif sep == ",":
            s = s.replace(",", ".")  # decimal comma
        # a single dot followed by 1-2 digits (or 3 with k: 1.250k) is a decimal point
    try:
        value = float(s)
    except ValueError:
        return None
    if has_k:
        value *= 1000
    if not math.isfinite(value):
        return None
    return value


def _resolve_currency(markers: list[str], currency_hint: str | None) -> tuple[str, str]:
    hint = currency_hint.upper().strip() if isinstance(currency_hint, str) else None
    if hint and hint not in ISO_CODES:
        hint = None
    for m in markers:
        low = m.lower()
        if m.upper() in ISO_CODES:
            return m.upper(), "code"
        if low in _SYMBOLS:
            return _SYMBOLS[low], "symbol"
        if low in _CURRENCY_WORDS and _CURRENCY_WORDS[low]:
            return _CURRENCY_WORDS[low], "word"
    if any(m == "$" or m.lower() in ("dollars", "dollar") for m in markers):
        if hint in DOLLAR_CURRENCIES:
            return hint, "hint"
        return "USD", "default_usd"
    if hint:
        return hint, "hint"
    return "USD", "default_usd"


def _no_figure_reason(low: str) -> str:
    for word in _NO_FIGURE_WORDS:
        if re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", low):
            return f"words_only:{word.replace(' ', '_')}"
    return "no_figure"


def parse_pay_detail(
    text: str, *, currency_hint: str | None = None
) -> tuple[Pay | None, str | None]:
    """Like :func:`parse_pay` with a reason when None: ``parse_pay_detail("DOE")`` ->
    ``(None, "words_only:doe")``."""
    try:
        return _parse_cached(text, currency_hint)
    except Exception as exc:  # never raise on input; the reason names the failure
        return None, f"unparsed:{type(exc).__name__}"


def parse_pay(text: str, *, currency_hint: str | None = None) -> Pay | None:
    """Pay stated in ``text``, or None: ``parse_pay("$15-35/hr")`` ->
    ``Pay("hourly", 15.0, 35.0, "USD", "hour", "$15-35/hr", "default_usd")``."""
    return parse_pay_detail(text, currency_hint=currency_hint)[0]


@lru_cache(maxsize=8192)
def _parse_cached(
    text: str, currency_hint: str | None
) -> tuple[Pay | None, str | None]:
    return _parse(text, currency_hint)


def _parse(text, currency_hint):
    if text is None or not isinstance(text, str):
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        else:
            return None, "empty"
    raw = text.strip()
    if not raw:
        return None, "empty"
    s = raw[:MAX_PAY_TEXT].translate(_DASHES)
    # "between $30 and $40": the only place "and" joins two bounds.
    s = _BETWEEN_RE.sub(r"\1 - ", s)
    low = s.lower()
    if not any(ch.isdigit() for ch in s):
        return None, _no_figure_reason(low)

    kind_period = None
    m = _HOURLY_PREFIX_RE.match(s)
    if m:
        kind_period = "hour"
        s = s[m.end() :]
    else:
        m = _BUDGET_PREFIX_RE.match(s)
        if m:
            kind_period = "project"
            s = s[m.end() :]

    matches = [mm for mm in _RANGE_RE.finditer(s)]
    if not matches:
        return None, "unparsed"
    # Prefer the first amount carrying a currency marker; else the first amount.
    chosen = next(
        (
            mm
            for mm in matches
            if mm["acur1"] or mm["acur2"] or mm["bcur1"] or mm["bcur2"]
        ),
        matches[0],
    )
    markers = [chosen[g] for g in ("acur1", "acur2", "bcur1", "bcur2") if chosen[g]]
    tail = s[chosen.end() :]
    words_after = re.match(r"\s*([a-zA-Z]+)", tail)
    if not markers and words_after and words_after.group(1).lower() in _CURRENCY_WORDS:
        markers.append(words_after.group(1))
    currency, rule = _resolve_currency(markers, currency_hint)

    a_k = bool(chosen["ak"])
    b_k = bool(chosen["bk"])
    lo = _to_number(chosen["anum"], a_k)
    hi = _to_number(chosen["bnum"], b_k) if chosen["bnum"] else None
    if lo is not None and hi is not None and b_k and not a_k and lo < 1000 <= hi:
        lo *= 1000  # "50-70k": the k belongs to both bounds
    if lo is None and hi is None:
        return None, "unparsed"

    before = s[: chosen.start()]
    if hi is None:
        if _UP_TO_RE.search(before):
            lo, hi = None, lo
        elif chosen["plus"] or _FROM_RE.search(before):
            hi = None
        else:
            hi = lo
    lo = lo if lo else None  # 0 means none
    hi = hi if hi else None
    if lo is None and hi is None:
        return None, "zero"
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo

    period = kind_period
    after = s[chosen.end() :]
    if period is None or period == "project":
        unit = _find_unit(after) or _find_unit(before)
        if unit and (period is None or unit != "project"):
            # "Budget: $30/hr" is odd but an explicit unit still wins.
            period = unit
    if period is None:
        top = hi if hi is not None else lo
        if a_k or b_k or top >= 10_000:
            period = "year"
        elif top <= 250:
            period = "hour"
        else:
            period = "project"
    return Pay(_PERIOD_PAY_TYPE[period], lo, hi, currency, period, raw, rule), None


def _find_unit(fragment: str) -> str | None:
    fragment = fragment[:60]
    best = None
    for regex, period in _UNIT_RES:
        m = regex.search(fragment)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), period)
    return best[1] if best else None


def make_pay(
    min: float | None,
    max: float | None,
    *,
    currency: str | None,
    period: str | None,
    pay_type: str | None,
    raw: str = "",
    currency_rule: str = "source",
) -> Pay | None:
    """Pay from structured fields: ``make_pay(50, 25, currency="usd", period="hour",
    pay_type="hourly", raw="")`` -> ``Pay("hourly", 25.0, 50.0, "USD", "hour", "", "source")``.

    0/None/garbage bounds mean "none"; both none -> None.  A single bound gives min == max.
    A missing period is taken from pay_type (hourly -> hour, fixed -> project, salary ->
    year) and vice versa; an unknown currency falls back to USD with rule
    ``default_usd``.
    """
    try:
        lo = _clean_bound(min)
        hi = _clean_bound(max)
        if lo is None and hi is None:
            return None
        if lo is None:
            lo = hi
        if hi is None:
            hi = lo
        if lo > hi:
            lo, hi = hi, lo
        period = period.lower().strip() if isinstance(period, str) else None
        period = {
            "hr": "hour",
            "hourly": "hour",
            "yr": "year",
            "annual": "year",
            "yearly": "year",
            "monthly": "month",
            "mo": "month",
            "fixed": "project",
            "weekly": "week",
            "daily": "day",
        }.get(period, period)
        pay_type = pay_type.lower().strip() if isinstance(pay_type, str) else None
        if period not in PERIODS:
            period = {"hourly": "hour", "fixed": "project", "salary": "year"}.get(
                pay_type
            )
        if period is None:
            return None
        if pay_type not in PAY_TYPES:
            pay_type = _PERIOD_PAY_TYPE[period]
        cur = currency.upper().strip() if isinstance(currency, str) else ""
        if cur not in ISO_CODES:
            cur, currency_rule = "USD", "default_usd"
        return Pay(
            pay_type,
            lo,
            hi,
            cur,
            period,
            raw if isinstance(raw, str) else "",
            currency_rule,
        )
    except Exception:
        return None


def _clean_bound(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f) or f <= 0:
        return None
    return f
