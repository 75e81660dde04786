"""parse_pay / parse_pay_detail / make_pay: one row per documented form and decision."""

import pytest

from crawler.normalize import Pay, make_pay, parse_pay, parse_pay_detail

# text, hint, (pay_type, min, max, currency, period, currency_rule)
CASES = [
    ("$15.00-$35.00", "USD", ("hourly", 15, 35, "USD", "hour", "hint")),
    ("$15-35/hr", "USD", ("hourly", 15, 35, "USD", "hour", "hint")),
    ("Budget: $500", "USD", ("fixed", 500, 500, "USD", "project", "hint")),
    ("$120k – $150k", "USD", ("salary", 120_000, 150_000, "USD", "year", "hint")),
    ("$120k — $150k", "USD", ("salary", 120_000, 150_000, "USD", "year", "hint")),
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
    ("Up to $60/hr", "USD", ("hourly", None, 60, "USD", "hour", "hint")),
    ("From $25/hour", "USD", ("hourly", 25, None, "USD", "hour", "hint")),
    ("$100+", "USD", ("hourly", 100, None, "USD", "hour", "hint")),
    ("50-70k EUR", None, ("salary", 50_000, 70_000, "EUR", "year", "code")),
    ("$5k/mo", "USD", ("salary", 5000, 5000, "USD", "month", "hint")),
    ("Hourly Range: $30.00-$54.00", "USD", ("hourly", 30, 54, "USD", "hour", "hint")),
    ("$35 - $15 /hr", "USD", ("hourly", 15, 35, "USD", "hour", "hint")),  # swapped
    ("$0-$50/hr", "USD", ("hourly", None, 50, "USD", "hour", "hint")),  # 0 means none
    ("40,5 €/h", None, ("hourly", 40.5, 40.5, "EUR", "hour", "symbol")),
    ("CHF 120'000", None, ("salary", 120_000, 120_000, "CHF", "year", "code")),
    ("$35/h - $45/h", "USD", ("hourly", 35, 45, "USD", "hour", "hint")),
    ("Between $30 and $40 per hour", "USD", ("hourly", 30, 40, "USD", "hour", "hint")),
    ("$0.05 per word", "USD", ("fixed", 0.05, 0.05, "USD", "project", "hint")),
    # A bare "$" follows a dollar-currency hint; a non-dollar hint leaves it ambiguous,
    # and no hint never means USD.
    ("$45/hr", "CAD", ("hourly", 45, 45, "CAD", "hour", "hint")),
    ("$45/hr", "EUR", ("hourly", 45, 45, None, "hour", "ambiguous:$")),
    ("$45/hr", None, ("hourly", 45, 45, None, "hour", "ambiguous:$")),
    ("$120k – $150k", None, ("salary", 120_000, 150_000, None, "year", "ambiguous:$")),
    ("60 per hour", "GBP", ("hourly", 60, 60, "GBP", "hour", "hint")),
    ("60 per hour", None, ("hourly", 60, 60, None, "hour", "no_currency")),
    (
        "€40/hour",
        "USD",
        ("hourly", 40, 40, "EUR", "hour", "symbol"),
    ),  # the text's symbol wins
    # Size rules only without a unit; a stated unit is never second-guessed.
    ("$75,000", "USD", ("salary", 75_000, 75_000, "USD", "year", "hint")),
    ("$500", "USD", ("fixed", 500, 500, "USD", "project", "hint")),
    ("$20", "USD", ("hourly", 20, 20, "USD", "hour", "hint")),
    ("$50,000 per hour", "USD", ("hourly", 50_000, 50_000, "USD", "hour", "hint")),
    ("$30 a year", "USD", ("salary", 30, 30, "USD", "year", "hint")),
    ("$80/hour, 20 hours per week", "USD", ("hourly", 80, 80, "USD", "hour", "hint")),
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
            dict(currency="XYZ", period="year", pay_type=None),
            Pay("salary", 100000.0, 120000.0, None, "year", "", "unknown_currency:XYZ"),
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
    pay = parse_pay(text, currency_hint="USD")
    assert pay is not None and pay.min == 20
