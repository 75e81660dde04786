"""parse_pay / parse_pay_detail / make_pay: one row per documented form and decision."""

import pytest

from crawler.normalize import Pay, make_pay, parse_pay, parse_pay_detail

# text, hint, (pay_type, min, max, currency, period, currency_rule)
CASES = [
    ("$15.00-$35.00", None, ("hourly", 15, 35, "USD", "hour", "default_usd")),
    ("$15-35/hr", None, ("hourly", 15, 35, "USD", "hour", "default_usd")),
    ("Budget: $500", None, ("fixed", 500, 500, "USD", "project", "default_usd")),
    ("$120k – $150k", None, ("salary", 120_000, 150_000, "USD", "year", "default_usd")),
    ("$120k — $150k", None, ("salary", 120_000, 150_000, "USD", "year", "default_usd")),
    (
        "120,000-150,000 USD a year",
        None,
        ("salary", 120_000, 150_000, "USD", "year", "code"),
    ),
    ("USD 40–60 per hour", None, ("hourly", 40, 60, "USD", "hour", "code")),
    ("€40/hour", None, ("hourly", 40, 40, "EUR", "hour", "symbol")),
    ("£300 per day", None, ("hourly", 300, 300, "GBP", "day", "symbol")),
    ("₹50,000/month", None, ("salary", 50_000, 50_000, "INR", "month", "symbol")),
    ("CA$80k", None, ("salary", 80_000, 80_000, "CAD", "year", "symbol")),
    ("A$ 90,000 p.a.", None, ("salary", 90_000, 90_000, "AUD", "year", "symbol")),
    ("1.200,50 €", None, ("fixed", 1200.5, 1200.5, "EUR", "project", "symbol")),
    ("Up to $60/hr", None, ("hourly", None, 60, "USD", "hour", "default_usd")),
    ("From $25/hour", None, ("hourly", 25, None, "USD", "hour", "default_usd")),
    ("$100+", None, ("hourly", 100, None, "USD", "hour", "default_usd")),
    ("50-70k EUR", None, ("salary", 50_000, 70_000, "EUR", "year", "code")),
    ("$5k/mo", None, ("salary", 5000, 5000, "USD", "month", "default_usd")),
    (
        "Hourly Range: $30.00-$54.00",
        None,
        ("hourly", 30, 54, "USD", "hour", "default_usd"),
    ),
    (
        "$35 - $15 /hr",
        None,
        ("hourly", 15, 35, "USD", "hour", "default_usd"),
    ),  # swapped
    (
        "$0-$50/hr",
        None,
        ("hourly", None, 50, "USD", "hour", "default_usd"),
    ),  # 0 means none
    ("40,5 €/h", None, ("hourly", 40.5, 40.5, "EUR", "hour", "symbol")),
    ("CHF 120'000", None, ("salary", 120_000, 120_000, "CHF", "year", "code")),
    ("$35/h - $45/h", None, ("hourly", 35, 45, "USD", "hour", "default_usd")),
    (
        "Between $30 and $40 per hour",
        None,
        ("hourly", 30, 40, "USD", "hour", "default_usd"),
    ),
    ("$0.05 per word", None, ("fixed", 0.05, 0.05, "USD", "project", "default_usd")),
    # A bare "$" follows a dollar-currency hint; a non-dollar hint does not turn $ into EUR.
    ("$45/hr", "CAD", ("hourly", 45, 45, "CAD", "hour", "hint")),
    ("$45/hr", "EUR", ("hourly", 45, 45, "USD", "hour", "default_usd")),
    ("60 per hour", "GBP", ("hourly", 60, 60, "GBP", "hour", "hint")),
    ("60 per hour", None, ("hourly", 60, 60, "USD", "hour", "default_usd")),
    (
        "€40/hour",
        "USD",
        ("hourly", 40, 40, "EUR", "hour", "symbol"),
    ),  # the text's symbol wins
    # Size rules only without a unit; a stated unit is never second-guessed.
    ("$75,000", None, ("salary", 75_000, 75_000, "USD", "year", "default_usd")),
    ("$500", None, ("fixed", 500, 500, "USD", "project", "default_usd")),
    ("$20", None, ("hourly", 20, 20, "USD", "hour", "default_usd")),
    (
        "$50,000 per hour",
        None,
        ("hourly", 50_000, 50_000, "USD", "hour", "default_usd"),
    ),
    ("$30 a year", None, ("salary", 30, 30, "USD", "year", "default_usd")),
    (
        "$80/hour, 20 hours per week",
        None,
        ("hourly", 80, 80, "USD", "hour", "default_usd"),
    ),
]


@pytest.mark.parametrize("text,hint,expected", CASES, ids=[c[0] for c in CASES])
def test_parse_pay_forms(text, hint, expected):
    pay = parse_pay(text, currency_hint=hint)
    assert pay is not None, parse_pay_detail(text, currency_hint=hint)
    assert (
        pay.pay_type,
        pay.min,
        pay.max,
        pay.currency,
        pay.period,
        pay.currency_rule,
    ) == expected
    assert pay.raw == text.strip()


@pytest.mark.parametrize(
    "text,reason",
    [
        ("DOE", "words_only:doe"),
        ("Competitive", "words_only:competitive"),
        ("Negotiable", "words_only:negotiable"),
        ("Salary: Competitive (DOE)", "words_only:doe"),
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("Hourly", "no_figure"),
        ("$0", "zero"),
        ("0", "zero"),
    ],
)
def test_no_figure_reasons(text, reason):
    assert parse_pay_detail(text) == (None, reason)
    assert parse_pay(text) is None


def test_pay_is_frozen():
    pay = parse_pay("$10/hr")
    with pytest.raises(AttributeError):
        pay.min = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "args,kwargs,expected",
    [
        (
            (50, 25),
            dict(currency="usd", period="hour", pay_type="hourly"),
            Pay("hourly", 25.0, 50.0, "USD", "hour", "", "source"),
        ),
        (
            (30, None),
            dict(currency="EUR", period="hour", pay_type="hourly"),
            Pay("hourly", 30.0, 30.0, "EUR", "hour", "", "source"),
        ),
        (
            (0, 500),
            dict(currency="USD", period=None, pay_type="fixed"),
            Pay("fixed", 500.0, 500.0, "USD", "project", "", "source"),
        ),
        (
            (100000, 120000),
            dict(currency="XXX", period="year", pay_type=None),
            Pay("salary", 100000.0, 120000.0, "USD", "year", "", "default_usd"),
        ),
        ((0, 0), dict(currency="USD", period="hour", pay_type="hourly"), None),
        ((None, None), dict(currency="USD", period="hour", pay_type="hourly"), None),
        (
            ("abc", float("nan")),
            dict(currency="USD", period="hour", pay_type="hourly"),
            None,
        ),
        ((10, 20), dict(currency="USD", period=None, pay_type=None), None),
    ],
)
def test_make_pay(args, kwargs, expected):
    assert make_pay(*args, raw="", **kwargs) == expected


def test_long_text_is_cut_not_slow():
    text = "$20/hr " + "blah " * 100_000
    pay = parse_pay(text)
    assert pay is not None and pay.min == 20
