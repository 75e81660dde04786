"""usd_figures: ECB rate of the posting date, hours per period, kinds kept apart."""

from datetime import date

import pytest

from crawler.normalize import HOURS_PER_PERIOD, Pay, parse_pay, usd_figures, usd_rate


def test_usd_hourly_range():
    f = usd_figures(
        Pay("hourly", 20.0, 40.0, "USD", "hour", "", "symbol"), date(2024, 1, 2)
    )
    assert (f["hourly_usd_min"], f["hourly_usd_max"], f["hourly_usd_mid"]) == (
        20.0,
        40.0,
        30.0,
    )
    assert (
        f["budget_usd"] is None
        and f["salary_usd_year"] is None
        and f["fx_note"] is None
    )


def test_fixed_budget_never_hourly():
    f = usd_figures(parse_pay("Budget: $500", currency_hint="USD"), date(2024, 1, 2))
    assert f["budget_usd"] == 500.0
    assert f["hourly_usd_min"] is f["hourly_usd_max"] is f["hourly_usd_mid"] is None


def test_salary_gives_year_and_hourly_estimate():
    f = usd_figures(parse_pay("$104k", currency_hint="USD"), date(2024, 1, 2))
    assert f["salary_usd_year"] == 104_000.0
    assert f["hourly_usd_mid"] == pytest.approx(104_000 / 2080)


def test_monthly_salary_times_twelve():
    f = usd_figures(
        Pay("salary", 5000.0, 5000.0, "USD", "month", "", "symbol"), date(2024, 1, 2)
    )
    assert f["salary_usd_year"] == 60_000.0
    assert f["hourly_usd_mid"] == pytest.approx(5000 / 173.33, rel=1e-4)


@pytest.mark.parametrize(
    "period,hours",
    [("hour", 1), ("day", 8), ("week", 40), ("month", 173.33), ("year", 2080)],
)
def test_hours_per_period(period, hours):
    assert HOURS_PER_PERIOD[period] == hours
    f = usd_figures(
        Pay("hourly", 800.0, 800.0, "USD", period, "", "symbol"), date(2024, 1, 2)
    )
    assert f["hourly_usd_mid"] == pytest.approx(800 / hours, rel=1e-4)


def test_eur_uses_the_ecb_rate_of_that_day():
    # ECB reference rate on 2024-01-02: 1 EUR = 1.0956 USD.
    rate, note = usd_rate("EUR", date(2024, 1, 2))
    assert rate == pytest.approx(1.0956, rel=1e-6) and note is None
    f = usd_figures(
        Pay("hourly", 100.0, 100.0, "EUR", "hour", "", "symbol"), date(2024, 1, 2)
    )
    assert f["hourly_usd_mid"] == pytest.approx(109.56, rel=1e-6)
    # A different day gives a different rate (the posting date matters).
    assert usd_rate("EUR", date(2022, 9, 28))[0] < 1.0


def test_weekend_rate_is_interpolated_and_noted():
    rate, note = usd_rate("GBP", date(2024, 1, 6))  # a Saturday
    assert rate is not None and "interpolated" in note


def test_out_of_range_date_uses_nearest_and_notes_it():
    f = usd_figures(
        Pay("hourly", 10.0, 10.0, "EUR", "hour", "", "symbol"), date(2035, 1, 1)
    )
    assert f["hourly_usd_mid"] is not None
    assert "nearest_rate" in f["fx_note"]


def test_unknown_currency_gives_note_not_numbers():
    f = usd_figures(
        Pay("hourly", 10.0, 10.0, "NGN", "hour", "", "symbol"), date(2024, 1, 2)
    )
    assert f["hourly_usd_mid"] is None and f["fx_note"] == "unknown_currency:NGN"


def test_open_ranges_mid_is_the_known_bound():
    f = usd_figures(parse_pay("Up to $60/hr", currency_hint="USD"), date(2024, 1, 2))
    assert (f["hourly_usd_min"], f["hourly_usd_max"], f["hourly_usd_mid"]) == (
        None,
        60.0,
        60.0,
    )


def test_none_pay():
    assert set(usd_figures(None, date(2024, 1, 2)).values()) == {None}
