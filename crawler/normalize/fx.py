"""USD figures for a :class:`Pay` at the exchange rate of the posting date.

Rates: the ECB daily history shipped with the ``currencyconverter`` package (offline),
loaded once, lazily.  Days without a published rate (weekends, holidays) are linearly
interpolated and dates outside a currency's range use the nearest published day; both
are recorded in ``fx_note``.

Figures (decided once, used everywhere):

* ``hourly_usd_*`` for pay_type ``hourly`` **and** ``salary``: the amount divided by the
  hours of its period (year 2080, month 173.33, week 40, day 8, hour 1).  Never for
  ``fixed`` budgets.
* ``hourly_usd_mid`` is (min+max)/2 when both bounds exist, otherwise the one bound.
* ``salary_usd_year`` for ``salary`` only (monthly salaries times 12).
* ``budget_usd`` for ``fixed`` only (the midpoint, or the one bound).
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from functools import lru_cache

from crawler.normalize.pay import Pay

HOURS_PER_PERIOD = {
    "hour": 1.0,
    "day": 8.0,
    "week": 40.0,
    "month": 173.33,
    "year": 2080.0,
}
MONTHS_PER_PERIOD = {"month": 12.0, "year": 1.0}

_LOCK = threading.Lock()
_CONVERTER = None


def _converter():
    """The CurrencyConverter singleton (loading the ECB history takes ~1 s)."""
    global _CONVERTER
    if _CONVERTER is None:
        with _LOCK:
            if _CONVERTER is None:
                from currency_converter import CurrencyConverter

                class _RecordingConverter(CurrencyConverter):
                    """Remembers which days had no published rate before filling them."""

                    def _set_missing_to_none(self, currency):
                        super()._set_missing_to_none(currency)
                        if not hasattr(self, "interpolated"):
                            self.interpolated = {}
                        self.interpolated[currency] = {
                            d for d, r in self._rates[currency].items() if r is None
                        }

                _CONVERTER = _RecordingConverter(
                    fallback_on_missing_rate=True, fallback_on_wrong_date=True
                )
    return _CONVERTER


@lru_cache(maxsize=65536)
def usd_rate(currency: str, on: date) -> tuple[float | None, str | None]:
    """(USD per unit of ``currency`` on ``on``, note): ``usd_rate("EUR", date(2024, 7, 19))``
    -> ``(1.09..., None)``.  (None, "unknown_currency:XXX") when the ECB has no rate."""
    if currency == "USD":
        return 1.0, None
    conv = _converter()
    if currency not in conv.currencies:
        return None, f"unknown_currency:{currency}"
    if isinstance(on, datetime):
        on = on.date()
    notes = []
    for cur in (currency, "USD"):
        if cur == "EUR":
            continue
        first, last = conv.bounds[cur]
        if on < first:
            notes.append(f"nearest_rate:{cur}:{first.isoformat()}")
        elif on > last:
            notes.append(f"nearest_rate:{cur}:{last.isoformat()}")
        elif on in conv.interpolated.get(cur, ()):
            notes.append(f"interpolated:{cur}")
    from currency_converter import RateNotFoundError  # loaded with the converter

    try:
        rate = float(conv.convert(1.0, currency, "USD", date=on))
    except (RateNotFoundError, ValueError) as exc:  # gaps the fallbacks could not fill
        return None, f"no_rate:{currency}:{type(exc).__name__}"
    # Same note for both legs (EUR->USD and EUR->XXX) reads once.
    return rate, ";".join(dict.fromkeys(notes)) or None


def usd_figures(pay: Pay | None, on: date | None) -> dict:
    """USD figures for ``pay`` on the posting date:
    ``usd_figures(Pay("hourly", 20, 40, "USD", "hour", "", "symbol"), date(2024, 1, 2))``
    -> ``{"hourly_usd_min": 20.0, "hourly_usd_max": 40.0, "hourly_usd_mid": 30.0, ...}``."""
    out = {
        "hourly_usd_min": None,
        "hourly_usd_max": None,
        "hourly_usd_mid": None,
        "budget_usd": None,
        "salary_usd_year": None,
        "fx_note": None,
    }
    if pay is None or pay.currency is None:  # no currency, no USD figure
        return out
    try:
        if on is None:
            out["fx_note"] = "no_date:latest_rate"
            on = (
                _converter().bounds["USD"].last_date
                if pay.currency != "USD"
                else date.today()
            )
        rate, note = usd_rate(pay.currency, on)
        if out["fx_note"] and note:
            note = out["fx_note"] + ";" + note
        out["fx_note"] = note or out["fx_note"]
        if rate is None:
            return out
        lo = pay.min * rate if pay.min is not None else None
        hi = pay.max * rate if pay.max is not None else None
        if lo is not None and hi is not None:
            mid = (lo + hi) / 2
        else:
            mid = lo if lo is not None else hi
        if pay.pay_type == "fixed":
            out["budget_usd"] = _round(mid)
            return out
        hours = HOURS_PER_PERIOD.get(pay.period)
        if hours is None:
            return out
        out["hourly_usd_min"] = _round(lo / hours) if lo is not None else None
        out["hourly_usd_max"] = _round(hi / hours) if hi is not None else None
        out["hourly_usd_mid"] = _round(mid / hours) if mid is not None else None
        if pay.pay_type == "salary" and mid is not None:
            if pay.period in MONTHS_PER_PERIOD:
                yearly = mid * MONTHS_PER_PERIOD[pay.period]
            else:  # a salary stated per hour/day/week: scale by the hours of a year
                yearly = mid / hours * HOURS_PER_PERIOD["year"]
            out["salary_usd_year"] = _round(yearly)
    except (TypeError, ValueError, ArithmeticError) as exc:  # odd input: say so
        out["fx_note"] = f"error:{type(exc).__name__}"
    return out


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
